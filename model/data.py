"""tf.data reader for step 1's spectrogram folders, with SpecAugment-style masking, random
truncation and mixup (all training-only, all applied to REAL and FAKE alike)."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from preprocessing.config import SpectrogramConfig
from preprocessing.spectrogram import silence_pixel


def decoder(channels: int):
    """(path, label[, weight]) -> (float32 image in 0-255, float32 label[, weight])."""
    def decode(path, label, *weight):
        image = tf.io.decode_png(tf.io.read_file(path), channels=channels)
        return tf.cast(image, tf.float32), tf.cast(label, tf.float32), *weight
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


def augment_images(config: SpectrogramConfig, freq_mask: int = 0, time_mask: int = 0,
                   truncate: float = 0.0, min_frames: int = 16):
    silence = tf.constant(silence_pixel(config), tf.float32)

    def augment(image, label, *weight):
        if truncate:
            image = _truncate(image, truncate, min_frames, silence)
        if freq_mask:
            image = _mask_band(image, freq_mask, 0, silence)
        if time_mask:
            image = _mask_band(image, time_mask, 1, silence)
        return image, label, *weight
    return augment


def mixup(alpha: float, seed: int):
    """Blend each batch with a shuffled copy of itself, labels alike (Keras' MixUp layer; it wants
    labels as a column)."""
    layer = keras.layers.MixUp(alpha=alpha, seed=seed)

    def blend(images, labels, *weights):  # the weights stay with the unshuffled half of each blend
        mixed = layer({"images": images, "labels": labels[:, None]}, training=True)
        return mixed["images"], mixed["labels"][:, 0], *weights
    return blend


def make_dataset(image_paths, labels, config: SpectrogramConfig, batch_size: int = 32,
                 training: bool = False, seed: int = 1337, freq_mask: int = 0, time_mask: int = 0,
                 truncate: float = 0.0, mixup_alpha: float = 0.0, weights=None) -> tf.data.Dataset:
    """Images as float32 in 0-255 (the model scales them) with labels 1 = FAKE (and each image's
    training weight, when `weights` are given)."""
    labels = np.asarray(labels, dtype=np.float32)
    columns = (list(map(str, image_paths)), labels)
    if weights is not None:
        columns += (np.asarray(weights, dtype=np.float32),)
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    dataset = dataset.map(decoder(config.channels), num_parallel_calls=tf.data.AUTOTUNE).cache()
    if training:
        dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        if freq_mask or time_mask or truncate:
            dataset = dataset.map(augment_images(config, freq_mask, time_mask, truncate),
                                  num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch_size)
    if training and mixup_alpha > 0:
        dataset = dataset.map(mixup(mixup_alpha, seed), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
