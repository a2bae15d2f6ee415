"""Channel conditions of step 5's robustness report: each changes the audio and keeps its length."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile as sf

from conftest import voice_like
from eval.evaluate import main as evaluate
from eval.robustness import CONDITIONS, MP3_LEVEL, apply_condition, resolve_names

SAMPLE_RATE = 16000


@pytest.fixture(scope="module")
def voice() -> np.ndarray:
    return voice_like(3.3, SAMPLE_RATE, 140.0, seed=0)


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_each_condition_changes_the_audio_and_keeps_its_length(voice, name):
    changed = apply_condition(name, voice, SAMPLE_RATE)
    assert changed.shape == voice.shape and changed.dtype == np.float32 and np.isfinite(changed).all()
    assert np.sqrt(np.mean((changed - voice) ** 2)) > 1e-3 * np.sqrt(np.mean(voice ** 2))


@pytest.mark.parametrize("kbps", sorted(MP3_LEVEL))
def test_mp3_levels_give_the_named_bitrate(voice, kbps):
    buffer = io.BytesIO()
    sf.write(buffer, voice, SAMPLE_RATE, format="MP3", subtype="MPEG_LAYER_III",
             compression_level=MP3_LEVEL[kbps], bitrate_mode="CONSTANT")
    measured = len(buffer.getvalue()) * 8 / (len(voice) / SAMPLE_RATE) / 1000
    assert measured == pytest.approx(kbps, rel=0.1)


def test_unknown_condition_names_are_refused_with_the_valid_ones(capsys):
    with pytest.raises(ValueError, match="mp3_32k"):
        apply_condition("vinyl", np.zeros(10, np.float32), SAMPLE_RATE)
    assert resolve_names(["all"]) == list(CONDITIONS)
    with pytest.raises(SystemExit) as exit_info:
        evaluate(["--conditions", "vinyl"])
    assert exit_info.value.code != 0
    error = capsys.readouterr().err
    assert "invalid choice: 'vinyl'" in error and "mp3_32k" in error and len(error.strip().splitlines()[-1]) > 0


def test_evaluate_reports_eer_per_condition(trained_run, spectrogram_dir, tmp_path):
    output = tmp_path / "report"
    assert evaluate(["--model", str(trained_run), "--data", str(spectrogram_dir), "--output", str(output),
                     "--no-baseline", "--no-explain", "--conditions", "mp3_32k", "noise_10db"]) == 0
    metrics = json.loads((output / "metrics.json").read_text())
    assert list(metrics["conditions"]) == ["clean", "mp3_32k", "noise_10db"]
    for result in metrics["conditions"].values():
        assert 0 <= result["eer"] <= 1 and 0 <= result["roc_auc"] <= 1
    assert metrics["conditions"]["clean"]["eer"] == pytest.approx(metrics["eer"], abs=1e-9)
    assert metrics["robustness_timing"]["seconds_per_clip"] > 0
    assert (output / "robustness.png").exists()
    assert "| noise_10db |" in (output / "report.md").read_text()
