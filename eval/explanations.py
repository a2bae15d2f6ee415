"""Step 5's explanation section: where the model looks, averaged over true FAKE and true REAL
clips, in which frequency bands, and how much of it falls on silence or padding.

A model whose evidence sits on silence-coloured pixels or padded frames is deciding on how
much of the window is empty (clip length, pauses), not on the voice: a shortcut detector.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from inference.explain import deletion_test, explain, image_extent, label_axes, row_frequencies, silence_masks
from preprocessing.config import CLASS_NAMES
from preprocessing.spectrogram import load_image_array

BAND_EDGES_HZ = (0, 250, 500, 1000, 2000, 4000, 8000, 24000)
SHORTCUT_SHARE = 0.2    # this much relevance on silence or padding makes the report warn
DELETION_CLIPS = 32     # the deletion check runs ~36 forward passes per clip: a sample is enough
MAX_CLIPS = 2000        # keeps the default-on section to seconds on large test splits (a seeded sample)


def band_shares(maps: np.ndarray, config) -> dict[str, float]:
    """Share of the relevance mass in each frequency band (rows by their centre frequency)."""
    frequencies = row_frequencies(config)
    per_row = maps.sum(axis=(0, 2))
    total = float(per_row.sum()) or 1.0
    shares = {}
    for low, high in zip(BAND_EDGES_HZ[:-1], BAND_EDGES_HZ[1:]):
        inside = (frequencies >= low) & (frequencies < high)
        if inside.any():
            shares[f"{low}-{high} Hz"] = float(per_row[inside].sum() / total)
    return shares


def silence_shares(maps: np.ndarray, images: np.ndarray, config) -> dict[str, float]:
    """Relevance on silence-coloured pixels and padded frames, beside the area they cover."""
    quiet, padded = silence_masks(images, config)
    total = float(maps.sum()) or 1.0
    return {"relevance_on_silence": float((maps * quiet).sum() / total), "silence_area": float(quiet.mean()),
            "relevance_on_padding": float((maps * padded[:, None, :]).sum() / total),
            "padding_area": float(padded.mean())}


def single_clip_ms(model, image: np.ndarray, repeats: int = 10) -> float:
    """Wall time of explaining one image, after a warm-up call."""
    explain(model, image[None])
    start = time.perf_counter()
    for _ in range(repeats):
        explain(model, image[None])
    return 1000 * (time.perf_counter() - start) / repeats


def maps_plot(maps: np.ndarray, y: np.ndarray, config, path: Path) -> Path:
    """Mean map of each true class, and relevance per frequency row of both."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4.4), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 0.7])
    for ax, label in zip(axes[:2], (1, 0)):
        mean = maps[y == label].mean(axis=0)
        shown = ax.imshow(mean, cmap="viridis", vmin=0, extent=image_extent(config), aspect="auto")
        label_axes(ax, config, fontsize=9)
        ax.set_title(f"true {CLASS_NAMES[label]} ({(y == label).sum()} clips): evidence for {CLASS_NAMES[label]}",
                     fontsize=10)
        fig.colorbar(shown, ax=ax, label="mean relevance (0-1)")
    profile = axes[2]
    rows_from_bottom = np.arange(config.image_size) + 0.5
    for label in (1, 0):
        per_row = maps[y == label].mean(axis=(0, 2))[::-1]
        profile.plot(per_row / (per_row.sum() or 1.0), rows_from_bottom, label=f"true {CLASS_NAMES[label]}")
    profile.set_ylim(0, config.image_size)
    label_axes(profile, config, fontsize=9)
    profile.set_xlabel("share of relevance per frequency row")
    profile.set_title("where in frequency", fontsize=10)
    profile.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    return path


def explanation_report(predictor, rows, folder: Path) -> tuple[dict, list[str]]:
    """Maps of the clips of `rows` (columns image_path, y; at most MAX_CLIPS of them): metrics for
    metrics.json, report lines."""
    if len(rows) > MAX_CLIPS:
        rows = rows.sample(MAX_CLIPS, random_state=0)
    images = np.stack([load_image_array(path, predictor.config) for path in rows["image_path"]])
    y = rows["y"].to_numpy()
    start = time.perf_counter()
    size = predictor.batch_size
    maps = np.concatenate([explain(predictor.model, images[i:i + size], towards=y[i:i + size])[0]
                           for i in range(0, len(images), size)])
    batch_ms = 1000 * (time.perf_counter() - start) / len(images)
    sample = np.random.default_rng(0).permutation(len(images))[:DELETION_CLIPS]
    deletion = deletion_test(predictor.predict_arrays, images[sample], maps[sample], predictor.config, y[sample])
    metrics = {"method": "HiResCAM (gradient x activation of the logit), evidence for each clip's true class",
               "bands": {CLASS_NAMES[label]: band_shares(maps[y == label], predictor.config) for label in (1, 0)},
               "silence": silence_shares(maps, images, predictor.config),
               "deletion": {k: v for k, v in deletion.items() if not k.endswith("curve")} | {"clips": len(sample)},
               "clips": len(images),
               "ms_per_clip_single": single_clip_ms(predictor.model, images[0]), "ms_per_clip_batched": batch_ms}
    plot = maps_plot(maps, y, predictor.config, folder / "explanation_maps.png")
    return metrics, report_lines(metrics, plot)


def _top_bands(shares: dict[str, float], count: int = 2) -> str:
    best = sorted(shares.items(), key=lambda item: -item[1])[:count]
    return " and ".join(f"{band} ({share:.0%})" for band, share in best)


def report_lines(metrics: dict, plot: Path) -> list[str]:
    silence, deletion = metrics["silence"], metrics["deletion"]
    relies = max(silence["relevance_on_silence"], silence["relevance_on_padding"]) >= SHORTCUT_SHARE
    verdict = (f"**Warning: at least {SHORTCUT_SHARE:.0%} of the evidence lies on silence or padding: the model "
               "partly detects how empty the window is (a shortcut), not the voice.**" if relies else
               f"Less than {SHORTCUT_SHARE:.0%} of the evidence lies on silence or padding: no sign of a "
               "silence shortcut.")
    faithful = ("passes" if deletion["passed"] else "**fails** (the maps are not faithful to this model)")
    return [
        "## What the model looks at", "",
        f"Relevance maps ({metrics['method']}) of {metrics['clips']} clips, averaged per true class; the right panel "
        "is the share of relevance in each frequency row.", "",
        f"![explanation maps]({plot.name})", "",
        f"- FAKE clips: the evidence for FAKE lies mostly in {_top_bands(metrics['bands']['FAKE'])}; "
        f"REAL clips: the evidence for REAL in {_top_bands(metrics['bands']['REAL'])}.",
        f"- {silence['relevance_on_silence']:.0%} of the relevance falls on silence-coloured pixels "
        f"(they cover {silence['silence_area']:.0%} of the images) and {silence['relevance_on_padding']:.0%} on "
        f"padded frames ({silence['padding_area']:.0%} of the frames). {verdict}",
        f"- Deletion check on {deletion['clips']} clips {faithful}: painting the most relevant 8x8 tiles "
        f"silent first lowers the true class's score by {deletion['relevant_drop']:.3f} on average over the "
        f"steps (up to half the image), random tiles by {deletion['random_drop']:.3f}.",
        f"- Cost: {metrics['ms_per_clip_single']:.0f} ms for one clip on its own, "
        f"{metrics['ms_per_clip_batched']:.1f} ms per clip in batches.", ""]
