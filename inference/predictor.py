"""Load a run folder and turn images or audio into p_fake, with the run's own preprocessing config."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from preprocessing.config import ConfigMismatchError, SpectrogramConfig, require_same_config
from preprocessing.spectrogram import audio_to_images, image_to_array, load_image_array

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RUNS_DIR = Path("model/saved_models")
MODEL_FILENAME, CARD_FILENAME = "model.keras", "model.json"


class ModelNotFoundError(FileNotFoundError):
    """No usable run folder (message says how to make one)."""


def list_runs(root: str | Path = RUNS_DIR) -> list[Path]:
    """Run folders holding a model and its card, newest first."""
    root = Path(root)
    runs = [p.parent for p in root.glob(f"*/{MODEL_FILENAME}") if (p.parent / CARD_FILENAME).exists()]
    return sorted(runs, key=lambda p: (p / MODEL_FILENAME).stat().st_mtime, reverse=True)


def find_latest_run(root: str | Path = RUNS_DIR) -> Path:
    runs = list_runs(root)
    if not runs:
        raise ModelNotFoundError(f"no trained model in {root}/: run python model/train_cnn_model.py first")
    return runs[0]


def resolve_run(path: str | Path | None) -> Path:
    """A run folder from a run folder, its model.keras, or None (the newest run)."""
    if path is None:
        return find_latest_run()
    path = Path(path)
    run_dir = path.parent if path.suffix == ".keras" else path
    if not (run_dir / MODEL_FILENAME).exists():
        raise ModelNotFoundError(f"no {MODEL_FILENAME} in {run_dir}")
    if not (run_dir / CARD_FILENAME).exists():
        raise ModelNotFoundError(f"{run_dir / CARD_FILENAME} is missing: the model cannot know its "
                                 f"preprocessing settings (retrain with model/train_cnn_model.py)")
    return run_dir


class Predictor:
    """A trained model plus the preprocessing config and threshold it was trained with."""

    def __init__(self, run_dir: Path, batch_size: int = 64):
        import keras  # imported here so that listing runs stays fast

        self.run_dir = run_dir
        self.card = json.loads((run_dir / CARD_FILENAME).read_text())
        self.config = SpectrogramConfig.from_dict(self.card["config"])
        self.threshold = float(self.card["threshold"])
        self.batch_size = batch_size
        self.model = keras.saving.load_model(run_dir / MODEL_FILENAME, safe_mode=True)

    @classmethod
    def load(cls, path: str | Path | None = None, batch_size: int = 64) -> "Predictor":
        return cls(resolve_run(path), batch_size)

    def label(self, p_fake, threshold: float | None = None):
        """'FAKE' where p_fake >= threshold (the model's own unless given), else 'REAL'."""
        threshold = self.threshold if threshold is None else threshold
        return np.where(np.asarray(p_fake) >= threshold, "FAKE", "REAL")

    def predict_arrays(self, images: np.ndarray) -> np.ndarray:
        """uint8 images (N, H, W, C) -> p_fake (N,). The model scales pixels itself."""
        if len(images) == 0:
            return np.zeros(0, dtype=np.float32)
        expected = (self.config.image_size, self.config.image_size, self.config.channels)
        if images.shape[1:] != expected:
            raise ConfigMismatchError(f"images are {images.shape[1:]}, the model expects {expected}")
        batch = images.astype(np.float32)
        return np.asarray(self.model.predict_on_batch(batch) if len(batch) <= self.batch_size
                          else self.model.predict(batch, batch_size=self.batch_size, verbose=0)).ravel()

    def check_dataset_config(self, data_config: SpectrogramConfig, what: str) -> None:
        """Refuse a spectrogram folder made with other settings than the model's."""
        require_same_config(self.config, data_config, what)

    def predict_images(self, paths) -> np.ndarray:
        """PNG paths -> p_fake; refuses images whose size or mode don't match the model's config."""
        return self.predict_arrays(np.stack([load_image_array(p, self.config) for p in paths]))

    def predict_audio(self, source, max_windows: int | None = 1):
        """Audio path or bytes -> (Audio, PIL images, p_fake per window), through step 1's code path."""
        audio, images = audio_to_images(source, self.config, max_windows)
        arrays = np.stack([image_to_array(image, self.config) for image in images])
        return audio, images, self.predict_arrays(arrays)
