"""Shared fixtures: tests make their own audio from numpy signals."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


def voice_like(seconds: float, sample_rate: int, pitch: float, seed: int, extra_band_hz: float | None = None,
               lead_silence: float = 0.0) -> np.ndarray:
    """A harmonic 'voice' with syllable-rate loudness changes; optionally an extra tone (the FAKE cue)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    vibrato = pitch * (1 + 0.03 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(vibrato) / sample_rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 12) if k * pitch < sample_rate / 2)
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t + rng.uniform(0, np.pi)) ** 2
    signal = 0.2 * voice * envelope + 0.003 * rng.standard_normal(t.size)
    if extra_band_hz:
        signal += 0.05 * np.sin(2 * np.pi * extra_band_hz * t)
    lead = np.zeros(int(lead_silence * sample_rate))
    return np.concatenate([lead, signal]).astype(np.float32)


def write_clip(path: Path, seconds=3.5, sample_rate=16000, pitch=140.0, seed=0, fake=False, channels=1,
               lead_silence=0.0) -> Path:
    samples = voice_like(seconds, sample_rate, pitch, seed, 3500.0 if fake else None, lead_silence)
    if channels > 1:
        samples = np.stack([samples] * channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, sample_rate)
    return path


def make_folder_dataset(root: Path, per_class: int = 8, ext: str = ".wav") -> Path:
    """REAL/ and FAKE/ folders of distinct generated clips."""
    for index in range(per_class):
        write_clip(root / "REAL" / f"real_{index}{ext}", pitch=110 + 9 * index, seed=index)
        write_clip(root / "FAKE" / f"fake_{index}{ext}", pitch=115 + 9 * index, seed=100 + index, fake=True)
    return root


@pytest.fixture
def folder_dataset(tmp_path) -> Path:
    return make_folder_dataset(tmp_path / "audio")


@pytest.fixture(scope="session")
def spectrogram_dir(tmp_path_factory) -> Path:
    """Step 1 output of a small generated set (REAL/FAKE folders, 12 clips per class)."""
    from preprocessing.audio_to_spectrogram import main as step1

    root = tmp_path_factory.mktemp("shared")
    make_folder_dataset(root / "audio", per_class=12)
    assert step1(["--input", str(root / "audio"), "--output", str(root / "spectrograms")]) == 0
    return root / "spectrograms"


@pytest.fixture(scope="session")
def trained_run(spectrogram_dir) -> Path:
    """A run folder trained for 2 epochs on `spectrogram_dir` (seconds on a CPU)."""
    from model.train_cnn_model import main as train

    run_dir = spectrogram_dir.parent / "run"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "2",
                  "--batch-size", "8"]) == 0
    return run_dir
