"""The shape every training wrapper of the detector shares: a keras.Model that trains the detector's
weights (save the detector, not the wrapper) on the compiled loss plus one extra term, logs that
term under its own name, and validates and predicts as the detector does (validation has no extra term)."""
from __future__ import annotations

import keras


class ExtraTermTrainer(keras.Model):
    """Subclasses write train_step; `detector` maps images to what the compiled loss reads."""

    def __init__(self, detector: keras.Model, term_name: str):
        super().__init__()
        self.detector = detector
        self.term_tracker = keras.metrics.Mean(name=term_name)

    def call(self, images, training=False):
        return self.detector(images, training=training)

    @property
    def metrics(self):
        return super().metrics + [self.term_tracker]

    def test_step(self, data):
        return {name: value for name, value in super().test_step(data).items() if name != self.term_tracker.name}
