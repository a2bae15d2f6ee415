"""Step 4: batch prediction on images and audio, the panel, and refusals."""
from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import write_clip
from inference.predict import main as predict
from inference.predict_panel import main as panel
from inference.predictor import Predictor
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import read_manifest


def read_csv(path) -> list[dict]:
    with open(path) as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def predictor(trained_run) -> Predictor:
    return Predictor.load(trained_run / "model.keras")


def test_images_and_audio_mixed(trained_run, spectrogram_dir, tmp_path):
    test_rows = read_manifest(spectrogram_dir, "test")
    audio = write_clip(tmp_path / "in" / "clip.flac", seconds=4, seed=3)
    (tmp_path / "in" / "broken.mp3").write_bytes(b"ID3 not really mp3")
    output = tmp_path / "predictions.csv"
    assert predict(["--model", str(trained_run), "--input", str(spectrogram_dir / "test"), str(tmp_path / "in"),
                    "--output", str(output), "--jobs", "1"]) == 0
    rows = {row["path"]: row for row in read_csv(output)}
    assert len(rows) == len(test_rows) + 2
    threshold = float(next(iter(rows.values()))["threshold"])
    for row in rows.values():
        if row["status"] == "ok":
            p_fake = float(row["p_fake"])
            assert 0 <= p_fake <= 1 and row["label"] == ("FAKE" if p_fake >= threshold else "REAL")
    assert rows[str(audio)]["kind"] == "audio" and float(rows[str(audio)]["duration"]) == pytest.approx(4.0)
    assert rows[str(tmp_path / "in" / "broken.mp3")]["status"] == "error"
    assert rows[str(tmp_path / "in" / "broken.mp3")]["error"]


def test_audio_and_its_step1_image_get_the_same_p_fake(predictor, spectrogram_dir):
    row = read_manifest(spectrogram_dir, "test").iloc[0]
    from_image = predictor.predict_images([row["image_path"]])[0]
    _, _, from_audio = predictor.predict_audio(row["source"])
    assert from_audio[0] == pytest.approx(from_image, abs=1e-6)


def test_threshold_flag_overrides_the_run_threshold(trained_run, spectrogram_dir, tmp_path):
    output = tmp_path / "p.csv"
    predict(["--model", str(trained_run), "--input", str(spectrogram_dir / "test"), "--output", str(output),
             "--threshold", "0"])
    assert {row["label"] for row in read_csv(output)} == {"FAKE"}


def test_all_segments_gives_window_rows_and_an_aggregate(trained_run, tmp_path):
    long_clip = write_clip(tmp_path / "long.wav", seconds=9.5, seed=5)
    for aggregate in ("mean", "max"):
        output = tmp_path / f"{aggregate}.csv"
        predict(["--model", str(trained_run), "--input", str(long_clip), "--output", str(output),
                 "--all-segments", "--aggregate", aggregate])
        (clip,) = read_csv(output)
        windows = [float(r["p_fake"]) for r in read_csv(tmp_path / f"{aggregate}_windows.csv")]
        assert int(clip["windows"]) == len(windows) == 3
        expected = max(windows) if aggregate == "max" else np.mean(windows)
        assert float(clip["p_fake"]) == pytest.approx(expected, abs=1e-6)


def test_wrong_images_are_refused_with_a_reason(trained_run, spectrogram_dir, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    Image.new("RGB", (64, 64)).save(small / "tiny.png")
    other = tmp_path / "other"
    shutil.copytree(spectrogram_dir / "test", other / "test")
    SpectrogramConfig(sample_rate=22050, fmax=8000).save(other)
    output = tmp_path / "p.csv"
    assert predict(["--model", str(trained_run), "--input", str(small), str(other), "--output", str(output)]) == 1
    rows = read_csv(output)
    assert all(row["status"] == "error" for row in rows)
    assert "64x64" in rows[-1]["error"] or "64x64" in rows[0]["error"]
    assert any("sample_rate" in row["error"] for row in rows)


def test_no_model_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEEPFAKE_PRETRAINED_DIR", str(tmp_path / "no_shipped_models"))
    write_clip(tmp_path / "a.wav")
    assert predict(["--input", str(tmp_path / "a.wav")]) == 1
    assert "train_cnn_model.py" in capsys.readouterr().err


def test_panel_is_written(trained_run, spectrogram_dir, tmp_path):
    output = tmp_path / "panel.png"
    assert panel(["--model", str(trained_run), "--data", str(spectrogram_dir), "--n", "4",
                  "--output", str(output)]) == 0
    with Image.open(output) as image:
        assert image.size[0] > 300 and image.size[1] > 300


def test_score_files_batches_several_files_like_one_at_a_time(predictor, tmp_path):
    clips = [write_clip(tmp_path / f"c{index}.wav", seconds=3 + 2.5 * index, seed=index) for index in range(3)]
    (tmp_path / "bad.wav").write_bytes(b"RIFF nope")
    predictor.batch_size = 2  # forces batches that cross file boundaries
    results = list(predictor.score_files([*clips, tmp_path / "bad.wav"], max_windows=None, jobs=2))
    assert [r.path for r in results] == [str(p) for p in [*clips, tmp_path / "bad.wav"]]
    assert results[-1].error and results[-1].window_p_fake is None
    for clip, result in zip(clips, results):
        _, _, alone = predictor.predict_audio(clip, max_windows=None)
        # TensorFlow's CPU kernels round differently for other batch sizes (seen: 3e-6); a window
        # scored against the wrong clip would be off by far more than 1e-4
        assert np.allclose(result.window_p_fake, alone, atol=1e-4) and len(alone) >= 1


def test_aggregation_of_windows():
    from inference.predictor import aggregate

    assert aggregate(np.array([0.2, 0.4, 0.9])) == pytest.approx(0.5)
    assert aggregate(np.array([0.2, 0.4, 0.9]), "max") == pytest.approx(0.9)
    with pytest.raises(ValueError, match="mean, max"):
        aggregate(np.array([0.5]), "median")


def test_run_card_round_trip_and_older_cards(trained_run, tmp_path):
    import json
    import shutil

    from model.run import RunCard, list_runs, resolve_run

    card = RunCard.load(trained_run)
    assert card.config == SpectrogramConfig.from_dict(card.to_dict()["config"]) and 0 <= card.threshold <= 1
    copy = tmp_path / "runs" / "old"
    shutil.copytree(trained_run, copy)
    data = json.loads((copy / "model.json").read_text())
    del data["device"]
    data["from_a_later_version"] = 1
    (copy / "model.json").write_text(json.dumps(data))
    older = RunCard.load(copy)
    assert older.device == "" and older.threshold == card.threshold
    assert list_runs(tmp_path / "runs") == [copy] and resolve_run(None, tmp_path / "runs") == copy
