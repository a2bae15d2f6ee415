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
