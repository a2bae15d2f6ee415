"""Audio loading and the cut into fixed windows: the same code for training and prediction.

`audio_windows` is the one path from a file to the model's windows; every step (step 1,
prediction, the web page, analysis, the baselines) calls it, so every config flag is
honoured everywhere.
"""
from __future__ import annotations

import dataclasses
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import librosa
import numpy as np
import soundfile as sf

from preprocessing.config import SpectrogramConfig

AUDIO_EXTENSIONS = {".wav", ".flac", ".ogg", ".mp3", ".m4a", ".aiff", ".aif", ".au"}


class AudioError(ValueError):
    """A file that cannot be turned into audio samples (the message is shown to the user)."""


@dataclass
class Audio:
    samples: np.ndarray      # mono float32 at config.sample_rate, untrimmed
    original_rate: int
    duration: float          # seconds, before any trimming
    speech_start: int = 0    # samples of leading silence the windows skip (set by audio_windows)


# A channel (augmentation, a robustness condition): samples at a sample rate -> samples.
Channel = Callable[[np.ndarray, int], np.ndarray]


SOUNDFILE_EXTENSIONS = {".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au"}


def _decode(source) -> tuple[np.ndarray, int]:
    """Decode with libsndfile (wav/flac/ogg/mp3); other formats (m4a) through ffmpeg via audioread."""
    is_path = isinstance(source, (str, Path))
    if not is_path or Path(source).suffix.lower() in SOUNDFILE_EXTENSIONS:
        try:
            samples, rate = sf.read(source, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, TypeError) as error:
            reason = str(error)
            if "possibly a pipe" in reason or "not recogni" in reason.lower():  # libsndfile's words for it
                raise AudioError("not a readable audio file (unknown or damaged format)") from None
            raise AudioError(f"not a readable audio file: {reason}") from None
        return (samples[:, 0] if samples.shape[1] == 1 else samples.mean(axis=1)), rate
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            samples, rate = librosa.load(source, sr=None, mono=True)
    except Exception as error:  # audioread raises several unrelated types
        raise AudioError(f"cannot decode audio ({error or type(error).__name__}; "
                         f"m4a and similar formats need ffmpeg)") from None
    return samples.astype(np.float32), rate


def load_audio(source: str | Path | bytes, config: SpectrogramConfig) -> Audio:
    """Read a file (or raw bytes), mix to mono and resample to `config.sample_rate`."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif Path(source).stat().st_size == 0:
        raise AudioError("empty file (0 bytes)")
    samples, rate = _decode(source)
    if samples.size == 0:
        raise AudioError("no audio samples in file")
    if not np.all(np.isfinite(samples)):
        raise AudioError("audio contains NaN or infinite samples")
    duration = samples.size / rate
    if rate != config.sample_rate:
        samples = librosa.resample(samples, orig_sr=rate, target_sr=config.sample_rate)
    return Audio(samples.astype(np.float32, copy=False), int(rate), float(duration))


def leading_silence_samples(samples: np.ndarray, config: SpectrogramConfig) -> int:
    """Samples of silence before the first non-silent frame (librosa's trim criterion)."""
    if not np.any(samples):
        return 0
    _, (start, _end) = librosa.effects.trim(samples, top_db=config.trim_top_db)
    return int(start)


def speech_warning(audio: Audio, config: SpectrogramConfig) -> str:
    """A warning when the first window holds no speech-like sound, else "".

    A crude check, meant to catch inputs whose verdict means nothing: digital silence or a very
    quiet window, and a steady sound (a tone, a hum, stationary noise), whose 25 ms frame levels
    barely move, while speech rises and falls with every syllable and pause.
    """
    window = audio.samples[audio.speech_start:audio.speech_start + config.clip_samples].astype(np.float64)
    frame = max(1, config.sample_rate // 40)
    frames = window[:len(window) // frame * frame].reshape(-1, frame)
    if frames.size == 0:
        return "no audio in the window"
    level_db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    if level_db.max() < -60:
        return "no audible signal in the window (below -60 dBFS): the verdict means nothing"
    if np.std(level_db[level_db > level_db.max() - 60]) < 1.0:
        return "a steady sound, not speech-like (a tone, hum or stationary noise): the verdict means little"
    return ""


def _normalize(window: np.ndarray, config: SpectrogramConfig) -> np.ndarray:
    rms = float(np.sqrt(np.mean(window.astype(np.float64) ** 2)))
    if rms < 1e-7:  # digital silence stays silent
        return window
    gain = 10 ** (config.target_rms_dbfs / 20) / rms
    peak = float(np.max(np.abs(window))) * gain
    if peak > 0.999:  # never clip: lower the gain instead
        gain *= 0.999 / peak
    return window * gain


def split_windows(samples: np.ndarray, config: SpectrogramConfig,
                  max_windows: int | None = 1) -> list[np.ndarray]:
    """Cut (already trimmed) audio into `clip_seconds` windows ready for the spectrogram.

    Consecutive windows are taken; `max_windows=None` keeps all. The last (or only) short
    window is padded with silence at the end, never stretched. Each window gets DC removal
    and level normalisation when the config asks for them.
    """
    size = config.clip_samples
    count = max(1, int(np.ceil(len(samples) / size)))
    if len(samples) > size and len(samples) % size < size // 3:
        count -= 1  # drop a short tail when there is at least one full window
    if max_windows is not None:
        count = min(count, max_windows)
    windows = []
    for index in range(count):
        window = samples[index * size:(index + 1) * size]
        if config.remove_dc and window.size:
            window = window - window.mean()
        if config.normalize_level:
            window = _normalize(window, config)
        window = np.pad(window, (0, size - len(window)))  # zeros = silence
        windows.append(window.astype(np.float32))
    return windows


def audio_windows(source: str | Path | bytes | Audio, config: SpectrogramConfig, max_windows: int | None = 1,
                  channel: Channel | None = None) -> tuple[Audio, list[np.ndarray]]:
    """Audio (a path, bytes, or already decoded) -> (Audio, the model's windows).

    Decode and resample, pass through `channel` if given (before trimming, as a real channel
    would come before step 1), drop leading silence, cut into windows with DC removal and
    level normalisation: each step exactly as the config says. The Audio returned holds the
    samples after the channel, with `speech_start` where its windows begin.
    """
    audio = source if isinstance(source, Audio) else load_audio(source, config)
    samples = audio.samples if channel is None else channel(audio.samples, config.sample_rate)
    start = leading_silence_samples(samples, config) if config.trim_leading_silence else 0
    return dataclasses.replace(audio, samples=samples, speech_start=start), split_windows(samples[start:], config,
                                                                                      max_windows)
