"""Detection and training on the devset: grouped test split and leave-one-source-out.

    python benchmarks/bench_detection.py --experiment split   # both archs, trim on/off, MFCC+SVM, LFCC+SVM
    python benchmarks/bench_detection.py --experiment cv      # 5-fold grouped CV of one setting
    python benchmarks/bench_detection.py --experiment loso    # train on 3 sources, test on the 4th
    python benchmarks/bench_detection.py --experiment external --tag linear --step1 '--frequency-scale linear'
                                                              # whole devset -> external set, 3 seeds
    python benchmarks/bench_detection.py --experiment external-stress --tag mel     # one class through a channel
    python benchmarks/bench_detection.py --experiment external-baselines --tag mel  # MFCC/LFCC + SVM, same split
    python benchmarks/bench_detection.py --experiment external-windows --tag mel    # every window, combined
    python benchmarks/bench_detection.py --experiment external-model --tag patience16 --model model/pretrained/devset-v5 --step1 '--vocode none'
                                                              # one saved run: external set, clean and stressed
    python benchmarks/bench_detection.py --experiment cv-baselines --tag mel        # MFCC/LFCC + SVM on the folds
    python benchmarks/bench_detection.py --experiment cv-windows --tag mel          # every window, on the folds
    python benchmarks/bench_detection.py --experiment external-ensemble --tag mel   # seeds' mean logit, from saved scores
    python benchmarks/bench_detection.py --experiment cv-flip --tag mel   # test images also played backwards
                                                              # (external-flip: the seeds; loso-flip: the sources)

Every number comes from the pipeline's own scripts (step 1, training) and modules.
"""
from __future__ import annotations

import argparse
import functools
import itertools
import json
import time
from pathlib import Path

import numpy as np
from pandas import DataFrame, read_csv
from scipy.special import expit
from sklearn.model_selection import StratifiedGroupKFold

from benchmarks.common import DEVSET, WORK, require_devset, require_external, run, save_result
from eval.baseline import run_baseline
from eval.metrics import compute_eer, eer_by_group, logit
from inference.predictor import Predictor
from model.run import RunCard
from model.train_cnn_model import parse_args as parse_training_args
from preprocessing.augment import bandpass, mix_at_snr
from preprocessing.layouts import assign_splits, find_clips, write_clip_list
from preprocessing.manifest import original_images, read_config, read_manifest
from preprocessing.spectrogram import load_image_array


def spectrograms(name: str, manifest: Path, flags: list[str]) -> Path:
    """Step 1 into .cache/bench/<name> (a rerun skips what is up to date)."""
    output = WORK / name
    run(["preprocessing/audio_to_spectrogram.py", "--input", str(manifest), "--output", str(output),
         "--jobs", "2", *flags])
    return output


REUSE_RUNS = False  # --reuse-runs: a finished run of the same name and flags is scored, not retrained


def train(data: Path, name: str, flags: list[str]) -> tuple[Path, float]:
    run_dir = WORK / "runs" / name
    if REUSE_RUNS and (run_dir / "model.keras").exists() and (run_dir / "model.json").exists():
        card = json.loads((run_dir / "model.json").read_text())
        asked = vars(parse_training_args(["--data", str(data), "--output", str(run_dir), *flags]))
        if card.get("training_args") == asked:
            print(f"reusing {run_dir} (trained in {card['train_seconds']} s)", flush=True)
            return run_dir, card["train_seconds"]
    started = time.perf_counter()
    run(["model/train_cnn_model.py", "--data", str(data), "--output", str(run_dir), *flags])
    return run_dir, time.perf_counter() - started


def score(run_dir: Path, data: Path, split: str = "test"):
    """Test images (no augmented copies) and their p_fake; also kept in .cache/bench/scores/<run>.npz
    so that a later metric can be recomputed without retraining."""
    rows = original_images(read_manifest(data, split))
    p_fake = Predictor.load(run_dir).predict_images(rows["image_path"])
    (WORK / "scores").mkdir(parents=True, exist_ok=True)
    np.savez(WORK / "scores" / f"{run_dir.name}.npz", y=rows["y"].to_numpy(), p_fake=p_fake,
             origin=rows["origin"].to_numpy(str), attack=rows["attack"].to_numpy(str))
    return rows, p_fake


def detection_result(rows, p_fake, threshold: float | None = None) -> dict:
    y = rows["y"].to_numpy()
    result = {"images": len(rows)}
    if len(set(y)) == 2:
        result["eer"] = round(compute_eer(y, p_fake)[0], 4)
        result["by_origin"] = {k: round(v["eer"], 4) for k, v in eer_by_group(y, p_fake, rows["origin"]).items()}
        result["by_attack"] = {k: round(v["eer"], 4) for k, v in eer_by_group(y, p_fake, rows["attack"]).items()
                               if k != "bonafide"}
    if threshold is not None:  # error rate at the run's own threshold (the only figure for one-class sets)
        result["error_rate_at_threshold"] = round(float(np.mean((p_fake >= threshold) != (y == 1))), 4)
    return result


def split_manifest(manifest: Path) -> Path:
    """The devset with step 1's default group split written into a split column, so that every
    setting below (trim on/off, ...) is trained and tested on exactly the same clips."""
    _, clips = find_clips(manifest)
    assign_splits(clips)
    return write_clip_list(clips, WORK / "split.csv", lambda clip: clip.split)


def split_experiment(manifest: Path, epochs: int, train_flags: list[str], step1_flags: list[str]) -> dict:
    results = {}
    manifest = split_manifest(manifest)
    settings = {"compact": ("trim", ["--arch", "compact"], []),
                "compact, --truncate 0 (before)": ("trim", ["--arch", "compact", "--truncate", "0"], []),
                "seed": ("trim", ["--arch", "seed"], []),
                "compact, no leading-silence trim": ("notrim", ["--arch", "compact"], ["--no-trim"])}
    for label, (data_name, arch_flags, extra_step1) in settings.items():
        data = spectrograms(f"split-{data_name}", manifest, step1_flags + extra_step1)
        run_dir, seconds = train(data, f"split-{data_name}-" + "".join(arch_flags[1:]).replace("-", ""),
                                 arch_flags + ["--epochs", str(epochs)] + train_flags)
        card = RunCard.load(run_dir)
        rows, p_fake = score(run_dir, data)
        results[label] = {"parameters": card.parameters, "train_seconds": round(seconds, 1),
                          "epochs_run": card.epochs_run, "best_epoch": card.best_epoch,
                          "val_eer": round(card.validation_eer, 4),
                          "test": detection_result(rows, p_fake, card.threshold)}
        print(label, results[label]["test"].get("eer"), flush=True)
    data = WORK / "split-trim"
    for features in ("mfcc", "lfcc"):
        rows, p_fake, threshold = run_baseline(read_manifest(data), "test", read_config(data),
                                               WORK / f"{features}_cache.npz", features)
        results[f"{features.upper()}+SVM baseline"] = {"test": detection_result(rows, p_fake, threshold)}
    return results


def loso_manifests(manifest: Path, seed: int) -> dict[str, Path]:
    """One CSV per source family: that family = test, the others split by group into train/val."""
    _, clips = find_clips(manifest)
    folds = {}
    for held_out in sorted({clip.origin for clip in clips}):
        rest = [clip for clip in clips if clip.origin != held_out]
        for clip in rest:
            clip.split = None
        assign_splits(rest, val_fraction=0.15, test_fraction=0.15, seed=seed)
        folds[held_out] = write_clip_list(
            clips, WORK / "loso" / f"{held_out}.csv",
            lambda clip: "test" if clip.origin == held_out else ("val" if clip.split == "val" else "train"))
    return folds


def loso_experiment(manifest: Path, epochs: int, train_flags: list[str], step1_flags: list[str],
                    tag: str, vocoder_steps: int = 0) -> dict:
    """Train on all source families but one, test on it. With `vocoder_steps`, step 1's upsampling_net
    copies come from hold-out vocoders that never heard the held-out family."""
    results = {}
    fold_manifests = loso_manifests(manifest, seed=1337)
    extra_flags = holdout_vocoder_flags(list(fold_manifests.values()), vocoder_steps, "loso")
    for (held_out, fold_manifest), extra in zip(fold_manifests.items(), extra_flags):
        data = spectrograms(f"loso-{tag}-{held_out}", fold_manifest, step1_flags + extra)
        run_dir, seconds = train(data, f"loso-{tag}-{held_out}", ["--epochs", str(epochs)] + train_flags)
        card = RunCard.load(run_dir)
        rows, p_fake = score(run_dir, data)
        results[held_out] = {"train_seconds": round(seconds, 1), "val_eer": round(card.validation_eer, 4),
                             "test": detection_result(rows, p_fake, card.threshold)}
        print(held_out, results[held_out]["test"], flush=True)
    return results


def cv_manifests(manifest: Path, folds: int, seed: int) -> list[Path]:
    """Grouped, stratified K-fold: fold k is the test split; the other clips are split by group
    into train/val. Every clip is tested once, so a setting's mean over folds is far less noisy
    than one small test split."""
    _, clips = find_clips(manifest)
    labels, groups = [clip.label for clip in clips], [clip.group for clip in clips]
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    paths = []
    for fold, (_, test_index) in enumerate(splitter.split(np.zeros(len(clips)), labels, groups)):
        test = set(test_index.tolist())
        rest = [clip for index, clip in enumerate(clips) if index not in test]
        for clip in rest:
            clip.split = None
        assign_splits(rest, val_fraction=0.15, test_fraction=0.15, seed=seed)  # its 'test' part trains
        split_of = {id(clip): "val" if clip.split == "val" else "train" for clip in rest}
        paths.append(write_clip_list(clips, WORK / "cv" / f"fold{fold}.csv",
                                    lambda clip: split_of.get(id(clip), "test")))
    return paths


def mean_over_runs(runs: list[dict]) -> dict:
    """Mean and std of the runs' EERs, and the mean EER per origin."""
    eers = [run["eer"] for run in runs]
    origins = sorted({k for run in runs for k in run["by_origin"]})
    return {"mean_eer": round(float(np.mean(eers)), 4), "std_eer": round(float(np.std(eers)), 4),
            "mean_by_origin": {k: round(float(np.mean([r["by_origin"][k] for r in runs if k in r["by_origin"]])), 4)
                               for k in origins}}


def holdout_vocoders(fold_manifests: list[Path], steps: int, kind: str = "cv") -> list[Path]:
    """For each fold, a trained vocoder (upsampling_net) that never heard that fold's test clips: one is
    trained on the REAL test clips of the first half of the folds and serves the second half, the other
    the other way round (two trainings instead of one per fold). `kind` names them (cv, loso)."""
    from synthesis.neural_vocoder import train_vocoder  # loads TensorFlow

    tests = [read_csv(path).query("split == 'test' and label == 'REAL'")["path"].tolist() for path in fold_manifests]
    half = len(fold_manifests) // 2
    halves = [range(half), range(half, len(fold_manifests))]
    models = []
    for index, folds in enumerate(halves):
        model = WORK / "vocoders" / f"{kind}{len(fold_manifests)}-folds{''.join(map(str, folds))}-{steps}steps.keras"
        if not model.exists():
            train_vocoder(sorted(path for fold in folds for path in tests[fold]), model, steps)
        models.append(model)
    return [models[0] if fold in halves[1] else models[1] for fold in range(len(fold_manifests))]


def holdout_vocoder_flags(fold_manifests: list[Path], steps: int, kind: str) -> list[list[str]]:
    """Step 1's extra flags per fold: its hold-out vocoder (`holdout_vocoders`), or none when `steps` is 0."""
    if not steps:
        return [[] for _ in fold_manifests]
    return [["--vocoder-model", str(model)] for model in holdout_vocoders(fold_manifests, steps, kind)]


def cv_experiment(manifest: Path, epochs: int, folds: int, tag: str, train_flags: list[str],
                  step1_flags: list[str], vocoder_steps: int = 0) -> dict:
    """One setting on every fold: per-fold test EER and their mean. With `vocoder_steps`, step 1's
    upsampling_net copies come from hold-out vocoders trained for that many steps."""
    runs = []
    fold_manifests = cv_manifests(manifest, folds, seed=1337)
    extra_flags = holdout_vocoder_flags(fold_manifests, vocoder_steps, "cv")
    for fold, (fold_manifest, extra) in enumerate(zip(fold_manifests, extra_flags)):
        data = spectrograms(f"cv-{tag}-fold{fold}", fold_manifest, step1_flags + extra)
        run_dir, seconds = train(data, f"cv-{tag}-fold{fold}", ["--epochs", str(epochs), *train_flags])
        result = detection_result(*score(run_dir, data))
        runs.append({"eer": result["eer"], "by_origin": result["by_origin"], "train_seconds": round(seconds, 1)})
        print(tag, fold, result["eer"], flush=True)
    return {tag: {"folds": runs, **mean_over_runs(runs)}}


def external_manifest(devset: Path, external: Path) -> Path:
    """The whole devset for training (15% of its groups for validation: early stopping and the
    threshold) and the external set as the test split. Nothing is fitted to the external set."""
    _, dev_clips = find_clips(devset)
    for clip in dev_clips:
        clip.split = None
    assign_splits(dev_clips, val_fraction=0.15, test_fraction=0.15, seed=1337)  # its 'test' part trains
    _, external_clips = find_clips(external)
    held_out = {id(clip) for clip in external_clips}
    return write_clip_list(dev_clips + external_clips, WORK / "external.csv",
                          lambda clip: "test" if id(clip) in held_out else ("val" if clip.split == "val" else "train"))


def external_experiment(devset: Path, epochs: int, seeds: list[int], tag: str, train_flags: list[str],
                        step1_flags: list[str]) -> dict:
    """Train on the devset with each seed, test on the external set: pooled and per-source EER."""
    manifest = external_manifest(devset, require_external())
    data = spectrograms(f"external-{tag}", manifest, step1_flags)
    runs = []
    for seed in seeds:
        run_dir, seconds = train(data, f"external-{tag}-seed{seed}",
                                 ["--epochs", str(epochs), "--seed", str(seed), *train_flags])
        card = RunCard.load(run_dir)
        result = detection_result(*score(run_dir, data), card.threshold)
        runs.append({"seed": seed, "train_seconds": round(seconds, 1), "val_eer": round(card.validation_eer, 4),
                     **result})
        print(tag, seed, result["eer"], result["by_origin"], flush=True)
    return {tag: {"seeds": runs, **mean_over_runs(runs)}}


def one_sided_channel(samples: np.ndarray, sample_rate: int, rng: np.random.Generator,
                      noise: bool = True, band: bool = True) -> np.ndarray:
    """The stress test's channel: white noise at 15-30 dB SNR and a 300-3400 Hz band (or one of them)."""
    if noise:
        samples = mix_at_snr(samples, rng.standard_normal(len(samples)), rng.uniform(15, 30))
    return bandpass(samples, sample_rate, 300, 3400) if band else samples


# The stress test's channels, by the words its results use: the noisy telephone band, and its two parts
# (which can pull opposite ways: a model may read noise as REAL and a missing upper band as FAKE).
STRESS_CHANNELS = {"degraded": {}, "noisy": {"band": False}, "band-limited": {"noise": False}}


def stress_run(predictor: Predictor, rows, clean: np.ndarray, seed: int) -> dict:
    """One model's external EER clean (`clean`: its p_fake of the `rows` images), then with only the FAKE
    clips through each of `STRESS_CHANNELS`, then only the REAL ("fakes noisy", "reals band-limited", ...)."""
    run = {"clean": round(compute_eer(rows["y"], clean)[0], 4)}
    indices_of = {"fakes": np.flatnonzero(rows["y"].to_numpy() == 1), "reals": np.flatnonzero(rows["y"].to_numpy() == 0)}
    for channel_name, parts in STRESS_CHANNELS.items():
        for name, indices in indices_of.items():
            arrays = [predictor.windows(rows["source"][index], 1, functools.partial(
                one_sided_channel, rng=np.random.default_rng([seed, index]), **parts))[2] for index in indices]
            p_fake = clean.copy()
            p_fake[indices] = predictor.predict_arrays(np.concatenate(arrays))
            run[f"{name} {channel_name}"] = round(compute_eer(rows["y"], p_fake)[0], 4)
    return run


def external_stress(tag: str, seeds: list[int]) -> dict:
    """Channel-flip stress test: the external set with only its FAKE clips passed through a noisy
    telephone-like channel, then only its REAL clips (and the same for noise alone and the band alone).
    A detector of synthesis barely moves; one that learned "clean = fake" gets much better in the first
    case and much worse in the second."""
    rows = original_images(read_manifest(WORK / f"external-{tag}", "test"))
    results = {}
    for seed in seeds:
        predictor = Predictor.load(WORK / "runs" / f"external-{tag}-seed{seed}")
        results[f"seed{seed}"] = stress_run(predictor, rows, predictor.predict_images(rows["image_path"]), seed)
        print(tag, seed, results[f"seed{seed}"], flush=True)
    results["mean"] = {name: round(float(np.mean([r[name] for r in results.values()])), 4)
                       for name in results[f"seed{seeds[0]}"]}
    return results


def external_model(model_dir: Path, tag: str) -> dict:
    """A saved run (the shipped model, say) on the external set: EER pooled, per source and per attack,
    error at its own threshold, and the stress test, on the images step 1 made for the external
    experiment `tag` (which must have the run's image settings)."""
    data = WORK / f"external-{tag}"
    predictor = Predictor.load(model_dir)
    predictor.check_dataset_config(read_config(data), f"{data} (--tag {tag})")
    rows = original_images(read_manifest(data, "test"))
    p_fake = predictor.predict_images(rows["image_path"])
    result = detection_result(rows, p_fake, predictor.card.threshold)
    result["stress"] = stress_run(predictor, rows, p_fake, seed=1)
    print(model_dir, result["eer"], result["by_origin"], result["stress"], flush=True)
    return {str(model_dir): result}


def window_eers(run_dir: Path, data: Path) -> dict:
    """One run's EER on the test clips of step 1's folder `data` with every 3 s window of each clip
    scored and combined (mean / max of p_fake, mean of the logit), against the first window only."""
    rows = original_images(read_manifest(data, "test"))
    predictor = Predictor.load(run_dir)
    clips = list(predictor.score_files(rows["source"], max_windows=None, jobs=2))
    failed = [clip.path for clip in clips if clip.error]
    if failed:  # step 1 decoded every one of them: the audio changed since
        raise RuntimeError(f"{len(failed)} test clips of {data} could not be scored, e.g. {failed[0]}")
    scores, y = [clip.window_p_fake for clip in clips], rows["y"].to_numpy()
    combined = {"first window": [w[0] for w in scores], "mean": [w.mean() for w in scores],
                "max": [w.max() for w in scores], "mean logit": [logit(w).mean() for w in scores]}
    result = {name: round(compute_eer(y, np.asarray(v))[0], 4) for name, v in combined.items()}
    result["mean windows per clip"] = round(float(np.mean([len(w) for w in scores])), 2)
    print(run_dir.name, result, flush=True)
    return result


def flip_eers(run_dir: Path, data: Path) -> dict | None:
    """One run's EER on the test images of step 1's folder `data` as they are, played backwards (frames
    reversed, as --time-flip does in training) and as the mean p_fake of both; None for a one-class
    test split (a held-out source of one label has no EER)."""
    rows = original_images(read_manifest(data, "test"))
    y = rows["y"].to_numpy()
    if len(set(y)) < 2:
        return None
    predictor = Predictor.load(run_dir)
    images = np.stack([load_image_array(path, predictor.config) for path in rows["image_path"]])
    forward, backward = predictor.predict_arrays(images), predictor.predict_arrays(images[:, :, ::-1])
    scores = {"image": forward, "played backwards": backward, "mean of both": (forward + backward) / 2}
    result = {name: round(compute_eer(y, p_fake)[0], 4) for name, p_fake in scores.items()}
    print(run_dir.name, result, flush=True)
    return result


def per_run_experiment(runs: dict[str, tuple[Path, Path]], scorer) -> dict:
    """`scorer` (window_eers, flip_eers) of each named (run, data) pair that it can score, and their mean."""
    results = {name: scorer(run_dir, data) for name, (run_dir, data) in runs.items()}
    results = {name: result for name, result in results.items() if result is not None}
    names = next(iter(results.values())).keys()
    results["mean"] = {name: round(float(np.mean([r[name] for r in results.values()])), 4) for name in names}
    return results


def saved_scores(run_name: str):
    """A run's test scores as `score` kept them: a frame with y, p_fake, origin and attack."""
    path = WORK / "scores" / f"{run_name}.npz"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the experiment that trains {run_name} first")
    return DataFrame(dict(np.load(path)))


def ensemble_result(run_names: list[str]) -> dict:
    """The runs' mean logit of p_fake as one score (all runs scored the same clips, in the same order)."""
    frames = [saved_scores(name) for name in run_names]
    if any(not frame["y"].equals(frames[0]["y"]) for frame in frames):
        raise ValueError(f"{', '.join(run_names)} were not scored on the same clips")
    p_fake = expit(np.mean([logit(frame["p_fake"].to_numpy()) for frame in frames], axis=0))
    return detection_result(frames[0], p_fake)


def external_ensemble(tag: str, seeds: list[int], with_tag: str | None) -> dict:
    """Models of the external experiment `tag` combined (mean logit): each pair of seeds and all of them,
    against the seeds alone; with `with_tag`, each seed's model with the same seed of that setting."""
    name = "external-{}-seed{}".format
    combinations = {"single": [[name(tag, s)] for s in seeds],
                    "pairs of seeds": [[name(tag, a), name(tag, b)] for a, b in itertools.combinations(seeds, 2)],
                    f"all {len(seeds)} seeds": [[name(tag, s) for s in seeds]]}
    if with_tag:
        combinations[f"single {with_tag}"] = [[name(with_tag, s)] for s in seeds]
        combinations[f"with {with_tag}, same seed"] = [[name(tag, s), name(with_tag, s)] for s in seeds]
    results = {}
    for label, members in combinations.items():
        runs = [ensemble_result(names) for names in members]
        results[label] = {"eers": [run["eer"] for run in runs], **mean_over_runs(runs)}
    for label, result in results.items():
        print(f"{label}: {result['mean_eer']:.2%} {result['eers']}", flush=True)
    return results


def cv_baselines(tag: str, folds: int) -> dict:
    """MFCC + SVM and LFCC + SVM on the folds of the cv experiment (its `tag`'s step 1 output)."""
    results = {}
    for features in ("mfcc", "lfcc"):
        runs = []
        for fold in range(folds):
            data = WORK / f"cv-{tag}-fold{fold}"
            rows, p_fake, _ = run_baseline(read_manifest(data), "test", read_config(data),
                                           WORK / f"cv_{features}_cache.npz", features)
            result = detection_result(rows, p_fake)
            runs.append({"eer": result["eer"], "by_origin": result["by_origin"]})
            print(features, fold, result["eer"], flush=True)
        results[f"{features.upper()} + SVM"] = {"folds": runs, **mean_over_runs(runs)}
    return results


def external_baselines(tag: str) -> dict:
    """MFCC + SVM and LFCC + SVM trained on the same devset split as the external experiment's CNNs
    (threshold from its val split), tested on the external set. Deterministic: one run each."""
    data = WORK / f"external-{tag}"
    results = {}
    for features in ("mfcc", "lfcc"):
        rows, p_fake, threshold = run_baseline(read_manifest(data), "test", read_config(data),
                                               WORK / f"external_{features}_cache.npz", features)
        results[f"{features.upper()} + SVM"] = detection_result(rows, p_fake, threshold)
        print(features, results[f"{features.upper()} + SVM"], flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experiment", choices=("split", "cv", "loso", "external", "external-baselines", "external-stress",
                                 "external-windows", "external-model", "cv-baselines", "cv-windows",
                                 "external-ensemble", "external-flip", "cv-flip", "loso-flip"),
                        required=True)
    parser.add_argument("--folds", type=int, default=5, help="folds of the cv experiment")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="training seeds of the external experiment")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--tag", default="default", help="name of this setting in the results")
    parser.add_argument("--step1", default="", help="extra step-1 flags, e.g. '--augment 2'")
    parser.add_argument("--train", default="", help="extra training flags, e.g. '--mixup 0.2'")
    parser.add_argument("--holdout-vocoders", type=int, default=0, metavar="STEPS",
                        help="cv, loso: the upsampling_net of --vocode comes from vocoders trained (for STEPS steps) "
                             "on the other folds' REAL clips, so none has heard the clips it is tested on")
    parser.add_argument("--with-tag", help="external-ensemble: also each seed's model with that setting's of the same seed")
    parser.add_argument("--model", help="external-model: the saved run to score (e.g. model/pretrained/devset-v5)")
    parser.add_argument("--reuse-runs", action="store_true",
                        help="score a finished run trained with the same data and flags instead of retraining "
                             "(to resume an interrupted experiment; training times are the recorded ones)")
    args = parser.parse_args()
    global REUSE_RUNS
    REUSE_RUNS = args.reuse_runs
    if args.experiment == "external-model" and not args.model:
        parser.error("external-model needs --model")
    manifest = require_devset()
    step1_flags, train_flags = args.step1.split(), args.train.split()
    if args.step1 and args.experiment in ("external-model", "external-baselines"):
        # they score the external-<tag> images: step 1 makes them first (another audio path, or a fresh machine)
        spectrograms(f"external-{args.tag}", external_manifest(manifest, require_external()), step1_flags)
    command = (f"python benchmarks/bench_detection.py --experiment {args.experiment} --epochs {args.epochs}"
               + (f" --seeds {' '.join(map(str, args.seeds))}" if args.experiment == "external" or
                  (args.experiment.startswith("external-") and args.seeds != [1, 2, 3]) else "")
               + (f" --tag {args.tag}" if args.tag != "default" else "")
               + (f" --with-tag {args.with_tag}" if args.with_tag else "")
               + (f" --model {args.model}" if args.model else "")
               + (f" --holdout-vocoders {args.holdout_vocoders}" if args.holdout_vocoders else "")
               + (f" --step1='{args.step1}'" if args.step1 else "") + (f" --train='{args.train}'" if args.train else ""))
    if args.experiment == "split":
        result = split_experiment(manifest, args.epochs, train_flags, step1_flags)
    elif args.experiment == "cv":
        result = cv_experiment(manifest, args.epochs, args.folds, args.tag, train_flags, step1_flags,
                               args.holdout_vocoders)
    elif args.experiment == "cv-baselines":
        result = cv_baselines(args.tag, args.folds)
    elif args.experiment == "external-ensemble":
        result = external_ensemble(args.tag, args.seeds, args.with_tag)
    elif args.experiment.endswith(("-windows", "-flip")):
        kind = args.experiment.split("-")[0]
        if kind == "external":
            names = [f"seed{seed}" for seed in args.seeds]
        elif kind == "cv":
            names = [f"fold{fold}" for fold in range(args.folds)]
        else:  # loso: one run per held-out source (reading the devset's clips only here)
            names = sorted({clip.origin for clip in find_clips(manifest)[1]})
        runs = {name: (WORK / "runs" / f"{kind}-{args.tag}-{name}",
                       WORK / (f"external-{args.tag}" if kind == "external" else f"{kind}-{args.tag}-{name}"))
                for name in names}
        result = per_run_experiment(runs, window_eers if args.experiment.endswith("-windows") else flip_eers)
    elif args.experiment == "external-stress":
        result = external_stress(args.tag, args.seeds)
    elif args.experiment == "external-model":
        result = external_model(Path(args.model), args.tag)
    elif args.experiment == "external-baselines":
        require_external()  # its features come from the external audio itself
        result = external_baselines(args.tag)
    elif args.experiment == "external":
        result = external_experiment(manifest, args.epochs, args.seeds, args.tag, train_flags, step1_flags)
    else:
        result = loso_experiment(manifest, args.epochs, train_flags, step1_flags, args.tag, args.holdout_vocoders)
    name = f"external-model-{Path(args.model).name}" if args.experiment == "external-model" else f"{args.experiment}-{args.tag}"
    name += f"-with-{args.with_tag}" if args.with_tag else ""
    save_result(name, command,
                {"step1_flags": args.step1, "train_flags": args.train, "devset": str(DEVSET), "results": result})


if __name__ == "__main__":
    main()
