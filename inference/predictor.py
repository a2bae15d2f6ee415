"""Load a run folder and turn images or audio into p_fake, with the run's own preprocessing config.

The one scoring path: `windows` makes a file's model inputs (pure, thread-safe), the model
scores them in batches, `aggregate` combines a clip's windows into its p_fake. predict.py,
the panel, evaluation and the web page all go through it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from multiprocessing.pool import ThreadPool
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from tqdm import tqdm

from model.calibration import calibrate
from model.run import MODEL_FILENAME, RUNS_DIR, RunCard, resolve_run
from preprocessing.audio import Audio, Channel, speech_warning
from preprocessing.config import ConfigMismatchError, SpectrogramConfig, require_same_config
from preprocessing.spectrogram import audio_to_images, image_to_array, load_image_array, off_colormap_share

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

AGGREGATIONS = ("mean", "max")
POOR_VALIDATION_EER = 0.2   # above this, every verdict of the model carries a warning


def aggregate(window_p_fake: np.ndarray, how: str = "mean") -> float:
    """A clip's p_fake from its windows': their mean (the default) or the most suspicious one."""
    if how not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {how!r}: use one of {', '.join(AGGREGATIONS)}")
    return float(np.max(window_p_fake) if how == "max" else np.mean(window_p_fake))


@dataclass
class ClipScore:
    """One audio file's result: its windows' p_fake, or why it could not be scored."""
    path: str
    audio: Audio | None = None
    window_p_fake: np.ndarray | None = None
    error: str = ""
    warning: str = ""       # why the verdict may mean little (no speech in the window, ...)


class Predictor:
    """A trained model plus the preprocessing config and threshold it was trained with."""

    def __init__(self, run_dir: Path, batch_size: int = 64):
        import keras  # imported here so that listing runs stays fast

        import model.cnn  # noqa: F401  registers the custom layers a saved model may use

        self.run_dir = run_dir
        self.card = RunCard.load(run_dir)
        self.config: SpectrogramConfig = self.card.config
        self.threshold = self.card.threshold
        self.batch_size = batch_size
        self.model = keras.saving.load_model(run_dir / MODEL_FILENAME, safe_mode=True)

    @classmethod
    def load(cls, path: str | Path | None = None, batch_size: int = 64, root: str | Path = RUNS_DIR) -> "Predictor":
        return cls(resolve_run(path, root), batch_size)

    @property
    def model_warning(self) -> str:
        """A warning for every verdict of a weak model, else ""."""
        eer = self.card.validation_eer
        if eer is not None and eer > POOR_VALIDATION_EER:
            return f"this model's own validation EER is {eer:.0%}: its verdicts are weak evidence"
        return ""

    def image_warning(self, array: np.ndarray) -> str:
        """A warning for an image that step 1 could not have made (pixels off the model's colormap)."""
        share = off_colormap_share(array, self.config)
        if share > 0.01:
            return f"{share:.0%} of the pixels are not on the {self.config.colormap} colormap: not a step 1 image"
        return ""

    def label(self, p_fake, threshold: float | None = None):
        """'FAKE' where p_fake >= threshold (the model's own unless given), else 'REAL'."""
        threshold = self.threshold if threshold is None else threshold
        return np.where(np.asarray(p_fake) >= threshold, "FAKE", "REAL")

    def predict_arrays(self, images: np.ndarray) -> np.ndarray:
        """uint8 images (N, H, W, C) -> calibrated p_fake (N,). The model scales pixels itself."""
        if len(images) == 0:
            return np.zeros(0, dtype=np.float32)
        expected = (self.config.image_size, self.config.image_size, self.config.channels)
        if images.shape[1:] != expected:
            raise ConfigMismatchError(f"images are {images.shape[1:]}, the model expects {expected}")
        batch = images.astype(np.float32)
        raw = np.asarray(self.model.predict_on_batch(batch) if len(batch) <= self.batch_size
                         else self.model.predict(batch, batch_size=self.batch_size, verbose=0)).ravel()
        return calibrate(raw, self.card.calibration)

    def check_dataset_config(self, data_config: SpectrogramConfig, what: str) -> None:
        """Refuse a spectrogram folder made with other settings than the model's."""
        require_same_config(self.config, data_config, what)

    def predict_images(self, paths, progress: str | None = None) -> np.ndarray:
        """PNG paths -> p_fake, a batch at a time (a progress bar named `progress` if given);
        refuses images whose size or mode don't match the model's config."""
        paths = list(paths)
        starts = range(0, len(paths), self.batch_size)
        scores = [self.predict_arrays(np.stack([load_image_array(p, self.config)
                                                for p in paths[start:start + self.batch_size]]))
                  for start in tqdm(starts, desc=progress, unit="batch", disable=progress is None)]
        return np.concatenate(scores) if scores else np.zeros(0, dtype=np.float32)

    def windows(self, source, max_windows: int | None = 1, channel: Channel | None = None):
        """Audio path, bytes or Audio -> (Audio, PIL images, uint8 arrays): the model's inputs,
        made by step 1's code with the run's config (through `channel` if given, as a robustness
        test would). Pure: safe to call from several threads."""
        audio, images = audio_to_images(source, self.config, max_windows, channel)
        return audio, images, np.stack([image_to_array(image, self.config) for image in images])

    def predict_audio(self, source, max_windows: int | None = 1):
        """Audio path or bytes -> (Audio, PIL images, p_fake per window)."""
        audio, images, arrays = self.windows(source, max_windows)
        return audio, images, self.predict_arrays(arrays)

    def _decode(self, job: tuple[str, int | None]):
        path, max_windows = job
        try:
            audio, _, arrays = self.windows(path, max_windows)
            return ClipScore(str(path), audio, warning=speech_warning(audio, self.config)), arrays
        except Exception as error:  # any bad file becomes a result with its reason
            return ClipScore(str(path), error=str(error).splitlines()[0] if str(error) else type(error).__name__), None

    def score_files(self, paths: Iterable, max_windows: int | None = 1, jobs: int = 1) -> Iterator[ClipScore]:
        """Each audio file's ClipScore, in order; files are decoded in `jobs` threads (decoding and the
        FFT release the GIL) and the windows of several files are scored in one batch."""
        work = [(str(path), max_windows) for path in paths]
        pool = ThreadPool(jobs) if jobs > 1 and len(work) > 1 else None
        decoded = pool.imap(self._decode, work, chunksize=4) if pool else map(self._decode, work)
        pending: list[tuple[ClipScore, np.ndarray | None]] = []

        def flush():
            arrays = [a for _, a in pending if a is not None]
            scores = self.predict_arrays(np.concatenate(arrays)) if arrays else np.zeros(0)
            offset = 0
            for clip, clip_arrays in pending:
                if clip_arrays is not None:
                    clip.window_p_fake = scores[offset:offset + len(clip_arrays)]
                    offset += len(clip_arrays)
                yield clip
            pending.clear()

        try:
            for clip, arrays in decoded:
                pending.append((clip, arrays))
                if sum(len(a) for _, a in pending if a is not None) >= self.batch_size:
                    yield from flush()
            yield from flush()
        finally:
            if pool is not None:
                pool.terminate()
