"""Issue 14: the shipped model, the fallback to it, calibration and the warnings on answers that mean little."""
from __future__ import annotations

import json
import os
import shutil

import keras
import numpy as np
import pytest

import model.cnn  # noqa: F401  registers the custom layers the one-class models use (as Predictor does)
from conftest import voice_like
from model.calibration import calibrate, fit_platt
from model.run import DEFAULT_PRETRAINED, PRETRAINED_DIR, RunCard, list_runs, resolve_run, shipped_runs
from preprocessing.audio import Audio, speech_warning
from preprocessing.config import SpectrogramConfig
from preprocessing.spectrogram import image_fingerprint

CONFIG = SpectrogramConfig()
SHIPPED_RUNS = list_runs(PRETRAINED_DIR)


@pytest.mark.parametrize("run_dir", SHIPPED_RUNS, ids=[run.name for run in SHIPPED_RUNS])
def test_each_shipped_model_loads_safely_and_matches_todays_image_code(run_dir):
    keras.saving.load_model(run_dir / "model.keras", safe_mode=True)
    card = RunCard.load(run_dir)
    training = json.loads((run_dir / "training.json").read_text())
    # fails the moment the image definition changes without retraining the shipped models
    assert training["image_fingerprint"] == image_fingerprint(card.config)
    assert (run_dir / "MODEL_CARD.md").exists() and card.calibration["method"] == "platt"


def test_the_default_shipped_model_is_shipped():
    assert DEFAULT_PRETRAINED in SHIPPED_RUNS


def test_the_default_shipped_model_answers_whatever_the_file_times(trained_run, tmp_path, monkeypatch):
    pretrained = tmp_path / "pretrained"
    default, other = pretrained / DEFAULT_PRETRAINED.name, pretrained / "older-model"
    shutil.copytree(trained_run, default)
    shutil.copytree(trained_run, other)
    later = (default / "model.keras").stat().st_mtime + 60
    os.utime(other / "model.keras", (later, later))  # a fresh clone's checkout order, say
    monkeypatch.setenv("DEEPFAKE_PRETRAINED_DIR", str(pretrained))
    assert shipped_runs() == [default, other]
    assert resolve_run(None, tmp_path / "no-runs-here") == default


def test_prediction_falls_back_to_the_shipped_model_and_a_user_run_wins(trained_run, tmp_path, monkeypatch, capsys):
    from conftest import write_clip
    from inference.predict import main as predict

    runs, shipped_dir = tmp_path / "runs", tmp_path / "pretrained" / "v1"
    shutil.copytree(trained_run, shipped_dir)
    monkeypatch.setenv("DEEPFAKE_PRETRAINED_DIR", str(shipped_dir.parent))
    assert resolve_run(None, runs) == shipped_dir
    monkeypatch.chdir(tmp_path)  # predict.py looks for the user's runs in model/saved_models
    clip = write_clip(tmp_path / "clip.wav")
    assert predict(["--input", str(clip), "--output", str(tmp_path / "p.csv")]) == 0
    assert "shipped pretrained model v1" in capsys.readouterr().out
    shutil.copytree(trained_run, runs / "mine")
    assert resolve_run(None, runs) == runs / "mine"


def test_platt_calibration_is_monotone_and_calibrated():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    true_p = np.where(y == 1, rng.beta(5, 2, y.size), rng.beta(2, 5, y.size))
    overconfident = 1 / (1 + np.exp(-4 * np.log(true_p / (1 - true_p))))  # a sharpened copy of the scores
    calibration = fit_platt(y, overconfident)
    calibrated = calibrate(overconfident, calibration)
    assert np.all(np.diff(calibrated[np.argsort(overconfident)]) >= 0)  # the ranking (EER, AUC) is kept
    confident = calibrated > 0.9
    assert 0.85 <= y[confident].mean() <= 1.0 and abs(calibrated[confident].mean() - y[confident].mean()) < 0.05
    assert fit_platt(y, 1 - overconfident)["method"] == "none"  # never inverts a ranking


def test_the_training_run_stores_and_applies_its_calibration(trained_run):
    from inference.predictor import Predictor

    predictor = Predictor.load(trained_run)
    images = np.random.default_rng(0).integers(0, 256, (3, 128, 128, 3)).astype(np.uint8)
    raw = np.asarray(predictor.model.predict(images.astype(np.float32), verbose=0)).ravel()
    assert np.allclose(predictor.predict_arrays(images), calibrate(raw, predictor.card.calibration), atol=1e-6)


def _audio(samples: np.ndarray) -> Audio:
    return Audio(samples.astype(np.float32), CONFIG.sample_rate, len(samples) / CONFIG.sample_rate)


def test_silence_and_a_pure_tone_are_flagged_and_speech_is_not():
    t = np.arange(CONFIG.clip_samples) / CONFIG.sample_rate
    assert "no audible signal" in speech_warning(_audio(np.zeros_like(t)), CONFIG)
    assert "steady sound" in speech_warning(_audio(0.3 * np.sin(2 * np.pi * 440 * t)), CONFIG)
    assert "steady sound" in speech_warning(_audio(0.05 * np.random.default_rng(0).standard_normal(t.size)), CONFIG)
    assert speech_warning(_audio(voice_like(3.0, CONFIG.sample_rate, 140.0, seed=0)), CONFIG) == ""


def test_images_not_made_by_step1_are_flagged(trained_run, spectrogram_dir):
    from inference.predictor import Predictor
    from preprocessing.manifest import read_manifest
    from preprocessing.spectrogram import load_image_array

    predictor = Predictor.load(trained_run)
    noise = np.random.default_rng(0).integers(0, 256, (128, 128, 3)).astype(np.uint8)
    assert "colormap" in predictor.image_warning(noise)
    step1_image = load_image_array(read_manifest(spectrogram_dir)["image_path"][0], predictor.config)
    assert predictor.image_warning(step1_image) == ""


def test_unreadable_mp3_says_so_in_plain_words(tmp_path):
    from preprocessing.audio import AudioError, load_audio

    (tmp_path / "bad.mp3").write_bytes(b"ID3 not really mp3" * 10)
    with pytest.raises(AudioError, match="not a readable audio file") as error:
        load_audio(tmp_path / "bad.mp3", CONFIG)
    assert "pipe" not in str(error.value)


def test_a_weak_model_warns_on_every_verdict(trained_run):
    from inference.predictor import POOR_VALIDATION_EER, Predictor

    predictor = Predictor.load(trained_run)
    predictor.card.validation["eer"] = POOR_VALIDATION_EER + 0.15
    assert "validation EER is 35%" in predictor.model_warning
    predictor.card.validation["eer"] = POOR_VALIDATION_EER / 2
    assert predictor.model_warning == ""
