"""Find labelled clips in the dataset layouts users have, and split them by group.

Layouts: REAL/FAKE folders (any nesting, Fake-or-Real's training/validation/testing
included), ASVspoof 2019 LA protocol files, and a CSV manifest.
"""
from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from preprocessing.audio import AUDIO_EXTENSIONS

LAYOUTS = ("auto", "folders", "fake-or-real", "asvspoof2019", "csv")
LABEL_WORDS = {
    "REAL": {"real", "bonafide", "bona-fide", "bona_fide", "genuine", "human"},
    "FAKE": {"fake", "spoof", "deepfake", "synthetic"},
}
SPLIT_WORDS = {
    "train": {"train", "training", "trn"},
    "val": {"val", "valid", "validation", "dev", "development"},
    "test": {"test", "testing", "eval", "evaluation"},
}


class LayoutError(ValueError):
    """The input does not look like any supported dataset layout."""


@dataclass
class Clip:
    path: Path            # audio file
    label: str            # REAL or FAKE
    group: str            # clips of one group always land in the same split
    split: str | None     # train/val/test when the dataset gives it
    attack: str = ""      # generator id (ASVspoof A01..A19), 'bonafide' for real
    origin: str = ""      # the collection the clip came from (manifest 'source' column)
    key: str = ""         # path relative to the input, used for output names


def _word_to(words: dict, text: str) -> str | None:
    text = text.strip().lower()
    return next((name for name, options in words.items() if text in options), None)


def normalize_label(text: str) -> str | None:
    return _word_to(LABEL_WORDS, text)


def normalize_split(text: str) -> str | None:
    return _word_to(SPLIT_WORDS, text)


def label_from_path(path: str | Path, root: str | Path | None = None) -> str | None:
    """REAL or FAKE from the nearest folder of `path` (below `root`, if given) named real/fake or a
    synonym; None when no folder says."""
    path = Path(path)
    parts = (path.relative_to(root) if root is not None else path).parts[:-1]
    return next((normalize_label(part) for part in reversed(parts) if normalize_label(part)), None)


def is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS and not path.name.startswith(".")


def detect_layout(root: Path) -> str:
    if root.is_file():
        if root.suffix.lower() == ".csv":
            return "csv"
        raise LayoutError(f"{root} is a file; give a folder or a CSV manifest")
    if not root.is_dir():
        raise LayoutError(f"input {root} does not exist")
    if any(root.rglob("ASVspoof2019.LA.cm.*.txt")):
        return "asvspoof2019"
    if any(normalize_split(d.name) and any(normalize_label(s.name) for s in d.iterdir() if s.is_dir())
           for d in root.rglob("*") if d.is_dir()):
        return "fake-or-real"
    return "folders"


def _from_folders(root: Path) -> list[Clip]:
    """Label from the nearest folder named real/fake (or a synonym); split from a split-named folder."""
    clips = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and is_audio(p)):
        label = label_from_path(path, root)
        if label is None:
            continue
        parts = path.relative_to(root).parts[:-1]
        split = next((normalize_split(p) for p in reversed(parts) if normalize_split(p)), None)
        key = path.relative_to(root).as_posix()
        clips.append(Clip(path, label, group=key, split=split, key=key))
    return clips


def _from_asvspoof(root: Path) -> list[Clip]:
    """ASVspoof 2019 LA: `SPEAKER UTT - ATTACK KEY` protocol lines; speaker = group."""
    audio_by_utt = {p.stem: p for p in root.rglob("*.flac")}
    clips = []
    for protocol in sorted(root.rglob("ASVspoof2019.LA.cm.*.txt")):
        split = normalize_split(protocol.name.split(".")[3])
        for line in protocol.read_text().splitlines():
            fields = line.split()
            if len(fields) != 5 or fields[1] not in audio_by_utt:
                continue
            speaker, utt, _, attack, key = fields
            label = normalize_label(key)
            attack = "bonafide" if attack == "-" else attack
            path = audio_by_utt[utt]
            clips.append(Clip(path, label, group=speaker, split=split, attack=attack,
                              origin="asvspoof2019_la", key=path.relative_to(root).as_posix()))
    if not clips:
        raise LayoutError(f"{root}: ASVspoof protocol files found but none of their flac files")
    return clips


def _from_csv(manifest: Path) -> list[Clip]:
    """A CSV with columns path (relative to the CSV), label and optional group, split, attack, source."""
    with manifest.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    if not rows or not {"path", "label"} <= set(rows[0]):
        raise LayoutError(f"{manifest}: a CSV manifest needs at least the columns path and label")
    clips = []
    for line, row in enumerate(rows, start=2):
        label = normalize_label(row["label"])
        if label is None:
            raise LayoutError(f"{manifest}:{line}: unknown label {row['label']!r}")
        path = (manifest.parent / row["path"]).resolve()
        split = normalize_split(row.get("split") or "")
        clips.append(Clip(path, label, group=row.get("group") or row["path"], split=split,
                          attack=row.get("attack") or "", origin=row.get("source") or "",
                          key=row["path"]))
    return clips


def find_clips(root: str | Path, layout: str = "auto", group_regex: str | None = None) -> tuple[str, list[Clip]]:
    """All labelled clips under `root` and the layout used. `group_regex`'s first group names the group."""
    root = Path(root).resolve()  # manifests store absolute audio paths: later steps run from anywhere
    layout = detect_layout(root) if layout == "auto" else layout
    reader = {"folders": _from_folders, "fake-or-real": _from_folders,
              "asvspoof2019": _from_asvspoof, "csv": _from_csv}[layout]
    clips = reader(root)
    if not clips:
        raise LayoutError(f"no labelled audio found in {root} (layout {layout}): put clips in "
                          f"REAL/ and FAKE/ folders, or give a CSV manifest with path,label columns")
    if group_regex:
        pattern = re.compile(group_regex)
        for clip in clips:
            match = pattern.search(clip.path.name)
            if match:
                clip.group = match.group(1) if pattern.groups else match.group(0)
    for clip in clips:
        clip.attack = clip.attack or ("bonafide" if clip.label == "REAL" else "")
    return layout, clips


def output_stems(clips: list[Clip]) -> list[str]:
    """Unique, filesystem-safe names: x.wav beside x.mp3 and a/x.wav beside b/x.wav never collide."""
    stems, seen = [], set()
    for clip in clips:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", clip.key.replace("/", "__")).replace(".", "_")
        stem, counter = base, 1
        while stem in seen:
            counter += 1
            stem = f"{base}_{counter}"
        seen.add(stem)
        stems.append(stem)
    return stems


def _one_fold(labels, groups, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of one group-aware, label-stratified fold holding about `fraction` of the clips.

    Of the folds StratifiedGroupKFold makes, the one closest to the wanted size and label mix
    is taken, so that one very large group (a dominant speaker) does not become the test set.
    """
    n_splits = max(2, int(round(1 / fraction)))
    n_groups = len(set(groups))
    if n_groups < 2:
        raise LayoutError("cannot split: all clips share one group")
    largest_class = max(np.unique(labels, return_counts=True)[1])
    if largest_class < 2:
        raise LayoutError(f"too few clips ({len(labels)}) for a train/val/test split")
    n_splits = max(2, min(n_splits, n_groups, largest_class))  # tiny datasets: fewer, larger folds
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    fake_share = np.mean(labels == "FAKE")
    best, best_cost = None, np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class has only N members"
        for _, held_out in splitter.split(np.zeros(len(labels)), labels, groups):
            cost = abs(len(held_out) / len(labels) - fraction) + abs(np.mean(labels[held_out] == "FAKE") - fake_share)
            if cost < best_cost:
                best, best_cost = held_out, cost
    mask = np.zeros(len(labels), dtype=bool)
    mask[best] = True
    return mask


def assign_splits(clips: list[Clip], val_fraction: float = 0.15, test_fraction: float = 0.15,
                  seed: int = 1337) -> str:
    """Keep the dataset's own splits when every clip has one; otherwise split by group.

    Returns a short description of what was done.
    """
    if all(clip.split for clip in clips):
        return "kept the dataset's own splits"
    labels = np.array([clip.label for clip in clips])
    groups = np.array([clip.group for clip in clips])
    test = _one_fold(labels, groups, test_fraction, seed)
    rest = np.flatnonzero(~test)
    val = np.zeros(len(clips), dtype=bool)
    val[rest[_one_fold(labels[rest], groups[rest], val_fraction / (1 - test_fraction), seed)]] = True
    for index, clip in enumerate(clips):
        clip.split = "test" if test[index] else "val" if val[index] else "train"
    return (f"group-aware stratified split ({len(set(groups))} groups, seed {seed}): "
            f"{(~test & ~val).sum()} train / {val.sum()} val / {test.sum()} test clips")


def write_clip_list(clips: list[Clip], path: Path, split_of=lambda clip: clip.split) -> Path:
    """A CSV manifest step 1 reads back (the csv layout), with a split column: how the benchmarks
    and the pretrained model fix their splits. `split_of` may override each clip's split."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["path", "label", "group", "split", "attack", "source"])
        for clip in clips:
            writer.writerow([clip.path, clip.label, clip.group, split_of(clip), clip.attack, clip.origin])
    return path
