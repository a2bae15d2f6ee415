"""Classical baselines beside the CNN: cepstral statistics of the same 3 s window + an RBF SVM.

Each clip goes through step 1's audio path (audio_windows),
so the baseline sees exactly the window the CNN's image was made from. Two feature kinds:
"mfcc" (mean and std over time of 20 MFCCs and their deltas, 80 numbers per window) and
"lfcc" (20 linear-frequency cepstra, deltas and double deltas, 120 numbers): the LFCC
front end of the ASVspoof baselines, which keeps the high-frequency detail mel bands blur.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import librosa
import numpy as np
import pandas as pd
from scipy.fft import dct
from scipy.special import expit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from tqdm import tqdm

from eval.metrics import EvaluationError, operating_threshold
from preprocessing.audio import audio_windows
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import original_images
from preprocessing.spectrogram import stft_power, triangular_filters

N_CEPSTRA = 20
N_LINEAR_FILTERS = 20


def mfcc(window: np.ndarray, config: SpectrogramConfig) -> np.ndarray:
    """MFCCs (N_CEPSTRA x frames) with the CNN's STFT and mel settings."""
    return librosa.feature.mfcc(y=window, sr=config.sample_rate, n_mfcc=N_CEPSTRA, n_fft=config.n_fft,
                                hop_length=config.hop_length, win_length=config.win_length,
                                n_mels=config.n_mels, fmin=config.fmin, fmax=config.fmax, center=False)


def lfcc(window: np.ndarray, config: SpectrogramConfig) -> np.ndarray:
    """LFCCs (N_CEPSTRA x frames): DCT of the log linear-filterbank energies of the CNN's STFT."""
    power = stft_power(window, config)
    edges = np.linspace(config.fmin, config.fmax, N_LINEAR_FILTERS + 2)
    filters = triangular_filters(edges, config.sample_rate, config.n_fft)
    log_energy = np.log(np.maximum(filters @ power, 1e-12))  # the floor the CNN's dB images use
    return dct(log_energy, type=2, axis=0, norm="ortho")[:N_CEPSTRA]


@dataclass(frozen=True)
class FeatureKind:
    """One baseline front end: per-frame cepstra, how many delta orders to stack, and its report text."""

    name: str
    cepstra: Callable[[np.ndarray, SpectrogramConfig], np.ndarray]
    delta_orders: int
    description: str


FEATURE_KINDS = {
    "mfcc": FeatureKind("MFCC + SVM", mfcc, 1, f"mean and std of {N_CEPSTRA} MFCCs and their deltas"),
    "lfcc": FeatureKind("LFCC + SVM", lfcc, 2,
                        f"mean and std of {N_CEPSTRA} LFCCs (DCT of the log energies of {N_LINEAR_FILTERS} "
                        f"linearly spaced triangular filters on the CNN's STFT power), their deltas and "
                        f"double deltas"),
}


def window_statistics(window: np.ndarray, config: SpectrogramConfig, features: str) -> np.ndarray:
    """Mean and std over time of the cepstra and their deltas: one fixed-length vector per window."""
    kind = FEATURE_KINDS[features]
    cepstra = kind.cepstra(window, config)
    frames = np.vstack([cepstra] + [librosa.feature.delta(cepstra, order=order)
                                    for order in range(1, kind.delta_orders + 1)])
    return np.concatenate([frames.mean(axis=1), frames.std(axis=1)])


def clip_features(rows: pd.DataFrame, config: SpectrogramConfig, cache_file: Path | None = None,
                  features: str = "mfcc") -> np.ndarray:
    """Feature matrix for `rows` (columns source, segment), reusing what `cache_file` holds
    when it was made with the same config and feature kind."""
    settings = hashlib.sha1(json.dumps([config.to_dict(), features, N_CEPSTRA, N_LINEAR_FILTERS],
                                       sort_keys=True).encode()).hexdigest()
    keys = [f"{source}#{int(segment)}" for source, segment in zip(rows["source"], rows["segment"])]
    cached = {}
    if cache_file is not None and cache_file.exists():
        with np.load(cache_file) as stored:
            if str(stored["settings"]) == settings:
                cached = dict(zip(stored["keys"], stored["features"]))
    missing = rows[[key not in cached for key in keys]]
    for source, segments in tqdm(missing.groupby("source")["segment"], desc=f"baseline {features.upper()}",
                                 unit="clip", disable=missing.empty):
        wanted = sorted(int(s) for s in segments)
        _, windows = audio_windows(source, config, max_windows=wanted[-1] + 1)
        for segment in wanted:
            cached[f"{source}#{segment}"] = window_statistics(windows[segment], config, features)
    if cache_file is not None and not missing.empty:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache_file, settings=settings, keys=np.array(list(cached)),
                 features=np.array(list(cached.values())))
    return np.array([cached[key] for key in keys])


def train_svm(features: np.ndarray, y: np.ndarray):
    """Standardised features -> RBF SVM with class-balanced weights."""
    return make_pipeline(StandardScaler(), SVC(kernel="rbf", class_weight="balanced")).fit(features, y)


def svm_p_fake(model, features: np.ndarray) -> np.ndarray:
    """The SVM margin squashed into 0-1 (logistic): same ranking as the SVM, not a calibrated probability.

    (Platt scaling fits on cross-validated margins, which on small training sets can come out
    inverted and flip the whole ranking.)
    """
    return expit(model.decision_function(features))


def run_baseline(rows: pd.DataFrame, split: str, config: SpectrogramConfig,
                 cache_file: Path | None = None,
                 features: str = "mfcc") -> tuple[pd.DataFrame, np.ndarray, float]:
    """Features of kind `features` (a FEATURE_KINDS key); fit on the train split, set the threshold
    at the val split's EER (0.5 without one), score `split`.

    Returns the scored rows (one per source file and segment), their p_fake and the threshold:
    the same protocol as the CNN, whose threshold also comes from the validation EER.
    """
    parts = {name: original_images(rows[rows["split"] == name]) for name in ("train", "val", split)}
    if parts["train"]["y"].nunique() < 2:
        raise EvaluationError("the baseline needs REAL and FAKE clips in the train split")
    matrix = clip_features(pd.concat(parts.values()), config, cache_file, features)
    ends = np.cumsum([len(part) for part in parts.values()])
    by_split = dict(zip(parts, np.split(matrix, ends[:-1])))
    model = train_svm(by_split["train"], parts["train"]["y"].to_numpy())
    threshold = 0.5
    if parts["val"]["y"].nunique() == 2:
        threshold = operating_threshold(parts["val"]["y"], svm_p_fake(model, by_split["val"]))
    return parts[split], svm_p_fake(model, by_split[split]), threshold
