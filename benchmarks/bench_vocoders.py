"""How each vocoder network copies speech: its copies of REAL training clips against the originals.

    python benchmarks/bench_vocoders.py --data .cache/bench/external-patience16 \
        --models synthesis/pretrained/devset-v1/upsampling_net.keras .cache/bench/vocoders/source-3000steps.keras

Two figures per network, each the mean over the clips: the log-spectral distance between copy and
original (dB; lower = closer), and the spectral flatness below 4 kHz in the louder half of the frames
(0 = pure tones, 1 = white noise; voiced speech is low: a copy higher than its original is breathy,
its harmonics lost). A copy is only as useful a training fake as it is close to real speech.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import librosa
import numpy as np

from benchmarks.common import save_result
from preprocessing.audio import load_audio
from preprocessing.config import SpectrogramConfig
from synthesis import neural_vocoder

SECONDS = 4  # of each clip
N_FFT = 512


def magnitudes(samples: np.ndarray) -> np.ndarray:
    return np.abs(librosa.stft(samples, n_fft=N_FFT, hop_length=N_FFT // 4)) + 1e-6


def low_band_flatness(magnitude: np.ndarray) -> float:
    """Spectral flatness of the 0-4 kHz bins in the louder half of the frames (the voiced ones, mostly)."""
    low = magnitude[: N_FFT * 4000 // neural_vocoder.SAMPLE_RATE]
    energy = low.sum(axis=0)
    return float(np.mean(librosa.feature.spectral_flatness(S=low[:, energy > np.median(energy)])))


def copy_figures(model: Path, clips: list[np.ndarray]) -> dict:
    distances, flatness = [], []
    for samples in clips:
        copy = neural_vocoder.upsampling_net(samples, neural_vocoder.SAMPLE_RATE, np.random.default_rng(0), model)
        original, made = magnitudes(samples), magnitudes(copy)
        distances.append(np.mean(np.sqrt(np.mean((20 * np.log10(original / made)) ** 2, axis=0))))
        flatness.append(low_band_flatness(made))
    return {"log_spectral_distance_db": round(float(np.mean(distances)), 2),
            "flatness_below_4khz": round(float(np.mean(flatness)), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a step 1 output: its REAL training clips are copied")
    parser.add_argument("--models", type=Path, nargs="+", required=True, help="vocoder networks (.keras)")
    parser.add_argument("--clips", type=int, default=40, help="how many clips, evenly spread over the sorted list")
    args = parser.parse_args()
    paths = neural_vocoder.real_training_clips(args.data)
    paths = paths[:: max(1, len(paths) // args.clips)][: args.clips]
    config = SpectrogramConfig(sample_rate=neural_vocoder.SAMPLE_RATE)
    clips = [load_audio(path, config).samples[: SECONDS * config.sample_rate] for path in paths]
    result = {"clips": len(clips), "originals": {
        "flatness_below_4khz": round(float(np.mean([low_band_flatness(magnitudes(c)) for c in clips])), 4)}}
    for model in args.models:
        result[str(model)] = copy_figures(model, clips)
        print(model, result[str(model)], flush=True)
    command = (f"python benchmarks/bench_vocoders.py --data {args.data} --clips {args.clips} --models "
               + " ".join(map(str, args.models)))
    save_result("vocoders", command, {"results": result})


if __name__ == "__main__":
    main()
