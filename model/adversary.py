"""A collection adversary for the one-class detector (domain-adversarial training, Ganin & Lempitsky 2015).

The REAL clips of each collection carry its recording conditions (room, microphone, noise floor,
band), and a detector trained on a few collections learns them: a collection it never saw then
has its REAL speech read FAKE (leave-one-source-out: LibriSpeech's, 80%). Beside the detector's
loss, a small head learns which collection a REAL training image came from, reading the detector's
pooled features, while the gradient that reaches those features is reversed and scaled by WEIGHT:
the features are pushed to carry no collection for REAL speech. FAKE images (copies included) take
no part. The head lives only in training; the saved detector is the same network as without it.
"""
from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from model.cnn import logit_model
from model.trainer import ExtraTermTrainer
from preprocessing.manifest import is_copy

NOT_REAL = -1   # the origin index of FAKE training images: the adversary ignores them


def reverse_gradient(features, weight: float):
    """`features` unchanged on the way forward; on the way back, the gradient times -weight."""
    @tf.custom_gradient
    def reverse(x):
        return tf.identity(x), lambda upstream: -weight * upstream
    return reverse(features)


def origin_indices(rows: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each training image's collection (the manifest's origin) as an index into the sorted names of
    the collections that have REAL training images; NOT_REAL for FAKE images and vocoded copies."""
    real = (rows["y"].to_numpy() == 0) & ~is_copy(rows).to_numpy()
    names = sorted(set(rows.loc[real, "origin"].astype(str)))
    index = {name: i for i, name in enumerate(names)}
    origins = np.array([index[origin] if is_real else NOT_REAL
                        for origin, is_real in zip(rows["origin"].astype(str), real)], dtype=np.int32)
    return origins, names


def adversary_trainer(detector: keras.Model, collections: int, weight: float) -> keras.Model:
    """A keras.Model to fit() on batches of (images, labels, [weights,] origins): it trains the one-class
    `detector` (weights shared; save `detector`) on its loss plus the adversary's cross-entropy on
    the REAL images, whose gradient reaches the detector's features reversed (times `weight`); it
    validates and predicts the fake logit as the detector's `logit_model` does."""
    features = detector.get_layer("embedding").input
    parts = keras.Model(detector.inputs, [features, detector.get_layer("fake_logit").output])

    class AdversaryTrainer(ExtraTermTrainer):
        def __init__(self):
            super().__init__(logit_model(detector), "adversary_loss")
            self.parts, self.weight = parts, weight
            self.head = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(collections)],
                                         name="collection_adversary")
            self.head.build((None, features.shape[-1]))  # the reversal hides the features' width

        def train_step(self, data):
            images, labels, *weights, origins = data
            sample_weight = weights[0] if weights else None
            real = tf.cast(origins != NOT_REAL, tf.float32)
            with tf.GradientTape() as tape:
                features, fake_logit = self.parts(images, training=True)
                loss = self.compute_loss(x=images, y=labels, y_pred=fake_logit, sample_weight=sample_weight)
                guessed = self.head(reverse_gradient(features, self.weight), training=True)
                surprise = keras.losses.sparse_categorical_crossentropy(tf.maximum(origins, 0), guessed, from_logits=True)
                adversary = tf.reduce_sum(surprise * real) / tf.maximum(tf.reduce_sum(real), 1.0)
                self._loss_tracker.update_state(loss, sample_weight=tf.shape(images)[0])
                scaled = self.optimizer.scale_loss(loss + adversary)
            gradients = tape.gradient(scaled, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            self.term_tracker.update_state(adversary)
            return self.compute_metrics(images, labels, fake_logit, sample_weight=sample_weight)

    return AdversaryTrainer()
