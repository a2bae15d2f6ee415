"""What the vocoders and TTS engines share: running an external tool, checking for a Python package,
fitting audio to a length or to another clip's spectrum."""
from __future__ import annotations

import subprocess

import librosa
import numpy as np
from scipy.ndimage import uniform_filter1d


def run_tool(command: list[str], stdin: bytes | None = None) -> bytes:
    """stdout of `command`; a failure raises with the tail of its stderr (the message is the error)."""
    result = subprocess.run(command, input=stdin, capture_output=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.decode(errors='replace')[-300:]}")
    return result.stdout


def module_available(name: str) -> bool:
    try:
        __import__(name)
        return True
    except Exception:  # a broken install counts as absent
        return False


def fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    """float32, cut or padded with silence to `length` samples."""
    samples = np.asarray(samples[:length], dtype=np.float32)
    return np.pad(samples, (0, length - len(samples)))


def match_spectrum(copy: np.ndarray, original: np.ndarray, n_fft: int = 512, max_boost_db: float = 20.0) -> np.ndarray:
    """`copy` through a fixed filter that gives it `original`'s long-term magnitude spectrum: the same
    band limit, tilt and channel colour (a vocoder trained on wide-band speech fills in the empty band
    of a telephone clip, and that alone would tell its copies apart). Same length, float32."""
    copy_spec = librosa.stft(np.asarray(copy, dtype=np.float32), n_fft=n_fft)
    original_spec = librosa.stft(np.asarray(original, dtype=np.float32), n_fft=n_fft)

    def envelope(spec):  # long-term power, smoothed over ~280 Hz so that harmonics do not count
        return uniform_filter1d(np.mean(np.abs(spec) ** 2, axis=1), 9) + 1e-12

    gain = np.minimum(np.sqrt(envelope(original_spec) / envelope(copy_spec)), 10 ** (max_boost_db / 20))
    return fit_length(librosa.istft(copy_spec * gain[:, None], n_fft=n_fft, length=len(copy)), len(copy))


def splice_above(copy: np.ndarray, original: np.ndarray, sample_rate: int, crossover_hz: float,
                 fade_hz: float = 500.0, n_fft: int = 512) -> np.ndarray:
    """`original` below `crossover_hz` and `copy` above it (a linear crossfade `fade_hz` wide centred on
    it): a copy that keeps its original's harmonics and differs only by the vocoder's upper band, harder
    to tell from the original than the whole copy. Both clips must be time-aligned (a vocoder driven by
    the original's own frames is). Same length as `copy`, float32."""
    length = len(copy)
    copy_spec = librosa.stft(np.asarray(copy, dtype=np.float32), n_fft=n_fft)
    original_spec = librosa.stft(fit_length(original, length), n_fft=n_fft)
    frequencies = librosa.fft_frequencies(sr=sample_rate, n_fft=n_fft)
    copy_share = np.clip((frequencies - crossover_hz) / fade_hz + 0.5, 0.0, 1.0)[:, None]
    spliced = copy_share * copy_spec + (1.0 - copy_share) * original_spec
    return fit_length(librosa.istft(spliced, n_fft=n_fft, length=length), length)
