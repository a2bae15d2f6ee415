"""Per-clip measurements of a step-1 dataset: the image's band dB values and interpretable features.

    frame, mels = load_clips("spectrograms")      # one row per clip, mels: (clips, n_mels, frames)
    feature_aucs(frame)                          # how well each feature alone separates REAL/FAKE

The band dB values are recomputed from the source audio with the image code itself, so they are
exact; when the audio is gone they are decoded from the PNG's pixel levels (column `from_audio`).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis.stats import compare_classes
from preprocessing.audio import audio_windows, leading_silence_samples, split_windows
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import original_images, read_config, read_manifest
from preprocessing.spectrogram import band_db, load_image_array, pixels_to_levels

# name -> what it measures; the audio ones are NaN for clips measured from their PNG only
FEATURES = {
    "centroid_hz": "spectral centroid of the window's average spectrum",
    "rolloff_hz": "frequency below which 85% of the window's spectrum lies",
    "flatness": "spectral flatness of the average spectrum (1 = white noise, 0 = tonal)",
    "high_band_ratio": "energy above the high-band edge / total energy",
    "leading_silence_s": "silence before speech, on the original audio (before trimming)",
    "rms_dbfs": "RMS level of the window before level normalisation",
    "noise_floor_dbfs": "10th percentile of 20 ms frame RMS levels in the window, before level normalisation",
    "bandwidth_hz": "highest frequency where the window's average spectrum is within 50 dB of its peak",
    "audio_in_window_s": "seconds of audio in the image window (the rest is silent padding)",
    "duration_s": "length of the original file",
    "sample_rate_hz": "sample rate of the original file",
}
# what step 1 does to a feature before the model sees it (shown next to shortcut risks)
IN_IMAGES = {
    "leading_silence_s": "trimmed away by step 1 unless --no-trim",
    "rms_dbfs": "removed by level normalisation unless --no-normalize",
    "duration_s": "visible as silent padding when shorter than the window",
    "sample_rate_hz": "resampled away, but a band limit stays visible",
    "noise_floor_dbfs": "moved with the level by normalisation, but its distance below speech stays visible",
    "bandwidth_hz": "visible: the image rows above the band limit stay empty",
}
NOISE_FRAME_SECONDS = 0.02   # short enough to fit in the pauses between words
BANDWIDTH_RANGE_DB = 50.0    # a resampler's stopband lies far deeper, speech's high band usually within


def noise_floor_dbfs(window: np.ndarray, sample_rate: int) -> float:
    """The level of the quietest frames (pauses): a recording's background noise, low in clean studio
    audio and in many synthesisers, high in a room or a phone call."""
    frame = int(NOISE_FRAME_SECONDS * sample_rate)
    frames = librosa.util.frame(np.pad(window, (0, max(0, frame - len(window)))), frame_length=frame,
                                hop_length=frame, axis=0)
    return float(np.percentile(20 * np.log10(np.maximum(np.sqrt(np.mean(frames ** 2, axis=1)), 1e-10)), 10))


def bandwidth_hz(average_power: np.ndarray, freqs: np.ndarray) -> float:
    """Where the content stops: a clip recorded or coded at 8 kHz ends near 4 kHz however it was
    resampled, a full-band one near Nyquist (an energy rolloff would sit at a few kHz for both)."""
    peak = average_power.max()
    if peak <= 0:
        return 0.0
    return float(freqs[np.nonzero(average_power >= peak * 10 ** (-BANDWIDTH_RANGE_DB / 10))[0][-1]])


def clip_features(samples: np.ndarray, config: SpectrogramConfig, high_band_hz: float = 4000.0,
                  speech_start: int | None = None) -> dict:
    """Features of one clip's audio (at config.sample_rate): leading silence on the untrimmed audio,
    the rest on step 1's window (first clip_seconds after trimming) before level normalisation.
    `speech_start`: where audio_windows found speech, when the caller has already trimmed."""
    trimmed = config.trim_leading_silence and speech_start is not None
    silence = speech_start if trimmed else leading_silence_samples(samples, config)
    start = silence if config.trim_leading_silence else 0
    (window,) = split_windows(samples[start:], dataclasses.replace(config, normalize_level=False), max_windows=1)
    in_window = min(len(samples) - start, config.clip_samples)
    window = window[:in_window].astype(np.float64)  # step 1's window without its padding
    rms = np.sqrt(np.mean(window ** 2))
    power = np.abs(librosa.stft(np.pad(window, (0, max(0, config.n_fft - len(window)))), n_fft=config.n_fft, hop_length=config.hop_length,
                                win_length=config.win_length, center=False)) ** 2
    average = np.sqrt(power.mean(axis=1, keepdims=True))  # magnitude of the average spectrum
    freqs = librosa.fft_frequencies(sr=config.sample_rate, n_fft=config.n_fft)
    total = power.sum()
    return {
        "centroid_hz": librosa.feature.spectral_centroid(S=average, sr=config.sample_rate,
                                                         n_fft=config.n_fft)[0, 0],
        "rolloff_hz": librosa.feature.spectral_rolloff(S=average, sr=config.sample_rate,
                                                       n_fft=config.n_fft)[0, 0],
        "flatness": librosa.feature.spectral_flatness(S=average)[0, 0],
        "high_band_ratio": power[freqs >= high_band_hz].sum() / total if total > 0 else np.nan,
        "leading_silence_s": silence / config.sample_rate,
        "rms_dbfs": 20 * np.log10(max(rms, 1e-10)),
        "noise_floor_dbfs": noise_floor_dbfs(window, config.sample_rate),
        "bandwidth_hz": bandwidth_hz(power.mean(axis=1), freqs),
        "audio_in_window_s": in_window / config.sample_rate,
    }


def frames_with_audio(length: int, config: SpectrogramConfig) -> int:
    """Image columns whose STFT frame starts inside the audio (the rest is padding)."""
    return int(np.clip(np.ceil(length / config.hop_length), 1, config.image_size))


def image_to_db(path: str | Path, config: SpectrogramConfig) -> np.ndarray:
    """Decode a step-1 PNG back to dB (clipped to the image's range, 80/255 dB steps), low bands first."""
    levels = pixels_to_levels(load_image_array(path, config), config)
    db = config.db_floor + levels * (config.db_ceiling - config.db_floor) / 255.0
    return db[::-1].astype(np.float32)


def measure_clip(row, config: SpectrogramConfig, high_band_hz: float) -> tuple[np.ndarray, dict]:
    """(band dB of the clip's image, its features): from the audio when it exists, else from the PNG."""
    info = {"duration_s": row.duration, "sample_rate_hz": row.sample_rate}
    if not Path(row.source).exists():
        frames = frames_with_audio(int(row.duration * config.sample_rate), config)
        return image_to_db(row.image_path, config), {**info, "from_audio": False, "frames": frames}
    audio, (window,) = audio_windows(row.source, config)
    db = np.clip(band_db(window, config), config.db_floor, config.db_ceiling)  # what the image holds
    return db, {**info, **clip_features(audio.samples, config, high_band_hz, audio.speech_start), "from_audio": True,
                "frames": frames_with_audio(len(audio.samples) - audio.speech_start, config)}


def load_clips(data_dir: str | Path, split: str | None = None, max_clips: int | None = None,
               seed: int = 0, high_band_hz: float = 4000.0) -> tuple[pd.DataFrame, np.ndarray]:
    """Step 1's original images (no augmented copies, first window only), at most `max_clips`
    per class (seeded sample), measured: (manifest rows + feature columns, band dB stack)."""
    config = read_config(data_dir)
    frame = read_manifest(data_dir, split)
    numbers = ["variant", "segment", "duration", "sample_rate"]  # strings when the manifest has error rows
    frame[numbers] = frame[numbers].apply(pd.to_numeric)
    frame = original_images(frame)
    frame = frame[frame["segment"] == 0]
    frame = frame.sample(frac=1.0, random_state=seed)
    if max_clips:
        frame = frame.groupby("y").head(max_clips)
    frame = frame.sort_values(["y", "image"]).reset_index(drop=True)
    mels, rows = [], []
    for row in tqdm(frame.itertuples(), total=len(frame), unit="clip", desc="measuring"):
        db, features = measure_clip(row, config, high_band_hz)
        mels.append(db)
        rows.append(features)
    measured = pd.DataFrame(rows, columns=[*FEATURES, "from_audio", "frames"])
    return pd.concat([frame, measured], axis=1), np.stack(mels)


def feature_aucs(frame: pd.DataFrame, shortcut_auc: float = 0.8, alpha: float = 0.05,
                 min_effect: float = 0.2) -> pd.DataFrame:
    """Per feature: class means, Cohen's d, Welch p/q, the AUC it reaches alone (max(AUC, 1-AUC)),
    its direction, and `shortcut_risk` when that AUC is at least `shortcut_auc`; strongest first."""
    table = compare_classes(frame[list(FEATURES)], frame["y"].to_numpy(), alpha, min_effect)
    table["shortcut_risk"] = table["auc"] >= shortcut_auc
    return table.sort_values("auc", ascending=False)
