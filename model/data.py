"""tf.data reader for step 1's spectrogram folders, with SpecAugment-style masking, random
truncation, random pass bands, random noise floors and mixup (all training-only, all applied to
REAL and FAKE alike)."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from preprocessing.augment import BAND_ORDER, HIGH_PASS_HZ, LOW_PASS_HZ, NOISE_SNR_DB, low_frequency_heavy
from preprocessing.audio import split_windows
from preprocessing.config import SpectrogramConfig
from preprocessing.spectrogram import (band_frequencies, band_power, colormap_inverse, colormap_lut, levels_per_db,
                                       silence_pixel)


def decoder(channels: int):
    """(path, label, *extra) -> (float32 image in 0-255, float32 label, *extra): extra columns
    (whether the image may take a channel, its weight) pass through."""
    def decode(path, label, *extra):
        image = tf.io.decode_png(tf.io.read_file(path), channels=channels)
        return tf.cast(image, tf.float32), tf.cast(label, tf.float32), *extra
    return decode


def _fill(image, keep, silence, axis: int):
    """Where `keep` (a 0/1 vector along `axis`) is 0, paint the silence colour."""
    keep = tf.reshape(keep, [-1, 1, 1] if axis == 0 else [1, -1, 1])
    return image * keep + silence * (1 - keep)


def _mask_band(image, max_width: int, axis: int, silence):
    """Paint one random band of rows (axis 0: frequency) or columns (axis 1: time) as silence."""
    size = tf.shape(image)[axis]
    width = tf.random.uniform([], 0, max_width + 1, dtype=tf.int32)
    start = tf.random.uniform([], 0, size - width + 1, dtype=tf.int32)
    positions = tf.range(size)
    keep = tf.cast((positions < start) | (positions >= start + width), image.dtype)
    return _fill(image, keep, silence, axis)


def _truncate(image, probability: float, min_frames: int, silence):
    """With `probability`, keep only the first L frames (L uniform from `min_frames`) and pad
    the rest with silence, as step 1 pads a short clip. Applied to both classes, it stops
    the amount of padding (clip duration) from telling REAL from FAKE."""
    frames = tf.shape(image)[1]
    length = tf.random.uniform([], min_frames, frames + 1, dtype=tf.int32)
    length = tf.where(tf.random.uniform([]) < probability, length, frames)
    keep = tf.cast(tf.range(frames) < length, image.dtype)
    return _fill(image, keep, silence, axis=1)


def level_codec(config: SpectrogramConfig):
    """(to_levels, to_image): a decoded picture's pixels back to the dB levels (0-255) step 1
    coloured them with, and levels to pixels again. Step 1 writes only colormap colours (PNG is
    lossless), so the inverse is an exact look-up."""
    if config.gray:
        return (lambda image: tf.cast(image[..., 0], tf.int32)), (lambda levels: tf.cast(levels, tf.float32)[..., None])
    if config.multi_resolution:  # each channel is already a level: (rows, frames, channels)
        return (lambda image: tf.cast(image, tf.int32)), (lambda levels: tf.cast(levels, tf.float32))
    codes, levels = colormap_inverse(config.colormap)
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(codes, tf.int64), tf.constant(levels, tf.int32)), default_value=0)
    colours = tf.constant(colormap_lut(config.colormap), tf.float32)

    def to_levels(image):
        rgb = tf.cast(image, tf.int64)
        return table.lookup(rgb[..., 0] * 65536 + rgb[..., 1] * 256 + rgb[..., 2])
    return to_levels, lambda levels: tf.gather(colours, levels)


def pass_band_db(row_hz, low, high, sample_rate: int):
    """Attenuation in dB of each row (its centre frequency) by preprocessing.augment.bandpass's
    filter from `low` to `high` Hz: the magnitude of a digital Butterworth band pass, i.e. its analog
    prototype at the bilinear transform's warped frequencies (steeper towards Nyquist)."""
    high = tf.minimum(high, 0.45 * sample_rate)  # as bandpass keeps it
    warp = lambda hz: tf.tan(np.pi * hz / sample_rate)  # noqa: E731
    lower, upper, warped = warp(low), warp(high), warp(row_hz)
    prototype = (warped ** 2 - lower * upper) / (warped * (upper - lower))
    return 10.0 * tf.math.log(1.0 + prototype ** (2 * BAND_ORDER)) / np.log(10.0)


def attenuate_rows(levels, attenuation_db, levels_per_db: float):
    """Each row's dB levels (rows, frames[, channels]) lowered by its attenuation, the floor (level 0) kept as the floor."""
    drop = tf.cast(tf.round(tf.minimum(attenuation_db * levels_per_db, 255.0)), tf.int32)
    return tf.maximum(levels - tf.reshape(drop, [-1] + [1] * (len(levels.shape) - 1)), 0)


def _band_limit(config: SpectrogramConfig, probability: float):
    """With `probability`, a random pass band (edges drawn as step 1's `--augment` draws them,
    telephone to wideband; the upper edge no lower than the image's own lowest) drawn on the
    picture: each row's dB levels lowered as the filter lowers that band."""
    to_levels, to_image = level_codec(config)
    row_hz = tf.constant(band_frequencies(config)[::-1], tf.float32)  # image row 0 is the top band

    def draw_band(image, lowest_upper_hz):
        low, high = tf.random.uniform([], *HIGH_PASS_HZ), tf.random.uniform([], lowest_upper_hz, LOW_PASS_HZ[1])
        attenuation_db = pass_band_db(row_hz, low, high, config.sample_rate)
        return to_image(attenuate_rows(to_levels(image), attenuation_db, levels_per_db(config)))

    def limit(image, channel):
        return tf.cond(tf.random.uniform([]) < probability * channel[0],
                       lambda: draw_band(image, channel[2]), lambda: image)
    return limit


def noise_bank(config: SpectrogramConfig, count: int = 16, seed: int = 0) -> np.ndarray:
    """(count, rows, frames) band power, in image row order, of noise windowed and normalised by
    step 1's own code (so at the RMS level each speech window has), made by step 1's spectrogram: even entries white, odd ones
    low-frequency heavy (step 1's `--augment` noises). Its frame-to-frame texture is real noise's."""
    rng = np.random.default_rng(seed)
    bank = []
    for index in range(count):
        noise = rng.standard_normal(config.clip_samples)
        noise = low_frequency_heavy(noise) if index % 2 else noise
        bank.append(band_power(split_windows(noise, config)[0], config)[::-1])
    return np.stack(bank).astype(np.float32)


def add_noise_floor(levels, noise_power, snr_db, config: SpectrogramConfig):
    """A picture's dB levels (0-255) with noise of band power `noise_power` (at the normalised RMS
    level) mixed in `snr_db` below the speech, then the mixture brought back to the normalised
    level, as step 1 would picture the noisy audio (band powers add; level 0 holds no power)."""
    per_db = levels_per_db(config)
    power = tf.where(levels > 0, 10.0 ** ((tf.cast(levels, tf.float32) / per_db + config.db_floor) / 10), 0.0)
    noise_share = 10.0 ** (-snr_db / 10)
    mixed = (power + noise_power * noise_share) / (1 + noise_share)
    db = 10.0 * tf.math.log(tf.maximum(mixed, 1e-30)) / np.log(10.0)
    return tf.cast(tf.round((tf.clip_by_value(db, config.db_floor, config.db_ceiling) - config.db_floor) * per_db),
                   tf.int32)


def _noise_floor(config: SpectrogramConfig, probability: float):
    """With `probability`, noise (white or low-frequency heavy, a random stretch of the bank) at a
    random SNR (as step 1's `--augment` draws it) mixed into the picture. Needs pictures whose level
    is known: step 1's level normalisation and dB re full scale."""
    if not config.normalize_level or config.db_reference != "full_scale":
        raise ValueError("--noise-floor needs images made with level normalisation and dB re full scale "
                         "(step 1's defaults): otherwise a picture's speech level is unknown")
    if config.multi_resolution:
        raise ValueError("--noise-floor is not drawn on multi_resolution pictures (its noise bank has one window length)")
    to_levels, to_image = level_codec(config)
    bank = tf.constant(noise_bank(config))

    def draw_noise(image):
        noise_power = tf.roll(bank[tf.random.uniform([], 0, bank.shape[0], tf.int32)],
                              tf.random.uniform([], 0, bank.shape[2], tf.int32), axis=1)
        snr_db = tf.random.uniform([], *NOISE_SNR_DB)
        return to_image(add_noise_floor(to_levels(image), noise_power, snr_db, config))

    def add(image, channel):
        return tf.cond(tf.random.uniform([]) < probability * channel[1], lambda: draw_noise(image), lambda: image)
    return add


def _time_stretch(config: SpectrogramConfig, most: float):
    """A picture slowed down by a random factor from 1 to 1 + `most` (its frames interpolated on the
    dB levels, so the colours stay step 1's) and a random stretch of its width cut out: how fast a
    speaker or a TTS system talks stops telling, while each frame's spectrum stays."""
    to_levels, to_image = level_codec(config)

    def stretch(image):
        levels = tf.cast(to_levels(image), tf.float32)
        grid = levels if len(levels.shape) == 3 else levels[..., None]
        rows, frames = tf.shape(grid)[0], tf.shape(grid)[1]
        width = tf.cast(tf.round(tf.cast(frames, tf.float32) * tf.random.uniform([], 1.0, 1.0 + most)), tf.int32)
        start = tf.random.uniform([], 0, width - frames + 1, tf.int32)
        cut = tf.image.resize(grid, tf.stack([rows, width]), method="bilinear")[:, start:start + frames]
        cut = cut if len(levels.shape) == 3 else cut[..., 0]
        return tf.ensure_shape(to_image(tf.cast(tf.round(cut), tf.int32)), image.shape)
    return stretch


def augment_images(config: SpectrogramConfig, freq_mask: int = 0, time_mask: int = 0,
                   truncate: float = 0.0, min_frames: int = 16, band_limit: float = 0.0,
                   noise_floor: float = 0.0, time_flip: float = 0.0, time_stretch: float = 0.0):
    """The training-time augmentation as a tf.data map. With `band_limit` or `noise_floor`, each
    element carries its channel row after the label (see `channel_rows`); that column is used here
    and dropped. `time_flip` is the chance that an image is played backwards (its frames reversed):
    every frame's spectrum stays what the microphone or the vocoder made, while onsets, decays and
    word order no longer tell anything. `time_stretch` slows every image down by up to 1 + that
    (`_time_stretch`)."""
    silence = tf.constant(silence_pixel(config), tf.float32)
    channels = [make(config, chance) for make, chance in ((_band_limit, band_limit), (_noise_floor, noise_floor))
                if chance]
    stretch = _time_stretch(config, time_stretch) if time_stretch else None

    def augment(image, label, *extra):
        if channels:
            row, *extra = extra
            for channel in channels:
                image = channel(image, tf.cast(row, tf.float32))
        if time_flip:
            image = tf.cond(tf.random.uniform([]) < time_flip, lambda: tf.reverse(image, axis=[1]), lambda: image)
        if time_stretch:
            image = stretch(image)
        if truncate:
            image = _truncate(image, truncate, min_frames, silence)
        if freq_mask:
            image = _mask_band(image, freq_mask, 0, silence)
        if time_mask:
            image = _mask_band(image, time_mask, 1, silence)
        return image, label, *extra
    return augment


def mixup(alpha: float, seed: int):
    """Blend each batch with a shuffled copy of itself, labels alike (Keras' MixUp layer; it wants
    labels as a column)."""
    layer = keras.layers.MixUp(alpha=alpha, seed=seed)

    def blend(images, labels, *weights):  # the weights stay with the unshuffled half of each blend
        mixed = layer({"images": images, "labels": labels[:, None]}, training=True)
        return mixed["images"], mixed["labels"][:, 0], *weights
    return blend


COPY_BAND_MARGIN_HZ = 1000.0  # a copy's pass band reaches at least this far above its crossover


def channel_rows(labels, copies, copy_band_from_hz: float | None = None, balance: bool = False,
                 noise_copies: float = 0.0) -> np.ndarray:
    """(images, 3): each training image's multipliers of the band-limit and noise-floor chances and
    the lowest upper edge (Hz) its pass band may take. Vocoded copies are their original below their
    crossover, so a copy band-limited there, or drowned in noise above it, is a REAL picture labelled
    FAKE: copies take no noise, and a pass band only with `copy_band_from_hz`, its upper edge drawn
    above that so the vocoded band stays in view. Sparing copies makes a channel a REAL cue among
    the pictures that look alike (reals and their copies); with `balance`, the other images of a
    class that has spared ones take a higher chance, so that each class carries a channel equally
    often (while the raised chance stays at most 1). `noise_copies` is the share of the noise chance
    that copies take (1: as often as their originals, so a pair says nothing about noise, at the
    price of copies whose vocoded band the noise hides)."""
    labels, copies = np.asarray(labels), np.asarray(copies, bool)
    banded = ~copies if copy_band_from_hz is None or copy_band_from_hz >= LOW_PASS_HZ[1] else np.ones_like(copies)
    noised = np.where(copies, noise_copies, 1.0)
    scales = np.stack([banded, noised], axis=1).astype(np.float32)
    if balance:
        for label in np.unique(labels):
            in_class = labels == label
            scales[in_class] *= in_class.sum() / np.maximum(scales[in_class].sum(axis=0), 1.0)
    lowest_upper_hz = np.where(copies, max(copy_band_from_hz or 0.0, LOW_PASS_HZ[0]), LOW_PASS_HZ[0])
    return np.column_stack([scales, lowest_upper_hz]).astype(np.float32)


def make_dataset(image_paths, labels, config: SpectrogramConfig, batch_size: int = 32,
                 training: bool = False, seed: int = 1337, freq_mask: int = 0, time_mask: int = 0,
                 truncate: float = 0.0, mixup_alpha: float = 0.0, weights=None,
                 band_limit: float = 0.0, noise_floor: float = 0.0, copies=None,
                 copy_band_from_hz: float | None = None, balance_channels: bool = False,
                 time_flip: float = 0.0, noise_copies: float = 0.0, time_stretch: float = 0.0,
                 origins=None) -> tf.data.Dataset:
    """Images as float32 in 0-255 (the model scales them) with labels 1 = FAKE (and each image's
    training weight, when `weights` are given). `band_limit` and `noise_floor` are the chances that
    a training image gets a random pass band or a random noise floor; images whose `copies` entry
    is true (vocoded copies; none when not given) are spared or limited (or take `noise_copies` of
    the noise chance), and `balance_channels` evens the chances out between the classes (`channel_rows`).
    `origins` (one int per image, model.adversary's collection index) ride along as the last column."""
    labels = np.asarray(labels, dtype=np.float32)
    columns = (list(map(str, image_paths)), labels)
    band_limit, noise_floor = (band_limit, noise_floor) if training else (0.0, 0.0)
    if band_limit or noise_floor:
        copies = np.zeros(len(labels), bool) if copies is None else copies
        columns += (channel_rows(labels, copies, copy_band_from_hz, balance_channels, noise_copies),)
    if weights is not None:
        columns += (np.asarray(weights, dtype=np.float32),)
    if origins is not None:
        columns += (np.asarray(origins, dtype=np.int32),)
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    dataset = dataset.map(decoder(config.channels), num_parallel_calls=tf.data.AUTOTUNE).cache()
    if training:
        dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        if freq_mask or time_mask or truncate or band_limit or noise_floor or time_flip or time_stretch:
            dataset = dataset.map(augment_images(config, freq_mask, time_mask, truncate, band_limit=band_limit,
                                                 noise_floor=noise_floor, time_flip=time_flip,
                                                 time_stretch=time_stretch),
                                  num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch_size)
    if training and mixup_alpha > 0:
        dataset = dataset.map(mixup(mixup_alpha, seed), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
