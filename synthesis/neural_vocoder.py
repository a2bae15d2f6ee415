"""A small neural vocoder trained here: log-mel frames in, a waveform out through three
upsampling stages (the generator shape of MelGAN and HiFi-GAN), trained with a multi-resolution
STFT loss only (no discriminator, so minutes on a CPU, not days).

Why: its FAKE copies of REAL training clips carry what upsampling layers leave in every neural
vocoder's output (periodic, frame-rate traces; Pons et al., ICASSP 2021), which the DSP vocoders
here (WORLD, LPC, Griffin-Lim) do not. Its speech is rougher than a real vocoder's. The stages are
transposed convolutions (MelGAN, HiFi-GAN: tonal traces) or, with `--upsampling nearest`,
nearest-neighbour repeats followed by a convolution (Parallel WaveGAN's conditioning path: images
of the frame-rate spectrum instead), a second family of traces from the same recipe.

`--source` gives the network what neural source-filter vocoders (NSF, Wang & Yamagishi 2019) give
theirs: a second input with sines at the clip's F0 and its first harmonics (pyworld finds F0) and
noise, added to the last stage, so that the harmonics need not be invented from the mel frames,
which an STFT-trained network does badly in minutes (its copies are breathy). Measured after 3,000
steps (`benchmarks/bench_vocoders.py`): STFT loss 1.71 (the shipped network 1.75), log-spectral
distance to the originals 12.0 dB (12.6), but its copies are no less breathy (spectral flatness
below 4 kHz 0.113; the shipped network's 0.104, the originals' 0.046).

`--adversarial` adds what every published neural vocoder is trained with and the STFT loss alone
lacks: discriminators (HiFi-GAN's multi-period and MelGAN's multi-scale ones, small) with the
least-squares GAN and feature-matching losses, started from a trained network (`--init`), so that
its traces move towards those of the GAN vocoders real attacks use. Measured: 1,000 such steps from
the shipped network left its copies as breathy (spectral flatness below 4 kHz 0.111 against 0.104;
the originals 0.046), and a detector trained on them no better (BENCHMARKS.md).

    python synthesis/neural_vocoder.py --data spectrograms   # REAL train clips of a step 1 output
    python synthesis/neural_vocoder.py --data spectrograms --adversarial --init synthesis/pretrained/devset-v1/upsampling_net.keras \
        --steps 1000 --output synthesis/pretrained/upsampling_net_gan.keras

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
HARMONICS = 8                             # --source: sines at F0 .. 8 x F0, then one noise channel
PERIODS = (2, 3, 5, 7, 11)                # HiFi-GAN's period discriminators: one per period
SCALES = (1, 2)                           # MelGAN's scale discriminators: the waveform, then halved
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


def build_vocoder(upsampling: str = "transposed", source: bool = False):
    """log-mel (frames, N_MELS) [and with `source` the source_signal() (frames * HOP, HARMONICS + 1)]
    -> waveform (frames * HOP, 1); 289k weights (transposed), 196k (nearest), 3k more with a source."""
    import keras
    from keras import layers

    if upsampling not in UPSAMPLERS:
        raise ValueError(f"unknown upsampling {upsampling!r}; known: {', '.join(UPSAMPLERS)}")
    inputs = [keras.Input(shape=(None, N_MELS), name="log_mel")]
    x = layers.Conv1D(128, 7, padding="same")(inputs[0])
    for stage, (factor, channels) in enumerate(UPSAMPLING, start=1):
        x = layers.LeakyReLU(0.2)(x)
        if upsampling == "transposed":
            x = layers.Conv1DTranspose(channels, 2 * factor, strides=factor, padding="same")(x)
        else:
            x = layers.Conv1D(channels, 7, padding="same")(layers.UpSampling1D(factor)(x))
        dilations = (1, 3, 9)  # residual context after each upsampling
        if source and stage == len(UPSAMPLING):  # at the sample rate: the excitation joins, and is filtered
            inputs.append(keras.Input(shape=(None, HARMONICS + 1), name="source"))
            x = layers.Add()([x, layers.Conv1D(channels, 1)(inputs[1])])
            dilations = (1, 3, 9, 27, 1, 3, 9, 27)
        for dilation in dilations:
            y = layers.LeakyReLU(0.2)(x)
            y = layers.Conv1D(channels, 3, dilation_rate=dilation, padding="same")(y)
            x = layers.Add()([x, y])
    x = layers.LeakyReLU(0.2)(x)
    waveform = layers.Conv1D(1, 7, padding="same", activation="tanh", name="waveform")(x)
    name = f"upsampling_net_{upsampling}{'_source' if source else ''}"
    return keras.Model(inputs if source else inputs[0], waveform, name=name)


def frame_f0(samples: np.ndarray, frames: int) -> np.ndarray:
    """F0 in Hz (0 where unvoiced) of each of `frames` mel frames, by pyworld (DIO + StoneMask)."""
    try:
        import pyworld
    except ImportError as error:
        raise RuntimeError("a vocoder network with a source (--source) needs pyworld: "
                           "pip install -r requirements-demo.txt") from error

    x = np.ascontiguousarray(samples, dtype=np.float64)
    f0, times = pyworld.dio(x, SAMPLE_RATE, f0_floor=60.0, f0_ceil=500.0, frame_period=1000 * HOP / SAMPLE_RATE)
    f0 = pyworld.stonemask(x, f0, times, SAMPLE_RATE)
    return np.pad(f0[:frames], (0, max(0, frames - len(f0))), mode="edge").astype(np.float32)


def source_signal(f0: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(len(f0) * HOP, HARMONICS + 1) float32: sines at k x F0 (k = 1..HARMONICS, amplitude 0.1, only
    where voiced and below Nyquist, random starting phase; sample s takes the F0 of the frame centred
    nearest), then Gaussian noise (0.03) for what is not periodic."""
    per_sample = f0[np.minimum((np.arange(len(f0) * HOP) + HOP // 2) // HOP, len(f0) - 1)].astype(np.float64)
    phase = 2 * np.pi * np.cumsum(per_sample / SAMPLE_RATE) + rng.uniform(0, 2 * np.pi)
    k = np.arange(1, HARMONICS + 1)
    audible = (per_sample[:, None] > 0) & (k * per_sample[:, None] < SAMPLE_RATE / 2)
    sines = 0.1 * np.sin(phase[:, None] * k) * audible
    noise = 0.03 * rng.standard_normal((len(per_sample), 1))
    return np.concatenate([sines, noise], axis=1).astype(np.float32)


def has_source(model) -> bool:
    """Whether a vocoder network takes a source_signal() (built with `source`) beside its mel frames."""
    return len(model.inputs) == 2


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


def build_discriminators() -> list:
    """Small HiFi-GAN period judges (input: the waveform folded into (samples / period, period, 1))
    and MelGAN scale judges (input: the waveform); each returns its feature maps, its score last."""
    import keras
    from keras import layers

    judges = []
    for period in PERIODS:
        x = inputs = keras.Input(shape=(None, period, 1))
        features = []
        for channels, stride in ((16, 3), (32, 3), (64, 3), (64, 1)):
            x = layers.LeakyReLU(0.1)(layers.Conv2D(channels, (5, 1), strides=(stride, 1), padding="same")(x))
            features.append(x)
        features.append(layers.Conv2D(1, (3, 1), padding="same")(x))
        judges.append(keras.Model(inputs, features, name=f"period_{period}"))
    for scale in SCALES:
        x = inputs = keras.Input(shape=(None, 1))
        if scale > 1:
            x = layers.AveragePooling1D(2 * scale, strides=scale, padding="same")(x)
        features = []
        for channels, kernel, stride in ((16, 15, 1), (32, 41, 4), (64, 41, 4), (64, 5, 1)):  # MelGAN's are grouped:
            x = layers.Conv1D(channels, kernel, strides=stride, padding="same")(x)          # 100x slower on a CPU
            x = layers.LeakyReLU(0.1)(x)
            features.append(x)
        features.append(layers.Conv1D(1, 3, padding="same")(x))
        judges.append(keras.Model(inputs, features, name=f"scale_{scale}"))
    return judges


def _judge_inputs(waveform) -> list:
    """The waveform (batch, samples, 1) as each judge of build_discriminators() takes it."""
    import tensorflow as tf

    folded = []
    for period in PERIODS:
        padded = tf.pad(waveform, [[0, 0], [0, (-tf.shape(waveform)[1]) % period], [0, 0]], mode="REFLECT")
        folded.append(tf.reshape(padded, [tf.shape(padded)[0], -1, period, 1]))
    return folded + [waveform] * len(SCALES)


def adversarial_trainer(generator):
    """A keras.Model whose fit() trains `generator` against build_discriminators(): least-squares GAN
    loss and feature matching (HiFi-GAN's recipe, each averaged over the judges) on top of stft_loss."""
    import keras
    import tensorflow as tf

    class AdversarialVocoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator, self.judges = generator, build_discriminators()
            self.trackers = {name: keras.metrics.Mean(name=name) for name in ("stft", "adversarial", "features", "judges")}

        def compile(self, learning_rate: float):
            super().compile()
            adam = dict(learning_rate=learning_rate, beta_1=0.8, beta_2=0.99, clipnorm=1.0)
            self.generator_optimizer, self.judge_optimizer = keras.optimizers.Adam(**adam), keras.optimizers.Adam(**adam)

        @property
        def metrics(self):
            return list(self.trackers.values())

        def _judge(self, waveform):
            return [judge(inputs, training=True) for judge, inputs in zip(self.judges, _judge_inputs(waveform))]

        def train_step(self, data):
            conditions, waveform = data  # the mel frames (and the source, for a --source network)
            judge_weights = [w for judge in self.judges for w in judge.trainable_weights]
            with tf.GradientTape() as tape:  # the generator's: made -> 1, its judges' features like the real ones
                made = self.generator(conditions, training=True)  # once: the judges' step below reuses it
                with tape.stop_recording(), tf.GradientTape() as judge_tape:  # the judges first: real -> 1, made -> 0
                    judge_loss = tf.add_n([
                        tf.reduce_mean(tf.square(1 - real[-1])) + tf.reduce_mean(tf.square(fake[-1]))
                        for real, fake in zip(self._judge(waveform), self._judge(made))]) / len(self.judges)
                    judge_gradients = judge_tape.gradient(judge_loss, judge_weights)
                    self.judge_optimizer.apply_gradients(zip(judge_gradients, judge_weights))
                real_views, fake_views = self._judge(waveform), self._judge(made)
                adversarial = tf.add_n([tf.reduce_mean(tf.square(1 - fake[-1])) for fake in fake_views]) / len(self.judges)
                features = tf.add_n([tf.reduce_mean(tf.abs(tf.stop_gradient(r) - f))
                                     for real, fake in zip(real_views, fake_views)
                                     for r, f in zip(real[:-1], fake[:-1])]) / len(self.judges)
                reconstruction = stft_loss(waveform, made)
                generator_loss = reconstruction + adversarial + 2 * features
            weights = self.generator.trainable_weights
            self.generator_optimizer.apply_gradients(zip(tape.gradient(generator_loss, weights), weights))
            for name, value in (("stft", reconstruction), ("adversarial", adversarial), ("features", features),
                                ("judges", judge_loss)):
                self.trackers[name].update_state(value)
            return {name: tracker.result() for name, tracker in self.trackers.items()}

    return AdversarialVocoder()


def training_segments_from(clips: list[np.ndarray], count: int, rng: np.random.Generator,
                           with_f0: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """`count` random (log-mel, waveform[, F0]) segments of the clips (at SAMPLE_RATE), aligned frame
    for frame (the F0 per frame only `with_f0`, else None)."""
    clips = [_at_level(clip)[0] for clip in clips if len(clip) > (SEGMENT_FRAMES + 4) * HOP]
    if not clips:
        raise ValueError("no REAL training clip is long enough to train the vocoder on")
    mels = [log_mel(clip) for clip in clips]
    f0s = [frame_f0(clip, len(mel)) for clip, mel in zip(clips, mels)] if with_f0 else None
    segment = SEGMENT_FRAMES * HOP
    mel_batch, wave_batch, f0_batch = [], [], []
    for index in rng.integers(len(clips), size=count):
        first = int(rng.integers(2, len(mels[index]) - SEGMENT_FRAMES - 2))
        mel_batch.append(mels[index][first:first + SEGMENT_FRAMES])
        wave_batch.append(clips[index][first * HOP:first * HOP + segment])  # output sample s <-> input sample s
        if with_f0:
            f0_batch.append(f0s[index][first:first + SEGMENT_FRAMES])
    return np.stack(mel_batch), np.stack(wave_batch)[..., None], np.stack(f0_batch) if with_f0 else None


def source_batches(mels: np.ndarray, waves: np.ndarray, f0s: np.ndarray, batch_size: int, seed: int):
    """A keras PyDataset of ((log-mel, source), waveform) batches whose source_signal() is drawn anew
    each time (a new phase and noise each epoch, and no 9-channel copy of every segment in memory)."""
    import keras

    class SourceBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)

        def __len__(self):
            return len(mels) // batch_size

        def __getitem__(self, index):
            part = slice(index * batch_size, (index + 1) * batch_size)
            sources = np.stack([source_signal(f0, self.rng) for f0 in f0s[part]])
            return (mels[part], sources), waves[part]

    return SourceBatches()


def train_vocoder(paths: list[str], output: Path, steps: int = 3000, batch_size: int = 16, seed: int = 0,
                  upsampling: str = "transposed", adversarial: bool = False, init: Path | None = None,
                  source: bool = False) -> Path:
    import keras

    keras.utils.set_random_seed(seed)
    config = SpectrogramConfig(sample_rate=SAMPLE_RATE)
    clips = [load_audio(path, config).samples for path in tqdm(paths, desc="reading REAL clips", unit="clip")]
    mels, waves, f0s = training_segments_from(clips, steps * batch_size // 4, np.random.default_rng(seed), source)
    model = build_vocoder(upsampling, source)
    if init is not None:
        start = _load(Path(init))
        if [w.shape for w in start.weights] != [w.shape for w in model.weights]:
            raise ValueError(f"--init {init}: its weights do not fit {model.name} (check --upsampling and --source)")
        model.set_weights(start.get_weights())
    if adversarial:
        trainer = adversarial_trainer(model)
        trainer.compile(learning_rate=2e-4)
    else:
        trainer = model
        clipnorm = 1.0 if upsampling == "nearest" else None  # nearest stalled without it (loss 17, 14 after two epochs; 3.7, 2.1 with)
        model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.8, beta_2=0.99, clipnorm=clipnorm), loss=stft_loss)
    started = time.perf_counter()
    if source:
        trainer.fit(source_batches(mels, waves, f0s, batch_size, seed), epochs=4, verbose=2)
    else:
        trainer.fit(mels, waves, batch_size=batch_size, epochs=4, verbose=2)  # each segment seen 4 times
    output.parent.mkdir(parents=True, exist_ok=True)
    weights_only = build_vocoder(upsampling, source)  # saved without the optimizer's state: a third of the size
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
    network, mel = _load(Path(model_path)), log_mel(levelled)
    inputs = [mel[None], source_signal(frame_f0(levelled, len(mel)), rng)[None]] if has_source(network) else mel[None]
    waveform = network(inputs, training=False)
    copy = np.asarray(waveform)[0, :, 0] * (rms / TARGET_RMS)
    if sample_rate != SAMPLE_RATE:
        copy = librosa.resample(copy, orig_sr=SAMPLE_RATE, target_sr=sample_rate)
    return fit_length(copy, len(samples))


def real_training_clips(data: str | Path) -> list[str]:
    """The audio files of a step 1 output's REAL training images (no copies), sorted: what a vocoder learns from."""
    rows = read_manifest(data, "train")
    return sorted(set(rows.loc[(rows["label"] == "REAL") & (rows["vocoder"].fillna("") == ""), "source"]))


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
    parser.add_argument("--adversarial", action="store_true",
                        help="train against discriminators too (GAN + feature-matching losses on top of the STFT loss)")
    parser.add_argument("--source", action="store_true",
                        help="give the network sines at F0 and its harmonics, and noise, as a second input (NSF)")
    parser.add_argument("--init", type=Path, default=None, metavar="PATH",
                        help="start from this trained network's weights (same --upsampling), e.g. the shipped one")
    args = parser.parse_args(argv)
    try:
        paths = real_training_clips(args.data)
        train_vocoder(paths, args.output, args.steps, seed=args.seed, upsampling=args.upsampling,
                      adversarial=args.adversarial, init=args.init, source=args.source)
        print(f"step 1 uses it with: --vocode upsampling_net --vocoder-model {args.output}")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
