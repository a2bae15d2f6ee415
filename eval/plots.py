"""Report figures (PNG, headless). `systems` maps a display name to (y, p_fake); y: 1 = FAKE."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from sklearn.calibration import CalibrationDisplay  # noqa: E402
from sklearn.metrics import (DetCurveDisplay, PrecisionRecallDisplay, RocCurveDisplay,  # noqa: E402
                             confusion_matrix)

from preprocessing.config import CLASS_NAMES  # noqa: E402


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _curves(display, systems: dict, **options):
    """A figure with one curve per system, drawn by an sklearn Display class."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for name, (y, p_fake) in systems.items():
        display.from_predictions(y, p_fake, name=name, ax=ax, **options)
    return fig, ax


def roc_plot(systems: dict, path: Path) -> Path:
    """ROC with FAKE as the detected class; the EER is where a curve meets the dotted line."""
    fig, ax = _curves(RocCurveDisplay, systems)
    ax.plot([0, 1], [1, 0], ":", color="grey", label="FRR = FAR (EER line)")
    ax.plot([0, 1], [0, 1], "--", color="lightgrey", label="chance")
    ax.set(xlabel="REAL flagged as FAKE (false rejection rate)",
           ylabel="FAKE detected (1 - false acceptance rate)", title="ROC")
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def det_plot(systems: dict, path: Path) -> Path:
    """DET: both error rates on normal-deviate (probit) axes; closer to the lower left is better."""
    fig, ax = _curves(DetCurveDisplay, systems)
    limits = ax.get_xlim()
    ax.plot(limits, limits, ":", color="grey", label="FRR = FAR (EER line)")
    ax.set(xlabel="REAL flagged as FAKE (false rejection rate)",
           ylabel="FAKE passed as REAL (false acceptance rate)", title="DET")
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, path)


def precision_recall_plot(systems: dict, path: Path) -> Path:
    fig, ax = _curves(PrecisionRecallDisplay, systems)
    y = next(iter(systems.values()))[0]
    ax.axhline(np.mean(y), linestyle="--", color="lightgrey", label="chance (share of FAKE clips)")
    ax.set(xlabel="recall (share of FAKE clips caught)", ylabel="precision (share of FAKE calls that are right)",
           title="Precision-recall (FAKE = positive)")
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)


def calibration_plot(systems: dict, path: Path, n_bins: int = 10) -> Path:
    """Mean p_fake against the observed share of FAKE clips, per bin of p_fake."""
    fig, ax = _curves(CalibrationDisplay, systems, n_bins=n_bins)
    ax.set(xlabel="mean p_fake in bin", ylabel="share of FAKE clips in bin", title="Calibration")
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def confusion_plot(y, p_fake, threshold: float, path: Path) -> Path:
    """Counts and row percentages at `threshold` (p_fake >= threshold -> FAKE)."""
    counts = confusion_matrix(y, (np.asarray(p_fake) >= threshold).astype(int), labels=[0, 1])
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    notes = np.array([[f"{n}\n{s:.1%}" for n, s in zip(row_n, row_s)] for row_n, row_s in zip(counts, shares)])
    fig, ax = plt.subplots(figsize=(4.5, 4))
    sns.heatmap(shares, annot=notes, fmt="", cmap="Blues", vmin=0, vmax=1, cbar=False,
                xticklabels=CLASS_NAMES, yticklabels=CLASS_NAMES, ax=ax)
    ax.set(xlabel="predicted", ylabel="true", title=f"Confusion (p_fake >= {threshold:.3f} -> FAKE)")
    return _save(fig, path)


def score_histogram(y, p_fake, threshold: float, path: Path) -> Path:
    """p_fake of each class (each class's bars sum to 1), with the decision threshold."""
    frame = pd.DataFrame({"p_fake": p_fake, "true class": np.asarray(CLASS_NAMES)[np.asarray(y)]})
    fig, ax = plt.subplots(figsize=(6, 4))
    sns.histplot(frame, x="p_fake", hue="true class", hue_order=CLASS_NAMES, bins=np.linspace(0, 1, 26),
                 stat="probability", common_norm=False, element="step", ax=ax)
    ax.axvline(threshold, color="black", linestyle="--")
    ax.set(title=f"p_fake per true class (dashed: threshold {threshold:.3f})", ylabel="share of the class's clips")
    return _save(fig, path)


def all_plots(systems: dict, main: str, threshold: float, folder: Path) -> dict[str, Path]:
    """Every figure of the report; the confusion matrix and histogram are of system `main`."""
    y, p_fake = systems[main]
    return {
        "ROC": roc_plot(systems, folder / "roc.png"),
        "DET": det_plot(systems, folder / "det.png"),
        "Precision-recall": precision_recall_plot(systems, folder / "precision_recall.png"),
        "Calibration": calibration_plot(systems, folder / "calibration.png"),
        "Confusion matrix": confusion_plot(y, p_fake, threshold, folder / "confusion_matrix.png"),
        "Score histogram": score_histogram(y, p_fake, threshold, folder / "score_histogram.png"),
    }
