"""A pair-aware training term for copy-synthesis (issue 13's optional lever).

Step 1's `--vocode` gives every REAL training clip a FAKE copy that shares its speaker, words,
room and microphone; only the synthesis differs. Beside the usual binary cross-entropy, each
training step also scores a few (REAL, copy) pairs and adds softplus(-(logit copy - logit REAL)):
the copy must score more FAKE than its own original. The term's gradient comes only from what
differs inside a pair, so what the pair shares (voice, channel) cannot lower it.
"""
from __future__ import annotations

import keras
import tensorflow as tf

from model.data import decoder
from model.trainer import ExtraTermTrainer
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import is_copy


def copy_pairs(rows) -> tuple[list[str], list[str]]:
    """(REAL image, copy image) paths from a step 1 manifest's training rows: a copy (`vocoder` set)
    is paired with the REAL image of the same source file and window."""
    if "vocoder" not in rows:
        return [], []
    made = is_copy(rows)
    plain = rows["variant"].astype(int) == 0  # not a channel-randomised variant
    originals = rows[~made & plain & (rows["y"] == 0)].drop_duplicates(["source", "segment"])
    pairs = rows[made].merge(originals, on=["source", "segment"], suffixes=("_copy", ""))
    return list(map(str, pairs["image_path"])), list(map(str, pairs["image_path_copy"]))


def pair_dataset(real_paths, copy_paths, config: SpectrogramConfig, pairs_per_batch: int, seed: int):
    """Endless shuffled batches of (REAL images, copy images), decoded as make_dataset decodes."""
    decode = decoder(config.channels)
    pairs = tf.data.Dataset.from_tensor_slices((list(real_paths), list(copy_paths)))
    pairs = pairs.map(lambda real, copy: (decode(real, 0.0)[0], decode(copy, 1.0)[0]),
                      num_parallel_calls=tf.data.AUTOTUNE).cache()
    return pairs.shuffle(len(real_paths), seed=seed).repeat().batch(pairs_per_batch).prefetch(tf.data.AUTOTUNE)


def pair_term(p_fake_real, p_fake_copy):
    """Mean softplus(logit REAL - logit copy): log 2 where a copy scores as its original, towards 0 as
    the copy scores more FAKE."""
    def logit(p_fake):
        p = tf.clip_by_value(p_fake, 1e-7, 1 - 1e-7)
        return tf.math.log(p) - tf.math.log1p(-p)
    return tf.reduce_mean(tf.math.softplus(logit(p_fake_real) - logit(p_fake_copy)))


def paired_trainer(detector: keras.Model, pair_weight: float) -> keras.Model:
    """A keras.Model to fit() on zip(training batches, pair_dataset(...)): it trains `detector`
    (whose weights it shares; save `detector`) on cross-entropy + pair_weight x the pair term, and
    validates and predicts as `detector` does."""

    class PairedTrainer(ExtraTermTrainer):
        def __init__(self):
            super().__init__(detector, "pair_loss")
            self.pair_weight = pair_weight

        def train_step(self, data):
            (images, labels, *weights), (reals, copies) = data
            sample_weight = weights[0] if weights else None
            n, m = tf.shape(images)[0], tf.shape(reals)[0]
            with tf.GradientTape() as tape:  # one forward pass: batch normalisation sees all of it at once
                p_fake = self(tf.concat([images, reals, copies], 0), training=True)
                p_main, p_real, p_copy = p_fake[:n], p_fake[n:n + m], p_fake[n + m:]
                loss = self.compute_loss(x=images, y=labels, y_pred=p_main, sample_weight=sample_weight)
                pair = pair_term(p_real, p_copy)
                total = loss + self.pair_weight * pair
                self._loss_tracker.update_state(loss, sample_weight=n)  # what Keras' own train_step logs as loss
                scaled = self.optimizer.scale_loss(total)
            gradients = tape.gradient(scaled, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            self.term_tracker.update_state(pair)
            return self.compute_metrics(images, labels, p_main, sample_weight=sample_weight)

    return PairedTrainer()
