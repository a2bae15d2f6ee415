"""The benchmark protocol's own guarantees (the figures themselves need ../shared and hours)."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from benchmarks import bench_detection
from preprocessing.config import ConfigMismatchError
from synthesis import neural_vocoder


@pytest.fixture
def vocoder_trainings(tmp_path, monkeypatch):
    """Vocoder training replaced by a record of what each vocoder would have heard (and an empty file)."""
    heard, calls = {}, []

    def train_vocoder(paths, output, steps):
        heard[output] = set(paths)
        calls.append(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(b"")
        return output

    monkeypatch.setattr(neural_vocoder, "train_vocoder", train_vocoder)
    monkeypatch.setattr(bench_detection, "WORK", tmp_path)
    return heard, calls


def test_holdout_vocoders_never_heard_the_clips_of_the_fold_they_serve(tmp_path, vocoder_trainings):
    heard, calls = vocoder_trainings
    manifests = []
    for fold in range(5):
        manifests.append(tmp_path / f"fold{fold}.csv")
        with manifests[-1].open("w", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["path", "label", "group", "split", "attack", "source"])
            for other in range(5):
                for label in ("REAL", "FAKE"):
                    writer.writerow([f"/clips/{label}{other}.wav", label, f"g{other}",
                                     "test" if other == fold else "train", "", "s"])
    models = bench_detection.holdout_vocoders(manifests, steps=10)
    assert len(set(models)) == 2 and set(models) == set(heard)
    for fold, model in enumerate(models):
        assert f"/clips/REAL{fold}.wav" not in heard[model]
    assert set().union(*heard.values()) == {f"/clips/REAL{fold}.wav" for fold in range(5)}  # REAL only, every one
    assert bench_detection.holdout_vocoders(manifests, steps=10) == models and len(calls) == 2  # kept, not retrained
    assert bench_detection.holdout_vocoder_flags(manifests, 10, "cv") == [["--vocoder-model", str(m)] for m in models]
    assert bench_detection.holdout_vocoder_flags(manifests, 0, "cv") == [[]] * 5


def test_loso_holdout_vocoders_never_heard_the_source_they_are_tested_on(tmp_path, vocoder_trainings):
    heard, _ = vocoder_trainings
    origins = ("deepvoice", "librispeech", "tortoise", "demo_pages")
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["path", "label", "group", "source"])
        for origin in origins:
            for index in range(8):
                path = tmp_path / "clips" / f"{origin}{index}.wav"
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(b"")
                writer.writerow([path, "REAL" if index % 2 else "FAKE", f"{origin}-g{index}", origin])
    folds = bench_detection.loso_manifests(manifest, seed=1)
    models = bench_detection.holdout_vocoders(list(folds.values()), 10, "loso")
    assert len(set(models)) == 2 and all(model.name.startswith("loso4-") for model in models)
    for held_out, model in zip(folds, models):
        assert heard[model] and not any(Path(path).name.startswith(held_out) for path in heard[model])


def test_the_stress_channel_and_its_parts():
    import numpy as np
    from scipy import signal

    rate = 16000
    tone = np.sin(2 * np.pi * 6000 * np.arange(rate) / rate).astype(np.float32)  # above the telephone band

    def power_above(samples, hz):
        freqs, power = signal.welch(samples, rate, nperseg=1024)
        return power[freqs > hz].sum() / power.sum()

    noisy = bench_detection.one_sided_channel(tone, rate, np.random.default_rng(0), band=False)
    band_limited = bench_detection.one_sided_channel(tone, rate, np.random.default_rng(0), noise=False)
    both = bench_detection.one_sided_channel(tone, rate, np.random.default_rng(0))
    assert 15 <= 10 * np.log10(np.mean(tone ** 2) / np.mean((noisy - tone) ** 2)) <= 30  # the SNR drawn
    assert power_above(noisy, 4000) > 0.9  # no band limit: the tone stays
    assert np.sqrt(np.mean(band_limited ** 2)) < 0.01  # the band removes a 6 kHz tone
    assert power_above(both, 4000) < 0.01 and np.mean(both ** 2) > np.mean(band_limited ** 2)  # noise inside the band


def test_a_saved_model_is_scored_clean_and_stressed_and_refuses_other_image_settings(trained_run, spectrogram_dir,
                                                                                     tmp_path, monkeypatch):
    monkeypatch.setattr(bench_detection, "WORK", tmp_path)
    shutil.copytree(spectrogram_dir, tmp_path / "external-same")
    result = bench_detection.external_model(trained_run, "same")[str(trained_run)]
    assert result["images"] > 0 and 0 <= result["error_rate_at_threshold"] <= 1
    stress = result["stress"]
    assert set(stress) == {"clean"} | {f"{cls} {channel}" for cls in ("fakes", "reals")
                                       for channel in ("degraded", "noisy", "band-limited")}
    assert stress["clean"] == result["eer"]  # the clean figure is the plain EER
    assert all(0 <= value <= 1 for value in stress.values())

    shutil.copytree(spectrogram_dir, tmp_path / "external-other")
    config = json.loads((tmp_path / "external-other" / "config.json").read_text())
    config["n_mels"] = 64
    (tmp_path / "external-other" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigMismatchError, match="other preprocessing settings .*n_mels"):
        bench_detection.external_model(trained_run, "other")


def test_every_window_is_scored_and_the_first_window_matches_step_1s_image(trained_run, spectrogram_dir):
    from benchmarks.write_report import per_run_lines
    from eval.metrics import compute_eer
    from inference.predictor import Predictor
    from preprocessing.manifest import original_images, read_manifest

    result = bench_detection.per_run_experiment({"fold0": (trained_run, spectrogram_dir),
                                                 "fold1": (trained_run, spectrogram_dir)}, bench_detection.window_eers)
    rows = original_images(read_manifest(spectrogram_dir, "test"))
    from_images = compute_eer(rows["y"], Predictor.load(trained_run).predict_images(rows["image_path"]))[0]
    assert result["fold0"]["first window"] == round(from_images, 4)  # audio scored as step 1 pictured it
    assert result["fold0"]["mean windows per clip"] >= 1
    assert set(result["fold0"]) == {"first window", "mean", "max", "mean logit", "mean windows per clip"}
    assert result["mean"] == result["fold0"] == result["fold1"]  # the same run twice: the mean is that run
    lines = per_run_lines("cv-windows-same", {"results": result, "command": "c", "machine": "m", "date": "d"})
    assert any("mean over 2 folds" in line for line in lines) and sum(line.startswith("| ") for line in lines) == 5


def test_test_images_played_backwards_are_the_reversed_pictures_scored_and_one_class_splits_are_skipped(
        trained_run, spectrogram_dir, tmp_path, monkeypatch):
    import numpy as np

    from benchmarks.write_report import per_run_lines
    from eval.metrics import compute_eer
    from inference.predictor import Predictor
    from preprocessing.manifest import original_images, read_manifest

    predictor = Predictor.load(trained_run)
    rows = original_images(read_manifest(spectrogram_dir, "test"))
    forward = predictor.predict_images(rows["image_path"])
    monkeypatch.setattr(Predictor, "load", classmethod(lambda cls, path: predictor))
    calls = []
    original = predictor.predict_arrays
    monkeypatch.setattr(predictor, "predict_arrays", lambda images: calls.append(images.copy()) or original(images))

    one_class = tmp_path / "reals-only"
    shutil.copytree(spectrogram_dir, one_class)
    manifest = (one_class / "manifest.csv").read_text().splitlines()
    (one_class / "manifest.csv").write_text("\n".join([manifest[0]] + [
        line for line in manifest[1:] if ",test," not in line or ",REAL," in line]) + "\n")
    result = bench_detection.per_run_experiment({"tortoise": (trained_run, spectrogram_dir),
                                                 "librispeech": (trained_run, one_class)}, bench_detection.flip_eers)
    assert set(result) == {"tortoise", "mean"}  # the one-class split has no EER and is left out
    forward_images, backward_images = calls
    assert np.array_equal(backward_images, forward_images[:, :, ::-1]) and not np.array_equal(backward_images, forward_images)
    backward = original(backward_images)
    y = rows["y"].to_numpy()
    assert result["tortoise"] == {"image": round(compute_eer(y, forward)[0], 4),
                                  "played backwards": round(compute_eer(y, backward)[0], 4),
                                  "mean of both": round(compute_eer(y, (forward + backward) / 2)[0], 4)}
    lines = per_run_lines("loso-flip-same", {"results": result, "command": "c", "machine": "m", "date": "d"})
    assert any("played backwards too" in line and "1 held-out sources: tortoise" in line for line in lines)


def test_vocoder_copies_score_distance_for_a_changed_spectrum_and_flatness_for_lost_harmonics(monkeypatch):
    import numpy as np

    from benchmarks import bench_vocoders
    from conftest import voice_like

    speech = voice_like(2.0, neural_vocoder.SAMPLE_RATE, 140, seed=0)
    noise = 0.05 * np.random.default_rng(0).standard_normal(speech.size).astype(np.float32)
    figures = {}
    for name, added in (("identity", 0), ("breathy", noise)):
        monkeypatch.setattr(neural_vocoder, "upsampling_net", lambda samples, rate, rng, model: samples + added)
        figures[name] = bench_vocoders.copy_figures(Path(name), [speech])
    assert figures["identity"]["log_spectral_distance_db"] == pytest.approx(0, abs=1e-6)
    assert figures["breathy"]["log_spectral_distance_db"] > 5
    assert figures["identity"]["flatness_below_4khz"] < 0.5 * figures["breathy"]["flatness_below_4khz"]


def test_an_ensemble_averages_the_members_logits_and_refuses_runs_scored_on_other_clips(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setattr(bench_detection, "WORK", tmp_path)
    (tmp_path / "scores").mkdir()
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    # each member ranks one REAL clip above one FAKE clip, a different pair each; their mean logit ranks all right
    members = {"a": [0.1, 0.2, 0.3, 0.8, 0.7, 0.85, 0.9, 0.95], "b": [0.8, 0.2, 0.3, 0.1, 0.85, 0.7, 0.9, 0.95]}
    for name, p_fake in members.items():
        np.savez(tmp_path / "scores" / f"{name}.npz", y=y, p_fake=np.array(p_fake), origin=np.array(["x"] * 8),
                 attack=np.array(["bonafide"] * 4 + ["A01"] * 4))
    assert bench_detection.ensemble_result(["a"])["eer"] > 0 and bench_detection.ensemble_result(["b"])["eer"] > 0
    both = bench_detection.ensemble_result(["a", "b"])
    assert both["eer"] == 0 and both["by_origin"] == {"x": 0} and both["by_attack"] == {"A01": 0}
    np.savez(tmp_path / "scores" / "c.npz", y=y[::-1], p_fake=np.full(8, 0.5), origin=np.array(["x"] * 8),
             attack=np.array(["bonafide"] * 8))
    with pytest.raises(ValueError, match="same clips"):
        bench_detection.ensemble_result(["a", "c"])
    with pytest.raises(FileNotFoundError, match="missing"):
        bench_detection.ensemble_result(["a", "d"])
