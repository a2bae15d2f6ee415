"""Detection metrics from labels (y: 1 = FAKE) and model outputs (p_fake), as pure functions.

Conventions (ASVspoof): bona fide speech (REAL) is the target class and its score is
`1 - p_fake`, so a higher score means "more bona fide". The EER is where the false
acceptance rate (fakes accepted as real) equals the false rejection rate (real speech
flagged as fake). Elsewhere FAKE is the positive class (precision, recall, F1).
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix,
                             precision_recall_fscore_support, roc_auc_score, roc_curve)


class EvaluationError(ValueError):
    """A metric that cannot be computed on this data (the message is shown as is)."""


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


def compute_eer(y, p_fake) -> tuple[float, float]:
    """Equal error rate (0-1) and the p_fake threshold of the operating point nearest to it.

    The ROC of the bona fide scores (sklearn, one point per distinct score) is a chain of
    straight segments; the EER is where the segment that crosses FRR = FAR meets that line
    (linear interpolation, i.e. choosing at random between the two neighbouring thresholds).
    A tie between a real and a fake clip therefore counts as half an error on each side;
    all scores tied gives 0.5. The official ASVspoof script instead averages FAR and FRR at
    the nearest point; the two differ by at most half a step of the ROC.

    The threshold reproduces the ROC point where |FRR - FAR| is smallest (the first on ties)
    with the rule used everywhere: p_fake >= threshold -> FAKE. It is the lowest p_fake that
    this point rejects (above every p_fake when it rejects none).
    """
    y, p_fake = np.asarray(y), np.asarray(p_fake, dtype=np.float64)
    require_both_classes(y)
    score = bonafide_score(p_fake)
    far, tpr, thresholds = roc_curve(1 - y, score, drop_intermediate=False)
    frr = 1.0 - tpr
    gap = frr - far  # strictly decreasing from 1 to -1 along the curve
    eer = float(np.interp(0.0, gap[::-1], far[::-1]))
    nearest = int(np.argmin(np.abs(gap)))
    rejected = p_fake[score < thresholds[nearest]]
    threshold = rejected.min() if rejected.size else np.nextafter(p_fake.max(), np.inf)
    return eer, float(threshold)


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
