"""synthesis/: every vocoder keeps length and rate and changes the sound; the TTS engines speak."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import voice_like
from synthesis import tts, vocoders

RATE = 16000
SPEECH = voice_like(1.5, RATE, 140, seed=0)


@pytest.mark.parametrize("name", list(vocoders.VOCODERS))
@pytest.mark.parametrize("rate", [RATE, 22050])
def test_vocoder_keeps_length_and_rate_and_changes_the_audio(name, rate):
    if missing := vocoders.NEEDS[name].missing():
        pytest.skip(f"{name} needs {', '.join(missing)}")
    speech = voice_like(1.5, rate, 140, seed=0)
    copy = vocoders.VOCODERS[name](speech, rate, np.random.default_rng(0))
    assert copy.dtype == np.float32 and copy.shape == speech.shape and np.all(np.isfinite(copy))
    difference = np.sqrt(np.mean((copy - speech) ** 2) / np.mean(speech ** 2))
    assert difference > 0.05                                  # not the input
    level_db = 10 * np.log10(np.mean(copy ** 2) / np.mean(speech ** 2))
    assert abs(level_db) < 6                                  # but speech at about the same level


def test_world_and_griffin_lim_are_available():
    """The vocoders that need only requirements-demo.txt (pyworld) and librosa (make test installs both)."""
    assert {"world", "griffin_lim", "lpc"} <= set(vocoders.available_vocoders())


def test_unknown_or_missing_vocoder_is_a_clear_error(monkeypatch):
    with pytest.raises(vocoders.VocoderError, match="unknown vocoder 'wavenet'.*griffin_lim"):
        vocoders.check_vocoders(["griffin_lim", "wavenet"])
    monkeypatch.setitem(vocoders.NEEDS, "world", vocoders.Needs(tools=("no-such-tool",)))
    with pytest.raises(vocoders.VocoderError, match="'world' needs no-such-tool \\(not installed\\)"):
        vocoders.check_vocoders(["world"])
    assert "world" not in vocoders.available_vocoders()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_voice_gives_speech_at_the_asked_rate():
    samples = tts.synthesize(tts.Voice("espeak-ng", "en-us"), "Thank you.", RATE, np.random.default_rng(0))
    assert samples.dtype == np.float32
    assert 0.3 * RATE < len(samples) < 3 * RATE and np.abs(samples).max() > 0.01


def test_available_engines_lists_only_installed_voices():
    engines = tts.available_engines(["en", "fr"])
    assert set(engines) <= set(tts.SYNTHESISERS)
    if "espeak-ng" in engines:
        assert tts.Voice("espeak-ng", "fr+m3", "fr") in engines["espeak-ng"]


@pytest.mark.parametrize("upsampling, source", [("transposed", False), ("nearest", False), ("transposed", True)])
def test_upsampling_net_trains_on_real_training_clips_and_keeps_length_and_rate(upsampling, source, spectrogram_dir,
                                                                                 tmp_path, capsys, monkeypatch):
    from preprocessing.manifest import read_manifest
    from synthesis import neural_vocoder

    model_path = tmp_path / "net.keras"
    monkeypatch.setitem(vocoders.NEEDS, "upsampling_net",
                        vocoders.Needs(files=((model_path, "train it: python synthesis/neural_vocoder.py"),)))
    with pytest.raises(vocoders.VocoderError, match="net.keras \\(train it"):
        vocoders.check_vocoders(["upsampling_net"])
    assert neural_vocoder.main(["--data", str(spectrogram_dir), "--output", str(model_path), "--steps", "4",
                                "--upsampling", upsampling] + ["--source"] * source) == 0
    train = read_manifest(spectrogram_dir, "train")
    assert f"trained on {train.loc[train['label'] == 'REAL', 'source'].nunique()} clips" in capsys.readouterr().out
    vocoders.check_vocoders(["upsampling_net"])
    assert neural_vocoder._load(model_path).name == f"upsampling_net_{upsampling}{'_source' * source}"
    assert neural_vocoder.has_source(neural_vocoder._load(model_path)) == source
    for rate in (RATE, 22050):
        speech = voice_like(1.5, rate, 140, seed=0)
        copy = neural_vocoder.upsampling_net(speech, rate, np.random.default_rng(0), model_path)
        assert copy.dtype == np.float32 and copy.shape == speech.shape and np.all(np.isfinite(copy))
        assert np.sqrt(np.mean((copy - speech) ** 2) / np.mean(speech ** 2)) > 0.05


def test_adversarial_training_teaches_the_judges_and_moves_the_generator():
    import keras

    from synthesis import neural_vocoder as nv

    keras.utils.set_random_seed(0)
    generator = nv.build_vocoder()
    start = [w.numpy().copy() for w in generator.weights]
    trainer = nv.adversarial_trainer(generator)
    trainer.compile(learning_rate=1e-3)
    mels, waves, _ = nv.training_segments_from([voice_like(2.0, RATE, 140, seed=1)], 4, np.random.default_rng(0))
    history = trainer.fit(mels, waves, batch_size=4, epochs=8, verbose=0).history
    assert set(history) == {"stft", "adversarial", "features", "judges"}
    assert history["judges"][-1] < 0.8 * history["judges"][0]  # the judges learn to tell real from made
    assert any(not np.allclose(before, after.numpy()) for before, after in zip(start, generator.weights))
    folded = nv._judge_inputs(waves[:, :1000])
    assert [tuple(f.shape) for f in folded[:len(nv.PERIODS)]] == [(4, -(-1000 // p), p, 1) for p in nv.PERIODS]
    assert np.allclose(folded[1][0, :, :, 0].numpy().ravel()[:1000], waves[0, :1000, 0])  # period 3: row-major


def test_adversarial_training_starts_from_a_network_of_the_same_shape_only(spectrogram_dir, tmp_path, capsys):
    from synthesis import neural_vocoder

    nearest = tmp_path / "nearest.keras"
    neural_vocoder.build_vocoder("nearest").save(nearest)
    assert neural_vocoder.main(["--data", str(spectrogram_dir), "--output", str(tmp_path / "gan.keras"), "--steps", "4",
                                "--adversarial", "--init", str(nearest)]) == 1
    assert "weights do not fit upsampling_net_transposed" in capsys.readouterr().err
    assert not (tmp_path / "gan.keras").exists()


def test_upsampling_net_segments_are_aligned_with_their_frames():
    from synthesis import neural_vocoder as nv

    speech = voice_like(2.0, RATE, 140, seed=1)
    mels, waves, f0s = nv.training_segments_from([speech], 8, np.random.default_rng(0), with_f0=True)
    assert mels.shape == (8, nv.SEGMENT_FRAMES, nv.N_MELS) and waves.shape == (8, nv.SEGMENT_FRAMES * nv.HOP, 1)
    levelled = nv._at_level(speech)[0]
    full = nv.log_mel(levelled)
    f0 = nv.frame_f0(levelled, len(full))
    assert f0s.shape == (8, nv.SEGMENT_FRAMES) and abs(np.median(f0[f0 > 0]) - 140) < 10
    for mel, wave, segment_f0 in zip(mels, waves[..., 0], f0s):
        first = int(np.flatnonzero(np.all(np.isclose(full, mel[0]), axis=1))[0])
        assert np.allclose(wave, levelled[first * nv.HOP:first * nv.HOP + len(wave)])
        assert np.allclose(segment_f0, f0[first:first + nv.SEGMENT_FRAMES])


def test_source_signal_holds_the_harmonics_of_f0_below_nyquist_and_noise():
    from synthesis import neural_vocoder as nv

    f0 = np.array([0.0] * 5 + [200.0] * 20 + [1500.0] * 20, dtype=np.float32)
    source = nv.source_signal(f0, np.random.default_rng(0))
    assert source.shape == (len(f0) * nv.HOP, nv.HARMONICS + 1) and source.dtype == np.float32
    unvoiced, at_200, at_1500 = source[:4 * nv.HOP], source[6 * nv.HOP:24 * nv.HOP], source[26 * nv.HOP:]
    assert np.all(unvoiced[:, :-1] == 0) and unvoiced[:, -1].std() > 0.01     # noise only where unvoiced
    for k in (1, 3):
        spectrum = np.abs(np.fft.rfft(at_200[:, k - 1]))
        assert np.fft.rfftfreq(len(at_200), 1 / nv.SAMPLE_RATE)[np.argmax(spectrum)] == pytest.approx(200 * k, abs=3)
    assert np.abs(at_1500[:, :5]).max() > 0.09 and np.all(at_1500[:, 5:-1] == 0)  # 6 x 1500 Hz is above 8 kHz


def test_match_spectrum_gives_a_copy_its_originals_band_and_keeps_its_own_waveform():
    from preprocessing.augment import bandpass
    from synthesis.tools import match_spectrum

    rng = np.random.default_rng(0)
    telephone = bandpass(SPEECH + 0.01 * rng.standard_normal(SPEECH.size).astype(np.float32), RATE, 300, 3400)
    wide_copy = voice_like(1.5, RATE, 150, seed=3) + 0.02 * rng.standard_normal(SPEECH.size).astype(np.float32)

    def band_db(samples, low, high):
        power = np.abs(np.fft.rfft(samples)) ** 2
        freqs = np.fft.rfftfreq(samples.size, 1 / RATE)
        return 10 * np.log10(power[(freqs >= low) & (freqs < high)].mean())

    matched = match_spectrum(wide_copy, telephone)
    assert matched.dtype == np.float32 and matched.shape == wide_copy.shape
    assert band_db(wide_copy, 5000, 7500) - band_db(telephone, 5000, 7500) > 20  # the band the copy filled in
    for low, high in ((500, 3000), (5000, 7500)):
        assert abs(band_db(matched, low, high) - band_db(telephone, low, high)) < 3
    assert np.corrcoef(matched, telephone)[0, 1] < 0.5  # its own waveform, not the original's


def test_splice_above_keeps_the_original_below_the_crossover_and_the_copy_above():
    from synthesis.tools import splice_above

    rng = np.random.default_rng(1)
    copy = 0.05 * rng.standard_normal(SPEECH.size).astype(np.float32)  # a "vocoder" that outputs only noise
    spliced = splice_above(copy, SPEECH, RATE, 4000)
    assert spliced.dtype == np.float32 and spliced.shape == copy.shape

    def band(samples, low, high):
        spectrum = np.fft.rfft(samples)
        freqs = np.fft.rfftfreq(samples.size, 1 / RATE)
        return spectrum[(freqs >= low) & (freqs < high)]

    for low, high, kept in ((100, 3500, SPEECH), (4500, 7900, copy)):
        error = np.abs(band(spliced, low, high) - band(kept, low, high)) ** 2
        assert error.sum() < 1e-3 * (np.abs(band(kept, low, high)) ** 2).sum()
    assert not np.allclose(spliced, SPEECH, atol=1e-3) and not np.allclose(spliced, copy, atol=1e-3)


def test_unit_selection_rearranges_the_originals_own_waveform_and_never_plays_it_in_order():
    rng = np.random.default_rng(3)
    original = (0.1 * rng.standard_normal(2 * RATE)).astype(np.float32)  # every sample value tells where it came from
    copy = vocoders.unit_selection(original, RATE, np.random.default_rng(0))
    where = {value: index for index, value in enumerate(original)}
    chunk, found = 80, []  # 5 ms pieces
    for start in range(0, copy.size - chunk, chunk):
        piece = copy[start:start + chunk]
        origin = where.get(piece[0])
        found.append(origin if origin is not None and np.array_equal(original[origin:origin + chunk], piece) else None)
    verbatim = [origin for origin in found if origin is not None]
    assert len(verbatim) > 0.6 * len(found)                   # natural waveform, apart from the crossfaded joins
    placed = [(index * chunk, origin) for index, origin in enumerate(found) if origin is not None]
    jumps = sum(b - a != d - c for (c, a), (d, b) in zip(placed, placed[1:]))
    assert jumps >= 10                                        # but not in the recording's order: 2 s hold >= 12 joins
    assert max(verbatim) - min(verbatim) > RATE               # drawn from all over the clip


def test_unit_selection_refuses_a_clip_too_short_for_three_units():
    with pytest.raises(ValueError, match="too short for unit selection"):
        vocoders.unit_selection(SPEECH[:int(0.1 * RATE)], RATE, np.random.default_rng(0))
