"""Evaluation metrics on hand-computed cases; no TensorFlow needed."""
from __future__ import annotations

import numpy as np
import pytest

from eval.evaluate import write_scores
from eval.metrics import EvaluationError, classification_metrics, compute_eer, eer_by_group


def from_bonafide_scores(bonafide, spoof):
    """(y, p_fake) from ASVspoof scores (higher = more bona fide) of real and fake clips."""
    scores = np.r_[bonafide, spoof]
    y = np.r_[np.zeros(len(bonafide)), np.ones(len(spoof))].astype(int)
    return y, 1.0 - scores


@pytest.mark.parametrize("bonafide, spoof, expected", [
    ([0.9, 0.8], [0.2, 0.1], 0.0),                        # perfect separation
    ([0.2, 0.1], [0.9, 0.8], 1.0),                        # inverted
    ([0.5, 0.5, 0.5], [0.5, 0.5], 0.5),                   # all scores tied
    # balanced overlap, threshold 0.5: one real (0.3) rejected, one fake (0.6) accepted: 1/4 each
    ([0.9, 0.7, 0.5, 0.3], [0.6, 0.4, 0.2, 0.1], 0.25),
    # a real and a fake tied at 0.5: the ROC steps diagonally from (FAR 0, FRR 1/2) to (1/2, 0),
    # crossing FAR = FRR at 1/4
    ([0.9, 0.5], [0.5, 0.1], 0.25),
    # unequal steps: from (FAR 1/4, FRR 1/2) to (1/2, 0) the line meets FAR = FRR at 1/3
    # (the official "mean at the nearest point" rule would say 0.375)
    ([0.8, 0.4], [0.6, 0.4, 0.2, 0.1], 1 / 3),
])
def test_eer_hand_computed(bonafide, spoof, expected):
    eer, _ = compute_eer(*from_bonafide_scores(bonafide, spoof))
    assert eer == pytest.approx(expected)


def test_eer_threshold_is_a_p_fake_value_that_reproduces_the_operating_point():
    y, p_fake = from_bonafide_scores([0.9, 0.7, 0.5, 0.3], [0.6, 0.4, 0.2, 0.1])
    _, threshold = compute_eer(y, p_fake)
    assert threshold == pytest.approx(0.6)  # lowest p_fake rejected at bona fide score 0.5
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p_fake = np.clip(0.3 * y + rng.normal(0.35, 0.2, 400), 0, 1)
    eer, threshold = compute_eer(y, p_fake)
    flagged = p_fake >= threshold
    frr, far = flagged[y == 0].mean(), (~flagged[y == 1]).mean()
    step = 1 / min((y == 0).sum(), (y == 1).sum())
    assert abs(frr - eer) <= step and abs(far - eer) <= step
    assert 0.1 < eer < 0.4


def test_eer_is_symmetric_in_the_classes():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    p_fake = rng.uniform(size=300) * 0.5 + 0.4 * y
    assert compute_eer(y, p_fake)[0] == pytest.approx(compute_eer(1 - y, 1 - p_fake)[0])


def test_one_class_makes_eer_undefined():
    with pytest.raises(EvaluationError, match="only REAL.*undefined"):
        compute_eer([0, 0, 0], [0.1, 0.5, 0.9])


def test_thresholded_metrics_take_fake_as_positive():
    y = np.array([0, 0, 0, 0, 1, 1])
    p_fake = np.array([0.1, 0.2, 0.6, 0.3, 0.9, 0.4])
    metrics = classification_metrics(y, p_fake, threshold=0.5)
    assert metrics["confusion"] == {"real_as_real": 3, "real_as_fake": 1, "fake_as_real": 1, "fake_as_fake": 1}
    assert metrics["precision"] == pytest.approx(0.5) and metrics["recall"] == pytest.approx(0.5)
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["balanced_accuracy"] == pytest.approx((3 / 4 + 1 / 2) / 2)
    assert metrics["counts"] == {"REAL": 4, "FAKE": 2}
    assert metrics["roc_auc"] == pytest.approx(7 / 8)  # 7 of the 8 (fake, real) pairs are ordered right


def test_per_attack_eer_scores_each_attack_against_all_bona_fide():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    p_fake = np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9, 0.05, 0.35])
    attack = np.array(["", "", "", "", "A01", "A01", "A02", "A02"])
    groups = eer_by_group(y, p_fake, attack)
    assert set(groups) == {"A01", "A02"}
    assert groups["A01"] == {"eer": 0.0, "REAL": 4, "FAKE": 2, "against": "all REAL"}
    assert groups["A02"]["eer"] == pytest.approx(0.5)  # one fake below every real, one above three of four
    assert groups["A02"]["REAL"] == 4


def test_per_origin_eer_uses_the_origins_own_clips_when_it_has_both():
    y = np.array([0, 1, 0, 1, 0])
    p_fake = np.array([0.1, 0.2, 0.7, 0.8, 0.15])
    origin = np.array(["lab", "lab", "web", "web", "studio"])
    groups = eer_by_group(y, p_fake, origin)
    assert groups["lab"]["eer"] == 0.0 and groups["web"]["eer"] == 0.0  # pooled, they would overlap
    assert groups["lab"]["against"] == "own clips"
    assert groups["studio"] == {"eer": 0.0, "REAL": 1, "FAKE": 2, "against": "all FAKE"}


def test_score_file_is_asvspoof_format_with_bona_fide_high(tmp_path):
    path = write_scores(tmp_path / "scores.txt", ["clips/a real.wav", "b.wav", "c.wav"],
                        ["bonafide", "VITS (TTS)", ""], [0, 1, 1], [0.9, 0.1, 0.7])
    lines = [line.split() for line in path.read_text().splitlines()]
    assert lines == [["clips/a_real.wav", "-", "bonafide", "0.100000"],
                     ["b.wav", "VITS_(TTS)", "spoof", "0.900000"],
                     ["c.wav", "-", "spoof", "0.300000"]]
    # a bona fide clip that the model thinks is fake gets a LOW score
    assert float(lines[0][3]) < float(lines[1][3])
