"""The one configuration every step shares, written next to every output.

Step 1 writes it to `<spectrograms>/config.json`, training copies it into `model.json`,
and prediction rebuilds images from it, so no step can silently disagree with another.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

# Class mapping used everywhere: the model's single sigmoid output is P(FAKE).
CLASS_NAMES = ("REAL", "FAKE")
LABEL_TO_INDEX = {"REAL": 0, "FAKE": 1}
OUTPUT_MEANING = "P(fake): probability that the clip is synthetic (1 = FAKE, 0 = REAL)"
CONFIG_FILENAME = "config.json"
SPLITS = ("train", "val", "test")
FREQUENCY_SCALES = ("mel", "linear", "mel-linear")
DB_REFERENCES = ("full_scale", "window_peak")


@dataclass(frozen=True)
class SpectrogramConfig:
    """How audio becomes a model input image (defaults match the project card)."""

    sample_rate: int = 16000          # every clip is resampled to this rate
    clip_seconds: float = 3.0         # window length fed to the model
    trim_leading_silence: bool = True  # drop silence before speech starts
    trim_top_db: float = 40.0         # 'silence' = this many dB below the clip's peak
    remove_dc: bool = True            # subtract the mean (DC offset differs between sources)
    normalize_level: bool = True      # scale each window to the same RMS level
    target_rms_dbfs: float = -23.0
    frequency_scale: str = "mel"      # how the image's rows are spaced in Hz (FREQUENCY_SCALES)
    split_hz: float = 4000.0          # mel-linear: half the rows mel below this, half evenly spaced above
    n_mels: int = 128                 # frequency bands (rows), whatever the scale
    n_fft: int = 1024
    win_length: int = 512
    fmin: float = 20.0
    fmax: float = 8000.0
    pre_emphasis: float = 0.0         # first-order high-band lift |1 - a e^-jw|^2 on the spectrum (0 = off)
    db_floor: float = -70.0           # dB values are clipped to [db_floor, db_ceiling]
    db_ceiling: float = 10.0          # and mapped linearly onto the colormap
    db_reference: str = "full_scale"  # dB re digital full scale, or re each window's loudest band (DB_REFERENCES)
    image_size: int = 128             # image is image_size x image_size (n_mels rows, frames columns)
    colormap: str = "magma"
    gray: bool = False                # one grey channel instead of RGB
    multi_resolution: bool = False    # RGB = the bands' levels at windows win_length / 2, win_length, n_fft (no colormap)

    @property
    def clip_samples(self) -> int:
        return int(round(self.sample_rate * self.clip_seconds))

    @property
    def hop_length(self) -> int:
        """Hop that gives exactly `image_size` frames for one window (no resizing, no centring)."""
        return (self.clip_samples - self.n_fft) // (self.image_size - 1)

    @property
    def channels(self) -> int:
        return 1 if self.gray else 3

    @property
    def colour_coded(self) -> bool:
        """Whether pixels are colormap colours of one level (not grey, not one level per channel)."""
        return not (self.gray or self.multi_resolution)

    @property
    def window_lengths(self) -> tuple[int, ...]:
        """The STFT window of each picture channel: one, or short / step 1's / long for multi_resolution
        (time detail in red, frequency detail in blue; all share the hop, so a pixel is one band and frame)."""
        return (self.win_length // 2, self.win_length, self.n_fft) if self.multi_resolution else (self.win_length,)

    def validate(self) -> None:
        for name, allowed in FIELD_CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} {getattr(self, name)!r} is not one of {', '.join(allowed)}")
        if self.n_mels != self.image_size:
            raise ValueError(f"n_mels ({self.n_mels}) must equal image_size ({self.image_size})")
        if self.hop_length < 1:
            raise ValueError("clip too short for this n_fft and image_size")
        if self.fmax > self.sample_rate / 2:
            raise ValueError(f"fmax {self.fmax} Hz is above Nyquist ({self.sample_rate / 2} Hz)")
        if self.frequency_scale == "mel-linear" and not self.fmin < self.split_hz < self.fmax:
            raise ValueError(f"split_hz {self.split_hz} must lie between fmin and fmax")
        if not 0.0 <= self.pre_emphasis < 1.0:
            raise ValueError(f"pre_emphasis {self.pre_emphasis} must be in [0, 1)")
        if self.win_length > self.n_fft:
            raise ValueError(f"win_length {self.win_length} must not exceed n_fft {self.n_fft}")
        if self.gray and self.multi_resolution:
            raise ValueError("gray and multi_resolution exclude each other (one channel, or one per window length)")
        if self.db_floor >= self.db_ceiling:
            raise ValueError("db_floor must be below db_ceiling")

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["hop_length"] = self.hop_length
        data["class_names"] = list(CLASS_NAMES)
        data["output"] = OUTPUT_MEANING
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SpectrogramConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def save(self, folder: str | Path) -> Path:
        path = Path(folder) / CONFIG_FILENAME
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, folder_or_file: str | Path) -> "SpectrogramConfig":
        path = Path(folder_or_file)
        if path.is_dir():
            path = path / CONFIG_FILENAME
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: run preprocessing/audio_to_spectrogram.py first")
        return cls.from_dict(json.loads(path.read_text()))

    def differences(self, other: "SpectrogramConfig") -> dict:
        """Fields whose values differ: {name: (self, other)}."""
        mine, theirs = dataclasses.asdict(self), dataclasses.asdict(other)
        return {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]}


# Text fields and their allowed values (argparse choices, checked by validate).
FIELD_CHOICES = {"frequency_scale": FREQUENCY_SCALES, "db_reference": DB_REFERENCES}

# Short flags kept beside the generated ones (--no-trim reads better than --no-trim-leading-silence).
FLAG_ALIASES = {"trim_leading_silence": "--no-trim", "normalize_level": "--no-normalize",
                "remove_dc": "--no-dc-removal"}


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per SpectrogramConfig field (--n-fft, --fmin, --frequency-scale, --no-trim, ...).

    Defaults stay None, so `config_from_args` knows which fields the user set.
    """
    group = parser.add_argument_group("image settings (written to config.json; a model refuses other settings)")
    for field in dataclasses.fields(SpectrogramConfig):
        flag = "--" + field.name.replace("_", "-")
        if field.type in ("bool", bool):
            group.add_argument(flag, dest=field.name, action=argparse.BooleanOptionalAction, default=None,
                               help=f"default: {field.default}")
            if field.name in FLAG_ALIASES:
                group.add_argument(FLAG_ALIASES[field.name], dest=field.name, action="store_false",
                                   help=f"same as --no-{field.name.replace('_', '-')}")
        else:
            kind = {"int": int, "float": float, "str": str}[str(field.type)]
            group.add_argument(flag, dest=field.name, type=kind, default=None,
                               choices=FIELD_CHOICES.get(field.name),
                               help=f"default: {field.default}")


def config_from_args(args: argparse.Namespace) -> SpectrogramConfig:
    """The config the flags ask for; fmax follows a lower sample rate's Nyquist unless given."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(SpectrogramConfig)
             if getattr(args, f.name, None) is not None}
    if "fmax" not in given and "sample_rate" in given:
        given["fmax"] = min(SpectrogramConfig.fmax, given["sample_rate"] / 2)
    config = SpectrogramConfig(**given)
    config.validate()
    return config


class ConfigMismatchError(ValueError):
    """Images or a model were made with other preprocessing settings."""


def require_same_config(expected: SpectrogramConfig, found: SpectrogramConfig, what: str) -> None:
    """Raise a one-line ConfigMismatchError naming the settings that differ."""
    diff = expected.differences(found)
    if diff:
        detail = ", ".join(f"{k}: {a!r} vs {b!r}" for k, (a, b) in sorted(diff.items()))
        raise ConfigMismatchError(f"{what} was made with other preprocessing settings ({detail})")
