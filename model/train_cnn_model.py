"""Step 3: train the 3-block CNN on step 1's spectrograms and save a self-describing run folder.

    python model/train_cnn_model.py                       # spectrograms -> model/saved_models/<run>
    python model/train_cnn_model.py --arch seed --epochs 20

The run folder holds model.keras (output = P(fake)), model.json (preprocessing config,
threshold, counts, validation metrics), history.csv, training_curves.png and logs/.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from eval.metrics import compute_eer, operating_threshold  # noqa: E402
from model.cnn import (ARCHS, ONE_CLASS_MARGINS, OneClassLoss, build_model, default_dropout, default_one_class,  # noqa: E402
                       logit_model)
from model.calibration import calibrate, fit_platt  # noqa: E402
from model.data import COPY_BAND_MARGIN_HZ, make_dataset  # noqa: E402
from model.adversary import adversary_trainer, origin_indices  # noqa: E402
from model.pairs import copy_pairs, pair_dataset, paired_trainer  # noqa: E402
from model.sharpness import sharpness_aware_trainer  # noqa: E402
from model.run import MODEL_FILENAME, RUNS_DIR, RunCard  # noqa: E402
from preprocessing.config import CLASS_NAMES  # noqa: E402
from preprocessing.manifest import DatasetError, copy_crossover_hz, is_copy, read_config, read_manifest  # noqa: E402
from preprocessing.spectrogram import load_image_array  # noqa: E402



def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="spectrograms", help="step 1 output folder")
    parser.add_argument("--output", help="run folder (default model/saved_models/<arch>-<time>)")
    parser.add_argument("--arch", default="compact", choices=ARCHS)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--lr-schedule", choices=("plateau", "cosine"), default="plateau",
                        help="plateau: halve the rate after a third of --patience epochs without a better val EER; "
                             "cosine: lower it along a half cosine to 0 over --epochs, whatever the val EER does")
    parser.add_argument("--patience", type=int, default=16,
                        help="epochs without a better val EER before stopping (with --lr-schedule plateau, a third of it "
                             "halves the learning rate)")
    parser.add_argument("--freq-mask", type=int, default=12, help="max frequency rows masked per image (0 = off)")
    parser.add_argument("--time-mask", type=int, default=16, help="max frames masked per image (0 = off)")
    parser.add_argument("--truncate", type=float, default=0.5,
                        help="probability of cutting a training image short and padding it with silence "
                             "(both classes; takes away clip duration as a cue)")
    parser.add_argument("--time-flip", type=float, default=0.5, metavar="PROBABILITY",
                        help="chance that a training image, either class, is played backwards (frames reversed): "
                             "each frame's spectrum, where microphones and vocoders leave their traces, stays; "
                             "prosody and word order stop telling anything (default 0.5: external EER 21.7%% "
                             "against 23.1%% at 0 over nine paired seeds, devset CV level; 0 = off)")
    parser.add_argument("--time-stretch", type=float, default=0.0, metavar="MOST",
                        help="slow every training image, either class, down by a random factor from 1 to 1 + MOST "
                             "(frames interpolated, a random stretch of the width kept): speaking rate stops "
                             "telling (0 = off; measured 0.2: external EER 28.9%% against 21.5%%, off)")
    parser.add_argument("--ema", type=float, default=0.0,
                        help="evaluate and keep an exponential moving average of the weights with this momentum "
                             "per step (e.g. 0.99; 0 = off)")
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="decoupled weight decay (AdamW: each step shrinks the weights by learning rate x this; "
                             "batch-norm scales and shifts are spared; e.g. 0.05; 0 = plain Adam)")
    parser.add_argument("--band-limit", type=float, default=0.3, metavar="PROBABILITY",
                        help="chance that a training image, REAL or FAKE but not a vocoded copy, gets a random "
                             "pass band (50-300 Hz to 3-7.5 kHz) drawn on: each row's dB levels lowered as the "
                             "Butterworth filter of step 1's --augment lowers that band, so that a missing upper "
                             "band tells neither class (0 = off)")
    parser.add_argument("--noise-floor", type=float, default=0.0, metavar="PROBABILITY",
                        help="chance that a training image, REAL or FAKE but not a vocoded copy, gets noise (white "
                             "or low-frequency heavy, 5-40 dB below the speech, as step 1's --augment adds it) "
                             "mixed into its band powers, so that a noise floor tells neither class")
    parser.add_argument("--band-limit-copies", action="store_true",
                        help="vocoded copies take --band-limit's pass bands too, the upper edge drawn at least "
                             f"{COPY_BAND_MARGIN_HZ:g} Hz above their crossover (step 1's --copy-above) so their "
                             "vocoded band stays in view: reals and their copies then carry a pass band alike "
                             "(measured: external 22.4%% against 21.1%%, noisy reals read FAKE; off)")
    parser.add_argument("--noise-floor-copies", type=float, default=0.0, metavar="SHARE",
                        help="the share of --noise-floor's chance that vocoded copies take (0: spared; 1: as often as "
                             "the other pictures). Sparing them makes noise a REAL cue; noise that hides a copy's "
                             "vocoded band leaves a REAL-looking picture labelled FAKE, a FAKE cue (measured beside "
                             "--noise-floor 0.3: at 1 external 25.4%%, noisy reals read FAKE 47%%; at 0.5 24.5%%, 37%%; "
                             "spared 22.9%%, noisy fakes read REAL 39%%: off)")
    parser.add_argument("--balance-channels", action="store_true",
                        help="raise --band-limit's and --noise-floor's chance on the FAKE pictures that are not copies "
                             "so that each class carries a channel equally often (sparing the copies alone makes a "
                             "channel land on fewer FAKE pictures, i.e. a REAL cue)")
    parser.add_argument("--dropout", type=float, default=None, metavar="RATE",
                        help="dropout on the body's features before the head (default: 0.3; the card's 0.5 for --arch seed)")
    parser.add_argument("--mixup", type=float, default=0.0, help="mixup alpha (0 = off)")
    parser.add_argument("--pixel-noise", type=float, default=0.0, help="Gaussian noise on scaled pixels")
    parser.add_argument("--centre-rows", action="store_true",
                        help="the network first takes each frequency row's mean over time away (removes a steady "
                             "channel colour: microphone, band limit; part of the model, so prediction does it too)")
    parser.add_argument("--no-class-weights", action="store_true")
    parser.add_argument("--balance-groups", nargs="?", const="share", choices=["share", "cut"],
                        help="weigh REAL and FAKE equally inside every group (speaker, recording) that holds both, "
                             "so that a voice heard mostly as FAKE does not teach 'this voice = FAKE': 'share' "
                             "(the flag alone) gives each class half of the group's weight; 'cut' only lowers "
                             "the larger class to the smaller one's weight, so no image weighs more than 1 "
                             "before the class weights")
    parser.add_argument("--balance-cap", type=float, default=None, metavar="FACTOR",
                        help="with --balance-groups share: no image's group weight above FACTOR (e.g. 2), so a "
                             "group's lone REAL clips count at most FACTOR times (balance inside it then partial)")
    parser.add_argument("--pair-loss", type=float, default=0.0, metavar="WEIGHT",
                        help="with step 1's copies (--vocode): each step also scores batch-size/4 (REAL, its copy) "
                             "pairs and adds WEIGHT x softplus(logit REAL - logit copy), so that only what differs "
                             "inside a pair (the synthesis) can lower it (0 = off)")
    parser.add_argument("--origin-adversary", type=float, default=0.0, metavar="WEIGHT",
                        help="a head learns which collection (manifest origin) a REAL training image came from and the "
                             "features get that gradient reversed, times WEIGHT, so they stop carrying each collection's "
                             "recording conditions; needs the one-class head and REAL images from 2+ collections (0 = off; "
                             "measured 0.5: devset CV 19.4%% against 20.9%% over three runs, external level: off)")
    parser.add_argument("--one-class", action=argparse.BooleanOptionalAction, default=None,
                        help="OC-softmax head: REAL clips drawn close to one learned direction, FAKE clips only "
                             "kept away from it, so attacks unlike the training fakes still score FAKE; the output "
                             "stays P(fake) (default: on, except --arch seed; --no-one-class: one dense unit)")
    parser.add_argument("--one-class-margins", nargs=2, type=float, default=list(ONE_CLASS_MARGINS),
                        metavar=("REAL", "FAKE"),
                        help="the one-class head's cosine margins: REAL clips drawn within REAL of the REAL "
                             "direction, FAKE clips kept beyond FAKE (default: OC-softmax's 0.9 0.2; a lower "
                             "REAL margin leaves the REAL class a wider cone)")
    parser.add_argument("--sam", type=float, default=0.0, metavar="RHO",
                        help="sharpness-aware minimisation of this radius (e.g. 0.05): flatter minima, which "
                             "aims at audio unlike the training set; twice the training time (0 = off)")
    parser.add_argument("--mixed-precision", action="store_true", help="float16 compute on a GPU")
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--deterministic", action="store_true",
                        help="the same seed and data give the same model, weight for weight (TensorFlow's op "
                             "determinism); without it two runs of one seed differ by a few EER points")
    args = parser.parse_args(argv)
    # the arch's defaults, resolved here so that model.json records what was used and a rerun with
    # the same flags (benchmarks' --reuse-runs) compares equal to it
    args.one_class = default_one_class(args.arch) if args.one_class is None else args.one_class
    args.dropout = default_dropout(args.arch) if args.dropout is None else args.dropout
    return args


class ValidationEER(keras.callbacks.Callback):
    """Adds val_eer and an exact val_auc to the logs each epoch and keeps the best weights (lowest EER, then loss)."""

    def __init__(self, dataset, labels):
        super().__init__()
        self.dataset, self.labels = dataset, np.asarray(labels)
        self.best_key, self.best_weights, self.best_epoch = None, None, None

    def on_epoch_end(self, epoch, logs=None):
        p_fake = self.model.predict(self.dataset, verbose=0).ravel()  # or its logit (one-class trainer)
        eer, _ = compute_eer(self.labels, p_fake)
        logs["val_eer"] = eer
        # exact, unlike Keras' thresholded AUC, which a saturated one-class sigmoid reduces to ~0.5
        logs["val_auc"] = float(roc_auc_score(self.labels, p_fake))
        key = (round(eer, 6), logs.get("val_loss", 0.0))
        if self.best_key is None or key < self.best_key:
            self.best_key, self.best_epoch = key, epoch
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def training_weights(rows, balance_groups: str | None, balance_classes: bool = True,
                     cap: float | None = None) -> np.ndarray:
    """One weight per training image (1 = FAKE in rows["y"]), mean 1, under which REAL and FAKE weigh
    the same overall (`balance_classes`: class weights). With `balance_groups`, first, inside each
    group that holds both classes, REAL and FAKE are made to weigh the same: the TTS demos' LJSpeech
    voice, for one, comes 23 FAKE to 3 REAL in the devset, so without it the voice itself reads as
    FAKE. "share" gives each class half of the group's weight (the lone REAL clips then weigh several
    times more than LibriSpeech's, and the class weights take it from every other REAL clip; `cap`
    bounds that boost); "cut" lowers the larger class to the smaller one's count and leaves every
    other image at 1."""
    weights = np.ones(len(rows))
    if balance_groups:
        per_class = rows.groupby(["group", "y"])["y"].transform("size").to_numpy()
        per_group = rows.groupby("group")["y"].transform("size").to_numpy()
        mixed = per_class < per_group
        if balance_groups == "share":
            weights = np.where(mixed, np.minimum(per_group / (2 * per_class), cap or np.inf), 1.0)
        elif balance_groups == "cut":
            smaller = np.minimum(per_class, per_group - per_class)
            weights = np.where(mixed, smaller / per_class, 1.0)
        else:
            raise ValueError(f"balance_groups: 'share', 'cut' or None, not {balance_groups!r}")
    fake, total = rows["y"].to_numpy() == 1, weights.sum()
    for members in (fake, ~fake) if balance_classes else ():
        weights[members] *= total / (2 * weights[members].sum())
    return weights * len(rows) / weights.sum()


def counts_by(frame) -> dict:
    return {split: {label: int(n) for label, n in part["label"].value_counts().items()}
            for split, part in frame.groupby("split")}


def check_split(frame, split: str, data: Path) -> None:
    part = frame[frame["split"] == split]
    if part.empty:
        raise DatasetError(f"{data}: the {split} split has no images")
    missing = sorted(set(CLASS_NAMES) - set(part["label"]))
    if missing:
        raise DatasetError(f"{data}: the {split} split has no {'/'.join(missing)} images; "
                           f"both classes are needed to train and to pick a threshold")


def plot_curves(history: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, (name, keys) in zip(axes, [("loss", ("loss", "val_loss")), ("ROC-AUC", ("auc", "val_auc")),
                                      ("EER (validation)", ("val_eer",))]):
        for key in keys:
            if key in history:
                ax.plot(epochs, history[key], marker=".", label=key)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def distribution_strategy(mixed_precision: bool):
    gpus = tf.config.list_physical_devices("GPU")
    if mixed_precision and gpus:
        keras.mixed_precision.set_global_policy("mixed_float16")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy(), f"{len(gpus)} GPUs (MirroredStrategy)"
    return tf.distribute.get_strategy(), ("GPU: " + gpus[0].name) if gpus else "CPU"


def make_optimizer(learning_rate, weight_decay: float = 0.0, ema: float = 0.0) -> keras.optimizers.Optimizer:
    """Adam at `learning_rate` (a number or a schedule); with `weight_decay`, decoupled (AdamW), sparing
    batch-norm scales and shifts, which set a feature's level rather than fit a pattern; with `ema`, an
    average of the weights is kept."""
    optimizer = keras.optimizers.Adam(learning_rate, weight_decay=weight_decay or None,
                                      use_ema=ema > 0, ema_momentum=ema)
    optimizer.exclude_from_weight_decay(var_names=["gamma", "beta"])
    return optimizer


def train(args) -> Path:
    data = Path(args.data)
    config = read_config(data)
    frame = read_manifest(data)
    for split in ("train", "val"):
        check_split(frame, split, data)
    load_image_array(frame["image_path"].iloc[0], config)  # refuse images made with other settings

    if not 0 <= args.dropout < 1:
        raise ValueError(f"--dropout is a rate in [0, 1), not {args.dropout}")
    real_margin, fake_margin = args.one_class_margins
    if not -1 <= fake_margin < real_margin <= 1:
        raise ValueError(f"--one-class-margins: need -1 <= FAKE < REAL <= 1 (cosines), not {real_margin} {fake_margin}")
    if args.one_class and args.pair_loss:
        raise ValueError("--pair-loss needs --no-one-class (the pair term reads P(fake), "
                         "the one-class trainer gives logits)")
    for flag, chance in (("--band-limit", args.band_limit), ("--noise-floor", args.noise_floor),
                         ("--time-flip", args.time_flip), ("--noise-floor-copies", args.noise_floor_copies)):
        if not 0 <= chance <= 1:
            raise ValueError(f"{flag} is a probability or share (0-1), not {chance}")
    if not 0 <= args.time_stretch <= 1:
        raise ValueError(f"--time-stretch is a factor's excess over 1, from 0 to 1, not {args.time_stretch}")
    if args.origin_adversary < 0:
        raise ValueError(f"--origin-adversary is a weight, not {args.origin_adversary}")
    if args.origin_adversary and (not args.one_class or args.pair_loss or args.sam or args.mixup):
        raise ValueError("--origin-adversary needs the one-class head and goes with none of --pair-loss, --sam, "
                         "--mixup (each has its own training step or batch)")
    if args.weight_decay < 0:
        raise ValueError(f"--weight-decay cannot be negative, not {args.weight_decay}")
    if args.sam and args.pair_loss:
        raise ValueError("--pair-loss does not go together with --sam (the pair term has its own training step)")
    keras.utils.set_random_seed(args.seed)
    train_rows, val_rows = frame[frame["split"] == "train"], frame[frame["split"] == "val"]
    # with --band-limit-copies, a copy's pass band keeps its vocoded band (above its crossover) in view
    copy_band_from_hz = copy_crossover_hz(data) + COPY_BAND_MARGIN_HZ if args.band_limit_copies else None
    weights = training_weights(train_rows, args.balance_groups, not args.no_class_weights,  # all 1 with neither
                               cap=args.balance_cap)
    origins, collections = origin_indices(train_rows) if args.origin_adversary else (None, [])
    if args.origin_adversary and len(collections) < 2:
        raise DatasetError(f"{data}: --origin-adversary needs REAL training images from two or more collections "
                           f"(the manifest's origin column), found {collections or 'none'}")
    train_ds = make_dataset(train_rows["image_path"], train_rows["y"], config, args.batch_size, training=True,
                            seed=args.seed, freq_mask=args.freq_mask, time_mask=args.time_mask,
                            truncate=args.truncate, mixup_alpha=args.mixup, weights=weights,
                            band_limit=args.band_limit, noise_floor=args.noise_floor,
                            copies=is_copy(train_rows).to_numpy(), balance_channels=args.balance_channels,
                            copy_band_from_hz=copy_band_from_hz, time_flip=args.time_flip,
                            noise_copies=args.noise_floor_copies, time_stretch=args.time_stretch, origins=origins)
    val_ds = make_dataset(val_rows["image_path"], val_rows["y"], config, args.batch_size)
    if args.pair_loss:
        real_paths, copy_paths = copy_pairs(train_rows)
        if not real_paths:
            raise DatasetError(f"{data}: --pair-loss needs copies of REAL training clips (step 1's --vocode)")
        pairs = pair_dataset(real_paths, copy_paths, config, max(1, args.batch_size // 4), args.seed)
        train_ds = tf.data.Dataset.zip((train_ds, pairs))

    run_dir = Path(args.output or RUNS_DIR / f"{args.arch}-{datetime.now():%Y%m%d-%H%M%S}")
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    strategy, device = distribution_strategy(args.mixed_precision)
    with strategy.scope():
        model = build_model(args.arch, config.image_size, config.channels, args.pixel_noise, args.centre_rows,
                            args.one_class, args.one_class_margins, args.dropout)
        trainer = logit_model(model) if args.one_class else model  # `model` is what is saved
        trainer = adversary_trainer(model, len(collections), args.origin_adversary) if args.origin_adversary else trainer
        trainer = paired_trainer(trainer, args.pair_loss) if args.pair_loss else trainer
        trainer = sharpness_aware_trainer(trainer, args.sam) if args.sam else trainer
        steps = args.epochs * -(-len(train_rows) // args.batch_size)
        learning_rate = (keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
                         if args.lr_schedule == "cosine" else args.learning_rate)
        optimizer = make_optimizer(learning_rate, args.weight_decay, args.ema)
        logits = args.one_class  # the trainer then outputs the logit of P(fake), not P(fake)
        loss = OneClassLoss(args.one_class_margins) if logits else "binary_crossentropy"
        trainer.compile(optimizer=optimizer, loss=loss,
                        metrics=[keras.metrics.AUC(name="auc", from_logits=logits),
                                 keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if logits else 0.5)])
    print(f"training {args.arch} ({model.count_params():,} parameters) on {device}: "
          f"{len(train_rows)} train / {len(val_rows)} val images -> {run_dir}")
    if args.origin_adversary:
        print(f"collection adversary (weight {args.origin_adversary:g}) on the REAL images of {', '.join(collections)}")

    val_eer = ValidationEER(val_ds, val_rows["y"])
    # With --ema, the averaged weights are swapped in for validation, for val_eer and for the best epoch.
    callbacks = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if args.ema > 0 else []
    plateau = [keras.callbacks.ReduceLROnPlateau(monitor="val_eer", mode="min", factor=0.5,
                                                 patience=max(2, args.patience // 3), min_lr=1e-5)]
    callbacks += [
        val_eer,  # before the callbacks below, so they see val_eer
        keras.callbacks.EarlyStopping(monitor="val_eer", mode="min", patience=args.patience),
        *(plateau if args.lr_schedule == "plateau" else []),  # a cosine schedule lives in the optimizer
        keras.callbacks.CSVLogger(str(run_dir / "history.csv")),
        keras.callbacks.TensorBoard(log_dir=str(run_dir / "logs")),
    ]
    started = time.perf_counter()
    history = trainer.fit(train_ds, validation_data=val_ds, epochs=args.epochs,
                          callbacks=callbacks, shuffle=False, verbose=2)  # tf.data shuffles the training set
    train_seconds = time.perf_counter() - started

    model.save(run_dir / MODEL_FILENAME)
    raw_p_fake = model.predict(val_ds, verbose=0).ravel()
    calibration = fit_platt(val_rows["y"], raw_p_fake)
    val_p_fake = calibrate(raw_p_fake, calibration)
    eer, _ = compute_eer(val_rows["y"].to_numpy(), val_p_fake)
    threshold = operating_threshold(val_rows["y"].to_numpy(), val_p_fake)
    card = RunCard(
        config=config, threshold=float(threshold), calibration=calibration, arch=args.arch, parameters=int(model.count_params()),
        best_epoch=int(val_eer.best_epoch) + 1, epochs_run=len(history.history["loss"]),
        train_seconds=round(train_seconds, 1), device=device,
        validation={"eer": float(eer), "roc_auc": float(history.history["val_auc"][val_eer.best_epoch]),
                    "images": len(val_rows)},
        counts=counts_by(frame), data=str(data.resolve()), training_args=vars(args),
        versions={"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        created=datetime.now().isoformat(timespec="seconds"))
    card.save(run_dir)
    plot_curves(history.history, run_dir / "training_curves.png")
    print(f"best epoch {card.best_epoch}: validation EER {eer:.2%}, threshold p_fake >= {threshold:.3f} -> FAKE")
    print(f"saved {run_dir / MODEL_FILENAME} ({train_seconds:.0f} s of training)")
    return run_dir


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.deterministic:
        tf.config.experimental.enable_op_determinism()  # for the whole process: a training script is one
    try:
        train(args)
    except (DatasetError, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
