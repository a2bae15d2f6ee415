"""Detection metrics from labels (y: 1 = FAKE) and model outputs (p_fake), as pure functions.

Conventions (ASVspoof): bona fide speech (REAL) is the target class and its score is
`1 - p_fake`, so a higher score means "more bona fide". The EER is where the false
acceptance rate (fakes accepted as real) equals the false rejection rate (real speech
flagged as fake). Elsewhere FAKE is the positive class (precision, recall, F1).
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix,
                             precision_recall_fscore_support, roc_auc_score)


class EvaluationError(ValueError):
    """A metric that cannot be computed on this data (the message is shown as is)."""


def logit(p_fake) -> np.ndarray:
    """log(p / (1 - p)), with p kept 1e-7 from 0 and 1: float32 sigmoids reach both."""
    p = np.clip(np.asarray(p_fake, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def bonafide_score(p_fake) -> np.ndarray:
    """ASVspoof score: higher = more bona fide."""
    return 1.0 - np.asarray(p_fake, dtype=np.float64)


def require_both_classes(y, what: str = "the data") -> None:
    y = np.asarray(y)
    if len(y) == 0:
        raise EvaluationError(f"{what} is empty")
    if y.min() == y.max():
        only = "FAKE" if y[0] == 1 else "REAL"
        raise EvaluationError(f"{what} has only {only} clips: EER and ROC AUC are undefined "
                              f"(they need both REAL and FAKE)")


def det_curve(y, p_fake) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every operating point of the rule p_fake >= threshold -> FAKE: (thresholds, FRR, FAR).

    One point per distinct p_fake plus one above them all, ordered as ASVspoof's DET curve:
    from rejecting nothing (FRR 0, FAR 1) to rejecting everything (FRR 1, FAR 0). Clips with
    the same p_fake share a threshold, so they move together: every point is one a threshold
    can actually reach. FRR = share of REAL clips flagged, FAR = share of FAKE clips passed.
    """
    y, p_fake = np.asarray(y), np.asarray(p_fake, dtype=np.float64)
    require_both_classes(y)
    distinct = np.unique(p_fake)
    thresholds = np.r_[np.nextafter(distinct[-1], np.inf), distinct[::-1]]
    real, fake = np.sort(p_fake[y == 0]), np.sort(p_fake[y == 1])
    frr = 1.0 - np.searchsorted(real, thresholds) / real.size
    far = np.searchsorted(fake, thresholds) / fake.size
    return thresholds, frr, far


def compute_eer(y, p_fake) -> tuple[float, float]:
    """ASVspoof's reference EER (0-1), the figure papers quote, and the p_fake threshold of its point.

    As in the ASVspoof 2021 evaluation package: on the DET curve (both end points included),
    take the point where |FRR - FAR| is smallest (the first from the reject-nothing end on
    ties) and report the mean of FRR and FAR there. The threshold reproduces that point with
    the rule p_fake >= threshold -> FAKE. The official script walks tied scores one clip at a
    time; here they share one point (see `det_curve`), which only matters when scores tie.
    """
    thresholds, frr, far = det_curve(y, p_fake)
    nearest = int(np.argmin(np.abs(frr - far)))
    return float((frr[nearest] + far[nearest]) / 2), float(thresholds[nearest])


def operating_threshold(y, p_fake) -> float:
    """The EER point's p_fake threshold, moved to the middle (in logit) of the gap below it.

    `compute_eer`'s threshold is the score of one clip, so a new FAKE clip scored just under the
    lowest-scored FAKE of the validation set would pass as REAL; with well separated validation
    scores (a small set, a saturated sigmoid) that edge is far from where the classes meet. Any
    threshold in the gap gives the same FRR and FAR on these clips; the middle leaves both sides
    the same room.
    """
    p_fake = np.asarray(p_fake, dtype=np.float64)
    _, threshold = compute_eer(y, p_fake)
    below = p_fake[p_fake < threshold]
    if below.size == 0:
        return threshold
    middle = float(expit((logit(below.max()) + logit(threshold)) / 2))
    return middle if below.max() < middle <= threshold else threshold


def compute_eer_interpolated(y, p_fake) -> float:
    """EER where the straight line between the two DET points around FRR = FAR crosses it.

    This is choosing at random between the two neighbouring thresholds, so a tie between a
    real and a fake clip counts as half an error each. It differs from `compute_eer` by at
    most a quarter of the larger rate change of that step, and not at all when the step
    changes both rates by the same amount.
    """
    _, frr, far = det_curve(y, p_fake)
    return float(np.interp(0.0, frr - far, far))  # FRR - FAR rises strictly from -1 to 1


def classification_metrics(y, p_fake, threshold: float) -> dict:
    """Threshold-free and thresholded metrics of one system (FAKE = positive class)."""
    y, p_fake = np.asarray(y), np.asarray(p_fake, dtype=np.float64)
    eer, eer_threshold = compute_eer(y, p_fake)
    predicted = (p_fake >= threshold).astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, predicted, average="binary", pos_label=1, zero_division=0)
    (real_as_real, real_as_fake), (fake_as_real, fake_as_fake) = confusion_matrix(y, predicted, labels=[0, 1])
    return {
        "eer": eer,
        "eer_threshold": eer_threshold,
        "eer_interpolated": compute_eer_interpolated(y, p_fake),
        "roc_auc": float(roc_auc_score(y, p_fake)),
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(y, predicted)),
        "balanced_accuracy": float(balanced_accuracy_score(y, predicted)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "confusion": {"real_as_real": int(real_as_real), "real_as_fake": int(real_as_fake),
                      "fake_as_real": int(fake_as_real), "fake_as_fake": int(fake_as_fake)},
        "counts": {"REAL": int((y == 0).sum()), "FAKE": int((y == 1).sum())},
    }


def eer_by_group(y, p_fake, groups) -> dict[str, dict]:
    """EER of each group (attack, origin, ...); empty group names are skipped.

    A group holding both classes is scored on its own clips. A group of one class is
    scored against ALL clips of the other class (ASVspoof's per-attack EER: one attack's
    fakes against every bona fide clip of the set).
    """
    y, p_fake, groups = np.asarray(y), np.asarray(p_fake, dtype=np.float64), np.asarray(groups, dtype=object)
    results = {}
    for name in sorted({g for g in groups if g}):
        inside = groups == name
        classes = set(y[inside])
        rows = inside if len(classes) == 2 else inside | (y != y[inside][0])
        if len(set(y[rows])) < 2:
            continue
        eer, _ = compute_eer(y[rows], p_fake[rows])
        results[name] = {"eer": eer, "REAL": int((y[rows] == 0).sum()), "FAKE": int((y[rows] == 1).sum()),
                         "against": "own clips" if len(classes) == 2 else
                         ("all REAL" if 1 in classes else "all FAKE")}
    return results
