"""Read step 1's output (manifest.csv + config.json) for the later steps."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from preprocessing.config import SpectrogramConfig


class DatasetError(ValueError):
    """A spectrogram folder that is missing, empty or unusable (message is shown as is)."""


def read_manifest(data_dir: str | Path, split: str | None = None) -> pd.DataFrame:
    """Rows with status ok (optionally of one split); adds `image_path` (absolute) and `y` (1 = FAKE)."""
    data_dir = Path(data_dir)
    manifest = data_dir / "manifest.csv"
    if not manifest.exists():
        raise DatasetError(f"{manifest} not found: run preprocessing/audio_to_spectrogram.py "
                           f"--output {data_dir} first")
    frame = pd.read_csv(manifest, dtype={"group": str, "attack": str, "origin": str}, keep_default_na=False)
    frame = frame[frame["status"] == "ok"].copy()
    if split is not None:
        frame = frame[frame["split"] == split].copy()
        if frame.empty:
            raise DatasetError(f"{manifest}: no images in split {split!r}")
    frame["image_path"] = [str(data_dir / image) for image in frame["image"]]
    frame["y"] = (frame["label"] == "FAKE").astype(int)
    return frame.reset_index(drop=True)


def read_config(data_dir: str | Path) -> SpectrogramConfig:
    try:
        return SpectrogramConfig.load(data_dir)
    except FileNotFoundError as error:
        raise DatasetError(str(error)) from None
