"""Classical baseline beside the CNN: MFCC statistics of the same 3 s window + an RBF SVM.

Each clip goes through step 1's audio path (audio_windows),
so the baseline sees exactly the window the CNN's image was made from. Features: mean and
standard deviation over time of 20 MFCCs and their deltas (80 numbers per window).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from tqdm import tqdm

from eval.metrics import EvaluationError, compute_eer
from preprocessing.audio import audio_windows
from preprocessing.config import SpectrogramConfig

N_MFCC = 20


def mfcc_statistics(window: np.ndarray, config: SpectrogramConfig) -> np.ndarray:
    """Mean and std over time of MFCCs and their deltas, with the CNN's STFT and mel settings."""
    mfcc = librosa.feature.mfcc(y=window, sr=config.sample_rate, n_mfcc=N_MFCC, n_fft=config.n_fft,
                                hop_length=config.hop_length, win_length=config.win_length,
                                n_mels=config.n_mels, fmin=config.fmin, fmax=config.fmax, center=False)
    frames = np.vstack([mfcc, librosa.feature.delta(mfcc)])
    return np.concatenate([frames.mean(axis=1), frames.std(axis=1)])


def original_windows(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per source file and segment: augmented copies (variant > 0) cannot be rebuilt from audio."""
    rows = rows[rows["variant"].astype(int) == 0]
    return rows.drop_duplicates(["source", "segment"]).reset_index(drop=True)


def clip_features(rows: pd.DataFrame, config: SpectrogramConfig, cache_file: Path | None = None,
                  desc: str = "MFCC") -> np.ndarray:
    """Feature matrix for `rows` (columns source, segment), reusing what `cache_file` holds."""
    settings = hashlib.sha1(json.dumps([config.to_dict(), N_MFCC], sort_keys=True).encode()).hexdigest()
    keys = [f"{source}#{int(segment)}" for source, segment in zip(rows["source"], rows["segment"])]
    cached = {}
    if cache_file is not None and cache_file.exists():
        with np.load(cache_file) as stored:
            if str(stored["settings"]) == settings:
                cached = dict(zip(stored["keys"], stored["features"]))
    missing = rows[[key not in cached for key in keys]]
    for source, segments in tqdm(missing.groupby("source")["segment"], desc=desc, unit="clip",
                                 disable=missing.empty):
        wanted = sorted(int(s) for s in segments)
        _, windows = audio_windows(source, config, max_windows=wanted[-1] + 1)
        for segment in wanted:
            cached[f"{source}#{segment}"] = mfcc_statistics(windows[segment], config)
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
                 cache_file: Path | None = None) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Fit on the train split, set the threshold at the val split's EER (0.5 without one), score `split`.

    Returns the scored rows (one per source file and segment), their p_fake and the threshold:
    the same protocol as the CNN, whose threshold also comes from the validation EER.
    """
    parts = {name: original_windows(rows[rows["split"] == name]) for name in ("train", "val", split)}
    if parts["train"]["y"].nunique() < 2:
        raise EvaluationError("the baseline needs REAL and FAKE clips in the train split")
    features = clip_features(pd.concat(parts.values()), config, cache_file, desc="baseline MFCC")
    ends = np.cumsum([len(part) for part in parts.values()])
    features = dict(zip(parts, np.split(features, ends[:-1])))
    model = train_svm(features["train"], parts["train"]["y"].to_numpy())
    threshold = 0.5
    if parts["val"]["y"].nunique() == 2:
        _, threshold = compute_eer(parts["val"]["y"], svm_p_fake(model, features["val"]))
    return parts[split], svm_p_fake(model, features[split]), threshold
