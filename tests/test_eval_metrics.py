"""Evaluation metrics on hand-computed cases; no TensorFlow needed."""
from __future__ import annotations

import numpy as np
import pytest

from eval.evaluate import write_scores
from eval.metrics import (EvaluationError, classification_metrics, compute_eer, compute_eer_interpolated, operating_threshold,
                          eer_by_group)


def from_bonafide_scores(bonafide, spoof):
    """(y, p_fake) from ASVspoof scores (higher = more bona fide) of real and fake clips."""
    scores = np.r_[bonafide, spoof]
    y = np.r_[np.zeros(len(bonafide)), np.ones(len(spoof))].astype(int)
    return y, 1.0 - scores


# DET points below are (FRR, FAR), walking the bona fide score up: reject nothing, then each
# score level in turn (bona fide clips at or below it are rejected, spoof clips above it accepted).
@pytest.mark.parametrize("bonafide, spoof, expected, threshold", [
    # (0, 1) (0, 1/2) (0, 0) ...: FRR = FAR = 0 when rejecting scores <= 0.2, i.e. p_fake >= 0.8
    ([0.9, 0.8], [0.2, 0.1], 0.0, 0.8),
    # (0, 1) (1/2, 1) (1, 1) ...: |FRR - FAR| = 0 at (1, 1), rejecting scores <= 0.2 (p_fake >= 0.8)
    ([0.2, 0.1], [0.9, 0.8], 1.0, 0.8),
    # only (0, 1) and (1, 0): both |FRR - FAR| = 1, the first (reject nothing) is taken: mean 1/2
    ([0.5, 0.5, 0.5], [0.5, 0.5], 0.5, np.nextafter(0.5, 1)),
    # balanced overlap: rejecting scores <= 0.4 gives (1/4, 1/4) (real 0.3 rejected, fake 0.6 accepted)
    ([0.9, 0.7, 0.5, 0.3], [0.6, 0.4, 0.2, 0.1], 0.25, 0.6),
    # one overlap pair: (0, 1) (0, 1/2) (1/2, 1/2) ...: rejecting scores <= 0.4 (p_fake >= 0.6)
    ([0.9, 0.4], [0.6, 0.1], 0.5, 0.6),
    # a real and a fake tied at 0.5 move together: (0, 1) (0, 1/2) (1/2, 0) (1, 0);
    # |FRR - FAR| = 1/2 at two points, the first gives (0 + 1/2) / 2 = 1/4, rejecting <= 0.1
    ([0.9, 0.5], [0.5, 0.1], 0.25, 0.9),
    # unequal classes: (0, 1) (0, 3/4) (0, 1/2) (1/2, 1/4) (1/2, 0) (1, 0); nearest (1/2, 1/4)
    # rejects scores <= 0.4: EER (1/2 + 1/4) / 2 = 3/8
    ([0.8, 0.4], [0.6, 0.4, 0.2, 0.1], 0.375, 0.6),
    # unequal, no ties: (0, 1) (0, 1/2) (1/3, 1/2) (1/3, 0) (2/3, 0) (1, 0); nearest (1/3, 1/2)
    # rejects scores <= 0.3: EER (1/3 + 1/2) / 2 = 5/12
    ([0.9, 0.5, 0.3], [0.4, 0.2], 5 / 12, 0.7),
])
def test_reference_eer_hand_computed(bonafide, spoof, expected, threshold):
    y, p_fake = from_bonafide_scores(bonafide, spoof)
    eer, eer_threshold = compute_eer(y, p_fake)
    assert eer == pytest.approx(expected)
    assert eer_threshold == pytest.approx(threshold)


@pytest.mark.parametrize("bonafide, spoof, expected", [
    ([0.9, 0.8], [0.2, 0.1], 0.0),
    ([0.5, 0.5, 0.5], [0.5, 0.5], 0.5),               # the line from (0, 1) to (1, 0)
    ([0.9, 0.5], [0.5, 0.1], 0.25),                   # diagonal step (0, 1/2) -> (1/2, 0): same as reference
    # (0, 1/2) -> (1/2, 1/4): FRR = t/2, FAR = 1/2 - t/4 meet at t = 2/3, EER 1/3 (reference: 3/8)
    ([0.8, 0.4], [0.6, 0.4, 0.2, 0.1], 1 / 3),
    # (1/3, 1/2) -> (1/3, 0): FAR falls to 1/3 at the crossing (reference: 5/12)
    ([0.9, 0.5, 0.3], [0.4, 0.2], 1 / 3),
])
def test_interpolated_eer_hand_computed(bonafide, spoof, expected):
    assert compute_eer_interpolated(*from_bonafide_scores(bonafide, spoof)) == pytest.approx(expected)


def error_rates(y, p_fake, threshold):
    """(FRR, FAR) of the rule p_fake >= threshold -> FAKE."""
    flagged = p_fake >= threshold
    return flagged[y == 0].mean(), (~flagged[y == 1]).mean()


def test_eer_threshold_reproduces_the_nearest_det_point():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p_fake = np.round(np.clip(0.3 * y + rng.normal(0.35, 0.2, 400), 0, 1), 2)  # rounding makes ties
    eer, threshold = compute_eer(y, p_fake)
    frr, far = error_rates(y, p_fake, threshold)
    assert eer == pytest.approx((frr + far) / 2)
    gaps = [abs(np.subtract(*error_rates(y, p_fake, t))) for t in np.r_[np.unique(p_fake), 2.0]]
    assert abs(frr - far) == pytest.approx(min(gaps))  # no threshold gets closer to FRR = FAR
    assert 0.1 < eer < 0.4


def test_operating_threshold_keeps_the_eer_point_and_sits_mid_gap():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    p_fake = np.round(np.clip(0.3 * y + rng.normal(0.35, 0.2, 300), 0, 1), 2)
    threshold = operating_threshold(y, p_fake)
    assert error_rates(y, p_fake, threshold) == error_rates(y, p_fake, compute_eer(y, p_fake)[1])
    # separable, with saturated FAKE scores: the threshold is half-way in logit, not on a clip
    y = np.array([0, 0, 0, 1, 1, 1])
    p_fake = np.array([0.01, 0.05, 0.1, 1.0, 1.0, 0.9999], dtype=np.float32)
    threshold = operating_threshold(y, p_fake)
    assert compute_eer(y, p_fake) == (0.0, pytest.approx(0.9999))
    assert 0.1 < threshold < 0.9999
    assert np.log(threshold / (1 - threshold)) == pytest.approx((np.log(0.1 / 0.9) + np.log(0.9999 / 0.0001)) / 2, rel=1e-3)
    assert error_rates(y, p_fake, threshold) == (0.0, 0.0)


def test_reference_eer_matches_a_one_clip_at_a_time_sweep_without_ties():
    """The ASVspoof package's procedure, written out: sort the bona fide scores of all clips,
    reject them one by one from the lowest, keep the (FRR, FAR) with the smallest gap."""
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 101)
    p_fake = rng.uniform(size=101) * 0.6 + 0.3 * y
    is_bonafide = (1 - y)[np.argsort(1 - p_fake)]
    frr = np.r_[0, np.cumsum(is_bonafide)] / is_bonafide.sum()
    far = 1 - np.r_[0, np.cumsum(1 - is_bonafide)] / (1 - is_bonafide).sum()
    nearest = np.argmin(np.abs(frr - far))
    assert compute_eer(y, p_fake)[0] == pytest.approx((frr[nearest] + far[nearest]) / 2)


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
