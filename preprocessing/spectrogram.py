"""Window -> band spectrogram in dB (mel or linear rows) -> 128x128 image: the only image code in the project.

Training images (step 1), prediction on audio (step 4) and the web page all call
`audio_to_images`, so the model always sees pixels made the same way.
"""
from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import librosa
import numpy as np
import scipy.fft
import scipy.signal
from PIL import Image

from preprocessing.audio import Channel, audio_windows
from preprocessing.config import SpectrogramConfig, ConfigMismatchError


def band_edges(config: SpectrogramConfig) -> np.ndarray:
    """n_mels + 2 frequencies (Hz): band i rises from edge i, peaks at edge i+1 and falls to edge i+2.
    mel-linear: mel edges up to split_hz for the lower half of the rows, even steps above it, so
    speech keeps mel's detail below and the band where vocoders differ keeps linear's above."""
    if config.frequency_scale == "linear":
        return np.linspace(config.fmin, config.fmax, config.n_mels + 2)
    if config.frequency_scale == "mel-linear":
        n_low = config.n_mels // 2
        low = librosa.mel_frequencies(n_low + 1, fmin=config.fmin, fmax=config.split_hz)
        high = np.linspace(config.split_hz, config.fmax, config.n_mels - n_low + 2)[1:]
        return np.concatenate([low, high])
    return librosa.mel_frequencies(config.n_mels + 2, fmin=config.fmin, fmax=config.fmax)


def band_frequencies(config: SpectrogramConfig) -> np.ndarray:
    """Centre frequency (Hz) of each image row's band, low bands first (row 0 is the image's bottom)."""
    return band_edges(config)[1:-1]


def triangular_filters(edges_hz: np.ndarray, sample_rate: int, n_fft: int) -> np.ndarray:
    """(len(edges_hz) - 2, 1 + n_fft // 2) triangles on the FFT bins: filter i rises from edge i to 1
    at edge i + 1 and falls to 0 at edge i + 2 (evenly spaced edges: neighbours overlap by half)."""
    edges = np.asarray(edges_hz, dtype=np.float64)
    bins = librosa.fft_frequencies(sr=sample_rate, n_fft=n_fft)
    rising = (bins[None, :] - edges[:-2, None]) / np.diff(edges)[:-1, None]
    falling = (edges[2:, None] - bins[None, :]) / np.diff(edges)[1:, None]
    return np.maximum(0.0, np.minimum(rising, falling))


def emphasis_gain(config: SpectrogramConfig) -> np.ndarray:
    """Power gain of each FFT bin under first-order pre-emphasis y[n] = x[n] - a x[n-1]:
    |1 - a e^-jw|^2 (a = 0.97: -26 dB at 100 Hz, -8 dB at 1 kHz, +6 dB at 8 kHz). Applied to the
    spectrum, not the samples, so level normalisation and every other step see the audio unchanged."""
    omega = 2 * np.pi * librosa.fft_frequencies(sr=config.sample_rate, n_fft=config.n_fft) / config.sample_rate
    return 1.0 + config.pre_emphasis ** 2 - 2.0 * config.pre_emphasis * np.cos(omega)


@functools.lru_cache(maxsize=8)
def _filterbank(config: SpectrogramConfig) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangular filters, each scaled to unit area (Slaney), so a band's
    level does not depend on its width, times `emphasis_gain` when pre_emphasis is set. Mel is
    librosa's own bank; linear and mel-linear put the same triangles on their own edges, which keeps
    4-8 kHz (where vocoders leave traces) at full resolution."""
    if config.frequency_scale == "mel":
        bank = librosa.filters.mel(sr=config.sample_rate, n_fft=config.n_fft, n_mels=config.n_mels,
                                   fmin=config.fmin, fmax=config.fmax)
    else:
        edges = band_edges(config)
        triangles = triangular_filters(edges, config.sample_rate, config.n_fft)
        bank = triangles * (2.0 / (edges[2:] - edges[:-2]))[:, None]
    if config.pre_emphasis:
        bank = bank * emphasis_gain(config)[None, :]
    return bank.astype(np.float32)


@functools.lru_cache(maxsize=8)
def colormap_lut(name: str) -> np.ndarray:
    """256x3 uint8 lookup table of a matplotlib colormap."""
    from matplotlib import colormaps
    return (colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255).round().astype(np.uint8)


def rgb_codes(rgb: np.ndarray) -> np.ndarray:
    """Each RGB pixel as one integer (R << 16 | G << 8 | B), for look-ups in a colormap."""
    rgb = rgb.astype(np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def colormap_inverse(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The colormap's colours as sorted `rgb_codes` and the level (0-255) each one stands for: how a
    picture's pixels go back to the dB levels step 1 coloured them with (PNG is lossless)."""
    codes, levels = np.unique(rgb_codes(colormap_lut(name)), return_index=True)
    return codes, levels


def pixels_to_levels(images: np.ndarray, config: SpectrogramConfig) -> np.ndarray:
    """uint8 pixels (..., C) -> the level 0-255 each was coloured with (0 = the dB floor); for
    multi_resolution pictures, the level of step 1's own window (the green channel)."""
    if config.gray:
        return images[..., 0].astype(np.int16)
    if config.multi_resolution:
        return images[..., config.window_lengths.index(config.win_length)].astype(np.int16)
    codes, levels = colormap_inverse(config.colormap)
    found = np.clip(np.searchsorted(codes, rgb_codes(images)), 0, len(codes) - 1)
    return levels[found].astype(np.int16)


def off_colormap_share(array: np.ndarray, config: SpectrogramConfig) -> float:
    """Share of an image's pixels (uint8 H x W x C) that are not colours of the config's colormap.
    Step 1's images have none (PNG is lossless); anything else was not made by this pipeline."""
    if not config.colour_coded:
        return 0.0
    return float(1.0 - np.isin(rgb_codes(array), rgb_codes(colormap_lut(config.colormap))).mean())


@functools.lru_cache(maxsize=8)
def _fft_window(n_fft: int, win_length: int) -> np.ndarray:
    """librosa.stft's window: periodic Hann of win_length, zero-padded to n_fft, in float64."""
    return librosa.util.pad_center(scipy.signal.get_window("hann", win_length, fftbins=True), size=n_fft)


def stft_power(window: np.ndarray, config: SpectrogramConfig, win_length: int | None = None) -> np.ndarray:
    """|STFT|^2, (1 + n_fft // 2, image_size) float32: the same numbers as librosa.stft(center=False)
    (float64 FFT stored as complex64), without its per-call checks, window rebuild and blocking,
    which cost 3x the FFT itself on a 3 s window. `win_length` defaults to the config's; every
    window is centred in its n_fft frame, so all lengths share each frame's centre."""
    frames = np.lib.stride_tricks.sliding_window_view(window, config.n_fft)[::config.hop_length]
    taper = _fft_window(config.n_fft, win_length or config.win_length)
    spectrum = scipy.fft.rfft(frames[:config.image_size] * taper, axis=-1)
    return (np.abs(spectrum.astype(np.complex64)) ** 2).T


def band_power(window: np.ndarray, config: SpectrogramConfig, win_length: int | None = None) -> np.ndarray:
    """Band power (full scale = 1), shape (n_mels, image_size), low bands first."""
    return _filterbank(config) @ stft_power(window, config, win_length)


def band_db(window: np.ndarray, config: SpectrogramConfig, win_length: int | None = None) -> np.ndarray:
    """Band power in dB (ref 1.0, full scale), shape (n_mels, image_size), low bands first."""
    return librosa.power_to_db(band_power(window, config, win_length), ref=1.0, amin=1e-12, top_db=None)


def levels_per_db(config: SpectrogramConfig) -> float:
    """Colour levels per dB: the picture's levels 0-255 span db_floor to db_ceiling."""
    return 255.0 / (config.db_ceiling - config.db_floor)


def db_to_pixels(db: np.ndarray, config: SpectrogramConfig) -> np.ndarray:
    """dB range -> uint8 levels, flipped so low frequencies are at the bottom. With
    db_reference "window_peak" the window's loudest band and frame sits at db_ceiling (the range
    then follows the speech, not the recording level: the seed projects' ref=max)."""
    if config.db_reference == "window_peak":
        db = db - db.max() + config.db_ceiling
    scaled = (np.clip(db, config.db_floor, config.db_ceiling) - config.db_floor)
    levels = np.round(scaled * levels_per_db(config)).astype(np.uint8)
    return levels[::-1]


def silence_pixel(config: SpectrogramConfig) -> np.ndarray:
    """The pixel value (one per channel) of the dB floor: what silence and padding look like."""
    if not config.colour_coded:
        return np.zeros(config.channels, np.uint8)
    return colormap_lut(config.colormap)[0]  # level 0 (see pixels_to_image)


def pixels_to_image(levels: np.ndarray, config: SpectrogramConfig) -> Image.Image:
    """uint8 levels -> the image: grey ("L"), one level per channel ("RGB", multi_resolution), or
    the colormap as an indexed-colour image ("P"), whose palette is the colormap. Any viewer or
    decoder shows the same RGB pixels (image_to_array returns them); stored that way, a PNG is
    half the size and 5x faster to write than as RGB."""
    if config.gray:
        return Image.fromarray(levels, mode="L")
    if config.multi_resolution:
        return Image.fromarray(np.ascontiguousarray(levels), mode="RGB")
    image = Image.fromarray(np.ascontiguousarray(levels), mode="L")
    image.putpalette(colormap_lut(config.colormap).tobytes())  # an L image with a palette becomes "P"
    return image


def window_to_image(window: np.ndarray, config: SpectrogramConfig) -> Image.Image:
    """One window's picture; with multi_resolution, the levels at each of `window_lengths` side by side as channels."""
    if config.multi_resolution:
        return pixels_to_image(np.stack([db_to_pixels(band_db(window, config, length), config)
                                         for length in config.window_lengths], axis=-1), config)
    return pixels_to_image(db_to_pixels(band_db(window, config), config), config)


def audio_to_images(source, config: SpectrogramConfig, max_windows: int | None = 1,
                    channel: Channel | None = None):
    """Audio (path, bytes or Audio) -> (Audio, [PIL images, one per window]) via `audio_windows`."""
    audio, windows = audio_windows(source, config, max_windows, channel)
    return audio, [window_to_image(w, config) for w in windows]


def image_fingerprint(config: SpectrogramConfig) -> str:
    """SHA-256 of the pixels this code makes from a fixed test signal: stored with a shipped model,
    so a change of the image definition that keeps the config is still noticed."""
    import hashlib

    t = np.arange(config.clip_samples) / config.sample_rate
    chirp = 0.3 * np.sin(2 * np.pi * (100 + 1000 * t) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    pixels = image_to_array(window_to_image(chirp.astype(np.float32), config), config)
    return hashlib.sha256(pixels.tobytes()).hexdigest()


def save_png(image: Image.Image, path: Path) -> None:
    """Encode in memory, write beside the target, rename: an interrupted run never leaves half
    a PNG behind (the process id in the temporary name keeps concurrent runs apart)."""
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", compress_level=1)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        try:
            partial.write_bytes(encoded.getbuffer())
        except FileNotFoundError:  # the first image of its folder
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(encoded.getbuffer())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def image_to_array(image: Image.Image, config: SpectrogramConfig, name: str = "image") -> np.ndarray:
    """PIL image -> uint8 (H, W, C) pixels, refusing images that don't fit the config.
    Indexed-colour images (step 1's own, and other PNGs with a palette) are expanded to RGB."""
    if image.mode == "P" and not config.gray:
        image = image.convert("RGB")
    expected_mode = "L" if config.gray else "RGB"
    if image.size != (config.image_size, config.image_size) or image.mode != expected_mode:
        raise ConfigMismatchError(
            f"{name}: image is {image.size[0]}x{image.size[1]} {image.mode}, model expects "
            f"{config.image_size}x{config.image_size} {expected_mode}")
    array = np.asarray(image, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def load_image_array(path: str | Path, config: SpectrogramConfig) -> np.ndarray:
    """Read a spectrogram PNG as uint8 (H, W, C)."""
    with Image.open(path) as image:
        return image_to_array(image, config, str(path))
