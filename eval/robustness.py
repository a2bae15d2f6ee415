"""Does the verdict survive the channel? The test clips' source audio passed through codecs,
a telephone band, noise and a level change, re-imaged with the model's own config, and
scored as step 5 scores the clean images.

Each condition is applied to the decoded samples at the model's sample rate, before the
leading-silence trim and the windowing, exactly where a channel would act on a recording.
Every condition keeps the number of samples.
"""
from __future__ import annotations

import time
from pathlib import Path

import librosa
import numpy as np
from sklearn.metrics import roc_auc_score

from eval.metrics import compute_eer, require_both_classes
from preprocessing.audio import AudioError, load_audio
from preprocessing.augment import bandpass, codec_round_trip, mix_at_snr
from preprocessing.manifest import original_images

# compression_level for a constant bitrate, measured by encoded size at 16 kHz (libsndfile 1.2):
# MP3 0.62 -> 64 kbps, 0.84 -> 32 kbps; Opus 0.9 -> ~31 kbps.
MP3_LEVEL = {64: 0.62, 32: 0.84}
OPUS_LEVEL_32K = 0.9
NOISE_SEED = 0


def mp3(kbps: int):
    def condition(samples, sample_rate):
        return codec_round_trip(samples, sample_rate, "MP3", "MPEG_LAYER_III",
                                compression_level=MP3_LEVEL[kbps], bitrate_mode="CONSTANT")
    return condition


def opus(samples, sample_rate):
    """Opus in Ogg at about 32 kbps (a VoIP rate)."""
    return codec_round_trip(samples, sample_rate, "OGG", "OPUS", compression_level=OPUS_LEVEL_32K)


def telephone(samples, sample_rate):
    """Down to 8 kHz and back, with the 300-3400 Hz telephone pass band."""
    narrow = bandpass(librosa.resample(samples, orig_sr=sample_rate, target_sr=8000), 8000, 300, 3400)
    return librosa.util.fix_length(librosa.resample(narrow, orig_sr=8000, target_sr=sample_rate),
                                   size=len(samples)).astype(np.float32)


def noise(snr_db: float):
    def condition(samples, sample_rate):
        return mix_at_snr(samples, np.random.default_rng(NOISE_SEED).standard_normal(len(samples)), snr_db)
    return condition


def level(gain_db: float):
    def condition(samples, sample_rate):
        return (samples * 10 ** (gain_db / 20)).astype(np.float32)
    return condition


CONDITIONS = {
    "mp3_32k": mp3(32), "mp3_64k": mp3(64), "opus_32k": opus, "telephone_8k": telephone,
    "noise_20db": noise(20), "noise_10db": noise(10), "level_-20db": level(-20),
}
DESCRIPTIONS = {
    "mp3_32k": "MP3, 32 kbps constant bitrate", "mp3_64k": "MP3, 64 kbps constant bitrate",
    "opus_32k": "Opus in Ogg, about 32 kbps", "telephone_8k": "resampled to 8 kHz, 300-3400 Hz, and back",
    "noise_20db": "white noise at 20 dB SNR", "noise_10db": "white noise at 10 dB SNR",
    "level_-20db": "20 dB quieter (step 1 normalises the level unless --no-normalize)",
}


def check_name(name: str) -> None:
    """An unknown condition is a one-line error listing the valid ones."""
    if name not in CONDITIONS:
        raise ValueError(f"unknown condition {name!r} (choose from {', '.join(CONDITIONS)}, or all)")


def apply_condition(name: str, samples: np.ndarray, sample_rate: int) -> np.ndarray:
    check_name(name)
    return CONDITIONS[name](samples, sample_rate)


def resolve_names(names) -> list[str]:
    """`all` -> every condition; otherwise the names as given, checked, without repeats."""
    chosen = list(CONDITIONS) if "all" in names else list(dict.fromkeys(names))
    for name in chosen:
        check_name(name)
    return chosen


def clip_images(predictor, source, names: list[str]) -> dict[str, np.ndarray]:
    """The first window's image of a clip, clean and under each condition (the condition is the
    channel of step 1's own audio path, applied before trimming)."""
    audio = load_audio(source, predictor.config)
    channels = {"clean": None} | {name: CONDITIONS[name] for name in names}
    return {name: predictor.windows(audio, 1, channel)[2][0] for name, channel in channels.items()}


def robustness_rows(rows):
    """One row per source clip: the un-augmented variant, first window."""
    return original_images(rows).drop_duplicates("source").reset_index(drop=True)


def robustness_report(predictor, rows, names, folder: Path) -> tuple[dict, list[str]]:
    """EER and ROC AUC per condition (and clean) on the sources of `rows`: metrics and report lines."""
    names = resolve_names(names)
    clips = robustness_rows(rows)
    images = {name: [] for name in ["clean", *names]}
    kept, durations = [], []
    for index, source in enumerate(clips["source"]):
        start = time.perf_counter()
        try:
            per_condition = clip_images(predictor, source, names)
        except (AudioError, FileNotFoundError):
            continue  # a source moved or deleted since step 1: scored on the rest
        durations.append(time.perf_counter() - start)
        kept.append(index)
        for name, image in per_condition.items():
            images[name].append(image)
    if not kept:
        raise AudioError("no source audio of the evaluated clips could be read (the manifest's source column)")
    y = clips["y"].to_numpy()[kept]
    require_both_classes(y, "the clips whose source audio could be read")
    results = {}
    for name, stack in images.items():
        p_fake = predictor.predict_arrays(np.stack(stack))
        results[name] = {"eer": compute_eer(y, p_fake)[0], "roc_auc": float(roc_auc_score(y, p_fake))}
    per_clip = float(np.median(durations))  # the first clip also pays for loading the codecs and filters
    timing = {"clips": len(kept), "seconds_per_clip": per_clip, "seconds_total": float(np.sum(durations)),
              "estimated_seconds_for_260_clips": 260 * per_clip + durations[0]}
    plot = robustness_plot(results, folder / "robustness.png")
    return {"conditions": results, "robustness_timing": timing}, report_lines(results, timing, plot)


def robustness_plot(results: dict, path: Path) -> Path:
    """EER of each condition as a bar, clean in grey and as a dashed line."""
    from matplotlib.figure import Figure

    names = list(results)
    eers = [100 * results[n]["eer"] for n in names]
    fig = Figure(figsize=(0.9 * len(names) + 2, 4), layout="constrained")
    ax = fig.subplots()
    bars = ax.bar(names, eers,
                  color=["tab:grey"] + ["tab:blue"] * (len(names) - 1))
    ax.bar_label(bars, fmt="%.1f%%", fontsize=8)
    ax.axhline(100 * results["clean"]["eer"], color="black", linestyle="--", linewidth=1, label="clean")
    ax.set(ylabel="EER (%)", ylim=(0, max(10.0, 1.15 * max(eers))),
           title="EER by condition (same test clips, re-imaged)")
    ax.tick_params(axis="x", rotation=30)
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    return path


def report_lines(results: dict, timing: dict, plot: Path) -> list[str]:
    clean = results["clean"]["eer"]
    lines = ["## Robustness to the channel", "",
             f"The {timing['clips']} evaluated clips' source audio (first window, un-augmented), each condition"
             " applied to the decoded samples at the model's sample rate before trim and windowing, re-imaged with the "
             "model's config. `clean` is the same path with no condition (it matches the step 1 images).", "",
             "| condition | what | EER | ROC AUC | EER change |", "|---|---|---:|---:|---:|"]
    lines += [f"| {name} | {DESCRIPTIONS.get(name, 'no change')} | {100 * r['eer']:.1f}% | {r['roc_auc']:.3f} | "
              f"{100 * (r['eer'] - clean):+.1f} pts |" for name, r in results.items()]
    lines += ["", f"![EER by condition]({plot.name})", "",
              f"Time: {timing['seconds_per_clip']:.2f} s per clip for all conditions (median; about "
              f"{timing['estimated_seconds_for_260_clips'] / 60:.1f} minutes for 260 clips).", ""]
    return lines
