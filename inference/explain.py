"""Why the model said FAKE (or REAL): relevance maps over the 128x128 input, their overlay with
Hz and seconds on the axes, and the deletion check that tells whether a map is faithful.

The maps are HiResCAM (Draper et al. 2021): the gradient of the logit times the activation of
a convolution block, element by element, summed over channels. Classic Grad-CAM first averages
the gradient over the whole map, which throws away *where in frequency* the compact network's
dense layer looks (it pools over time only); the element-wise product keeps it. Both are here
so that `deletion_test` can compare them.
"""
from __future__ import annotations

import functools

import numpy as np

from model.calibration import IDENTITY, calibrate
from preprocessing.config import SpectrogramConfig
from preprocessing.spectrogram import band_frequencies, levels_per_db, pixels_to_levels, silence_pixel

METHODS = ("hirescam", "gradcam")
TICK_HZ = (100, 250, 500, 1000, 2000, 4000, 8000, 16000)
SILENCE_DB = 3.0        # pixels within this many dB of the floor count as silence
RELEVANCE_RGB = (0.0, 0.9, 1.0)  # cyan: stands out on the magma colormap


def default_layer(model) -> str:
    """The last layer with a feature map of at least 32x32 (the compact net's second block):
    fine enough to place a pattern in frequency; on the tiny test model it also erases faster
    in the deletion test than the coarser 16x16 third block."""
    spatial = [layer.name for layer in model.layers
               if len(layer.output.shape) == 4 and min(layer.output.shape[1:3]) >= 32
               and type(layer).__name__ in ("Activation", "Conv2D", "MaxFeatureMap")]
    return spatial[-1]


@functools.lru_cache(maxsize=4)  # built once per model and layer, not on every call (the page reruns often)
def _feature_and_logit_model(model, layer: str):
    """images -> (feature map of `layer`, what enters the output layer), and the function that
    makes the logit before the sigmoid of the latter: the logit's gradient does not vanish when
    p_fake saturates at 0 or 1, the probability's does. The dense head's output layer holds the
    logit's weights; the one-class head's is a bare sigmoid over its OneClassScore logit."""
    import keras
    import tensorflow as tf

    head = model.get_layer("p_fake")
    if isinstance(head, keras.layers.Dense):
        def to_logit(pooled):
            pooled = tf.cast(pooled, head.kernel.dtype)  # float16 features under --mixed-precision
            return tf.squeeze(tf.matmul(pooled, head.kernel) + head.bias, axis=1)
    else:
        def to_logit(fake_logit):
            return tf.squeeze(tf.cast(fake_logit, tf.float32), axis=1)
    return keras.Model(model.inputs, [model.get_layer(layer).output, head.input]), to_logit


def explain(model, images: np.ndarray, towards=None, threshold: float = 0.5,
            layer: str | None = None, method: str = "hirescam",
            calibration: dict = IDENTITY) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, H, W, C) -> (relevance maps (N, H, W) in 0-1, p_fake (N,)).

    Each map shows the evidence for `towards` (1 = FAKE, 0 = REAL, one per image; default: the
    model's own verdict at `threshold`), scaled so its largest value is 1 (all 0 when nothing
    in the image speaks for that class). p_fake is calibrated with the run's `calibration`
    (a monotone map: it changes no map), so it can be compared with the run's threshold.
    """
    import tensorflow as tf

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    features_model, to_logit = _feature_and_logit_model(model, layer or default_layer(model))
    batch = tf.convert_to_tensor(images, tf.float32)
    with tf.GradientTape() as tape:
        features, head_input = features_model(batch, training=False)
        tape.watch(features)
        logit = to_logit(head_input)
    p_fake = calibrate(tf.sigmoid(logit).numpy(), calibration)
    towards = (p_fake >= threshold) if towards is None else np.asarray(towards, bool)
    sign = np.where(towards, 1.0, -1.0).astype(np.float32)
    gradients = tape.gradient(logit, features) * sign[:, None, None, None]
    if method == "gradcam":
        gradients = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    cams = tf.nn.relu(tf.reduce_sum(gradients * features, axis=-1))[..., None]
    cams = tf.image.resize(cams, images.shape[1:3], method="bilinear")[..., 0].numpy()
    peaks = cams.reshape(len(cams), -1).max(axis=1)
    return cams / np.where(peaks > 0, peaks, 1.0)[:, None, None], p_fake


# ---------------------------------------------------------------- faithfulness

def _tile_scores(maps: np.ndarray, tile: int) -> np.ndarray:
    n, height, width = maps.shape
    return maps.reshape(n, height // tile, tile, width // tile, tile).mean(axis=(2, 4)).reshape(n, -1)


def deletion_curve(predict, images: np.ndarray, order: np.ndarray, config: SpectrogramConfig,
                   towards, steps: int = 8, tile: int = 8, fraction: float = 0.5) -> np.ndarray:
    """Score of the explained class (p_fake, or 1 - p_fake for REAL) as tiles are painted the
    colour of silence (as training's masks do) in `order` (N, tiles), up to `fraction` of the
    image. Returns (steps + 1, N); row 0 is the untouched image."""
    n, height, width = images.shape[:3]
    per_row = width // tile
    silence = silence_pixel(config).astype(images.dtype)
    towards = np.asarray(towards, bool)
    curve = []
    for step in range(steps + 1):
        erased = images.copy()
        count = int(round(step / steps * fraction * order.shape[1]))
        for index in range(n):
            for cell in order[index, :count]:
                row, column = divmod(int(cell), per_row)
                erased[index, row * tile:(row + 1) * tile, column * tile:(column + 1) * tile] = silence
        p_fake = predict(erased)
        curve.append(np.where(towards, p_fake, 1.0 - p_fake))
    return np.asarray(curve)


def deletion_test(predict, images: np.ndarray, maps: np.ndarray, config: SpectrogramConfig, towards,
                  tile: int = 8, random_orders: int = 3, seed: int = 0) -> dict:
    """Erase the most relevant tiles first and, as the reference, tiles in random order; a
    faithful map lowers the explained class's score faster. `drop` = mean fall of that score
    over the deletion steps (the area between the curve and its start)."""
    towards = np.asarray(towards, bool)
    ranked = np.argsort(-_tile_scores(maps, tile), axis=1, kind="stable")
    relevant = deletion_curve(predict, images, ranked, config, towards, tile=tile)
    rng = np.random.default_rng(seed)
    random_curves = [deletion_curve(predict, images, np.argsort(rng.random(ranked.shape), axis=1), config,
                                    towards, tile=tile) for _ in range(random_orders)]
    random = np.mean(random_curves, axis=0)
    relevant_drop = float(np.mean(relevant[0] - relevant[1:]))
    random_drop = float(np.mean(random[0] - random[1:]))
    return {"relevant_drop": relevant_drop, "random_drop": random_drop, "passed": relevant_drop > random_drop,
            "relevant_curve": relevant.mean(axis=1).tolist(), "random_curve": random.mean(axis=1).tolist()}


# ---------------------------------------------------------------- what the pixels mean

def row_frequencies(config: SpectrogramConfig) -> np.ndarray:
    """Centre frequency (Hz) of each image row, top row first (low bands are at the bottom;
    the spacing, mel or linear, is the config's)."""
    return band_frequencies(config)[::-1]


def column_times(config: SpectrogramConfig) -> np.ndarray:
    """Time (s) of each column's frame centre: frames of n_fft samples start every hop_length samples,
    and step 1 centres its window (of any length) in the frame."""
    return (np.arange(config.image_size) * config.hop_length + config.n_fft / 2) / config.sample_rate


def silence_masks(images: np.ndarray, config: SpectrogramConfig) -> tuple[np.ndarray, np.ndarray]:
    """(pixels within SILENCE_DB of the floor (N, H, W), padded frames: columns entirely at the floor (N, W))."""
    levels = pixels_to_levels(images, config)
    quiet = levels <= round(SILENCE_DB * levels_per_db(config))
    return quiet, np.all(levels == 0, axis=1)


# ---------------------------------------------------------------- drawing

def _hz_ticks(config: SpectrogramConfig) -> tuple[list[float], list[str]]:
    ascending = row_frequencies(config)[::-1]
    chosen = [hz for hz in TICK_HZ if ascending[0] <= hz <= ascending[-1]]
    positions = np.interp(chosen, ascending, np.arange(len(ascending)) + 0.5)
    return list(positions), [f"{hz // 1000}k" if hz >= 1000 else str(hz) for hz in chosen]


def label_axes(ax, config: SpectrogramConfig, fontsize: int = 8) -> None:
    """Hz on the (mel- or linearly spaced) vertical axis, seconds on the horizontal one."""
    positions, labels = _hz_ticks(config)
    ax.set_yticks(positions, labels, fontsize=fontsize)
    ax.tick_params(axis="x", labelsize=fontsize)
    ax.set_xlabel("time (s)", fontsize=fontsize)
    ax.set_ylabel("frequency (Hz)", fontsize=fontsize)


def image_extent(config: SpectrogramConfig) -> tuple[float, float, float, float]:
    """imshow extent: x in seconds (frame edges), y in band index from the bottom."""
    return (0.0, config.image_size * config.hop_length / config.sample_rate, 0.0, float(config.image_size))


def overlay(ax, image: np.ndarray, relevance: np.ndarray, config: SpectrogramConfig, title: str | None = None):
    """Draw the model's input with the relevance map in translucent cyan (opaque = most relevant)."""
    extent = image_extent(config)
    ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0, vmax=255,
              extent=extent, aspect="auto", interpolation="nearest")
    tint = np.zeros(relevance.shape + (4,), np.float32)
    tint[..., :3] = RELEVANCE_RGB
    tint[..., 3] = 0.8 * np.clip(relevance, 0, 1)
    ax.imshow(tint, extent=extent, aspect="auto", interpolation="bilinear")
    label_axes(ax, config)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def overlay_figure(image: np.ndarray, relevance: np.ndarray, config: SpectrogramConfig, title: str):
    """One overlay as a matplotlib Figure (for the web page)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2, 4.2), layout="constrained")
    overlay(fig.add_subplot(), image, relevance, config, title)
    return fig
