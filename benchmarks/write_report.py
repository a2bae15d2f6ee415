"""Render BENCHMARKS.md from benchmarks/results/*.json (each states its command, machine and date)."""
from __future__ import annotations

import json

from benchmarks.common import REPO, RESULTS


def pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def header(result: dict) -> list[str]:
    return [f"Command: `{result['command']}`  ", f"Machine: {result['machine']}  ", f"Date: {result['date']}", ""]


def preprocessing_section(result: dict) -> list[str]:
    rates = result["script_clips_per_s"]
    return ["## Step 1 speed", *header(result),
            f"Marginal cost per clip on one core, {result['clips']} devset clips, median of "
            f"{result['repeats']} passes, both approaches in the same process:", "",
            "| approach | ms per clip |", "|---|---|",
            f"| seed: librosa 22.05 kHz + matplotlib figure per clip | {result['seed_ms_per_clip']} |",
            f"| ours: 16 kHz, trim, mel, PNG written with Pillow | {result['ours_ms_per_clip']} |",
            "", f"Speed-up: **{result['speedup']}x**.", "",
            f"Whole script on {result['script_clips']} clips (clips/s as the script reports it, after its one-time "
            f"warm-up; median of "
            f"{result['repeats']} runs): --jobs 1 {rates['jobs1']}, --jobs 2 {rates['jobs2']} "
            f"(gain {result['jobs2_gain']}x).", ""]


def split_section(result: dict) -> list[str]:
    rows = result["results"]
    lines = ["## Training and detection: grouped test split of the devset", *header(result),
             "Step 1 defaults (16 kHz, leading-silence trim, level normalisation) unless the row says "
             "otherwise; splits by group (speaker / recording family), 70/15/15. EER: ASVspoof convention "
             "(bona fide = target).", "",
             "| system | parameters | train time | epochs (best) | val EER | test EER | error at threshold |",
             "|---|---|---|---|---|---|---|"]
    for name, row in rows.items():
        test = row["test"]
        lines.append(f"| {name} | {row.get('parameters', '-'):,} | "
                     f"{row['train_seconds'] / 60:.1f} min | {row['epochs_run']} ({row['best_epoch']}) | "
                     f"{pct(row['val_eer'])} | {pct(test.get('eer'))} | {pct(test.get('error_rate_at_threshold'))} |"
                     if "parameters" in row else
                     f"| {name} | - | - | - | - | {pct(test.get('eer'))} | {pct(test.get('error_rate_at_threshold'))} |")
    for key, title in (("by_origin", "source"), ("by_attack", "attack")):
        names = sorted({k for row in rows.values() for k in row["test"].get(key, {})})
        if not names:
            continue
        lines += ["", f"Test EER per {title} (one-class groups are scored against all clips of the other class):", "",
                  f"| {title} | " + " | ".join(rows) + " |", "|---" * (len(rows) + 1) + "|"]
        for name in names:
            lines.append(f"| {name} | " + " | ".join(pct(row["test"].get(key, {}).get(name)) for row in rows.values())
                         + " |")
    return lines + [""]


def cv_section(result: dict) -> list[str]:
    rows = result["results"]
    folds = len(next(iter(rows.values()))["folds"])
    lines = [f"## Before and after: {folds}-fold grouped cross-validation on the devset", *header(result),
             f"Every clip is in the test split of exactly one fold (folds by group, stratified by label); "
             f"each fold trains on the other clips (val = 15% of their groups). Test EER per fold and "
             f"its mean: one small test split moves by several points between runs, the mean over "
             f"{folds} folds much less (sd = spread between folds).", "",
             "| setting | " + " | ".join(f"fold {k}" for k in range(folds)) + " | mean (sd) |",
             "|---" * (folds + 2) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(pct(fold["eer"]) for fold in row["folds"])
                     + f" | **{pct(row['mean_eer'])}** ({pct(row['std_eer'])}) |")
    origins = sorted({k for row in rows.values() for k in row["mean_by_origin"]})
    lines += ["", "Mean test EER per source over the folds:", "", "| source | " + " | ".join(rows) + " |",
              "|---" * (len(rows) + 1) + "|"]
    for origin in origins:
        lines.append(f"| {origin} | " + " | ".join(pct(row["mean_by_origin"].get(origin)) for row in rows.values())
                     + " |")
    return lines + [""]


def loso_section(results: list[dict]) -> list[str]:
    lines = ["## Leave-one-source-out (the honest proxy for unseen generators)", ""]
    for result in results:
        lines += [f"Setting: step 1 flags `{result['step1_flags'] or '(defaults)'}`, training flags "
                  f"`{result['train_flags'] or '(defaults)'}`  ", *header(result)]
    folds = sorted({fold for result in results for fold in result["results"]})
    names = [f"`{r['step1_flags'] or 'defaults'}` `{r['train_flags']}`".replace(" ``", "") for r in results]
    lines += ["Held-out source: EER on it (or, for a one-class source, the error rate at the model's "
              "validation threshold).", "", "| held-out source | " + " | ".join(names) + " |",
              "|---" * (len(results) + 1) + "|"]
    for fold in folds:
        cells = []
        for result in results:
            test = result["results"].get(fold, {}).get("test", {})
            cells.append(f"EER {pct(test['eer'])}" if "eer" in test else
                         f"error {pct(test.get('error_rate_at_threshold'))}")
        lines.append(f"| {fold} | " + " | ".join(cells) + " |")
    return lines + [""]


def inference_section(result: dict) -> list[str]:
    return ["## Inference speed", *header(result),
            f"Audio ({result['clip_seconds']} clips) -> verdict with `inference/predict.py`, {result['clips']} "
            f"clips, --jobs {result['jobs']}, arch {result['arch']}: **{result['median_files_per_s']} clips/s** "
            f"(median of {result['repeats']} runs: {result['files_per_s']}).", ""]


def main() -> None:
    loaded = {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
    lines = ["# Benchmarks", "", "Made by `make bench` (`benchmarks/`); every figure below was measured by the "
             "command shown with it. The devset is `../shared/data/devset` (1,749 labelled clips from "
             "LibriSpeech, DEEP-VOICE, Tortoise TTS and TTS/VC demo pages).", ""]
    if "preprocessing" in loaded:
        lines += preprocessing_section(loaded["preprocessing"])
    for name in sorted(k for k in loaded if k.startswith("split-")):
        lines += split_section(loaded[name])
    if "cv-default" in loaded:
        lines += cv_section(loaded["cv-default"])
    loso = [loaded[k] for k in sorted(loaded) if k.startswith("loso-")]
    if loso:
        lines += loso_section(loso)
    if "inference" in loaded:
        lines += inference_section(loaded["inference"])
    notes = REPO / "benchmarks" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text()]
    (REPO / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {REPO / 'BENCHMARKS.md'}")


if __name__ == "__main__":
    main()
