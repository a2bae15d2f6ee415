"""Step 5 end to end on a tiny generated dataset: reports from a predictions CSV and from a model run."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from eval.baseline import run_baseline
from eval.evaluate import main as evaluate
from eval.metrics import compute_eer, compute_eer_interpolated
from eval.plots import all_plots
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import original_images, read_config, read_manifest

PLOTS = ["roc.png", "det.png", "precision_recall.png", "calibration.png", "confusion_matrix.png",
         "score_histogram.png"]


@pytest.fixture
def predictions(spectrogram_dir, tmp_path):
    """A predictions CSV over every image: noisy but mostly right p_fake, half the paths relative."""
    frame = read_manifest(spectrogram_dir)
    rng = np.random.default_rng(3)
    p_fake = np.clip(0.5 * frame["y"] + rng.uniform(0, 0.6, len(frame)), 0, 1)
    paths = [image if index % 2 else path for index, (image, path)
             in enumerate(zip(frame["image"], frame["image_path"]))]
    csv = tmp_path / "predictions.csv"
    pd.DataFrame({"path": paths, "p_fake": p_fake, "status": "ok", "threshold": 0.55}).to_csv(csv, index=False)
    return csv, frame["y"].to_numpy(), p_fake


def test_report_from_predictions_csv(spectrogram_dir, predictions, tmp_path):
    csv, y, p_fake = predictions
    out = tmp_path / "report"
    assert evaluate(["--predictions", str(csv), "--labels", str(spectrogram_dir / "manifest.csv"),
                     "--output", str(out)]) == 0
    for name in ["metrics.json", "report.md", "scores.txt", *PLOTS]:
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["eer"] == pytest.approx(compute_eer(y, p_fake)[0])
    assert metrics["counts"] == {"REAL": int((y == 0).sum()), "FAKE": int((y == 1).sum())}
    assert metrics["threshold"] == 0.55 and "baselines" not in metrics
    assert metrics["eer_interpolated"] == pytest.approx(compute_eer_interpolated(y, p_fake))
    lines = [line.split() for line in (out / "scores.txt").read_text().splitlines()]
    assert len(lines) == len(y)
    assert [line[2] for line in lines] == ["spoof" if label else "bonafide" for label in y]
    assert np.allclose([float(line[3]) for line in lines], 1 - p_fake, atol=1e-6)
    report = (out / "report.md").read_text()
    assert f"EER {100 * metrics['eer']:.1f}%" in report and "![DET](det.png)" in report


@pytest.mark.parametrize("labels_kind", ["folder", "path_label_csv"])
def test_other_label_sources_match_the_manifest(spectrogram_dir, predictions, tmp_path, monkeypatch, labels_kind):
    csv, y, p_fake = predictions
    if labels_kind == "folder":  # relative predictions resolve against the labels folder
        labels = spectrogram_dir
    else:  # absolute labels; relative predictions resolve against the working folder
        monkeypatch.chdir(spectrogram_dir)
        frame = read_manifest(spectrogram_dir)
        labels = tmp_path / "labels.csv"
        frame.assign(path=frame["image_path"], label=frame["label"].str.lower())[["path", "label"]].to_csv(
            labels, index=False)
    out = tmp_path / "report"
    assert evaluate(["--predictions", str(csv), "--labels", str(labels), "--output", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["eer"] == pytest.approx(compute_eer(y, p_fake)[0])
    assert sum(metrics["counts"].values()) == len(y)


def test_one_class_and_missing_inputs_are_one_line_errors(spectrogram_dir, predictions, tmp_path, capsys):
    csv, y, _ = predictions
    only_real = tmp_path / "only_real.csv"
    pd.read_csv(csv)[y == 0].to_csv(only_real, index=False)
    assert evaluate(["--predictions", str(only_real), "--labels", str(spectrogram_dir),
                     "--output", str(tmp_path / "r")]) == 1
    assert "undefined" in capsys.readouterr().err
    assert evaluate(["--data", str(tmp_path / "nowhere"), "--output", str(tmp_path / "r")]) == 1
    error = capsys.readouterr().err
    assert "manifest.csv not found" in error and len(error.strip().splitlines()) == 1


@pytest.mark.parametrize("features", ["mfcc", "lfcc"])
def test_baseline_separates_the_generated_classes_and_caches_features(spectrogram_dir, tmp_path, monkeypatch,
                                                                       features):
    rows, config = read_manifest(spectrogram_dir), read_config(spectrogram_dir)
    cache = tmp_path / "features.npz"
    scored, p_fake, threshold = run_baseline(rows, "train", config, cache, features)
    assert len(scored) == (original_images(rows)["split"] == "train").sum() and 0 < threshold < 1  # no copies
    assert compute_eer(scored["y"], p_fake)[0] < 0.2  # FAKE clips carry an extra 3.5 kHz tone
    monkeypatch.setattr("eval.baseline.audio_windows", lambda *a, **k: pytest.fail("features not cached"))
    _, again, _ = run_baseline(rows, "train", config, cache, features)
    assert np.allclose(again, p_fake)


def test_model_run_report_with_both_baselines(spectrogram_dir, trained_run, tmp_path, capsys, monkeypatch):
    plotted = []
    monkeypatch.setattr("eval.evaluate.all_plots", lambda systems, *rest: plotted.extend(systems) or
                        all_plots(systems, *rest))
    out = tmp_path / "report"
    assert evaluate(["--model", str(trained_run / "model.keras"), "--data", str(spectrogram_dir),
                     "--output", str(out)]) == 0
    card = json.loads((trained_run / "model.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["name"] == trained_run.name and metrics["threshold"] == pytest.approx(card["threshold"])
    assert sum(metrics["counts"].values()) == len(read_manifest(spectrogram_dir, "test"))
    assert SpectrogramConfig.load(out) == SpectrogramConfig.load(spectrogram_dir)
    report, console = (out / "report.md").read_text(), capsys.readouterr().out
    assert list(metrics["baselines"]) == ["MFCC + SVM", "LFCC + SVM"]
    assert plotted == ["CNN", "MFCC + SVM", "LFCC + SVM"]
    for (name, baseline), features in zip(metrics["baselines"].items(), ["mfcc", "lfcc"]):
        assert baseline["counts"] == metrics["counts"] and features.upper() in baseline["description"]
        assert 0 <= baseline["eer"] <= 1 and "eer_interpolated" in baseline
        assert (out / f"baseline_{features}_features.npz").exists()
        assert f"| {name} | {100 * baseline['eer']:.1f}% |" in report  # a row of the summary table
        assert f"Baseline {name}: {baseline['description']}" in report
        assert f"{name}: EER {100 * baseline['eer']:.1f}%" in console
