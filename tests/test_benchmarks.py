"""The benchmark protocol's own guarantees (the figures themselves need ../shared and hours)."""
from __future__ import annotations

import csv

from benchmarks import bench_detection
from synthesis import neural_vocoder


def test_holdout_vocoders_never_heard_the_clips_of_the_fold_they_serve(tmp_path, monkeypatch):
    heard, calls = {}, []

    def train_vocoder(paths, output, steps):
        heard[output] = set(paths)
        calls.append(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(b"")
        return output

    monkeypatch.setattr(neural_vocoder, "train_vocoder", train_vocoder)
    monkeypatch.setattr(bench_detection, "WORK", tmp_path)
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
