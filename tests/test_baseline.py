"""The classical baselines' features: the linear filterbank, LFCC/MFCC vectors and their cache."""
from __future__ import annotations

import numpy as np
import pytest

from eval.baseline import clip_features, window_statistics
from preprocessing.audio import audio_windows
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import original_images, read_config, read_manifest
from preprocessing.spectrogram import triangular_filters
from conftest import voice_like

SAMPLE_RATE, N_FFT = 16000, 1024


def test_linear_filterbank_puts_a_tone_in_the_filter_of_its_band():
    filters = triangular_filters(np.linspace(20.0, 8000.0, 22), SAMPLE_RATE, N_FFT)
    assert filters.shape == (20, N_FFT // 2 + 1)
    # 22 edges from 20 to 8000 Hz are (8000 - 20) / 21 = 380 Hz apart: filter i peaks at 20 + 380 (i + 1) Hz,
    # so 3440 Hz is the centre of filter 8 and 3630 Hz lies between filters 8 and 9 (8.5 steps)
    t = np.arange(N_FFT) / SAMPLE_RATE
    for tone_hz, expected in [(3440.0, [8]), (3630.0, [8, 9])]:
        power = np.abs(np.fft.rfft(np.hanning(N_FFT) * np.sin(2 * np.pi * tone_hz * t))) ** 2
        energy = filters @ power
        top = sorted(np.argsort(energy)[::-1][:len(expected)])
        assert top == expected
        assert energy[expected].sum() > 0.95 * energy.sum()


def test_linear_filters_are_half_overlapping_triangles():
    filters = triangular_filters(np.linspace(20.0, 8000.0, 22), SAMPLE_RATE, N_FFT)
    bin_hz = np.fft.rfftfreq(N_FFT, 1 / SAMPLE_RATE)
    assert filters.min() == 0.0 and filters.max() <= 1.0
    inside = (bin_hz >= 20 + 380) & (bin_hz <= 20 + 380 * 20)  # from the first centre to the last
    assert np.allclose(filters[:, inside].sum(axis=0), 1.0)  # each bin shared by two neighbours
    assert not filters[:, (bin_hz < 20) | (bin_hz > 8000)].any()  # nothing outside fmin..fmax


@pytest.mark.parametrize("features, length", [("mfcc", 80), ("lfcc", 120)])
def test_window_statistics_have_a_fixed_finite_length(features, length):
    config = SpectrogramConfig()
    speech = voice_like(config.clip_seconds, config.sample_rate, pitch=130, seed=0)
    silence = np.zeros(config.clip_samples, dtype=np.float32)  # the log floor keeps silence finite
    for window in (speech, silence):
        vector = window_statistics(window, config, features)
        assert vector.shape == (length,) and np.isfinite(vector).all()


def test_lfcc_sees_a_high_tone_that_changes_the_window():
    """The FAKE cue of the generated set (a 3.5 kHz tone) moves the LFCC vector."""
    config = SpectrogramConfig()
    plain = voice_like(config.clip_seconds, config.sample_rate, pitch=130, seed=0)
    toned = voice_like(config.clip_seconds, config.sample_rate, pitch=130, seed=0, extra_band_hz=3500.0)
    difference = window_statistics(toned, config, "lfcc") - window_statistics(plain, config, "lfcc")
    assert np.abs(difference[:20]).max() > 0.5  # means of the cepstra, in log-energy units


def test_feature_cache_is_kept_apart_per_feature_kind(spectrogram_dir, tmp_path, monkeypatch):
    rows = original_images(read_manifest(spectrogram_dir))
    config, cache = read_config(spectrogram_dir), tmp_path / "features.npz"
    mfcc = clip_features(rows, config, cache, "mfcc")
    lfcc = clip_features(rows, config, cache, "lfcc")  # same file: the MFCCs must not be reused
    assert mfcc.shape == (len(rows), 80) and lfcc.shape == (len(rows), 120)
    monkeypatch.setattr("eval.baseline.audio_windows", lambda *a, **k: pytest.fail("features not cached"))
    assert np.array_equal(clip_features(rows, config, cache, "lfcc"), lfcc)
    loaded = []
    monkeypatch.setattr("eval.baseline.audio_windows", lambda *a, **k: loaded.append(a) or audio_windows(*a, **k))
    assert np.allclose(clip_features(rows, config, cache, "mfcc"), mfcc) and loaded  # recomputed, not LFCC
