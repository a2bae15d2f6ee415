"""A small neural vocoder trained here: log-mel frames in, a waveform out through three
upsampling stages (the generator shape of MelGAN and HiFi-GAN), trained with a multi-resolution
STFT loss only (no discriminator, so minutes on a CPU, not days).

Why: its FAKE copies of REAL training clips carry what upsampling layers leave in every neural
vocoder's output (periodic, frame-rate traces; Pons et al., ICASSP 2021), which the DSP vocoders
here (WORLD, LPC, Griffin-Lim) do not. Its speech is rougher than a real vocoder's. The stages are
transposed convolutions (MelGAN, HiFi-GAN: tonal traces) or, with `--upsampling nearest`,
nearest-neighbour repeats followed by a convolution (Parallel WaveGAN's conditioning path: images
of the frame-rate spectrum instead), a second family of traces from the same recipe.

    python synthesis/neural_vocoder.py --data spectrograms   # REAL train clips of a step 1 output

The project ships one trained on the devset's REAL training clips (SHIPPED_MODEL, its card beside it);
step 1 uses it unless `--vocoder-model` names another, e.g. one this script trained on your data.
"""
from __future__ import annotations

import argparse
import sys
import time
from functools import lru_cache
from pathlib import Path

import librosa
import numpy as np
from tqdm import tqdm

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preprocessing.audio import load_audio  # noqa: E402
from preprocessing.config import SpectrogramConfig  # noqa: E402
from preprocessing.manifest import read_manifest  # noqa: E402
from synthesis.tools import fit_length  # noqa: E402

SAMPLE_RATE = 16000
N_MELS, N_FFT, HOP = 80, 1024, 256
UPSAMPLING = ((8, 64), (8, 32), (4, 16))  # (factor, channels) per stage; the factors multiply to HOP
UPSAMPLERS = ("transposed", "nearest")    # how each stage upsamples (see the module docstring)
SEGMENT_FRAMES = 32                       # training segments: 32 frames = 8192 samples
TARGET_RMS = 0.05                         # every input is scaled to this level and the output back
PRETRAINED = Path(__file__).resolve().parent / "pretrained"
SHIPPED_MODEL = PRETRAINED / "devset-v1" / "upsampling_net.keras"  # tracked; see VOCODER_CARD.md beside it
TRAINED_HERE = PRETRAINED / "upsampling_net.keras"                 # this script's default output (not tracked)


def log_mel(samples: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) natural-log mel power, frame t centred on sample t * HOP."""
    mel = librosa.feature.melspectrogram(y=samples, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    return np.log(np.maximum(mel, 1e-5)).T.astype(np.float32)


def _at_level(samples: np.ndarray) -> tuple[np.ndarray, float]:
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) or 1.0
    return (samples * (TARGET_RMS / rms)).astype(np.float32), rms


def build_vocoder(upsampling: str = "transposed"):
    """log-mel (frames, N_MELS) -> waveform (frames * HOP, 1); 289k weights (transposed), 196k (nearest)."""
    import keras
    from keras import layers

    if upsampling not in UPSAMPLERS:
        raise ValueError(f"unknown upsampling {upsampling!r}; known: {', '.join(UPSAMPLERS)}")
    mel = keras.Input(shape=(None, N_MELS), name="log_mel")
    x = layers.Conv1D(128, 7, padding="same")(mel)
    for factor, channels in UPSAMPLING:
        x = layers.LeakyReLU(0.2)(x)
        if upsampling == "transposed":
            x = layers.Conv1DTranspose(channels, 2 * factor, strides=factor, padding="same")(x)
        else:
            x = layers.Conv1D(channels, 7, padding="same")(layers.UpSampling1D(factor)(x))
        for dilation in (1, 3, 9):  # residual context after each upsampling
            y = layers.LeakyReLU(0.2)(x)
            y = layers.Conv1D(channels, 3, dilation_rate=dilation, padding="same")(y)
            x = layers.Add()([x, y])
    x = layers.LeakyReLU(0.2)(x)
    waveform = layers.Conv1D(1, 7, padding="same", activation="tanh", name="waveform")(x)
    return keras.Model(mel, waveform, name=f"upsampling_net_{upsampling}")


def stft_loss(target, output):
    """Spectral convergence + log-magnitude distance at three STFT resolutions (Yamamoto et al. 2020)."""
    import tensorflow as tf

    target, output = tf.squeeze(target, -1), tf.squeeze(output, -1)
    total = 0.0
    for n_fft, hop in ((256, 64), (512, 128), (1024, 256)):
        wanted = tf.abs(tf.signal.stft(target, n_fft, hop, n_fft))
        made = tf.abs(tf.signal.stft(output, n_fft, hop, n_fft))
        total += tf.norm(wanted - made) / (tf.norm(wanted) + 1e-7)
        total += tf.reduce_mean(tf.abs(tf.math.log(wanted + 1e-5) - tf.math.log(made + 1e-5)))
    return total / 3


def training_segments_from(clips: list[np.ndarray], count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`count` random (log-mel, waveform) segments of the clips (at SAMPLE_RATE), aligned frame for frame."""
    clips = [_at_level(clip)[0] for clip in clips if len(clip) > (SEGMENT_FRAMES + 4) * HOP]
    if not clips:
        raise ValueError("no REAL training clip is long enough to train the vocoder on")
    mels = [log_mel(clip) for clip in clips]
    segment = SEGMENT_FRAMES * HOP
    mel_batch, wave_batch = [], []
    for index in rng.integers(len(clips), size=count):
        first = int(rng.integers(2, len(mels[index]) - SEGMENT_FRAMES - 2))
        mel_batch.append(mels[index][first:first + SEGMENT_FRAMES])
        wave_batch.append(clips[index][first * HOP:first * HOP + segment])  # output sample s <-> input sample s
    return np.stack(mel_batch), np.stack(wave_batch)[..., None]


def train_vocoder(paths: list[str], output: Path, steps: int = 3000, batch_size: int = 16, seed: int = 0,
                  upsampling: str = "transposed") -> Path:
    import keras

    keras.utils.set_random_seed(seed)
    config = SpectrogramConfig(sample_rate=SAMPLE_RATE)
    clips = [load_audio(path, config).samples for path in tqdm(paths, desc="reading REAL clips", unit="clip")]
    mels, waves = training_segments_from(clips, steps * batch_size // 4, np.random.default_rng(seed))
    model = build_vocoder(upsampling)
    clipnorm = 1.0 if upsampling == "nearest" else None  # nearest stalled without it (loss 17, 14 after two epochs; 3.7, 2.1 with)
    model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.8, beta_2=0.99, clipnorm=clipnorm), loss=stft_loss)
    started = time.perf_counter()
    model.fit(mels, waves, batch_size=batch_size, epochs=4, verbose=2)  # each segment seen 4 times
    output.parent.mkdir(parents=True, exist_ok=True)
    weights_only = build_vocoder(upsampling)  # saved without the optimizer's state: a third of the size
    weights_only.set_weights(model.get_weights())
    weights_only.save(output)
    print(f"trained on {len(paths)} clips in {time.perf_counter() - started:.0f} s -> {output}")
    return output


@lru_cache(maxsize=2)
def _load(path: Path):
    import keras

    return keras.saving.load_model(path, compile=False)


def upsampling_net(samples: np.ndarray, sample_rate: int, rng: np.random.Generator,
                   model_path: Path = SHIPPED_MODEL) -> np.ndarray:
    """The trained network's copy of `samples`: same length, rate and level."""
    mono = np.asarray(samples, dtype=np.float32)
    if sample_rate != SAMPLE_RATE:
        mono = librosa.resample(mono, orig_sr=sample_rate, target_sr=SAMPLE_RATE)
    levelled, rms = _at_level(mono)
    waveform = _load(Path(model_path))(log_mel(levelled)[None], training=False)
    copy = np.asarray(waveform)[0, :, 0] * (rms / TARGET_RMS)
    if sample_rate != SAMPLE_RATE:
        copy = librosa.resample(copy, orig_sr=SAMPLE_RATE, target_sr=sample_rate)
    return fit_length(copy, len(samples))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="spectrograms",
                        help="a step 1 output: the vocoder learns from its REAL clips of the train split")
    parser.add_argument("--output", type=Path, default=TRAINED_HERE,
                        help="where the model goes (step 1 uses it with --vocoder-model PATH)")
    parser.add_argument("--steps", type=int, default=3000, help="training steps (batches of 16 segments)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--upsampling", default="transposed", choices=UPSAMPLERS,
                        help="transposed convolutions (the shipped one) or nearest-neighbour repeats + convolution")
    args = parser.parse_args(argv)
    try:
        rows = read_manifest(args.data, "train")
        paths = sorted(set(rows.loc[(rows["label"] == "REAL") & (rows["vocoder"].fillna("") == ""), "source"]))
        train_vocoder(paths, args.output, args.steps, seed=args.seed, upsampling=args.upsampling)
        print(f"step 1 uses it with: --vocode upsampling_net --vocoder-model {args.output}")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
