"""REAL vs FAKE differences: Welch t-tests (Benjamini-Hochberg corrected), Cohen's d and AUCs."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from preprocessing.config import SpectrogramConfig
from preprocessing.spectrogram import band_frequencies


def welch(values: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per column of `values` (clips, ...), NaNs skipped: FAKE - REAL mean difference, Cohen's d,
    Welch p-value and Benjamini-Hochberg q-value over all columns."""
    fake, real = values[y == 1], values[y == 0]
    n_fake, n_real = np.isfinite(fake).sum(0), np.isfinite(real).sum(0)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # cells at the dB floor in every clip
        difference = np.nanmean(fake, 0) - np.nanmean(real, 0)
        pooled = np.sqrt(((n_fake - 1) * np.nanvar(fake, 0, ddof=1) + (n_real - 1) * np.nanvar(real, 0, ddof=1))
                         / (n_fake + n_real - 2))
        rounding = 1e-9 * np.fmax(np.abs(np.nanmean(fake, 0)), np.abs(np.nanmean(real, 0)))
        d = np.where(pooled > rounding, difference / pooled, np.sign(difference) * np.inf)  # no spread: +-inf
        d = np.where(difference == 0, 0.0, d)
        p = stats.ttest_ind(fake, real, axis=0, equal_var=False, nan_policy="omit").pvalue
    p = np.where(np.isfinite(p), p, 1.0)  # constant or empty in both classes: no evidence
    q = stats.false_discovery_control(p.ravel()).reshape(p.shape)
    return difference, d, p, q


def is_significant(q: np.ndarray, d: np.ndarray, alpha: float, min_effect: float) -> np.ndarray:
    """Significant after correction and at least a `min_effect` Cohen's d (|d| 0.2 small, 0.5 medium)."""
    return (q < alpha) & (np.abs(d) >= min_effect)


def single_auc(values: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC of one feature used alone as the score for FAKE (NaNs dropped; NaN without both classes)."""
    keep = np.isfinite(values)
    if len(np.unique(y[keep])) < 2:
        return np.nan
    return roc_auc_score(y[keep], values[keep])


def compare_classes(table: pd.DataFrame, y: np.ndarray, alpha: float = 0.05,
                    min_effect: float = 0.2) -> pd.DataFrame:
    """One row per column of `table`: class means, difference, d, p, q, significant, auc, direction.

    `auc` is max(AUC, 1 - AUC): how well the column alone separates the classes either way.
    """
    values = table.to_numpy(dtype=float)
    difference, d, p, q = welch(values, y)
    raw_auc = np.array([single_auc(column, y) for column in values.T])
    return pd.DataFrame({
        "mean_real": np.nanmean(values[y == 0], 0), "mean_fake": np.nanmean(values[y == 1], 0),
        "difference": difference, "cohens_d": d, "p_value": p, "q_value": q,
        "significant": is_significant(q, d, alpha, min_effect),
        "auc": np.maximum(raw_auc, 1 - raw_auc),
        "direction": np.where(raw_auc >= 0.5, "higher in FAKE", "higher in REAL"),
    }, index=pd.Index(table.columns, name="name"))


def band_energy(mels: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Mean dB per clip and frequency band over the image columns that hold audio (padding left out)."""
    holds_audio = np.arange(mels.shape[2])[None, :] < np.asarray(frames)[:, None]
    return np.nanmean(np.where(holds_audio[:, None, :], mels, np.nan), axis=2)


def band_differences(energy: np.ndarray, y: np.ndarray, config: SpectrogramConfig,
                     alpha: float = 0.05, min_effect: float = 0.2) -> pd.DataFrame:
    """compare_classes over frequency bands, with each band's centre frequency."""
    names = [f"band {index:03d}" for index in range(energy.shape[1])]
    table = compare_classes(pd.DataFrame(energy, columns=names), y, alpha, min_effect)
    table.insert(0, "centre_hz", band_frequencies(config))
    return table
