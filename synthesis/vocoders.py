"""Vocoders: analyse speech and resynthesise it, keeping the words, speaker and room but adding the
vocoder's own artefacts (what a FAKE copy of a REAL clip is made of).

Every vocoder is one function `name(samples, sample_rate, rng) -> samples` that returns float32 audio
of the same length and rate, registered in VOCODERS with what it needs; a new vocoder is one
registered function here.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable

import librosa
import numpy as np
from scipy.signal import lfilter

from synthesis import neural_vocoder
from synthesis.tools import fit_length, module_available, run_tool

Vocoder = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Needs:
    modules: tuple[str, ...] = ()   # Python packages
    tools: tuple[str, ...] = ()     # programs on PATH
    files: tuple[tuple[Path, str], ...] = ()  # (file, how to make it)

    def missing(self) -> list[str]:
        return [f"{m} (not installed)" for m in self.modules if not module_available(m)] + \
               [f"{t} (not installed)" for t in self.tools if shutil.which(t) is None] + \
               [f"{path} ({how})" for path, how in self.files if not path.exists()]


VOCODERS: dict[str, Vocoder] = {}
NEEDS: dict[str, Needs] = {}
MODEL_VOCODERS = {"upsampling_net"}  # run a network trained on speech: one is shipped, --vocoder-model swaps it
UNALIGNED_VOCODERS = {"unit_selection"}  # rearrange time: no sample of the copy lines up with its original's


def register(name: str, function: Vocoder, needs: Needs = Needs()) -> Vocoder:
    VOCODERS[name], NEEDS[name] = function, needs
    return function


def available_vocoders() -> list[str]:
    """Registered vocoders whose packages and tools are present here."""
    return [name for name in VOCODERS if not NEEDS[name].missing()]


class VocoderError(ValueError):
    """An unknown vocoder name, or one whose package or tool is missing (the message says which)."""


def check_vocoders(names: list[str], model: Path | None = None) -> None:
    """Fail before any work when a name is unknown or cannot run here (with `model` in place of the
    shipped model of a vocoder that runs one)."""
    for name in names:
        if name not in VOCODERS:
            raise VocoderError(f"unknown vocoder {name!r}; known: {', '.join(VOCODERS)}")
        needs = NEEDS[name]
        if name in MODEL_VOCODERS and model is not None:  # the given network instead of the shipped one
            needs = replace(needs, files=((Path(model), "a vocoder model: train one with python synthesis/neural_vocoder.py "
                                           f"--data <step 1 output> --output {model}, or make no copies: --vocode none"),))
        if missing := needs.missing():
            raise VocoderError(f"vocoder {name!r} needs {', '.join(missing)}")


def vocoder(name: str, model: Path | None = None) -> Vocoder:
    """The registered function; one that runs a trained model runs `model` when given."""
    return partial(VOCODERS[name], model_path=Path(model)) if name in MODEL_VOCODERS and model else VOCODERS[name]


def world(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """WORLD analysis (DIO + StoneMask, CheapTrick, D4C) and resynthesis; deterministic."""
    import pyworld
    x = np.ascontiguousarray(samples, dtype=np.float64)
    f0, times = pyworld.dio(x, sample_rate, f0_floor=60.0, f0_ceil=500.0)
    f0 = pyworld.stonemask(x, f0, times, sample_rate)
    envelope = pyworld.cheaptrick(x, f0, times, sample_rate)
    aperiodicity = pyworld.d4c(x, f0, times, sample_rate)
    return fit_length(pyworld.synthesize(f0, envelope, aperiodicity, sample_rate), len(samples))


def griffin_lim(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Phase thrown away and re-estimated from the STFT magnitude (32 ms frames, 32 iterations)."""
    n_fft = int(0.032 * sample_rate)
    magnitude = np.abs(librosa.stft(np.asarray(samples, dtype=np.float32), n_fft=n_fft, hop_length=n_fft // 4))
    rebuilt = librosa.griffinlim(magnitude, n_iter=32, hop_length=n_fft // 4, n_fft=n_fft, length=len(samples),
                                 random_state=int(rng.integers(2 ** 31)))
    return fit_length(rebuilt, len(samples))


CODEC2_RATE = 8000                        # codec2 is an 8 kHz narrow-band speech codec
CODEC2_MODES = ("3200", "2400", "1600", "1300")   # bit rates


def codec2(samples: np.ndarray, sample_rate: int, rng: np.random.Generator, mode: str) -> np.ndarray:
    """Codec2 encode and decode at `mode` bit/s; scaled to a 0.5 peak on the way so that 16-bit PCM
    never clips, and back to the input level."""
    peak = float(np.max(np.abs(samples))) or 1.0
    narrow = librosa.resample(np.asarray(samples, dtype=np.float32) * (0.5 / peak),
                              orig_sr=sample_rate, target_sr=CODEC2_RATE)
    bits = run_tool(["c2enc", mode, "-", "-"], (np.clip(narrow, -1, 1) * 32767).astype("<i2").tobytes())
    decoded = np.frombuffer(run_tool(["c2dec", mode, "-", "-"], bits), dtype="<i2") / 32768.0
    wide = librosa.resample(decoded.astype(np.float32), orig_sr=CODEC2_RATE, target_sr=sample_rate)
    return fit_length(wide * (peak / 0.5), len(samples))


def lpc(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Classic LPC vocoder: per 32 ms frame an all-pole envelope (order 2 + kHz), excited by a pulse
    train at the autocorrelation pitch (60-400 Hz) where the frame is voiced, by white noise where not."""
    frame, length = int(0.032 * sample_rate), len(samples)
    hop = frame // 2
    padded = np.pad(np.asarray(samples, dtype=np.float64), (0, frame + (-length) % hop))
    window = np.hanning(frame)
    frames = librosa.util.frame(padded, frame_length=frame, hop_length=hop, axis=0) * window
    frames = frames + 1e-9 * rng.standard_normal(frames.shape)      # an all-zero frame has no envelope
    envelopes = librosa.lpc(frames, order=2 + sample_rate // 1000, axis=-1)
    correlation = librosa.autocorrelate(frames, axis=-1)
    lags = np.arange(sample_rate // 400, sample_rate // 60)
    periods = lags[np.argmax(correlation[:, lags], axis=1)]
    voiced = correlation[np.arange(len(frames)), periods] > 0.3 * correlation[:, 0]
    excitation, next_pulse = rng.standard_normal(len(padded)), 0
    for index, (period, is_voiced) in enumerate(zip(periods, voiced)):
        start = index * hop
        if is_voiced:
            block = np.zeros(hop)
            next_pulse = max(next_pulse, start)
            while next_pulse < start + hop:
                block[next_pulse - start] = np.sqrt(period)     # unit power, like the noise
                next_pulse += period
            excitation[start:start + hop] = block
    output = np.zeros(len(padded))
    for index, envelope in enumerate(envelopes):
        start = index * hop
        residual = lfilter(envelope, [1.0], frames[index])          # what the envelope does not explain
        gain = np.sqrt(np.mean(residual ** 2) / np.mean(window ** 2))
        output[start:start + frame] += lfilter([gain], envelope, excitation[start:start + frame]) * window
    return fit_length(output, length)


def unit_selection(samples: np.ndarray, sample_rate: int, rng: np.random.Generator,
                   unit_ms: tuple[float, float] = (40.0, 160.0), shortlist: int = 8, fade_ms: float = 2.0) -> np.ndarray:
    """Waveform concatenation from the clip's own units, as unit-selection TTS does from a speaker's
    recordings (ASVspoof 2019's A04): cut at rising zero crossings into 40-160 ms units, then rebuild a
    clip of the same length, each next unit drawn from the `shortlist` whose first 16 ms sound most like
    the last 16 ms of the unit before (the join cost; units used before cost more, the unit that
    followed in the recording is never taken, nor a pause after a pause), joined by a `fade_ms`
    crossfade. Natural waveforms, the same speaker and channel: what differs is only at the joins
    (spectral, pitch and phase jumps)."""
    x = np.asarray(samples, dtype=np.float32)
    length, shortest, longest = len(x), int(unit_ms[0] * sample_rate / 1000), int(unit_ms[1] * sample_rate / 1000)
    crossings = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0)) + 1
    bounds = [0]
    while bounds[-1] + longest < length:
        cut = bounds[-1] + int(rng.integers(shortest, longest + 1))
        nearest = crossings[np.clip(np.searchsorted(crossings, cut) - 1, 0, None):][:2] if len(crossings) else []
        snapped = min(nearest, key=lambda c: abs(c - cut), default=cut)
        bounds.append(int(snapped) if abs(snapped - cut) < shortest // 2 and snapped > bounds[-1] else cut)
    if length - bounds[-1] < shortest and len(bounds) > 1:
        bounds.pop()  # a short tail joins the unit before it
    bounds.append(length)
    units = list(zip(bounds[:-1], bounds[1:]))
    if len(units) < 3:
        raise ValueError(f"{length / sample_rate:.2f} s is too short for unit selection (3 units of >= {unit_ms[0]:g} ms)")
    frame = int(0.016 * sample_rate)

    def sound(pieces):  # log mel energies of 16 ms pieces, one row per unit
        padded = np.stack([np.pad(p, (0, frame - len(p))) for p in pieces])
        mel = librosa.feature.melspectrogram(y=padded, sr=sample_rate, n_fft=frame, hop_length=frame, center=False,
                                             window=np.hanning(frame), n_mels=20)
        return np.log(mel[..., 0] + 1e-10)

    starts, ends = sound([x[s:s + frame] for s, _ in units]), sound([x[max(s, e - frame):e] for s, e in units])
    level = 10 * np.log10([np.mean(x[s:e] ** 2) + 1e-12 for s, e in units])
    quiet = level < level.max() - 20  # pauses and breaths: two in a row (cheap joins) would stretch them
    fade = max(1, int(fade_ms * sample_rate / 1000))
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    uses, current, pieces, made = np.zeros(len(units)), int(rng.integers(len(units))), [], 0
    while made < length:
        piece = x[slice(*units[current])]
        if pieces:  # the last piece's tail fades into this one's head
            tail, pieces[-1] = pieces[-1][-fade:], pieces[-1][:-fade]
            piece = np.concatenate([tail * (1 - ramp) + piece[:fade] * ramp, piece[fade:]])
            made -= fade
        pieces.append(piece)
        made += len(piece)
        uses[current] += 1
        cost = np.sqrt(np.mean((starts - ends[current]) ** 2, axis=1)) * (1 + uses)
        cost[current] = np.inf
        if quiet[current] and not quiet.all():
            cost[quiet] = np.inf
        if current + 1 < len(units):
            cost[current + 1] = np.inf  # not the recording again
        current = int(rng.choice(np.argsort(cost)[:max(1, min(shortlist, np.isfinite(cost).sum()))]))
    return fit_length(np.concatenate(pieces), length)


register("world", world, Needs(modules=("pyworld",)))
register("griffin_lim", griffin_lim)
for _mode in CODEC2_MODES:
    register(f"codec2_{_mode}", partial(codec2, mode=_mode), Needs(tools=("c2enc", "c2dec")))
register("lpc", lpc)
register("unit_selection", unit_selection)
register("upsampling_net", neural_vocoder.upsampling_net,
         Needs(files=((neural_vocoder.SHIPPED_MODEL, "shipped with the project: restore it with git, or train one "
                                                     "with synthesis/neural_vocoder.py"),)))
