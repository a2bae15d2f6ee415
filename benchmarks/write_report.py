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


def cv_section(results: list[dict]) -> list[str]:
    """All cv-*.json results in one table (each file: one or more settings, its own command)."""
    rows = {name: row for result in results for name, row in result["results"].items()}
    folds = len(next(iter(rows.values()))["folds"])
    headers = [line for result in results for line in header(result)]
    lines = [f"## Before and after: {folds}-fold grouped cross-validation on the devset", *headers,
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


def gap(stress: dict, channel: str) -> str:
    """The stress test's gap for one channel: EER with only the fakes through it minus with only the reals."""
    return f"{100 * (stress[f'fakes {channel}'] - stress[f'reals {channel}']):+.1f} points"


def stress_part(stress: dict, channel: str) -> str:
    """'fakes / reals (gap)' for one part of the stress channel, or '-' in results from before it was measured."""
    if f"fakes {channel}" not in stress:
        return "-"
    return f"{pct(stress[f'fakes {channel}'])} / {pct(stress[f'reals {channel}'])} ({gap(stress, channel)})"


def external_section(loaded: dict) -> list[str]:
    """external-<tag>.json (CNN, 3 seeds), external-baselines-*, -stress-*, -windows-*."""
    trained = {k: v for k, v in loaded.items() if k.startswith("external-")
               and not k.startswith(("external-baselines", "external-stress", "external-windows", "external-model",
                                           "external-ensemble", "external-flip"))}
    if not trained:
        return []
    lines = ["## Generalisation: trained on the whole devset, tested on the external set", "",
             "The external set (`../shared/data/external`, 377 clips of ASVspoof 2019/2021 LA/DF and WaveFake, "
             "sources the devset lacks) is used for measuring only: nothing is trained, tuned or thresholded on "
             "it. Each CNN setting is trained with 3 seeds on the devset (15% of its groups as validation); the "
             "table gives the mean and the spread.", ""]
    for result in trained.values():
        lines += header(result)
    origins = sorted({o for r in trained.values() for row in r["results"].values() for o in row["mean_by_origin"]})
    lines += ["| setting | step 1 / training flags | EER per seed | mean (sd) | " + " | ".join(origins) + " |",
              "|---" * (4 + len(origins)) + "|"]
    for result in trained.values():
        for name, row in result["results"].items():
            flags = " ".join(f"`{f}`" for f in (result["step1_flags"], result["train_flags"]) if f) or "defaults"
            lines.append(f"| {name} | {flags} | " + ", ".join(pct(run["eer"]) for run in row["seeds"])
                         + f" | **{pct(row['mean_eer'])}** ({pct(row['std_eer'])}) | "
                         + " | ".join(pct(row["mean_by_origin"].get(o)) for o in origins) + " |")
    baselines = {k.split("-", 2)[2]: v for k, v in loaded.items() if k.startswith("external-baselines")}
    if baselines:
        lines += ["", "Classical baselines on the same split (deterministic, one run each; the step 1 flags change "
                  "the audio path their features are taken from):", ""]
        lines += [line for result in baselines.values() for line in header(result)]
        lines += ["| system | images | step 1 flags | EER | " + " | ".join(origins) + " |", "|---" * (4 + len(origins)) + "|"]
        for tag, result in baselines.items():
            for name, row in result["results"].items():
                lines.append(f"| {name} | {tag} | {'`' + result['step1_flags'] + '`' if result.get('step1_flags') else 'defaults'} "
                             f"| {pct(row['eer'])} | " + " | ".join(pct(row["by_origin"].get(o)) for o in origins) + " |")
    stress = {k.split("-", 2)[2]: v for k, v in loaded.items() if k.startswith("external-stress")}
    if stress:
        lines += ["", "Channel-flip stress test: the external set with only its FAKE clips (then only its REAL "
                  "clips) passed through white noise at 15-30 dB SNR and a 300-3400 Hz band. A detector of synthesis "
                  "barely moves; one that learned \"clean = fake\" fails when the fakes are degraded (they now sound "
                  "like recordings) and gets better when the reals are. gap = the first minus the second. Mean EER "
                  "over the 3 seeds:", ""]
        lines += [line for result in stress.values() for line in header(result)]
        lines += ["Where measured (the stress test since 12-04), the two parts of the channel too: the noise alone and "
                  "the band alone, each on one class (fakes / reals, and their gap).", "",
                  "| setting | clean | fakes degraded | reals degraded | gap | noise alone | band alone |",
                  "|---|---|---|---|---|---|---|"]
        for tag, result in stress.items():
            mean = result["results"]["mean"]
            lines.append(f"| {tag} | {pct(mean['clean'])} | {pct(mean['fakes degraded'])} | "
                         f"{pct(mean['reals degraded'])} | {gap(mean, 'degraded')} | "
                         f"{stress_part(mean, 'noisy')} | {stress_part(mean, 'band-limited')} |")
    models = {k: v for k, v in loaded.items() if k.startswith("external-model")}
    if models:
        lines += ["", "Saved models on the same external clips, one run each (the shipped ones, `model/pretrained/`, and "
                  "candidates that were not shipped: see the notes): EER, error at the model's own threshold, and the "
                  "stress test above (only the fakes / only the reals degraded):", ""]
        lines += [line for result in models.values() for line in header(result)]
        lines += ["| model | EER | " + " | ".join(origins) + " | error at threshold | fakes degraded | reals degraded "
                  "| noise alone | band alone |", "|---" * (7 + len(origins)) + "|"]
        for result in models.values():
            for name, row in result["results"].items():
                lines.append(f"| `{name}` | **{pct(row['eer'])}** | " + " | ".join(pct(row["by_origin"].get(o)) for o in origins)
                             + f" | {pct(row['error_rate_at_threshold'])} | {pct(row['stress']['fakes degraded'])} | "
                             f"{pct(row['stress']['reals degraded'])} | {stress_part(row['stress'], 'noisy')} | "
                             f"{stress_part(row['stress'], 'band-limited')} |")
    ensembles = {k.split("-", 2)[2]: v for k, v in loaded.items() if k.startswith("external-ensemble")}
    if ensembles:
        lines += ["", "Ensembles: the mean logit of several trained models' p_fake as one score, from the saved scores "
                  "of an external experiment's seeds (each pair of seeds, all of them), against the seeds alone:", ""]
        lines += [line for result in ensembles.values() for line in header(result)]
        lines += ["| setting | models combined | EER per combination | mean | " + " | ".join(origins) + " |",
                  "|---" * (4 + len(origins)) + "|"]
        for tag, result in ensembles.items():
            for name, row in result["results"].items():
                lines.append(f"| {tag} | {name} | " + ", ".join(pct(e) for e in row["eers"]) + f" | **{pct(row['mean_eer'])}** | "
                             + " | ".join(pct(row["mean_by_origin"].get(o)) for o in origins) + " |")
    for key, result in loaded.items():
        if key.startswith(("external-windows", "external-flip")):
            lines += per_run_lines(key, result)
    return lines + [""]


def per_run_lines(key: str, result: dict) -> list[str]:
    """A *-windows result (each way of combining a clip's windows) or *-flip result (test images as they
    are, played backwards, both): each score's EER, mean over the experiment's runs."""
    mean = dict(result["results"]["mean"])
    runs = [name for name in result["results"] if name != "mean"]
    what = {"seed": "seeds", "fold": "folds"}.get(runs[0].rstrip("0123456789"), "held-out sources")
    tag = key.split("-", 2)[2]
    if key.split("-")[1] == "windows":
        title = (f"Every window counts? ({tag} models, mean over {len(runs)} {what}; "
                 f"{mean.pop('mean windows per clip')} windows per test clip on average):")
    else:
        title = f"Test images played backwards too? ({tag} models, mean over {len(runs)} {what}: {', '.join(runs)}):"
    lines = ["", title, *header(result), "| clip score | EER |", "|---|---|"]
    return lines + [f"| {name} | {pct(value)} |" for name, value in mean.items()]


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


def vocoders_section(result: dict) -> list[str]:
    figures = result["results"]
    lines = ["## Vocoder networks: how close their copies are", *header(result),
             f"Copies of {figures['clips']} REAL training clips (first 4 s each): log-spectral distance to the "
             "original, and spectral flatness below 4 kHz in the louder half of the frames (the originals: "
             f"{figures['originals']['flatness_below_4khz']}; higher = breathier).", "",
             "| network | distance (dB) | flatness |", "|---|---|---|"]
    lines += [f"| `{name}` | {value['log_spectral_distance_db']} | {value['flatness_below_4khz']} |"
              for name, value in figures.items() if name not in ("clips", "originals")]
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
    cv = [loaded[k] for k in sorted(loaded) if k.startswith("cv-") and not k.startswith(("cv-windows", "cv-flip"))]
    if cv:
        lines += cv_section(cv)
    for key in sorted(k for k in loaded if k.startswith(("cv-windows", "cv-flip"))):
        lines += per_run_lines(key, loaded[key]) + [""]
    lines += external_section(loaded)
    loso = [loaded[k] for k in sorted(loaded) if k.startswith("loso-") and not k.startswith("loso-flip")]
    if loso:
        lines += loso_section(loso)
    for key in sorted(k for k in loaded if k.startswith("loso-flip")):
        lines += per_run_lines(key, loaded[key]) + [""]
    if "vocoders" in loaded:
        lines += vocoders_section(loaded["vocoders"])
    if "inference" in loaded:
        lines += inference_section(loaded["inference"])
    notes = REPO / "benchmarks" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text()]
    (REPO / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {REPO / 'BENCHMARKS.md'}")


if __name__ == "__main__":
    main()
