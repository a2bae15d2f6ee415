"""tf.data reader for step 1's spectrogram folders, with SpecAugment-style masking and mixup."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from preprocessing.config import SpectrogramConfig


def _decode(channels: int):
    def decode(path, label):
        image = tf.io.decode_png(tf.io.read_file(path), channels=channels)
        return tf.cast(image, tf.float32), tf.cast(label, tf.float32)
    return decode


def _mask_band(image, max_width: int, axis: int):
    """Set one random band of rows (axis 0: frequency) or columns (axis 1: time) to 0 (the dB floor)."""
    size = tf.shape(image)[axis]
    width = tf.random.uniform([], 0, max_width + 1, dtype=tf.int32)
    start = tf.random.uniform([], 0, size - width + 1, dtype=tf.int32)
    positions = tf.range(size)
    keep = tf.cast((positions < start) | (positions >= start + width), image.dtype)
    shape = [-1, 1, 1] if axis == 0 else [1, -1, 1]
    return image * tf.reshape(keep, shape)


def spec_augment(freq_mask: int, time_mask: int):
    def augment(image, label):
        if freq_mask:
            image = _mask_band(image, freq_mask, axis=0)
        if time_mask:
            image = _mask_band(image, time_mask, axis=1)
        return image, label
    return augment


def mixup(alpha: float):
    """Blend each batch with a shuffled copy of itself (labels blended the same way)."""
    def blend(images, labels):
        gamma_a = tf.random.gamma([tf.shape(images)[0]], alpha)
        gamma_b = tf.random.gamma([tf.shape(images)[0]], alpha)
        weight = gamma_a / (gamma_a + gamma_b)
        order = tf.random.shuffle(tf.range(tf.shape(images)[0]))
        image_weight = tf.reshape(weight, [-1, 1, 1, 1])
        images = image_weight * images + (1 - image_weight) * tf.gather(images, order)
        labels = weight * labels + (1 - weight) * tf.gather(labels, order)
        return images, labels
    return blend


def make_dataset(image_paths, labels, config: SpectrogramConfig, batch_size: int = 32,
                 training: bool = False, seed: int = 1337, freq_mask: int = 0, time_mask: int = 0,
                 mixup_alpha: float = 0.0) -> tf.data.Dataset:
    """Images as float32 in 0-255 (the model scales them) with labels 1 = FAKE."""
    labels = np.asarray(labels, dtype=np.float32)
    dataset = tf.data.Dataset.from_tensor_slices((list(map(str, image_paths)), labels))
    dataset = dataset.map(_decode(config.channels), num_parallel_calls=tf.data.AUTOTUNE).cache()
    if training:
        dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        if freq_mask or time_mask:
            dataset = dataset.map(spec_augment(freq_mask, time_mask), num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch_size)
    if training and mixup_alpha > 0:
        dataset = dataset.map(mixup(mixup_alpha), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
