"""Build the offline demo dataset for `make demo`: human speech from Debian packages against offline
TTS engines and vocoders (`synthesis.tts`, `synthesis.vocoders`), both classes through one
telephone-like channel (see DEMO_DATASET.md).

    python synthesis/build_demo_dataset.py                      # -> raw_audio_dataset/demo
    python synthesis/build_demo_dataset.py --per-class 100 --jobs 2

Output: <output>/REAL/<speaker>/*.wav, <output>/FAKE/<engine_voice>/*.wav (16 kHz mono 16-bit) and
<output>/manifest.csv (path,label,group,source,attack,text). A rerun with the same settings on a
complete output only checks it; other settings rebuild it. The Debian packages it reads are
installed by `make demo` (as root); here they are only checked.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfiltfilt
from tqdm import tqdm

from preprocessing.audio import load_audio
from preprocessing.config import SpectrogramConfig
from synthesis import tts
from synthesis.vocoders import MODEL_VOCODERS, UNALIGNED_VOCODERS, VOCODERS, available_vocoders

BUILD_VERSION = 2             # 2: synthesis/ vocoders (LPC added, codec2 keeps the level), librosa trim
STAMP_NAME = ".build.json"
MANIFEST_COLUMNS = ["path", "label", "group", "source", "attack", "text"]

SAMPLE_RATE = 16000
BAND_RATE = 8000              # asterisk prompts are 8 kHz telephony: every clip passes through 8 kHz
HIGHPASS_HZ = 80.0
MIN_S, MAX_S = 1.5, 6.0       # length of a finished clip, padding included
TARGET_S = (1.8, 4.5)         # speech an item grows to (segments are added until it is reached)
GAP_S = (0.15, 0.45)          # pause between joined segments
PAD_S = (0.1, 0.4)            # silence before and after the speech
LEVEL_DBFS = (-29.0, -23.0)   # RMS of the speech
NOISE_DBFS = (-68.0, -56.0)   # RMS of the white noise floor over the whole clip
TRIM_DB = 40.0                # frames this far below the loudest frame count as silence
MIN_SEGMENT_S = 0.15
SEGMENT_REUSE = 3             # a short recording may appear in this many different joins of its speaker
FOREIGN_SHARE = 0.10          # of REAL clips; FAKE matches it through espeak-ng's non-English voices
AUDIO_CONFIG = SpectrogramConfig(sample_rate=SAMPLE_RATE, trim_top_db=TRIM_DB)

# --- Debian packages ---------------------------------------------------------------------------------
# one list for this script and the Makefile's demo target, which installs it
DEBIAN_PACKAGES = Path(__file__).with_name("debian-packages.txt").read_text().split()


def missing_debian_packages() -> list[str] | None:
    """Demo packages dpkg does not list as installed; None where there is no dpkg to ask."""
    if shutil.which("dpkg-query") is None:
        return None
    listing = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *DEBIAN_PACKAGES],
                             capture_output=True, text=True).stdout
    installed = {line.split()[0] for line in listing.splitlines() if line.endswith(" installed")}
    return [package for package in DEBIAN_PACKAGES if package not in installed]


def report_missing(skipped_sources: list[str]) -> None:
    """One line naming the FAKE sources that will be skipped and the Debian packages that are missing."""
    packages = missing_debian_packages()
    parts = [f"skipping FAKE sources that are not installed: {', '.join(skipped_sources)} "
             f"(see requirements-demo.txt and DEMO_DATASET.md)"] if skipped_sources else []
    if packages is None:
        parts.append("no dpkg here to check the Debian packages")
    elif packages:
        parts.append(f"missing Debian packages: {' '.join(packages)} (`make demo` as root installs them, or "
                     f"sudo apt-get install -y --no-install-recommends {' '.join(packages)})")
    if parts:
        warn("; ".join(parts))


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


# --- real recordings ---------------------------------------------------------------------------------
ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_TEXTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
KLETTRES_DIR = Path("/usr/share/klettres")
KTUBERLING_THEME = Path("/usr/share/ktuberling/sounds/en.soundtheme")
POCKETSPHINX_DIR = Path("/usr/share/pocketsphinx/test/data")
# klettres folder -> espeak-ng voice of that language ("en" marks English)
KLETTRES_LANGUAGES = {"en": "en", "en_GB": "en", "de": "de", "fr": "fr", "es": "es", "it": "it",
                      "nl": "nl", "cs": "cs", "da": "da", "ru": "ru"}


@dataclass(frozen=True)
class Segment:
    """One human recording (a prompt, a word, a letter)."""
    path: str
    text: str
    speaker: str
    source: str
    language: str = "en"
    seconds: float = 0.0


def asterisk_segments() -> list[Segment]:
    """Allison Smith's prompts with their transcripts; tones and effects ("[...]" only) are left out."""
    if not ASTERISK_TEXTS.exists():
        return []
    segments = []
    for line in gzip.open(ASTERISK_TEXTS, "rt", encoding="utf-8", errors="replace"):
        name, _, text = line.partition(":")
        text = re.sub(r"\[.*?\]", "", text).strip().lstrip(". ")  # "... for ..." marks a fragment
        path = ASTERISK_SOUNDS / f"{name.strip()}.wav"
        if text and not name.startswith(("silence/", ";")) and path.exists():
            segments.append(Segment(str(path), text, "asterisk-allison", "asterisk"))
    return segments


def klettres_segments() -> list[Segment]:
    """Letters and syllables, one speaker per language folder."""
    segments = []
    for folder, language in KLETTRES_LANGUAGES.items():
        index = KLETTRES_DIR / folder / "sounds.xml"
        if not index.exists():
            continue
        for sound in ElementTree.parse(index).iter("sound"):
            name, path = sound.get("name", ""), KLETTRES_DIR / sound.get("file", "")
            text = name if len(name) == 1 else name.lower()
            if path.is_file():
                segments.append(Segment(str(path), text, f"klettres-{folder}", "klettres", language))
    return segments


def ktuberling_segments() -> list[Segment]:
    """English object names; the Tux theme's growls, snores and laughs are left out."""
    if not KTUBERLING_THEME.exists():
        return []
    segments = []
    for sound in ElementTree.parse(KTUBERLING_THEME).iter("sound"):
        name, path = sound.get("name", ""), KTUBERLING_THEME.parent / sound.get("file", "")
        if "tux" in name.lower() or not path.is_file():
            continue
        text = re.sub(r"\d+$", "", name.split("_", 1)[-1]).replace("_", " ")
        segments.append(Segment(str(path), text, "ktuberling-en", "ktuberling"))
    return segments


def pocketsphinx_segments() -> list[Segment]:
    """Read sentences (LibriVox) and card names, from the transcription files."""
    segments = []
    for folder, listing in [("librivox", "transcription"), ("cards", "cards.transcription")]:
        transcript = POCKETSPHINX_DIR / folder / listing
        if not transcript.exists():
            continue
        for line in transcript.read_text().splitlines():
            match = re.match(r"<s>(.*)</s>\s*\((\S+)\)", line.strip())
            path = POCKETSPHINX_DIR / folder / f"{match.group(2)}.wav" if match else None
            if path and path.exists():
                segments.append(Segment(str(path), match.group(1).strip(), f"pocketsphinx-{folder}", "pocketsphinx"))
    return segments


def collect_segments() -> list[Segment]:
    return asterisk_segments() + klettres_segments() + ktuberling_segments() + pocketsphinx_segments()


# --- signal helpers ------------------------------------------------------------------------------------
def trim_silence(samples: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Cut leading and trailing frames more than TRIM_DB below the loudest (librosa's criterion, as in
    step 1's trim, but on 20 ms frames so that little silence is left); digital silence gives nothing."""
    if not np.any(samples):
        return samples[:0]
    return librosa.effects.trim(samples, top_db=TRIM_DB, frame_length=rate // 50, hop_length=rate // 100)[0]


def read_speech(path: str) -> np.ndarray:
    """A recording as mono float32 at SAMPLE_RATE (step 1's loader), silence trimmed."""
    return trim_silence(load_audio(path, AUDIO_CONFIG).samples)


def join_segments(parts: list[np.ndarray], rng: np.random.Generator, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Segments with short silent gaps between them."""
    pieces = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(np.zeros(int(rng.uniform(*GAP_S) * rate)))
        pieces.append(part)
    return np.concatenate(pieces) if pieces else np.zeros(0)


def cut_at_pause(samples: np.ndarray, max_samples: int, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Shorten to at most `max_samples`, ending at the quietest 20 ms of the last second, faded out."""
    if len(samples) <= max_samples:
        return samples
    frame = rate // 50
    window = samples[max(0, max_samples - rate):max_samples]
    rms = librosa.feature.rms(y=window, frame_length=frame, hop_length=frame, center=False)[0]
    quietest = int(np.argmin(rms)) * frame + frame // 2
    cut = samples[:max(0, max_samples - rate) + quietest].copy()
    fade = min(len(cut), rate // 100)
    cut[len(cut) - fade:] *= np.linspace(1.0, 0.0, fade)
    return cut


def band_limit(samples: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The telephone band of the narrowest real source: 80 Hz high-pass, through 8 kHz and back.

    Fixed on purpose, unlike step 1's random `augment.band_limit`: every clip of both classes must
    leave here with the same band, so that the band carries no label information."""
    if len(samples) < 64:
        return samples
    highpass = butter(2, HIGHPASS_HZ, btype="highpass", fs=rate, output="sos")
    narrow = librosa.resample(sosfiltfilt(highpass, samples), orig_sr=rate, target_sr=BAND_RATE)
    return librosa.resample(narrow, orig_sr=BAND_RATE, target_sr=rate)


def set_level(samples: np.ndarray, dbfs: float) -> np.ndarray:
    """RMS to `dbfs` exactly: no peak limit (unlike step 1's window normalisation), the channel clips."""
    rms = np.sqrt(np.mean(samples ** 2))
    return samples if rms <= 1e-9 else samples * (10 ** (dbfs / 20) / rms)


def apply_channel(speech: np.ndarray, rng: np.random.Generator, rate: int = SAMPLE_RATE,
                  telephone_band: bool = True) -> tuple[np.ndarray, bool]:
    """What every clip goes through, REAL and FAKE alike: length limit, band limit (unless
    `telephone_band` is off), level, padding and noise floor. Returns the clip and whether the speech
    had to be cut."""
    lead, tail = (int(rng.uniform(*PAD_S) * rate) for _ in range(2))
    fitted = cut_at_pause(speech, int(MAX_S * rate) - lead - tail, rate)
    fitted = set_level(band_limit(fitted, rate) if telephone_band else fitted, rng.uniform(*LEVEL_DBFS))
    clip = np.concatenate([np.zeros(lead), fitted, np.zeros(tail)])
    noise = rng.standard_normal(len(clip)) * 10 ** (rng.uniform(*NOISE_DBFS) / 20)
    return np.clip(clip + noise, -1.0, 1.0), len(fitted) < len(speech)


# --- FAKE sources --------------------------------------------------------------------------------------
def vocoded_source(name: str) -> str:
    """The source of a vocoder's copies: its family, so that codec2's bit rates share one source."""
    return "vocoded-" + re.sub(r"_\d+$", "", name)


def available_sources() -> dict[str, list]:
    """FAKE source -> its TTS voices, or its vocoder names (vocoded copies of REAL clips), for what is
    installed; what is not is named on one line."""
    sources: dict[str, list] = tts.available_engines(list(KLETTRES_LANGUAGES.values()))
    # The trained vocoder (upsampling_net) and unit selection make step 1's copy-synthesis fakes: kept out of
    # the demo's own FAKE sources, so that the demo's test clips never share a generator with those copies.
    installable = [name for name in VOCODERS if name not in MODEL_VOCODERS | UNALIGNED_VOCODERS]
    for name in available_vocoders():
        if name in installable:
            sources.setdefault(vocoded_source(name), []).append(name)
    every = list(tts.SYNTHESISERS) + list(dict.fromkeys(vocoded_source(name) for name in installable))
    report_missing([source for source in every if source not in sources])
    return sources


# --- planning ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One clip to make: REAL (paths), FAKE text-to-speech (voice + texts) or FAKE vocoded (vocoder + paths)."""
    label: str
    source: str
    group: str
    attack: str
    language: str
    target_s: float
    paths: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    voice: tts.Voice | None = None
    vocoder: str = ""
    spare_texts: tuple[str, ...] = ()


def measure_segment(segment: Segment) -> Segment:
    """The segment with its speech length (silence trimmed); 0 when it cannot be read."""
    try:
        seconds = len(read_speech(segment.path)) / SAMPLE_RATE
    except (OSError, ValueError) as error:   # AudioError is a ValueError
        warn(f"{segment.path}: {error}")
        seconds = 0.0
    return Segment(segment.path, segment.text, segment.speaker, segment.source, segment.language, seconds)


def group_segments(segments: list[Segment], rng: np.random.Generator) -> list[Item]:
    """Join one speaker's segments in order until each item reaches a random target length."""
    items, current, length, target = [], [], 0.0, rng.uniform(*TARGET_S)
    for segment in segments:
        current.append(segment)
        length += segment.seconds + (sum(GAP_S) / 2 if len(current) > 1 else 0.0)
        if length >= target:
            first = current[0]
            items.append(Item("real", first.source, first.speaker, "bonafide", first.language, target,
                              paths=tuple(s.path for s in current), texts=tuple(s.text for s in current)))
            current, length, target = [], 0.0, rng.uniform(*TARGET_S)
    return items


def plan_speaker(segments: list[Segment], rng: np.random.Generator) -> list[Item]:
    """Items of one speaker: each recording once, then short ones again in new combinations."""
    usable = [s for s in segments if s.seconds >= MIN_SEGMENT_S]
    items = group_segments([usable[i] for i in rng.permutation(len(usable))], rng)
    short = [s for s in usable if s.seconds < TARGET_S[0]]
    for _ in range(SEGMENT_REUSE - 1):
        items += group_segments([short[i] for i in rng.permutation(len(short))], rng)
    return items


def round_robin(pools: list[list], count: int) -> list:
    """Take one from each pool in turn until `count` are taken or all pools are empty."""
    taken, position = [], 0
    while len(taken) < count and any(position < len(pool) for pool in pools):
        taken += [pool[position] for pool in pools if position < len(pool)][:count - len(taken)]
        position += 1
    return taken


def select_real(items_by_speaker: dict[str, list[Item]], per_class: int) -> list[Item]:
    """Balanced over speakers; non-English speakers get FOREIGN_SHARE of the clips."""
    foreign = [items for items in items_by_speaker.values() if items and items[0].language != "en"]
    english = [items for items in items_by_speaker.values() if items and items[0].language == "en"]
    chosen = round_robin(foreign, round(per_class * FOREIGN_SHARE) if english else per_class)
    return chosen + round_robin(english, per_class - len(chosen))


def tts_item(voice: tts.Voice, source: str, base: Item, spares: list[str]) -> Item:
    return Item("fake", source, voice.group, f"{voice.engine}/{voice.name}", voice.language, base.target_s,
                texts=base.texts, voice=voice, spare_texts=tuple(spares))


def vocoded_item(vocoder: str, source: str, base: Item) -> Item:
    return Item("fake", source, f"{vocoder}_{base.group}", vocoder, base.language, base.target_s,
                paths=base.paths, texts=base.texts, vocoder=vocoder)


def plan_fake(real: list[Item], all_items: list[Item], engines: dict[str, list], per_class: int,
              rng: np.random.Generator) -> list[Item]:
    """Balanced over engines, then voices: TTS speaks the texts of REAL items, vocoders copy REAL items."""
    texts_by_speaker = defaultdict(list)
    for item in all_items:
        texts_by_speaker[item.group] += item.texts
    pools = []
    for source, voices in engines.items():   # TTS voices, or vocoder names for a vocoded source
        pool = []
        for index in range(per_class):
            voice = voices[index % len(voices)]
            if source.startswith("vocoded-"):
                pool.append(vocoded_item(voice, source, real[rng.integers(len(real))]))
                continue
            bases = [item for item in real if item.language == voice.language] or \
                    [item for item in all_items if item.language == voice.language]
            if bases:
                base = bases[rng.integers(len(bases))]
                spares = [str(text) for text in rng.permutation(texts_by_speaker[base.group])[:8]]
                pool.append(tts_item(voice, source, base, spares))
        pools.append(pool)
    return round_robin(pools, per_class)


# --- rendering ---------------------------------------------------------------------------------------
def speak(item: Item, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """Synthesise the item's texts (then spares) until the speech reaches its target length."""
    parts, texts, length = [], [], 0.0
    for text in item.texts + item.spare_texts:
        part = trim_silence(tts.synthesize(item.voice, text, SAMPLE_RATE, rng))
        if len(part) < MIN_SEGMENT_S * SAMPLE_RATE:
            continue
        parts.append(part)
        texts.append(text)
        length += len(part) / SAMPLE_RATE + (sum(GAP_S) / 2 if len(parts) > 1 else 0.0)
        if length >= item.target_s and len(parts) >= len(item.texts):
            break
    return join_segments(parts, rng), texts


def render_speech(item: Item, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """Speech before the channel, and the texts it says."""
    if item.voice is not None:
        return speak(item, rng)
    speech = join_segments([read_speech(path) for path in item.paths], rng)
    if item.vocoder:
        speech = VOCODERS[item.vocoder](speech, SAMPLE_RATE, rng)
    return speech, list(item.texts)


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text).strip("-")


def clip_path(item: Item, index: int) -> str:
    return f"{item.label.upper()}/{safe_name(item.group)}/{index:05d}.wav"


def render(job: tuple[int, Item, int, str, bool]) -> tuple[int, dict | None, str]:
    """Make one clip; returns (index, manifest row or None, error message)."""
    index, item, seed, output, telephone_band = job
    rng = np.random.default_rng([seed, index])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            speech, texts = render_speech(item, rng)
    except Exception as error:  # one broken clip must not stop the build
        return index, None, f"{item.attack}: {error}"
    clip, was_cut = apply_channel(speech, rng, telephone_band=telephone_band)
    if len(clip) < MIN_S * SAMPLE_RATE:
        return index, None, ""
    relative = clip_path(item, index)
    (Path(output) / relative).parent.mkdir(parents=True, exist_ok=True)
    sf.write(Path(output) / relative, clip, SAMPLE_RATE, subtype="PCM_16")
    text = "" if was_cut else " ".join(texts)
    return index, {"path": relative, "label": item.label, "group": item.group, "source": item.source,
                   "attack": item.attack, "text": text}, ""


def run_jobs(function, jobs: list, workers: int, description: str) -> list:
    """Results in job order, with a progress bar; one process when workers is 1."""
    if workers <= 1:
        return [function(job) for job in tqdm(jobs, desc=description, unit="clip")]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return list(tqdm(pool.imap(function, jobs, chunksize=4), total=len(jobs), desc=description, unit="clip"))


# --- output ------------------------------------------------------------------------------------------
def write_manifest(rows: list[dict], path: Path) -> None:
    """CSV with MANIFEST_COLUMNS, written to a temporary file first so a crash leaves no half manifest."""
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    temporary.replace(path)


def read_manifest(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def build_settings(args: argparse.Namespace) -> dict:
    settings = {"version": BUILD_VERSION, "per_class": args.per_class, "seed": args.seed}
    return {**settings, "real_only": True} if args.real_only else settings


def is_complete(output: Path, settings: dict) -> bool:
    """Built with these settings, manifest written and every clip in it present."""
    stamp, manifest = output / STAMP_NAME, output / "manifest.csv"
    if not (stamp.exists() and manifest.exists()) or json.loads(stamp.read_text()) != settings:
        return False
    return all((output / row["path"]).exists() for row in read_manifest(manifest))


def prepare_output(output: Path) -> None:
    """Empty the folder for a new build; refuse to touch a folder this script did not make."""
    if output.exists() and any(output.iterdir()) and not (output / STAMP_NAME).exists():
        sys.exit(f"error: {output} holds files this script did not write; choose another --output")
    for name in ["REAL", "FAKE", "manifest.csv", STAMP_NAME]:
        target = output / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    output.mkdir(parents=True, exist_ok=True)


def summary(rows: list[dict]) -> str:
    counts = Counter((row["label"], row["source"]) for row in rows)
    lines = [f"{'label':6} {'source':20} clips"]
    lines += [f"{label:6} {source:20} {count:5d}" for (label, source), count in sorted(counts.items())]
    totals = Counter(row["label"] for row in rows)
    lines.append(f"total: {totals['real']} real, {totals['fake']} fake")
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default="raw_audio_dataset/demo", help="dataset folder to write")
    parser.add_argument("--per-class", type=int, default=300, help="clips per class (default 300)")
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--real-only", action="store_true",
                        help="only the REAL clips, each at its recording's own band (no telephone band, which is "
                             "there to make the two classes alike): extra REAL training data for step 1's "
                             "--extra, whose vocoded copies (--vocode) are its FAKE side")
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> list[dict]:
    """Plan and render both classes (or REAL alone); returns the manifest rows."""
    engines = {} if args.real_only else available_sources()
    segments = run_jobs(measure_segment, collect_segments(), args.jobs, "reading real recordings")
    by_speaker = defaultdict(list)
    for segment in segments:
        by_speaker[segment.speaker].append(segment)
    rng = np.random.default_rng(args.seed)
    items_by_speaker = {speaker: plan_speaker(group, rng) for speaker, group in sorted(by_speaker.items())}
    # REAL alone has no TTS voices to match in language: every speaker counts alike
    real = (round_robin(list(items_by_speaker.values()), args.per_class) if args.real_only
            else select_real(items_by_speaker, args.per_class))
    all_items = [item for items in items_by_speaker.values() for item in items]
    fake = plan_fake(real, all_items, engines, args.per_class, rng) if real and not args.real_only else []
    jobs = [(index, item, args.seed, str(args.output), not args.real_only) for index, item in enumerate(real + fake)]
    results = run_jobs(render, jobs, args.jobs, "making clips")
    errors = Counter(error for _, row, error in results if error)
    for error, count in errors.most_common(10):
        warn(f"{count} clip(s) failed: {error}")
    return [row for _, row, _ in results if row]


def main(argv=None) -> int:
    args = parse_args(argv)
    output, settings = Path(args.output), build_settings(args)
    if is_complete(output, settings):
        print(f"{output} is up to date\n{summary(read_manifest(output / 'manifest.csv'))}")
        return 0
    prepare_output(output)
    rows = build(args)
    labels = Counter(row["label"] for row in rows)
    if min(labels["real"], labels["real"] if args.real_only else labels["fake"]) < args.per_class // 2:
        print(summary(rows))
        sys.exit(f"error: too few clips ({labels['real']} real, {labels['fake']} fake): "
                 f"install the packages listed in {Path(__file__).with_name('DEMO_DATASET.md')}")
    write_manifest(rows, output / "manifest.csv")
    (output / STAMP_NAME).write_text(json.dumps(settings))
    print(f"wrote {output / 'manifest.csv'}\n{summary(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
