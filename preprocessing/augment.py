"""Channel augmentation, applied to REAL and FAKE alike (training split only).

Collections differ by channel (band limit, codec, noise floor) in ways that happen to
line up with the label. Random channels on both classes take that shortcut away.
"""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf
from scipy import signal

CODECS = (("MP3", "MPEG_LAYER_III"), ("OGG", "VORBIS"), ("WAV", "ULAW"), ("OGG", "OPUS"))
HIGH_PASS_HZ = (50.0, 300.0)  # a random pass band's lower edge is drawn from here,
LOW_PASS_HZ = (3000.0, 7500.0)  # its upper edge from here (telephone to wideband)
BAND_ORDER = 6  # Butterworth order of each edge (36 dB per octave)
NOISE_SNR_DB = (5.0, 40.0)  # added noise lies this far below the speech (uniform)


def band_limit(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Random telephone-to-wideband pass band (high-pass 50-300 Hz, low-pass 3-7.5 kHz)."""
    return bandpass(samples, sample_rate, rng.uniform(*HIGH_PASS_HZ), rng.uniform(*LOW_PASS_HZ))


def bandpass(samples: np.ndarray, sample_rate: int, low: float, high: float) -> np.ndarray:
    """6th-order Butterworth pass band (the upper edge is kept below Nyquist)."""
    sos = signal.butter(BAND_ORDER, [low, min(high, 0.45 * sample_rate)], btype="bandpass", fs=sample_rate, output="sos")
    return signal.sosfilt(sos, samples).astype(np.float32)


def codec(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Round trip through a random lossy codec at its default quality, in memory."""
    container, subtype = CODECS[rng.integers(len(CODECS))]
    return codec_round_trip(samples, sample_rate, container, subtype)


def codec_round_trip(samples: np.ndarray, sample_rate: int, container: str, subtype: str,
                     **quality) -> np.ndarray:
    """Encode and decode in memory, keeping level and length. `quality` goes to soundfile.write
    (compression_level 0-1, bitrate_mode), so a caller can pick a real bitrate."""
    peak = float(np.max(np.abs(samples))) or 1.0
    buffer = io.BytesIO()
    sf.write(buffer, samples / peak * 0.9, sample_rate, format=container, subtype=subtype, **quality)
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32")
    decoded = decoded[:len(samples)]
    return np.pad(decoded, (0, len(samples) - len(decoded))) * (peak / 0.9)


def add_noise(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """White or brown-ish noise at a random SNR between 5 and 40 dB."""
    noise = rng.standard_normal(len(samples))
    if rng.random() < 0.5:
        noise = low_frequency_heavy(noise)
    return mix_at_snr(samples, noise, rng.uniform(*NOISE_SNR_DB))


def low_frequency_heavy(noise: np.ndarray) -> np.ndarray:
    """White noise made brown-ish (a one-pole low-pass): rumble, room and handling noise."""
    return signal.lfilter([1.0], [1.0, -0.95], noise)


def mix_at_snr(samples: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Add `noise` scaled to `snr_db` below the signal's RMS."""
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) or 1e-4
    noise = noise * (rms / (np.sqrt(np.mean(noise ** 2)) * 10 ** (snr_db / 20)))
    return (samples + noise).astype(np.float32)


def random_channel(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """One random channel: each of band limit, codec and noise with probability 1/2 (at least one)."""
    steps = rng.random(3) < 0.5
    if not steps.any():
        steps[rng.integers(3)] = True
    if steps[0]:
        samples = band_limit(samples, sample_rate, rng)
    if steps[1]:
        samples = codec(samples, sample_rate, rng)
    if steps[2]:
        samples = add_noise(samples, rng)
    return samples
