"""Step 5: evaluate a trained model on a labelled split and write a report beside two classical baselines.

    python eval/evaluate.py                                       # newest run, spectrograms/, test split
    python eval/evaluate.py --model model/saved_models/<run>/model.keras --data spectrograms --split test
    python eval/evaluate.py --predictions predictions.csv --labels spectrograms/manifest.csv

Writes to <output> (default eval/reports/<run name>): metrics.json, report.md, scores.txt
(ASVspoof score file) and the PNG plots. --predictions scores an existing predict.py output
against labels from a step 1 manifest.csv, a folder with REAL/FAKE sub-folders, or a
path,label CSV, without running a model.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from eval.baseline import FEATURE_KINDS, run_baseline
from eval.metrics import EvaluationError, bonafide_score, classification_metrics, eer_by_group, require_both_classes
from eval.plots import all_plots
from eval.robustness import CONDITIONS
from model.run import describe_run
from preprocessing.audio import AudioError
from preprocessing.config import SPLITS, ConfigMismatchError
from preprocessing.layouts import label_from_path, normalize_label
from preprocessing.manifest import DatasetError, is_step1_manifest, read_config, read_manifest

CNN = "CNN"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="run folder or its model.keras (default: newest under model/saved_models)")
    parser.add_argument("--data", default="spectrograms", help="step 1 output folder")
    parser.add_argument("--split", default="test", choices=SPLITS)
    parser.add_argument("--output", help="report folder (default eval/reports/<run name>)")
    parser.add_argument("--threshold", type=float,
                        help="p_fake decision threshold (default: the run's, or the predictions CSV's, else 0.5)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the MFCC + SVM and LFCC + SVM baselines")
    parser.add_argument("--predictions", help="predictions CSV (columns path, p_fake) to score instead of a model")
    parser.add_argument("--labels", help="with --predictions: step 1 manifest.csv, REAL/FAKE folder or path,label CSV")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True,
                        help="mean relevance maps per class, frequency bands and silence/padding share "
                             "(a few seconds; a model run only)")
    parser.add_argument("--conditions", nargs="+", metavar="NAME", choices=[*CONDITIONS, "all"],
                        help=f"EER under channel conditions, re-imaged from the source audio: "
                             f"{', '.join(CONDITIONS)}, or all")
    return parser.parse_args(argv)


# ---------------------------------------------------------------- what to evaluate

def model_rows(args):
    """Run the model on the split's images: (rows with p_fake, the Predictor)."""
    rows = read_manifest(args.data, args.split)
    require_both_classes(rows["y"], f"split {args.split!r} of {args.data}")
    from inference.predictor import Predictor  # TensorFlow is loaded only when a model runs

    predictor = Predictor.load(args.model, args.batch_size)
    predictor.check_dataset_config(read_config(args.data), str(args.data))
    rows["p_fake"] = predictor.predict_images(rows["image_path"], progress="CNN")
    rows["utt_id"] = rows["image"]
    return rows, predictor


def _key(path) -> str:
    return os.path.normpath(os.path.abspath(path))


def read_labels(labels: str) -> tuple[pd.DataFrame, Path]:
    """Rows with a `keys` list (paths that name the clip), y, attack and origin; and the folder relative paths start from."""
    source = Path(labels)
    if source.is_dir():
        files = [p for p in sorted(source.rglob("*")) if p.is_file()]
        found = [(p, label_from_path(p, source)) for p in files]
        frame = pd.DataFrame([{"keys": [_key(p)], "label": label} for p, label in found if label],
                             columns=["keys", "label"])
        base = source
    elif source.is_file():
        base = source.parent
        columns = set(pd.read_csv(source, nrows=0).columns)
        if is_step1_manifest(columns):
            frame = read_manifest(base)
            frame["keys"] = [[_key(image), _key(audio)] for image, audio in zip(frame["image_path"], frame["source"])]
        elif {"path", "label"} <= columns:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False)
            frame["keys"] = [[_key(base / p)] for p in frame["path"]]
        else:
            raise EvaluationError(f"{source}: labels need a step 1 manifest or the columns path,label")
    else:
        raise EvaluationError(f"labels {source} not found")
    if frame.empty:
        raise EvaluationError(f"no labelled files in {source} (expected REAL/FAKE folders or labelled rows)")
    labels_found = frame["label"].map(normalize_label)
    if labels_found.isna().any():
        raise EvaluationError(f"{source}: unknown label {frame['label'][labels_found.isna()].iloc[0]!r}")
    frame["y"] = (labels_found == "FAKE").astype(int)
    for column in ("attack", "origin"):
        frame[column] = frame[column] if column in frame else ""
    return frame[["keys", "y", "attack", "origin"]], base


def prediction_rows(predictions: str, labels: str) -> tuple[pd.DataFrame, float | None]:
    """Join a predictions CSV to its labels by path (absolute, or relative to the working folder,
    the predictions CSV or the labels); returns the rows and the CSV's threshold if it has one."""
    source = Path(predictions)
    if not source.is_file():
        raise EvaluationError(f"predictions {source} not found")
    frame = pd.read_csv(source, keep_default_na=False, dtype={"path": str})
    if not {"path", "p_fake"} <= set(frame.columns):
        raise EvaluationError(f"{source}: a predictions CSV needs the columns path and p_fake")
    frame["p_fake"] = pd.to_numeric(frame["p_fake"], errors="coerce")
    failed = frame["p_fake"].isna()
    if failed.any():
        print(f"note: {failed.sum()} rows of {source} have no p_fake (failed files) and are left out")
    frame = frame[~failed].reset_index(drop=True)
    known, base = read_labels(labels)
    index = {key: row for row, keys in enumerate(known["keys"]) for key in keys}
    matches = [next((index[k] for k in (_key(p), _key(source.parent / p), _key(base / p)) if k in index), None)
               for p in frame["path"]]
    matched = np.array([m is not None for m in matches])
    if not matched.any():
        raise EvaluationError(f"no path of {source} matches a labelled file of {labels}")
    if not matched.all():
        print(f"note: {(~matched).sum()} of {len(frame)} predictions have no label and are left out "
              f"(e.g. {frame['path'][~matched].iloc[0]})")
    rows = frame[matched].reset_index(drop=True)
    rows[["y", "attack", "origin"]] = known.iloc[[m for m in matches if m is not None]][
        ["y", "attack", "origin"]].to_numpy()
    rows["y"] = rows["y"].astype(int)
    rows["utt_id"] = rows["path"]
    thresholds = frame["threshold"].unique() if "threshold" in frame else []
    return rows, float(thresholds[0]) if len(thresholds) == 1 else None


def model_analyses(args, predictor, rows: pd.DataFrame, metrics: dict, output: Path) -> list[str]:
    """--explain and --conditions: add their metrics, return their report sections."""
    if not (args.explain or args.conditions):
        return []
    from eval.explanations import explanation_report
    from eval.robustness import robustness_report

    sections = []
    if args.explain:
        metrics["explanation"], lines = explanation_report(predictor, rows, output)
        sections += lines
    if args.conditions:
        robustness, lines = robustness_report(predictor, rows, args.conditions, output)
        metrics.update(robustness)
        sections += lines
    return sections


# ---------------------------------------------------------------- outputs

def summarize(rows: pd.DataFrame, p_fake, threshold: float) -> dict:
    """Metrics of one system, plus EER per attack (fakes vs all REAL) and per origin when known."""
    y = rows["y"].to_numpy()
    summary = classification_metrics(y, p_fake, threshold)
    fake_attacks = np.where(y == 1, rows["attack"], "")
    summary["per_attack"] = eer_by_group(y, p_fake, fake_attacks)
    summary["per_origin"] = eer_by_group(y, p_fake, rows["origin"])
    return summary


def write_scores(path: Path, utt_ids, attacks, y, p_fake) -> Path:
    """ASVspoof score file: `utt_id attack key score`, score = 1 - p_fake (higher = more bona fide), no header."""
    with Path(path).open("w") as stream:
        for utt_id, attack, is_fake, p in zip(utt_ids, attacks, y, p_fake):
            attack = "_".join(str(attack).split()) if is_fake and str(attack).strip() else "-"
            key = "spoof" if is_fake else "bonafide"
            stream.write(f"{'_'.join(str(utt_id).split())} {attack} {key} {float(bonafide_score(p)):.6f}\n")
    return Path(path)


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def reading(name: str, m: dict) -> str:
    """A few plain sentences on one system's numbers."""
    c, n = m["confusion"], m["counts"]
    return (
        f"**{name}: EER {_percent(m['eer'])}.** With the threshold set where the two error rates are equal "
        f"(p_fake >= {m['eer_threshold']:.3f} -> FAKE), about {_percent(m['eer'])} of the real clips are flagged "
        f"as fake and about {_percent(m['eer'])} of the fake clips pass as real. "
        f"**ROC AUC {m['roc_auc']:.3f}**: a randomly chosen fake clip gets a higher p_fake than a randomly "
        f"chosen real clip {_percent(m['roc_auc'])} of the time. "
        f"At the decision threshold {m['threshold']:.3f}, {c['real_as_fake']} of {n['REAL']} real clips "
        f"({_percent(c['real_as_fake'] / max(n['REAL'], 1))}) are flagged as fake and {c['fake_as_real']} of "
        f"{n['FAKE']} fake clips ({_percent(c['fake_as_real'] / max(n['FAKE'], 1))}) pass as real; "
        f"of the clips called FAKE, {_percent(m['precision'])} are fake (precision).")


def group_table(title: str, groups: dict) -> list[str]:
    if not groups:
        return []
    lines = [f"### {title}", "", "| group | EER | REAL | FAKE | scored against |", "|---|---:|---:|---:|---|"]
    lines += [f"| {name} | {_percent(g['eer'])} | {g['REAL']} | {g['FAKE']} | {g['against']} |"
              for name, g in sorted(groups.items(), key=lambda item: -item[1]["eer"])]
    return lines + [""]


def system_metrics(metrics: dict) -> dict[str, dict]:
    """Display name -> metrics of every scored system: the CNN first, then the baselines."""
    return {CNN: metrics, **metrics.get("baselines", {})}


def write_report(folder: Path, metrics: dict, plots: dict[str, Path], sections: list[str] = ()) -> Path:
    systems = system_metrics(metrics)
    baselines = metrics.get("baselines", {})
    lines = [f"# Evaluation: {metrics['name']}", "",
             f"Evaluated {metrics['evaluated']}: {metrics['counts']['REAL']} REAL and "
             f"{metrics['counts']['FAKE']} FAKE clips. Decision threshold: {metrics['threshold']:.3f} ({metrics['threshold_source']}); "
             f"p_fake >= threshold -> FAKE.", "",
             "| system | EER | ROC AUC | accuracy | balanced acc. | precision | recall | F1 | threshold |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {_percent(m['eer'])} | {m['roc_auc']:.3f} | {_percent(m['accuracy'])} | "
              f"{_percent(m['balanced_accuracy'])} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
              f"{m['threshold']:.3f} |" for name, m in systems.items()]
    lines += [""] + [reading(name, m) + "\n" for name, m in systems.items()]
    lines += [f"Baseline {name}: {m['description']}\n" for name, m in baselines.items()]
    tables = group_table(f"{CNN}: per attack", metrics["per_attack"])
    tables += group_table(f"{CNN}: per origin", metrics["per_origin"])
    for name, m in baselines.items():
        tables += group_table(f"{name}: per origin", m["per_origin"])
    if tables:
        lines += ["## Where the errors are", "",
                  "EER per attack scores that attack's fakes against all real clips of the set (ASVspoof "
                  "convention); EER per origin scores the collection's own clips, or, for a collection of "
                  "one class, those clips against all clips of the other class. Small groups give coarse "
                  "numbers.", ""] + tables
    notes = {
        "ROC": "Higher and further left is better; a curve crosses the dotted line at its EER.",
        "DET": "Both error rates on normal-deviate (probit) axes, which turn the tails into near-straight "
               "lines; closer to the lower left is better, and a curve crosses the diagonal at its EER.",
        "Precision-recall": "How many of the FAKE calls are right (precision) against how many fakes are "
                            "caught (recall) as the threshold moves.",
        "Calibration": "Points on the diagonal mean p_fake can be read as a probability; below it the "
                       "system is over-confident about FAKE, above it under-confident.",
        "Confusion matrix": f"{CNN} at threshold {metrics['threshold']:.3f}; rows are the true class.",
        "Score histogram": f"{CNN}: the less the two classes overlap, the better.",
    }
    lines += ["## Plots", ""]
    for title, path in plots.items():
        lines += [f"### {title}", "", notes[title], "", f"![{title}]({path.name})", ""]
    lines += list(sections)  # --explain, --conditions
    lines += ["## Score file", "",
              "`scores.txt` has one line per clip, `utt_id attack key score`, with no header (the ASVspoof "
              "score file format, so official scoring tools can read it): utt_id is the image or file path "
              "(spaces replaced by `_`), attack is the generator name (`-` for bona fide or unknown), key is "
              "`bonafide` (REAL) or `spoof` (FAKE), and **score = 1 - p_fake: higher means more bona fide**.", "",
              "## How the numbers are computed", "",
              "EER is the ASVspoof reference figure (as in the challenge's evaluation package, and as papers "
              "quote it): bona fide speech is the target class with score 1 - p_fake; over the DET curve "
              "(FRR and FAR at every threshold, both end points included, clips with equal scores moving "
              "together) take the point where |FRR - FAR| is smallest and report the mean of FRR and FAR "
              "there. The EER threshold is that point's p_fake threshold (p_fake >= threshold -> FAKE "
              "reproduces its FRR and FAR). metrics.json also has `eer_interpolated`: where the straight "
              "line between the two points around FRR = FAR crosses it; the two differ only on coarse "
              "curves (small sets). Precision, recall and F1 take FAKE as the positive class. All numbers "
              "are in metrics.json."]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if args.predictions:
            if not args.labels:
                raise EvaluationError("--predictions needs --labels (manifest.csv, REAL/FAKE folder or path,label CSV)")
            rows, csv_threshold = prediction_rows(args.predictions, args.labels)
            require_both_classes(rows["y"], f"the labelled predictions of {args.predictions}")
            name = Path(args.predictions).stem
            evaluated = f"{args.predictions} against the labels of {args.labels} (one clip = one row)"
            threshold, threshold_source = ((csv_threshold, "from the predictions CSV") if csv_threshold is not None
                                           else (0.5, "default"))
        else:
            rows, predictor = model_rows(args)
            name, threshold, threshold_source = predictor.run_dir.name, predictor.threshold, "the run's validation EER point"
            data_config = read_config(args.data)
            evaluated = (f"{describe_run(predictor.run_dir)} on {args.data}, split {args.split} "
                         f"(one clip = one image, one 3 s window)")
        if args.threshold is not None:
            threshold, threshold_source = args.threshold, "--threshold"
        output = Path(args.output or Path("eval/reports") / name)
        output.mkdir(parents=True, exist_ok=True)
        if not args.predictions:
            data_config.save(output)  # the settings the evaluated images were made with

        p_fake = rows["p_fake"].to_numpy(dtype=float)
        metrics = {"name": name, "evaluated": evaluated, "threshold_source": threshold_source,
                   **summarize(rows, p_fake, threshold)}
        systems = {CNN: (rows["y"].to_numpy(), p_fake)}
        if not args.no_baseline and not args.predictions:
            metrics["baselines"], all_rows = {}, read_manifest(args.data)
            for features, kind in FEATURE_KINDS.items():
                base_rows, base_p_fake, base_threshold = run_baseline(
                    all_rows, args.split, data_config, output / f"baseline_{features}_features.npz", features)
                metrics["baselines"][kind.name] = {
                    **summarize(base_rows, base_p_fake, base_threshold),
                    "description": f"{kind.description} over the same 3 s window as the CNN, standardised, RBF "
                                   "SVM (class-balanced) trained on the train split; p_fake = logistic of the SVM "
                                   "margin (a ranking, not a calibrated probability); threshold at the val "
                                   "split's EER point (0.5 without a val split)."}
                systems[kind.name] = (base_rows["y"].to_numpy(), base_p_fake)
        sections = [] if args.predictions else model_analyses(args, predictor, rows, metrics, output)
    except (DatasetError, EvaluationError, ConfigMismatchError, FileNotFoundError, AudioError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    write_scores(output / "scores.txt", rows["utt_id"], rows["attack"], rows["y"], p_fake)
    plots = all_plots(systems, CNN, threshold, output)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    report = write_report(output, metrics, plots, sections)
    for system, m in system_metrics(metrics).items():
        print(f"{system}: EER {_percent(m['eer'])}, ROC AUC {m['roc_auc']:.3f}, "
              f"balanced accuracy {_percent(m['balanced_accuracy'])} at threshold {m['threshold']:.3f}")
    print(f"evaluated: {evaluated}")
    print(f"wrote {report} (metrics.json, scores.txt and plots beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
