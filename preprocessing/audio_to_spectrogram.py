"""Step 1: audio dataset -> 128x128 spectrogram PNGs (mel rows by default), split by group, with a manifest.

    python preprocessing/audio_to_spectrogram.py            # raw_audio_dataset -> spectrograms
    python preprocessing/audio_to_spectrogram.py --input ../shared/data/devset/manifest.csv

Output: <output>/<split>/<REAL|FAKE>/<name>.png, <output>/config.json, <output>/manifest.csv.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import io
import json
import multiprocessing
import sys
import time
import zlib
from dataclasses import asdict
from pathlib import Path

import numpy as np
import soundfile as sf
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from preprocessing.audio import Audio, load_audio
from preprocessing.augment import random_channel
from preprocessing.config import CONFIG_FILENAME, SPLITS, SpectrogramConfig, add_config_arguments, config_from_args
from preprocessing.layouts import LAYOUTS, LayoutError, assign_splits, find_clips, output_stems
from preprocessing.manifest import BUILD_OPTIONS_FILENAME, MANIFEST_FILENAME, Journal, previous_rows, write_manifest
from preprocessing.spectrogram import audio_to_images, save_png
from synthesis.neural_vocoder import SHIPPED_MODEL
from synthesis.tools import match_spectrum, splice_above
from synthesis.vocoders import (MODEL_VOCODERS, UNALIGNED_VOCODERS, VOCODERS, VocoderError, available_vocoders,
                                check_vocoders, vocoder)


# Copy-synthesis is on by default: it lowered the external-set EER (38.1% -> 33.0%) and left the devset
# CV level (BENCHMARKS.md, "What each change bought"); `--vocode none` turns it off.
DEFAULT_VOCODERS = ["upsampling_net"]
# Each copy keeps its original below 4 kHz: external EER 34.7% -> 29.3% (3 seeds), devset CV level
# (18.6% -> 18.2%); `--copy-above 0` gives whole copies.
DEFAULT_COPY_ABOVE_HZ = 4000.0


def pool_start() -> str:
    """fork starts workers at once (nothing to re-import); elsewhere spawn is the safe choice, and also
    once this process has started TensorFlow (a forked copy of its threads can hang a worker that runs
    the vocoder network)."""
    return "fork" if sys.platform == "linux" and "tensorflow" not in sys.modules else "spawn"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", default="raw_audio_dataset", help="dataset folder or CSV manifest")
    parser.add_argument("--output", default="spectrograms", help="where images, manifest and config go")
    parser.add_argument("--layout", default="auto", choices=LAYOUTS)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--strict", action="store_true", help="exit non-zero if any clip fails")
    parser.add_argument("--overwrite", action="store_true", help="rebuild everything, even with other settings")
    windows = parser.add_mutually_exclusive_group()
    windows.add_argument("--segments", type=int, default=1, help="3 s windows per file (default 1)")
    windows.add_argument("--all-segments", action="store_true", help="every window of long recordings")
    parser.add_argument("--augment", type=int, default=0,
                        help="extra random-channel copies of each TRAINING window (both classes)")
    parser.add_argument("--clean-copies", action="store_true",
                        help="--augment's channels for the clips only, not for their vocoded copies: a band limit "
                             "below --copy-above would leave a copy its original's twin, labelled FAKE")
    parser.add_argument("--vocode", nargs="+", default=DEFAULT_VOCODERS, metavar="NAME",
                        help="add a FAKE copy of each REAL TRAINING clip re-synthesised by each vocoder "
                             f"(copy-synthesis; default: {' '.join(DEFAULT_VOCODERS)}, the shipped neural vocoder; "
                             f"'none' = no copies; 'all' = every one installed; known: {', '.join(VOCODERS)}). "
                             "FAKE then outnumbers REAL in train; step 3's class weights rebalance it")
    parser.add_argument("--vocode-turns", action="store_true",
                        help="each REAL training clip gets one copy, from the next --vocode vocoder in turn, "
                             "instead of one from each (variety without more fakes)")
    parser.add_argument("--vocoder-model", type=Path, nargs="+", default=[SHIPPED_MODEL], metavar="PATH",
                        help="the network upsampling_net runs (default: the shipped one, trained on the devset's "
                             "REAL training clips; synthesis/neural_vocoder.py trains one on yours). Several: each "
                             "REAL training clip's copy comes from the next of them in turn (variety, not more copies)")
    parser.add_argument("--match-spectrum", action="store_true",
                        help="filter each vocoded copy to its original's long-term spectrum (band limit, tilt, "
                             "channel colour), so that only the vocoder's own traces tell them apart (to be measured)")
    parser.add_argument("--copy-above", type=float, nargs="+", default=[DEFAULT_COPY_ABOVE_HZ], metavar="HZ",
                        help="each copy keeps its original below HZ and takes the vocoder's output above it: "
                             "copies harder to tell from their originals, whose only difference is the "
                             f"vocoder's upper band (default: {DEFAULT_COPY_ABOVE_HZ:g}; 0 = the whole copy; "
                             "two values LOW HIGH: each copy's crossover drawn between them; "
                             f"{', '.join(sorted(UNALIGNED_VOCODERS))} rearranges time and always gives whole copies)")
    parser.add_argument("--extra", nargs="+", default=[], metavar="DATASET",
                        help="more labelled datasets (any layout) for the TRAINING split only, never val or "
                             "test: e.g. offline TTS and vocoded speech from synthesis/build_demo_dataset.py")
    parser.add_argument("--group-regex", help="regex on the file name; its first group names the clip's group")
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=1337)
    add_config_arguments(parser)
    args = parser.parse_args(argv)
    if args.vocode == ["all"]:
        args.vocode = available_vocoders()
    elif args.vocode == ["none"]:
        args.vocode = []
    args.vocode = list(dict.fromkeys(args.vocode))  # each vocoder once, in the order given
    nyquist = (args.sample_rate or SpectrogramConfig.sample_rate) / 2
    if args.vocode and (len(args.copy_above) > 2 or not all(0 <= hz < nyquist for hz in args.copy_above)
                        or args.copy_above != sorted(args.copy_above)):
        given = " ".join(f"{hz:g}" for hz in args.copy_above)
        parser.error(f"--copy-above {given}: give one frequency, or a range LOW HIGH, between 0 and Nyquist "
                     f"({nyquist:g} Hz); 0 = whole copies")
    args.copy_above = args.copy_above[0] if len(args.copy_above) == 1 else args.copy_above
    try:
        for model in args.vocoder_model:
            check_vocoders(args.vocode, model)
    except VocoderError as error:
        parser.error(str(error))
    return args


def _error_row(base: dict, error: Exception) -> dict:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return {**base, "image": "", "status": "error", "error": reason, "segment": "", "variant": "",
            "duration": "", "sample_rate": ""}


def _image_rows(job: dict, base: dict, audio: Audio, suffix: str, rng: np.random.Generator,
                first_variant: int, augment: int) -> list[dict]:
    """Save the images of one version of a clip (the audio as decoded, or a vocoded copy) and of its
    `augment` random channels, numbered from `first_variant`."""
    config = job["config"]
    channels = [None] + [functools.partial(random_channel, rng=rng)] * augment
    rows = []
    for channel_index, channel in enumerate(channels):
        _, images = audio_to_images(audio, config, job["max_windows"], channel)
        for segment, picture in enumerate(images):
            name = job["stem"] + (f"_s{segment:03d}" if job["max_windows"] != 1 else "") + suffix + \
                (f"_aug{channel_index}" if channel_index else "")
            image = Path(base["split"]) / base["label"] / f"{name}.png"
            save_png(picture, job["output"] / image)
            rows.append({**base, "image": image.as_posix(), "status": "ok", "segment": segment,
                         "variant": first_variant + channel_index, "duration": round(audio.duration, 3),
                         "sample_rate": audio.original_rate})
    return rows


def crossover(copy_above: float | list[float], rng: np.random.Generator) -> float:
    """`--copy-above`'s frequency for one copy: the value given, or one drawn from the range given."""
    return rng.uniform(*copy_above) if isinstance(copy_above, list) else copy_above


def process_clip(job: dict) -> list[dict]:
    """Make every image of one audio file, then of each vocoded FAKE copy (`job["vocoders"]`, given
    for REAL training clips only); a failure becomes an error row (the clip's, or one copy's), never
    an exception."""
    config, clip = job["config"], job["clip"]
    base = {"label": clip["label"], "split": clip["split"], "group": clip["group"], "source": str(clip["path"]),
            "origin": clip["origin"], "attack": clip["attack"], "vocoder": "", "error": ""}
    clip_seed = [job["seed"], zlib.crc32(clip["key"].encode())]
    try:
        audio = load_audio(clip["path"], config)
        rows = _image_rows(job, base, audio, "", np.random.default_rng(clip_seed), first_variant=0,
                          augment=job["augment"])
    except Exception as error:  # any bad file becomes a row with its reason
        return [_error_row(base, error)]
    versions = 1 + job["augment"]  # images per version of the clip and window
    for index, name in enumerate(job["vocoders"], start=1):
        rng = np.random.default_rng([*clip_seed, zlib.crc32(name.encode())])  # same copy whatever else is asked
        model = job["vocoder_model"] if name in MODEL_VOCODERS else None
        attack = f"copy-synthesis:{name}" + (f":{model.stem}" if model and model.stem != name else "")  # which network
        copy = {**base, "label": "FAKE", "attack": attack, "vocoder": name}
        try:
            samples = vocoder(name, model)(audio.samples, config.sample_rate, rng)
            if job["match_spectrum"]:
                samples = match_spectrum(samples, audio.samples)
            if job["copy_above"] and name not in UNALIGNED_VOCODERS:  # nothing lines up to splice
                samples = splice_above(samples, audio.samples, config.sample_rate, crossover(job["copy_above"], rng))
            rows += _image_rows(job, copy, dataclasses.replace(audio, samples=samples), f"_voc-{name}", rng,
                                first_variant=index * versions,
                                augment=0 if job["clean_copies"] else job["augment"])
        except Exception as error:  # a vocoder that fails on this clip loses only its copy
            rows.append(_error_row(copy, error))
    return rows


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (what identifies a trained vocoder in build_options.json)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def warm_up(config: SpectrogramConfig) -> float:
    """Run the image path once on generated noise, so that librosa's lazily loaded code (about 3 s
    on first use) is loaded before workers fork, not once per worker. Returns the seconds it took."""
    started = time.perf_counter()
    noise = np.random.default_rng(0).standard_normal(2 * config.sample_rate).astype(np.float32) * 0.1
    wav = io.BytesIO()
    sf.write(wav, noise, 2 * config.sample_rate, format="WAV")  # another rate: resampling is loaded too
    _, images = audio_to_images(wav.getvalue(), config)
    images[0].save(io.BytesIO(), format="PNG", compress_level=1)
    return time.perf_counter() - started


def _init_worker() -> None:
    threadpool_limits(1)  # one BLAS thread per worker: small matrices, no oversubscription


def is_up_to_date(rows: list[dict], clip: dict, output: Path, vocoders: list[str]) -> bool:
    """The last run made every image of this clip and of its vocoded copies, for the same split and
    label, after the audio changed."""
    if not rows or any(r["status"] != "ok" or r["split"] != clip["split"]
                       or r["label"] != ("FAKE" if r.get("vocoder") else clip["label"]) for r in rows):
        return False
    if {r.get("vocoder") or "" for r in rows} != {"", *vocoders}:
        return False
    source_time = Path(clip["path"]).stat().st_mtime
    images = [output / r["image"] for r in rows]
    return all(p.exists() and p.stat().st_mtime >= source_time for p in images)


def check_output_config(output: Path, config: SpectrogramConfig, overwrite: bool) -> None:
    if (output / CONFIG_FILENAME).exists() and not overwrite:
        old = SpectrogramConfig.load(output)
        diff = config.differences(old)
        if diff:
            detail = ", ".join(f"{k} {b!r} -> {a!r}" for k, (a, b) in diff.items())
            sys.exit(f"error: {output} holds images made with other settings ({detail}); "
                     f"use --overwrite or another --output")


def remove_stale_images(output: Path, rows: list[dict]) -> int:
    keep = {(output / r["image"]).resolve() for r in rows if r["image"]}
    stale = [p for split in SPLITS for p in (output / split).rglob("*.png")
             if p.resolve() not in keep]
    for path in stale:
        path.unlink()
    return len(stale)


def training_only(dataset: str) -> list:
    """A dataset's clips for the training split alone, named apart from the main input's, with the
    dataset as their origin when the layout gives none."""
    _, clips = find_clips(dataset)
    name = Path(dataset).parent.name if Path(dataset).is_file() else Path(dataset).name  # a manifest: its folder
    for clip in clips:
        clip.split, clip.key = "train", f"extra/{name}/{clip.key}"
        clip.group, clip.origin = f"extra:{name}:{clip.group}", clip.origin or f"extra:{name}"
    return clips


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as error:
        sys.exit(f"error: {error}")
    output = Path(args.output)
    try:
        layout, clips = find_clips(args.input, args.layout, args.group_regex)
        split_note = assign_splits(clips, args.val_fraction, args.test_fraction, args.seed)
        in_main_input = {clip.path for clip in clips}  # an extra clip that is also in val/test would leak
        extra = [clip for dataset in args.extra for clip in training_only(dataset) if clip.path not in in_main_input]
    except LayoutError as error:
        sys.exit(f"error: {error}")
    check_output_config(output, config, args.overwrite)
    output.mkdir(parents=True, exist_ok=True)
    config.save(output)
    print(f"{len(clips)} clips in {args.input} (layout: {layout}); {split_note}")
    if extra:
        print(f"+ {len(extra)} training-only clips from {', '.join(args.extra)}")
        clips = clips + extra

    max_windows = None if args.all_segments else args.segments
    options = {"segments": max_windows, "augment": args.augment, "seed": args.seed}
    if args.vocode:  # absent when off, so that outputs made before --vocode existed stay up to date
        options["vocode"] = args.vocode
    if MODEL_VOCODERS & set(args.vocode):  # another network makes other copies: they are rebuilt
        digests = [file_digest(model) for model in args.vocoder_model]
        options["vocoder_model"] = digests[0] if len(digests) == 1 else digests  # one: as before several existed
    if args.vocode and args.match_spectrum:
        options["match_spectrum"] = True
    if args.vocode and args.copy_above:
        options["copy_above"] = args.copy_above
    if len(args.vocode) > 1 and args.vocode_turns:
        options["vocode_turns"] = True
    if args.augment and args.vocode and args.clean_copies:
        options["clean_copies"] = True
    if args.augment:  # the channel now comes before the leading-silence trim: older copies are rebuilt
        options["channel_before_trim"] = True
    options_file = output / BUILD_OPTIONS_FILENAME
    same_options = options_file.exists() and json.loads(options_file.read_text()) == options
    old = previous_rows(output) if same_options and not args.overwrite else {}
    options_file.write_text(json.dumps(options) + "\n")
    kept, jobs = [], []
    copied, network_copies = 0, 0  # so far: REAL training clips (vocoders' turns), copies by a network (networks' turns)
    for clip, stem in zip(clips, output_stems(clips)):
        record = {**asdict(clip), "path": str(clip.path)}
        training = clip.split == "train"
        vocoders = args.vocode if training and clip.label == "REAL" else []
        if vocoders and args.vocode_turns:
            vocoders = [vocoders[copied % len(vocoders)]]
        job = {"config": config, "clip": record, "stem": stem, "output": output, "seed": args.seed,
               "max_windows": max_windows, "augment": args.augment if training else 0, "vocoders": vocoders,
               "vocoder_model": args.vocoder_model[network_copies % len(args.vocoder_model)],
               "match_spectrum": args.match_spectrum, "copy_above": args.copy_above,
               "clean_copies": args.clean_copies}
        copied += bool(vocoders)
        network_copies += bool(MODEL_VOCODERS & set(vocoders))
        if is_up_to_date(old.get(str(clip.path), []), record, output, job["vocoders"]):
            kept.extend(old[str(clip.path)])
        else:
            jobs.append(job)

    warm_up_seconds = warm_up(config) if jobs else 0.0
    started = time.perf_counter()
    rows = list(kept)
    progress = tqdm(total=len(jobs), unit="clip", desc="spectrograms", disable=not jobs)
    journal = Journal(output, resume=bool(old))
    if args.jobs > 1 and len(jobs) > 1:
        pool = multiprocessing.get_context(pool_start()).Pool(args.jobs, initializer=_init_worker)
        results = pool.imap_unordered(process_clip, jobs, chunksize=8)
    else:
        _init_worker()
        pool, results = None, map(process_clip, jobs)
    try:
        for result in results:
            rows.extend(result)
            journal.add(result)
            progress.update()
    finally:  # on Ctrl-C the journal keeps what was done, and the rerun skips it
        journal.close()
        if pool is not None:
            pool.terminate()
    progress.close()
    elapsed = time.perf_counter() - started

    write_manifest(output, rows)
    journal.remove()
    removed = remove_stale_images(output, rows)
    failed = [r for r in rows if r["status"] == "error"]
    failed_clips = sum(1 for r in failed if not r["vocoder"])
    made = sum(1 for r in rows if r["status"] == "ok") - sum(1 for r in kept)
    rate = len(jobs) / elapsed if elapsed > 0 and jobs else 0.0
    print(f"done: {made} images made from {len(jobs) - failed_clips} clips, {failed_clips} failed, "
          f"{len(clips) - len(jobs)} skipped (up to date); {rate:.1f} clips/s "
          f"(after {warm_up_seconds:.1f} s of warm-up)"
          + (f"; {len(failed) - failed_clips} vocoded copies failed" if len(failed) > failed_clips else "")
          + (f"; removed {removed} stale images" if removed else ""))
    for row in failed[:10]:
        print(f"  failed: {row['source']}{' (' + row['vocoder'] + ')' if row['vocoder'] else ''}: {row['error']}")
    if len(failed) > 10:
        print(f"  ... and {len(failed) - 10} more (see status=error rows in {output / MANIFEST_FILENAME})")
    counts = {}
    for row in rows:
        if row["status"] == "ok":
            counts[(row["split"], row["label"])] = counts.get((row["split"], row["label"]), 0) + 1
    print("images: " + ", ".join(f"{s}/{l} {n}" for (s, l), n in sorted(counts.items())))
    copies = sum(1 for row in rows if row["status"] == "ok" and row.get("vocoder"))
    if copies:
        print(f"  of which {copies} train/FAKE images are vocoded copies ({', '.join(args.vocode)}); "
              f"step 3's class weights rebalance the classes")
    print(f"wrote {output / MANIFEST_FILENAME} and {output / CONFIG_FILENAME}")
    if not counts:
        print("error: no clip could be converted", file=sys.stderr)
        return 1
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
