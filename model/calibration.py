"""Platt scaling: p_fake = sigmoid(slope * logit(raw p_fake) + intercept), fitted on validation data,
so that a calibrated "0.9" means about 9 in 10 of such clips are fake (on data like the validation set).

Class weights and early stopping leave the network's raw sigmoid over- or under-confident; a
monotone rescaling fixes the probabilities without changing the ranking (EER, ROC AUC).
"""
from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.metrics import logit

IDENTITY = {"method": "none", "slope": 1.0, "intercept": 0.0}


def fit_platt(y, raw_p_fake) -> dict:
    """Slope and intercept from (labels, raw p_fake). A slope <= 0 would invert the ranking: the
    identity is kept then (the model is no better than chance on this data)."""
    model = LogisticRegression(C=1e4).fit(logit(raw_p_fake)[:, None], np.asarray(y))
    slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
    if slope <= 0:
        return dict(IDENTITY)
    return {"method": "platt", "slope": slope, "intercept": intercept}


def calibrate(raw_p_fake, calibration: dict) -> np.ndarray:
    """Apply a fitted calibration (identity for runs trained before calibration existed)."""
    z = calibration["slope"] * logit(raw_p_fake) + calibration["intercept"]
    return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
