"""Explanation maps: shape, faithfulness (deletion check), axes, and their hooks in steps 4 and 5."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from eval.evaluate import main as evaluate
from inference.explain import (column_times, deletion_curve, deletion_test, explain, row_frequencies,
                               silence_masks)
from inference.predict_panel import main as panel
from inference.predictor import Predictor
from preprocessing.manifest import read_manifest
from preprocessing.spectrogram import image_to_array, load_image_array, window_to_image


@pytest.fixture(scope="module")
def predictor(trained_run) -> Predictor:
    return Predictor.load(trained_run)


@pytest.fixture(scope="module")
def longer_run(spectrogram_dir):
    """10 epochs (a few seconds): 2 epochs leave p_fake too close to 0.5 for a stable deletion check."""
    from model.train_cnn_model import main as train

    run_dir = spectrogram_dir.parent / "run_explain"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "10",
                  "--batch-size", "8"]) == 0
    return Predictor.load(run_dir)


def all_images(spectrogram_dir, config):
    rows = read_manifest(spectrogram_dir)
    return np.stack([load_image_array(path, config) for path in rows["image_path"]]), rows["y"].to_numpy()


@pytest.mark.parametrize("method", ["hirescam", "gradcam"])
def test_maps_have_the_image_shape_and_lie_in_0_1(predictor, spectrogram_dir, method):
    images, _ = all_images(spectrogram_dir, predictor.config)
    maps, p_fake = explain(predictor.model, images[:5], method=method,
                           calibration=predictor.card.calibration)
    assert maps.shape == (5, 128, 128) and np.isfinite(maps).all()
    assert maps.min() >= 0 and maps.max() <= 1
    assert p_fake == pytest.approx(predictor.predict_arrays(images[:5]), abs=1e-4)  # the one-class logit is 20 x a cosine: float32 noise x 20


def test_removing_the_most_relevant_tiles_moves_p_fake_more_than_random(longer_run, spectrogram_dir):
    images, y = all_images(spectrogram_dir, longer_run.config)
    maps, _ = explain(longer_run.model, images, towards=y)
    result = deletion_test(longer_run.predict_arrays, images, maps, longer_run.config, y)
    assert result["passed"] and result["relevant_drop"] > 2 * result["random_drop"], result


def test_deletion_curve_starts_at_the_untouched_score(predictor, spectrogram_dir):
    images, y = all_images(spectrogram_dir, predictor.config)
    images, y = images[:3], y[:3]
    order = np.tile(np.arange(256), (3, 1))
    curve = deletion_curve(predictor.predict_arrays, images, order, predictor.config, y, steps=4)
    p_fake = predictor.predict_arrays(images)
    assert curve.shape == (5, 3)
    assert curve[0] == pytest.approx(np.where(y == 1, p_fake, 1 - p_fake), abs=1e-5)


def test_rows_are_mel_bands_low_at_the_bottom_and_columns_are_frames(predictor):
    config = predictor.config
    frequencies, times = row_frequencies(config), column_times(config)
    assert len(frequencies) == config.image_size and np.all(np.diff(frequencies) < 0)
    assert config.fmin < frequencies[-1] < frequencies[0] < config.fmax
    assert len(times) == config.image_size and 0 < times[0] < times[-1] < config.clip_seconds
    assert times[1] - times[0] == pytest.approx(config.hop_length / config.sample_rate)


def test_padding_is_found_as_silent_frames(predictor):
    config = predictor.config
    rng = np.random.default_rng(0)
    window = np.concatenate([0.1 * rng.standard_normal(config.clip_samples // 2),
                             np.zeros(config.clip_samples - config.clip_samples // 2)]).astype(np.float32)
    quiet, padded = silence_masks(image_to_array(window_to_image(window, config), config)[None], config)
    assert not padded[0, :50].any() and padded[0, 80:].all()
    assert quiet[0][:, 80:].all() and not quiet[0][:, :50].all()


def test_one_clip_is_explained_quickly(predictor, spectrogram_dir):
    image = all_images(spectrogram_dir, predictor.config)[0][:1]
    explain(predictor.model, image)
    start = time.perf_counter()
    explain(predictor.model, image)
    assert time.perf_counter() - start < 0.5, "target 50 ms on 2 cores; this bound leaves room for a busy machine"


def test_panel_with_explain_draws_overlays(trained_run, spectrogram_dir, tmp_path):
    output = tmp_path / "panel.png"
    assert panel(["--model", str(trained_run), "--data", str(spectrogram_dir), "--n", "4", "--explain",
                  "--output", str(output)]) == 0
    assert output.stat().st_size > 10_000


def test_evaluate_writes_mean_maps_and_a_shortcut_line(trained_run, spectrogram_dir, tmp_path):
    output = tmp_path / "report"
    assert evaluate(["--model", str(trained_run), "--data", str(spectrogram_dir), "--output", str(output),
                     "--no-baseline"]) == 0
    explanation = json.loads((output / "metrics.json").read_text())["explanation"]
    assert set(explanation["bands"]) == {"FAKE", "REAL"}
    assert sum(explanation["bands"]["FAKE"].values()) == pytest.approx(1.0)
    assert 0 <= explanation["silence"]["relevance_on_padding"] <= 1
    assert (output / "explanation_maps.png").exists()
    report = (output / "report.md").read_text()
    assert "## What the model looks at" in report and "silence" in report and "Deletion check" in report


@pytest.mark.parametrize("one_class", [True, False])
def test_maps_use_the_true_logit_of_either_head(one_class):
    import keras

    from model.cnn import build_model

    keras.utils.set_random_seed(3)
    model = build_model("compact", one_class=one_class)
    images = np.random.default_rng(3).integers(0, 256, (3, 128, 128, 3)).astype(np.float32)
    maps, p_fake = explain(model, images)
    assert p_fake == pytest.approx(np.asarray(model(images, training=False)).ravel(), abs=1e-5)
    assert maps.shape == (3, 128, 128) and np.isfinite(maps).all() and maps.max() > 0
