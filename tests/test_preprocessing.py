"""Step 1: layouts, bad input, images, splits, reruns."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from conftest import make_folder_dataset, write_clip
from preprocessing.audio import audio_windows, load_audio, split_windows
from preprocessing.audio_to_spectrogram import crossover, main as step1
from preprocessing.config import SpectrogramConfig
from preprocessing.layouts import find_clips
from preprocessing.manifest import copy_crossover_hz
from preprocessing.spectrogram import (_filterbank, audio_to_images, band_db, band_edges, band_frequencies,
                                       image_to_array, load_image_array)

CONFIG = SpectrogramConfig()


def read_rows(output: Path) -> list[dict]:
    with (output / "manifest.csv").open() as stream:
        return list(csv.DictReader(stream))


def test_pixels_go_back_to_the_levels_they_were_coloured_with():
    from preprocessing.spectrogram import colormap_lut, pixels_to_levels

    levels = np.random.default_rng(0).integers(0, 256, (2, 16, 16))
    for config in (SpectrogramConfig(), SpectrogramConfig(colormap="viridis"), SpectrogramConfig(gray=True)):
        pixels = (np.repeat(levels[..., None].astype(np.uint8), 3, axis=-1) if config.gray
                  else colormap_lut(config.colormap)[levels])
        found = pixels_to_levels(pixels, config)
        assert found.shape == levels.shape and found.min() >= 0
        recoloured = found[..., None] if config.gray else colormap_lut(config.colormap)[found]
        assert np.array_equal(recoloured, pixels[..., :1] if config.gray else pixels)  # the same colour back
        assert np.mean(found == levels) > 0.95  # and, but for colours the colormap repeats, the same level


def test_config_gives_exact_image_size_without_resizing():
    window = np.random.default_rng(0).standard_normal(CONFIG.clip_samples).astype(np.float32) * 0.1
    assert band_db(window, CONFIG).shape == (128, 128)
    assert CONFIG.n_mels == CONFIG.image_size == 128


def test_folder_layout_images_manifest_and_config(folder_dataset, tmp_path):
    output = tmp_path / "spec"
    assert step1(["--input", str(folder_dataset), "--output", str(output)]) == 0
    rows = read_rows(output)
    assert all(r["status"] == "ok" for r in rows)
    originals, copies = [r for r in rows if not r["vocoder"]], [r for r in rows if r["vocoder"]]
    assert len(originals) == 16  # and by default one FAKE copy of each REAL training clip from the shipped vocoder
    real_train = {r["source"] for r in originals if (r["split"], r["label"]) == ("train", "REAL")}
    assert sorted(r["source"] for r in copies) == sorted(real_train)
    assert all((r["split"], r["label"], r["vocoder"]) == ("train", "FAKE", "upsampling_net") for r in copies)
    assert json.loads((output / "build_options.json").read_text())["copy_above"] == 4000  # spliced copies
    assert copy_crossover_hz(output) == 4000 and copy_crossover_hz(tmp_path) == 0  # step 3 reads it back
    for column in ("source", "image", "label", "group", "split", "status", "error", "attack", "duration",
                   "sample_rate"):
        assert column in rows[0]
    assert {r["label"] for r in rows} == {"REAL", "FAKE"}
    for row in rows:
        path = output / row["image"]
        assert path.parts[-3:-1] == (row["split"], row["label"])
        with Image.open(path) as image:  # indexed colour, the colormap as palette: RGB when decoded
            assert image.size == (128, 128) and image.mode == "P"
            assert image_to_array(image, CONFIG).shape == (128, 128, 3)
    assert SpectrogramConfig.load(output) == CONFIG
    assert not list(output.rglob("*.part"))


def test_images_are_deterministic_and_match_the_prediction_path(folder_dataset, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    step1(["--input", str(folder_dataset), "--output", str(first), "--vocode", "none"])
    step1(["--input", str(folder_dataset), "--output", str(second), "--jobs", "2", "--vocode", "none"])
    for row in read_rows(first):
        pixels = load_image_array(first / row["image"], CONFIG)
        assert np.array_equal(pixels, load_image_array(second / row["image"], CONFIG))
        _, images = audio_to_images(row["source"], CONFIG)  # the code path inference uses
        assert np.array_equal(pixels, image_to_array(images[0], CONFIG))


def test_group_never_on_both_sides_of_a_split(tmp_path):
    root = tmp_path / "grouped"
    lines = ["path,label,group"]
    for speaker in range(12):
        for take in range(3):
            fake = speaker % 2 == 1
            name = f"s{speaker}_{take}.wav"
            write_clip(root / name, pitch=100 + 7 * speaker + take, seed=speaker * 10 + take, fake=fake)
            lines.append(f"{name},{'fake' if fake else 'real'},spk{speaker}")
    (root / "list.csv").write_text("\n".join(lines) + "\n")
    output = tmp_path / "spec"
    assert step1(["--input", str(root / "list.csv"), "--output", str(output)]) == 0
    splits_of_group = {}
    for row in read_rows(output):
        splits_of_group.setdefault(row["group"], set()).add(row["split"])
    assert all(len(splits) == 1 for splits in splits_of_group.values())
    assert {s for splits in splits_of_group.values() for s in splits} == {"train", "val", "test"}


def test_fake_or_real_layout_keeps_its_splits(tmp_path):
    root = tmp_path / "for-norm"
    for split in ("training", "validation", "testing"):
        for index in range(2):
            write_clip(root / split / "real" / f"r{index}.wav", seed=index)
            write_clip(root / split / "fake" / f"f{index}.wav", seed=10 + index, fake=True)
    layout, clips = find_clips(root)
    assert layout == "fake-or-real"
    output = tmp_path / "spec"
    step1(["--input", str(root), "--output", str(output), "--vocode", "none"])
    rows = read_rows(output)
    assert len(rows) == 12
    for row in rows:
        given = {"training": "train", "validation": "val", "testing": "test"}[Path(row["source"]).parts[-3]]
        assert row["split"] == given


def test_asvspoof_layout_reads_protocols_attacks_and_speakers(tmp_path):
    root = tmp_path / "LA"
    protocol_dir = root / "ASVspoof2019_LA_cm_protocols"
    protocol_dir.mkdir(parents=True)
    for part, short in (("train", "train.trn"), ("dev", "dev.trl"), ("eval", "eval.trl")):
        lines = []
        for index in range(3):
            utt = f"LA_{part[0].upper()}_{index:07d}"
            fake = index > 0
            write_clip(root / f"ASVspoof2019_LA_{part}" / "flac" / f"{utt}.flac", seed=index, fake=fake)
            lines.append(f"LA_00{index} {utt} - {'A0' + str(index) if fake else '-'} "
                         f"{'spoof' if fake else 'bonafide'}")
        (protocol_dir / f"ASVspoof2019.LA.cm.{short}.txt").write_text("\n".join(lines) + "\n")
    layout, clips = find_clips(root)
    assert layout == "asvspoof2019"
    assert {c.split for c in clips} == {"train", "val", "test"}
    assert {c.attack for c in clips} == {"bonafide", "A01", "A02"}
    assert {c.group for c in clips} == {"LA_000", "LA_001", "LA_002"}
    assert {c.label for c in clips if c.attack == "bonafide"} == {"REAL"}


def test_nested_synonym_folders_and_names_never_collide(tmp_path):
    root = tmp_path / "data"
    write_clip(root / "Bonafide" / "x.wav", seed=1)
    write_clip(root / "bonafide" / "deeper" / "x.wav", seed=2)
    write_clip(root / "Spoof" / "x.wav", seed=3, fake=True)
    sf.write(root / "Spoof" / "x.flac", np.zeros(8000, np.float32) + 0.01, 16000)
    write_clip(root / "REAL" / "y.wav", seed=4)
    write_clip(root / "FAKE" / "y.wav", seed=5, fake=True)
    (root / "Spoof" / "notes.txt").write_text("not audio")
    (root / "Spoof" / ".DS_Store").write_bytes(b"\0\1")
    layout, clips = find_clips(root)
    assert layout == "folders" and len(clips) == 6
    output = tmp_path / "spec"
    step1(["--input", str(root), "--output", str(output), "--val-fraction", "0.25", "--test-fraction", "0.25",
           "--vocode", "none"])
    images = [r["image"] for r in read_rows(output)]
    assert len(images) == len({Path(i).name for i in images}) == 6


def test_bad_and_odd_inputs_become_rows_not_crashes(tmp_path):
    root = make_folder_dataset(tmp_path / "audio", per_class=4)
    (root / "REAL" / "empty.wav").write_bytes(b"")
    (root / "REAL" / "text.wav").write_text("this is not audio")
    good = (root / "REAL" / "real_0.wav").read_bytes()
    (root / "FAKE" / "truncated.wav").write_bytes(good[:30])
    sf.write(root / "REAL" / "silent.wav", np.zeros(16000 * 2, np.float32), 16000)
    write_clip(root / "REAL" / "short.wav", seconds=0.4, seed=7)
    write_clip(root / "FAKE" / "long.wav", seconds=40, seed=8, fake=True)
    write_clip(root / "FAKE" / "stereo48k.wav", sample_rate=48000, channels=2, seed=9, fake=True)
    output = tmp_path / "spec"
    assert step1(["--input", str(root), "--output", str(output)]) == 0
    rows = {Path(r["source"]).name: r for r in read_rows(output)}
    for name in ("empty.wav", "text.wav", "truncated.wav"):
        assert rows[name]["status"] == "error" and rows[name]["error"], name
    for name in ("silent.wav", "short.wav", "long.wav", "stereo48k.wav"):
        assert rows[name]["status"] == "ok", rows[name]["error"]
    assert rows["stereo48k.wav"]["sample_rate"] == "48000"
    assert float(rows["long.wav"]["duration"]) == pytest.approx(40, abs=0.01)
    assert step1(["--input", str(root), "--output", str(tmp_path / "strict"), "--strict"]) == 1


def test_no_usable_clip_is_a_failure(tmp_path):
    root = tmp_path / "bad"
    (root / "REAL").mkdir(parents=True)
    (root / "FAKE").mkdir()
    for index in range(3):
        (root / "REAL" / f"{index}.wav").write_text("nope")
        (root / "FAKE" / f"{index}.wav").write_text("nope")
    assert step1(["--input", str(root), "--output", str(tmp_path / "spec")]) == 1


def test_short_clips_are_padded_with_silence_not_stretched():
    samples = np.full(int(0.5 * CONFIG.sample_rate), 0.1, np.float32)
    samples[::2] = -0.1
    (window,) = split_windows(samples, CONFIG)
    assert len(window) == CONFIG.clip_samples
    assert np.all(window[len(samples):] == 0)
    assert np.any(window[:len(samples)] != 0)


def test_leading_silence_is_trimmed_only_when_asked(tmp_path):
    path = write_clip(tmp_path / "lead.wav", seconds=2, lead_silence=1.5)
    audio, (window,) = audio_windows(path, CONFIG)
    assert audio.speech_start == pytest.approx(1.5 * CONFIG.sample_rate, abs=0.1 * CONFIG.sample_rate)  # frame precision
    assert np.abs(window[:CONFIG.sample_rate // 10]).max() > 0.01  # the window starts with speech
    untouched, (kept,) = audio_windows(path, SpectrogramConfig(trim_leading_silence=False))
    assert untouched.speech_start == 0 and np.abs(kept[:CONFIG.sample_rate]).max() < 1e-3


def test_segments_share_the_file_group(tmp_path):
    write_clip(tmp_path / "audio" / "REAL" / "talk.wav", seconds=9.5, seed=1)  # 3 windows + short tail
    for index in range(3):
        write_clip(tmp_path / "audio" / "REAL" / f"r{index}.wav", seed=2 + index)
        write_clip(tmp_path / "audio" / "FAKE" / f"f{index}.wav", seed=6 + index, fake=True)
    output = tmp_path / "spec"
    step1(["--input", str(tmp_path / "audio"), "--output", str(output), "--all-segments"])
    talk = [r for r in read_rows(output) if r["source"].endswith("talk.wav")]
    assert len(talk) == 3 and len({r["group"] for r in talk}) == 1 and len({r["split"] for r in talk}) == 1


def test_rerun_skips_up_to_date_clips_and_other_settings_are_refused(folder_dataset, tmp_path, capsys):
    output = tmp_path / "spec"
    step1(["--input", str(folder_dataset), "--output", str(output)])
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*.png")}
    capsys.readouterr()
    step1(["--input", str(folder_dataset), "--output", str(output)])
    assert "16 skipped" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*.png")} == before
    with pytest.raises(SystemExit, match="other settings"):
        step1(["--input", str(folder_dataset), "--output", str(output), "--no-trim"])


def test_augmented_copies_only_in_training_split(folder_dataset, tmp_path):
    output = tmp_path / "spec"
    step1(["--input", str(folder_dataset), "--output", str(output), "--augment", "2", "--vocode", "none"])
    rows = read_rows(output)
    augmented = [r for r in rows if r["variant"] != "0"]
    assert augmented and {r["split"] for r in augmented} == {"train"}
    train_sources = {r["source"] for r in rows if r["split"] == "train"}
    assert len(augmented) == 2 * len(train_sources)


def test_every_supported_format_gives_nearly_the_same_image(tmp_path):
    """wav, flac, ogg and mp3 of one clip decode to the same picture (lossy codecs within a few levels)."""
    from conftest import voice_like

    samples = voice_like(3.5, 22050, 140.0, seed=3)
    paths = {ext: tmp_path / f"clip.{ext}" for ext in ("wav", "flac", "ogg", "mp3")}
    for ext, path in paths.items():
        sf.write(path, samples, 22050, format=ext.upper() if ext != "ogg" else "OGG")
    reference = image_to_array(audio_to_images(paths["wav"], CONFIG)[1][0], CONFIG).astype(int)
    for ext, path in paths.items():
        audio, images = audio_to_images(path, CONFIG)
        assert audio.original_rate == 22050 and audio.duration == pytest.approx(3.5, abs=0.1), ext
        levels = image_to_array(images[0], CONFIG).astype(int)
        assert np.median(np.abs(levels - reference)) <= (0 if ext in ("wav", "flac") else 12), ext


def test_m4a_without_ffmpeg_is_an_error_row_that_names_ffmpeg(tmp_path):
    import shutil

    if shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is installed: m4a decodes")
    root = make_folder_dataset(tmp_path / "audio", per_class=3)
    (root / "REAL" / "phone.m4a").write_bytes(b"\0\0\0\x18ftypM4A " + bytes(200))
    output = tmp_path / "spec"
    assert step1(["--input", str(root), "--output", str(output)]) == 0
    row = next(r for r in read_rows(output) if r["source"].endswith("phone.m4a"))
    assert row["status"] == "error" and "ffmpeg" in row["error"]


@pytest.mark.parametrize("scale", ["mel", "linear", "mel-linear"])
def test_a_tone_lands_in_the_row_of_its_frequency(scale):
    config = SpectrogramConfig(frequency_scale=scale)
    centres = band_frequencies(config)
    assert len(centres) == config.n_mels and np.all(np.diff(centres) > 0)
    t = np.arange(config.clip_samples) / config.sample_rate
    for hz in (300.0, 2500.0, 6500.0):
        loudest = band_db((0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), config).mean(axis=1).argmax()
        assert abs(centres[loudest] - hz) <= np.diff(band_edges(config))[loudest:loudest + 2].max()
    image = image_to_array(audio_to_images(_tone_wav(6500.0, config), config)[1][0], config)
    brightest_row = image.sum(axis=(1, 2)).argmax()
    assert brightest_row == config.image_size - 1 - np.argmin(np.abs(centres - 6500.0))  # low bands at the bottom


def test_multi_resolution_channels_are_the_same_bands_at_three_window_lengths():
    from preprocessing.spectrogram import pixels_to_levels, silence_pixel

    config = SpectrogramConfig(multi_resolution=True)
    assert config.window_lengths == (256, 512, 1024) and config.channels == 3 and not config.colour_coded
    picture = image_to_array(audio_to_images(_tone_wav(500.0, config), config)[1][0], config)
    plain = image_to_array(audio_to_images(_tone_wav(500.0, CONFIG), CONFIG)[1][0], CONFIG)
    assert picture.shape == (128, 128, 3)
    assert np.array_equal(pixels_to_levels(picture, config), pixels_to_levels(plain, CONFIG))  # green: step 1's window
    rows = picture[:, 8:-8].mean(axis=1)  # (rows, channels)
    assert np.ptp(rows.argmax(axis=0)) <= 1  # the tone's row (or its neighbour), in every channel
    lit = (rows > rows.max(axis=0) - 20 * 255 / 80).sum(axis=0)  # rows within 20 dB of the tone's
    assert lit[0] > lit[1] > lit[2]  # a longer window resolves frequency more finely
    assert np.array_equal(silence_pixel(config), [0, 0, 0])
    with pytest.raises(ValueError, match="exclude each other"):
        SpectrogramConfig(gray=True, multi_resolution=True).validate()
    from preprocessing.config import ConfigMismatchError, require_same_config
    with pytest.raises(ConfigMismatchError, match="multi_resolution: False vs True"):
        require_same_config(CONFIG, config, "images")


def _tone_wav(hz: float, config: SpectrogramConfig) -> bytes:
    t = np.arange(config.clip_samples) / config.sample_rate
    buffer = io.BytesIO()
    sf.write(buffer, (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), config.sample_rate, format="WAV")
    return buffer.getvalue()


@pytest.mark.parametrize("n_fft,win_length", [(1024, 512), (512, 400), (2048, 2048)])
def test_band_power_is_exactly_librosas_stft(n_fft, win_length):
    """band_db's own framing must give librosa.stft's numbers bit for bit: a shipped model's
    image fingerprint (and every trained model) depends on the pixels staying the same."""
    import librosa

    config = SpectrogramConfig(n_fft=n_fft, win_length=win_length)
    window = (0.1 * np.random.default_rng(n_fft).standard_normal(config.clip_samples)).astype(np.float32)
    stft = librosa.stft(window, n_fft=n_fft, hop_length=config.hop_length, win_length=win_length, center=False)
    power = np.abs(stft[:, :config.image_size]) ** 2
    expected = librosa.power_to_db(_filterbank(config) @ power, ref=1.0, amin=1e-12, top_db=None)
    assert np.array_equal(band_db(window, config), expected)


def test_pre_emphasis_on_the_spectrum_is_the_filter_on_the_samples_and_lifts_only_the_high_band():
    """The lift is applied to the spectrum (the audio and its level normalisation stay as they are);
    it must picture what y[n] = x[n] - a x[n-1] on the samples would, and stay off by default."""
    import scipy.signal
    from preprocessing.config import ConfigMismatchError, require_same_config

    plain, emphasised = SpectrogramConfig(), SpectrogramConfig(pre_emphasis=0.97)
    window = (0.1 * np.random.default_rng(3).standard_normal(plain.clip_samples)).astype(np.float32)
    filtered = scipy.signal.lfilter([1.0, -0.97], [1.0], window).astype(np.float32)
    centres = band_frequencies(plain)
    rows = centres > 200  # below, a 20 Hz-wide band's share of a 16 Hz FFT bin is coarse
    assert np.abs(band_db(window, emphasised) - band_db(filtered, plain))[rows].mean() < 0.5
    lift = (band_db(window, emphasised) - band_db(window, plain)).mean(axis=1)
    assert lift[centres > 6000].min() > 4.0 and lift[centres < 300].max() < -15.0
    before = {k: v for k, v in plain.to_dict().items() if k != "pre_emphasis"}  # a config.json from before the field
    assert SpectrogramConfig.from_dict(before) == plain
    with pytest.raises(ConfigMismatchError, match="pre_emphasis: 0.0 vs 0.97"):
        require_same_config(plain, emphasised, "images")
    with pytest.raises(ValueError, match="pre_emphasis"):
        SpectrogramConfig(pre_emphasis=1.0).validate()


def test_linear_rows_are_evenly_spaced_and_keep_the_high_band():
    mel, linear = (band_frequencies(SpectrogramConfig(frequency_scale=s)) for s in ("mel", "linear"))
    assert np.allclose(np.diff(linear), np.diff(linear)[0])
    assert (linear >= 4000).sum() > 2 * (mel >= 4000).sum()  # mel squeezes 4-8 kHz into few rows


def test_mel_linear_rows_are_mel_below_the_split_and_even_above_it():
    config = SpectrogramConfig(frequency_scale="mel-linear", split_hz=3000.0)
    edges, mel = band_edges(config), band_edges(SpectrogramConfig(fmax=3000.0, n_mels=63))
    assert np.allclose(edges[:65], mel[:65]) and np.isclose(edges[64], 3000.0)  # the lower half: mel rows up to the split
    steps = np.diff(edges[64:])
    assert len(steps) == 65 and np.allclose(steps, (8000.0 - 3000.0) / 65)
    with pytest.raises(ValueError, match="split_hz"):
        SpectrogramConfig(frequency_scale="mel-linear", split_hz=9000.0).validate()


def test_every_config_field_is_a_step1_flag(folder_dataset, tmp_path):
    output = tmp_path / "spectrograms"
    assert step1(["--input", str(folder_dataset), "--output", str(output), "--frequency-scale", "linear",
                  "--n-fft", "512", "--fmin", "50", "--no-trim"]) == 0
    saved = SpectrogramConfig.load(output)
    assert (saved.frequency_scale, saved.n_fft, saved.fmin, saved.trim_leading_silence) == ("linear", 512, 50.0, False)
    assert saved.fmax == SpectrogramConfig.fmax and saved.remove_dc  # untouched fields keep their defaults
    with pytest.raises(SystemExit):
        step1(["--input", str(folder_dataset), "--output", str(output), "--frequency-scale", "bark"])


def test_a_model_refuses_images_of_another_frequency_scale():
    from preprocessing.config import ConfigMismatchError, require_same_config

    with pytest.raises(ConfigMismatchError, match="frequency_scale: 'mel' vs 'linear'"):
        require_same_config(SpectrogramConfig(), SpectrogramConfig(frequency_scale="linear"), "images")


def test_window_peak_reference_anchors_the_range_to_the_speech_not_the_recording_level():
    from preprocessing.config import ConfigMismatchError, require_same_config
    from preprocessing.spectrogram import db_to_pixels

    t = np.arange(SpectrogramConfig().clip_samples) / 16000
    tone = (np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 2 * t))).astype(np.float32)
    for reference in ("full_scale", "window_peak"):
        config = SpectrogramConfig(db_reference=reference, normalize_level=False)
        loud, quiet = (db_to_pixels(band_db(gain * tone, config), config) for gain in (0.03, 0.003))
        if reference == "window_peak":  # 20 dB quieter, the same picture, its peak at the ceiling
            assert loud.max() == 255 and np.abs(loud.astype(int) - quiet).max() <= 1
        else:
            assert abs(int(loud.max()) - int(quiet.max()) - 20 * 255 / 80) <= 1  # 20 dB darker
    with pytest.raises(ConfigMismatchError, match="db_reference"):
        require_same_config(SpectrogramConfig(), SpectrogramConfig(db_reference="window_peak"), "images")
    with pytest.raises(ValueError, match="db_reference 'max' is not one of"):
        SpectrogramConfig(db_reference="max").validate()


def test_an_interrupted_run_resumes_where_it_stopped(folder_dataset, tmp_path, capsys, monkeypatch):
    import preprocessing.audio_to_spectrogram as step1_module
    from preprocessing.manifest import JOURNAL_FILENAME

    real_process_clip, done = step1_module.process_clip, []

    def interrupted_after_five(job):
        if len(done) == 5:
            raise KeyboardInterrupt  # what Ctrl-C does in the middle of a run
        done.append(job["clip"]["path"])
        return real_process_clip(job)

    output = tmp_path / "spec"
    monkeypatch.setattr(step1_module, "process_clip", interrupted_after_five)
    with pytest.raises(KeyboardInterrupt):
        step1(["--input", str(folder_dataset), "--output", str(output), "--vocode", "none"])
    assert not (output / "manifest.csv").exists() and (output / JOURNAL_FILENAME).exists()
    monkeypatch.setattr(step1_module, "process_clip", real_process_clip)
    capsys.readouterr()
    assert step1(["--input", str(folder_dataset), "--output", str(output), "--vocode", "none"]) == 0
    out = capsys.readouterr().out
    assert "11 images made from 11 clips" in out and "5 skipped" in out
    assert len(read_rows(output)) == 16 and not (output / JOURNAL_FILENAME).exists()
    assert {r["source"] for r in read_rows(output)} >= set(done)


def test_label_from_the_nearest_labelled_folder(tmp_path):
    from preprocessing.layouts import label_from_path

    assert label_from_path("data/fake/speaker_real_1/x.wav") == "FAKE"  # folder names, not file parts
    assert label_from_path("data/Bonafide/spoofed/real/x.wav") == "REAL"  # the nearest folder wins
    assert label_from_path("data/clips/x.wav") is None
    assert label_from_path(tmp_path / "REAL" / "FAKE" / "x.wav", tmp_path / "REAL") == "FAKE"
    assert label_from_path(tmp_path / "REAL" / "x.wav", tmp_path / "REAL") is None  # the root does not count


def test_vocoded_copies_are_training_fakes_of_real_clips_only(folder_dataset, tmp_path, capsys):
    from preprocessing.manifest import original_images, read_manifest

    output = tmp_path / "spec"
    assert step1(["--input", str(folder_dataset), "--output", str(output), "--vocode", "world", "griffin_lim"]) == 0
    rows = read_rows(output)
    copies = [r for r in rows if r["vocoder"]]
    originals = [r for r in rows if not r["vocoder"]]
    real_train = {r["source"]: r for r in originals if r["split"] == "train" and r["label"] == "REAL"}
    assert len(originals) == 16 and all(r["attack"] in ("", "bonafide") for r in originals)
    assert sorted((r["source"], r["vocoder"]) for r in copies) == \
        sorted((source, name) for source in real_train for name in ("world", "griffin_lim"))
    for copy in copies:
        assert (copy["split"], copy["label"], copy["status"]) == ("train", "FAKE", "ok")
        assert copy["group"] == real_train[copy["source"]]["group"]
        assert copy["attack"] == f"copy-synthesis:{copy['vocoder']}" and copy["variant"] != "0"
        assert copy["image"].startswith("train/FAKE/") and f"_voc-{copy['vocoder']}" in copy["image"]
    assert len({r["image"] for r in rows}) == len(rows)
    assert not set(original_images(read_manifest(output))["vocoder"]) - {""}
    assert f"of which {len(copies)} train/FAKE images are vocoded copies" in capsys.readouterr().out

    step1(["--input", str(folder_dataset), "--output", str(output), "--vocode", "world", "griffin_lim"])
    assert "16 skipped" in capsys.readouterr().out
    again = tmp_path / "again"  # the copies (griffin_lim's random phase too) are seeded per clip
    step1(["--input", str(folder_dataset), "--output", str(again), "--vocode", "griffin_lim"])
    for copy in (r for r in copies if r["vocoder"] == "griffin_lim"):
        assert np.array_equal(np.asarray(Image.open(output / copy["image"])),
                              np.asarray(Image.open(again / copy["image"])))
    step1(["--input", str(folder_dataset), "--output", str(output), "--vocode", "none"])  # another list rebuilds
    assert "0 skipped" in capsys.readouterr().out and not any(r["vocoder"] for r in read_rows(output))


def test_vocoder_model_is_a_flag_and_another_model_rebuilds_the_copies(folder_dataset, spectrogram_dir, tmp_path,
                                                                        capsys):
    from synthesis import neural_vocoder

    models = [tmp_path / "a.keras", tmp_path / "b.keras"]
    for seed, (model, upsampling) in enumerate(zip(models, neural_vocoder.UPSAMPLERS)):
        assert neural_vocoder.main(["--data", str(spectrogram_dir), "--output", str(model), "--steps", "2",
                                    "--seed", str(seed), "--upsampling", upsampling]) == 0
    output = tmp_path / "spec"
    command = ["--input", str(folder_dataset), "--output", str(output), "--vocode", "upsampling_net", "--vocoder-model"]
    with pytest.raises(SystemExit):
        step1(command + [str(tmp_path / "missing.keras")])
    assert "vocoder model" in capsys.readouterr().err and not output.exists()

    assert step1(command + [str(models[0])]) == 0
    copies = [r for r in read_rows(output) if r["vocoder"]]
    assert copies and all(r["status"] == "ok" and r["vocoder"] == "upsampling_net" for r in copies)
    first = {r["image"]: np.asarray(Image.open(output / r["image"])) for r in copies}
    capsys.readouterr()
    step1(command + [str(models[0])])
    assert "16 skipped" in capsys.readouterr().out
    step1(command + [str(models[1])])  # another network: every copy is made again, by it
    assert "0 skipped" in capsys.readouterr().out
    second = {image: np.asarray(Image.open(output / image)) for image in first}
    assert not any(np.array_equal(pixels, second[image]) for image, pixels in first.items())

    step1(command + [str(model) for model in models])  # both: each clip's one copy comes from one of them
    copies = [r for r in read_rows(output) if r["vocoder"]]
    made_by = {r["image"]: r["attack"].removeprefix("copy-synthesis:upsampling_net:") for r in copies}
    assert sorted(made_by) == sorted(first) and set(made_by.values()) == {"a", "b"}
    for image, stem in made_by.items():
        assert np.array_equal(np.asarray(Image.open(output / image)), (first if stem == "a" else second)[image])


def test_network_copies_are_the_same_from_two_workers_started_after_tensorflow(folder_dataset, tmp_path):
    import keras  # noqa: F401  (TensorFlow running in this process: workers are spawned, not forked)
    from preprocessing.audio_to_spectrogram import pool_start

    assert pool_start() == "spawn"
    one, two = tmp_path / "one", tmp_path / "two"
    assert step1(["--input", str(folder_dataset), "--output", str(one), "--vocode", "upsampling_net"]) == 0
    assert step1(["--input", str(folder_dataset), "--output", str(two), "--vocode", "upsampling_net", "--jobs", "2"]) == 0
    copies = [r["image"] for r in read_rows(one) if r["vocoder"]]
    assert copies and sorted(copies) == sorted(r["image"] for r in read_rows(two) if r["vocoder"])
    for image in copies:
        assert np.array_equal(load_image_array(one / image, CONFIG), load_image_array(two / image, CONFIG))


def test_match_spectrum_changes_only_the_copies_and_rebuilds_them(folder_dataset, tmp_path, capsys):
    output = tmp_path / "spec"
    command = ["--input", str(folder_dataset), "--output", str(output), "--vocode", "griffin_lim"]
    assert step1(command) == 0
    before = {r["image"]: load_image_array(output / r["image"], CONFIG) for r in read_rows(output)}
    capsys.readouterr()
    assert step1(command + ["--match-spectrum"]) == 0
    assert "0 skipped" in capsys.readouterr().out
    rows = read_rows(output)
    assert sorted(r["image"] for r in rows) == sorted(before)
    for row in rows:
        same = np.array_equal(before[row["image"]], load_image_array(output / row["image"], CONFIG))
        assert same == (not row["vocoder"])  # originals untouched, every copy filtered


def test_copy_above_splices_only_the_copies_and_refuses_a_frequency_past_nyquist(folder_dataset, tmp_path, capsys):
    output = tmp_path / "spec"
    command = ["--input", str(folder_dataset), "--output", str(output), "--vocode", "griffin_lim", "unit_selection"]
    assert step1(command + ["--copy-above", "0"]) == 0  # whole copies
    before = {r["image"]: load_image_array(output / r["image"], CONFIG) for r in read_rows(output)}
    capsys.readouterr()
    assert step1(command) == 0  # the default: spliced above 4 kHz
    assert "0 skipped" in capsys.readouterr().out
    rows = read_rows(output)
    original = {r["source"]: load_image_array(output / r["image"], CONFIG) for r in rows if not r["vocoder"]}
    low = slice(CONFIG.image_size // 2, None)  # the lower half of the picture, far below 4 kHz
    copies = [r for r in rows if r["vocoder"]]
    assert {r["vocoder"] for r in copies} == {"griffin_lim", "unit_selection"}
    for row in rows:
        after = load_image_array(output / row["image"], CONFIG)
        if row["vocoder"] in ("", "unit_selection"):  # originals, and copies whose time is rearranged: never spliced
            assert np.array_equal(before[row["image"]], after)
            continue
        distance_before = np.abs(before[row["image"]][low] - original[row["source"]][low]).mean()
        distance_after = np.abs(after[low] - original[row["source"]][low]).mean()
        assert distance_after < 0.2 * distance_before  # the low band is now the original's
    with pytest.raises(SystemExit):
        step1(command + ["--copy-above", "9000"])
    assert "between 0 and Nyquist (8000 Hz)" in capsys.readouterr().err


def test_vocode_turns_gives_each_real_training_clip_one_copy_from_each_vocoder_in_turn(folder_dataset, tmp_path):
    output = tmp_path / "spec"
    command = ["--input", str(folder_dataset), "--output", str(output), "--vocode", "griffin_lim", "unit_selection"]
    assert step1(command + ["--vocode-turns"]) == 0
    rows = read_rows(output)
    real_train = sorted(r["source"] for r in rows if not r["vocoder"] and r["split"] == "train" and r["label"] == "REAL")
    copies = [r for r in rows if r["vocoder"]]
    assert sorted(r["source"] for r in copies) == real_train  # one copy per clip, not two
    made = [r["vocoder"] for r in copies]
    assert abs(made.count("griffin_lim") - made.count("unit_selection")) <= 1 and len(set(made)) == 2
    assert json.loads((output / "build_options.json").read_text())["vocode_turns"] is True
    assert step1(command) == 0  # without turns: every clip gets both copies again
    assert sum(bool(r["vocoder"]) for r in read_rows(output)) == 2 * len(real_train)


def test_copy_above_range_draws_one_crossover_per_copy_inside_it(folder_dataset, tmp_path, capsys):
    rng = np.random.default_rng(0)
    drawn = [crossover([2000.0, 6000.0], rng) for _ in range(200)]
    assert 2000 <= min(drawn) < 2500 and 5500 < max(drawn) <= 6000  # spread over the range, never outside
    assert crossover(4000.0, rng) == 4000.0
    output = tmp_path / "spec"
    command = ["--input", str(folder_dataset), "--output", str(output), "--vocode", "griffin_lim"]
    assert step1(command + ["--copy-above", "2000", "6000"]) == 0
    assert json.loads((output / "build_options.json").read_text())["copy_above"] == [2000, 6000]
    assert copy_crossover_hz(output) == 6000  # the highest a copy may have
    assert any(r["vocoder"] for r in read_rows(output))
    for wrong in (["6000", "2000"], ["1000", "2000", "3000"], ["2000", "9000"]):
        with pytest.raises(SystemExit):
            step1(command + ["--copy-above", *wrong])
        assert "a range LOW HIGH" in capsys.readouterr().err


def test_unknown_vocoder_is_a_one_line_error_naming_the_known_ones(folder_dataset, tmp_path, capsys):
    with pytest.raises(SystemExit):
        step1(["--input", str(folder_dataset), "--output", str(tmp_path / "spec"), "--vocode", "world", "wrold"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "unknown vocoder 'wrold'" in error and "griffin_lim" in error
    assert not (tmp_path / "spec").exists()


def test_a_failing_vocoder_loses_only_its_copy_and_copies_are_augmented(tmp_path, monkeypatch):
    from synthesis.vocoders import VOCODERS

    def broken(samples, sample_rate, rng):
        raise RuntimeError("vocoder broke")

    monkeypatch.setitem(VOCODERS, "lpc", broken)
    root = make_folder_dataset(tmp_path / "audio", per_class=4)
    output = tmp_path / "spec"
    assert step1(["--input", str(root), "--output", str(output), "--vocode", "lpc", "griffin_lim",
                  "--augment", "1"]) == 0
    rows = read_rows(output)
    assert sum(not r["vocoder"] and r["variant"] == "0" for r in rows) == 8
    broken_rows = [r for r in rows if r["vocoder"] == "lpc"]
    assert broken_rows and all(r["status"] == "error" and r["error"] == "vocoder broke" for r in broken_rows)
    copies = [r for r in rows if r["vocoder"] == "griffin_lim"]
    assert all(r["status"] == "ok" for r in copies)
    assert sorted(r["variant"] for r in copies) == sorted(["4", "5"] * len(broken_rows))  # 0-1 clip, 2-3 lpc


def test_step3_trains_on_vocoded_copies(tmp_path):
    from model.train_cnn_model import main as train

    root = make_folder_dataset(tmp_path / "audio", per_class=6)
    output = tmp_path / "spec"
    assert step1(["--input", str(root), "--output", str(output), "--vocode", "griffin_lim"]) == 0
    assert any(r["vocoder"] for r in read_rows(output))
    assert train(["--data", str(output), "--output", str(tmp_path / "run"), "--epochs", "1",
                  "--batch-size", "8"]) == 0


def test_extra_datasets_only_ever_train(folder_dataset, tmp_path):
    extra = make_folder_dataset(tmp_path / "tts", per_class=3)
    output = tmp_path / "spec"
    assert step1(["--input", str(folder_dataset), "--output", str(output), "--extra", str(extra), "--vocode", "none"]) == 0
    rows = read_rows(output)
    from_extra = [r for r in rows if r["source"].startswith(str(extra))]
    assert len(from_extra) == 6 and {r["split"] for r in from_extra} == {"train"}
    assert {r["origin"] for r in from_extra} == {"extra:tts"} and all(r["group"].startswith("extra:") for r in from_extra)
    assert len(rows) == 16 + 6 and len({r["image"] for r in rows}) == len(rows)
    assert {r["split"] for r in rows if r not in from_extra} == {"train", "val", "test"}


def test_a_real_only_extra_manifest_trains_with_its_vocoded_copies(folder_dataset, tmp_path):
    """What `synthesis/build_demo_dataset.py --real-only` writes: REAL clips in a manifest, whose FAKE side
    is step 1's own copy-synthesis."""
    extra = tmp_path / "debian-real"
    for index in range(3):
        write_clip(extra / "REAL" / "spk" / f"{index}.wav", pitch=140 + 7 * index, seed=50 + index)
    (extra / "manifest.csv").write_text("path,label,group,source\n" + "".join(
        f"REAL/spk/{index}.wav,real,spk,klettres\n" for index in range(3)))
    output = tmp_path / "spec"
    assert step1(["--input", str(folder_dataset), "--output", str(output), "--extra", str(extra / "manifest.csv"),
                  "--vocode", "griffin_lim"]) == 0
    from_extra = [r for r in read_rows(output) if r["group"].startswith("extra:")]
    assert {r["group"] for r in from_extra} == {"extra:debian-real:spk"} and {r["split"] for r in from_extra} == {"train"}
    assert sorted(r["label"] for r in from_extra) == ["FAKE"] * 3 + ["REAL"] * 3
    assert all(r["vocoder"] == "griffin_lim" for r in from_extra if r["label"] == "FAKE")


def test_extra_clips_already_in_the_input_are_not_added_twice(folder_dataset, tmp_path, capsys):
    output = tmp_path / "spec"
    assert step1(["--input", str(folder_dataset), "--output", str(output), "--extra", str(folder_dataset),
                  "--vocode", "none"]) == 0
    rows = read_rows(output)
    assert len(rows) == 16 and len({r["source"] for r in rows}) == 16  # no test clip also in train


def test_bad_image_settings_are_one_line_errors(folder_dataset, tmp_path):
    with pytest.raises(SystemExit, match="n_mels .* must equal image_size"):
        step1(["--input", str(folder_dataset), "--output", str(tmp_path / "s"), "--n-mels", "64"])


def test_clean_copies_keep_augmentation_for_the_clips_only(tmp_path):
    root = make_folder_dataset(tmp_path / "audio", per_class=4)
    output = tmp_path / "spec"
    assert step1(["--input", str(root), "--output", str(output), "--vocode", "griffin_lim", "--augment", "1",
                  "--clean-copies"]) == 0
    rows = read_rows(output)
    copies = [r for r in rows if r["vocoder"]]
    train_clips = [r for r in rows if not r["vocoder"] and r["split"] == "train"]
    assert copies and {r["variant"] for r in copies} == {"2"}  # variant 3 would be the copy's channel
    assert {r["variant"] for r in train_clips} == {"0", "1"}  # both classes still get their channel
    assert {r["label"] for r in train_clips if r["variant"] == "1"} == {"REAL", "FAKE"}
    assert json.loads((output / "build_options.json").read_text())["clean_copies"] is True
