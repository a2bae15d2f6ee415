"""The run folder: one owner for its file names, its card (model.json) and where runs live.

Training writes a run with `RunCard.save`; prediction, evaluation and the web page find runs
with `list_runs` / `resolve_run` and read the card with `RunCard.load`, so no step spells a
file name or a card key of its own.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from model.calibration import IDENTITY
from preprocessing.config import CLASS_NAMES, OUTPUT_MEANING, SpectrogramConfig

RUNS_DIR = Path("model/saved_models")
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"   # models shipped in the repository
DEFAULT_PRETRAINED = PRETRAINED_DIR / "devset-v6"                    # what model/train_pretrained.py writes
MODEL_FILENAME, CARD_FILENAME = "model.keras", "model.json"
THRESHOLD_RULE = "p_fake at the validation EER point; p_fake >= threshold -> FAKE"


class ModelNotFoundError(FileNotFoundError):
    """No usable run folder (the message says how to make one)."""


@dataclass
class RunCard:
    """What a run folder says about its model: settings, threshold, data and validation figures."""

    config: SpectrogramConfig           # the images the model was trained on (a model refuses others)
    threshold: float                    # calibrated p_fake >= threshold -> FAKE
    calibration: dict = field(default_factory=lambda: dict(IDENTITY))  # raw sigmoid -> p_fake
    arch: str = ""
    parameters: int | None = None
    best_epoch: int | None = None
    epochs_run: int | None = None
    train_seconds: float | None = None
    device: str = ""
    validation: dict = field(default_factory=dict)   # eer, roc_auc, images
    counts: dict = field(default_factory=dict)       # {split: {label: images}}
    data: str = ""
    training_args: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    created: str = ""
    threshold_rule: str = THRESHOLD_RULE
    output: str = OUTPUT_MEANING
    class_names: list = field(default_factory=lambda: list(CLASS_NAMES))

    @property
    def validation_eer(self) -> float | None:
        return self.validation.get("eer")

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["config"] = self.config.to_dict()
        return data

    def save(self, run_dir: Path) -> Path:
        path = Path(run_dir) / CARD_FILENAME
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, run_dir: Path) -> "RunCard":
        """Read model.json; keys this version does not know are ignored, missing ones get defaults."""
        data = json.loads((Path(run_dir) / CARD_FILENAME).read_text())
        names = {f.name for f in dataclasses.fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        known["config"] = SpectrogramConfig.from_dict(data["config"])
        known["threshold"] = float(data["threshold"])
        return cls(**known)


def list_runs(root: str | Path = RUNS_DIR) -> list[Path]:
    """Run folders holding a model and its card, newest first."""
    root = Path(root)
    runs = [p.parent for p in root.glob(f"*/{MODEL_FILENAME}") if (p.parent / CARD_FILENAME).exists()]
    return sorted(runs, key=lambda p: (p / MODEL_FILENAME).stat().st_mtime, reverse=True)


def pretrained_dir() -> Path:
    """Where shipped models are looked for (DEEPFAKE_PRETRAINED_DIR points elsewhere, e.g. in tests)."""
    return Path(os.environ.get("DEEPFAKE_PRETRAINED_DIR") or PRETRAINED_DIR)


def shipped_runs() -> list[Path]:
    """The shipped pretrained runs, the default one (DEFAULT_PRETRAINED's name) first: in a fresh
    clone the files' times say nothing about which model is the newer."""
    return sorted(list_runs(pretrained_dir()), key=lambda run: run.name != DEFAULT_PRETRAINED.name)


def is_pretrained(run_dir: Path) -> bool:
    return pretrained_dir().resolve() in Path(run_dir).resolve().parents


def describe_run(run_dir: Path) -> str:
    """Which model answers, in words (every step prints it)."""
    if is_pretrained(run_dir):
        return f"shipped pretrained model {Path(run_dir).name} (see its MODEL_CARD.md)"
    return f"run {run_dir}"


def resolve_run(path: str | Path | None, root: str | Path = RUNS_DIR) -> Path:
    """A run folder from a run folder, its model.keras, or None: the newest run under `root`,
    else the default shipped model (a user's own run always takes precedence)."""
    if path is None:
        runs = list_runs(root) or shipped_runs()
        if runs:
            return runs[0]
        raise ModelNotFoundError(f"no trained model in {root}/: run python model/train_cnn_model.py first")
    path = Path(path)
    run_dir = path.parent if path.suffix == ".keras" else path
    if not (run_dir / MODEL_FILENAME).exists():
        raise ModelNotFoundError(f"no {MODEL_FILENAME} in {run_dir}")
    if not (run_dir / CARD_FILENAME).exists():
        raise ModelNotFoundError(f"{run_dir / CARD_FILENAME} is missing: the model cannot know its "
                                 f"preprocessing settings (retrain with model/train_cnn_model.py)")
    return run_dir
