"""The demo dataset builder: channel, planning and manifest (no Debian packages needed)."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from conftest import voice_like
from synthesis import build_demo_dataset as demo

RATE = demo.SAMPLE_RATE


def tone(seconds: float, hz: float, amplitude: float = 0.3) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * hz * np.arange(int(seconds * RATE)) / RATE)


def band_energy(samples: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def test_trim_silence_keeps_the_speech_and_a_short_margin():
    speech = voice_like(1.0, RATE, 150, seed=0).astype(np.float64)
    padded = np.concatenate([np.zeros(RATE), speech, np.zeros(RATE // 2)])
    trimmed = demo.trim_silence(padded)
    assert len(speech) <= len(trimmed) <= len(speech) + 0.05 * RATE
    assert demo.trim_silence(np.zeros(RATE)).size == 0


def test_band_limit_removes_everything_above_the_telephone_band():
    limited = demo.band_limit(tone(1.0, 1000) + tone(1.0, 6000) + tone(1.0, 30))
    assert band_energy(limited, 5000, 8000) < 1e-5 * band_energy(limited, 900, 1100)
    assert band_energy(limited, 0, 50) < 0.05 * band_energy(limited, 900, 1100)


def test_cut_at_pause_respects_the_limit():
    long = tone(8.0, 200)
    assert len(demo.cut_at_pause(long, 6 * RATE)) <= 6 * RATE
    assert len(demo.cut_at_pause(long[:RATE], 6 * RATE)) == RATE


def test_join_segments_puts_short_gaps_between_parts():
    joined = demo.join_segments([np.ones(100), np.ones(100)], np.random.default_rng(0))
    gap = len(joined) - 200
    assert demo.GAP_S[0] * RATE <= gap <= demo.GAP_S[1] * RATE


@pytest.mark.parametrize("seconds", [2.0, 9.0])
def test_channel_output_is_level_matched_noisy_and_in_length(seconds):
    clip, was_cut = demo.apply_channel(tone(seconds, 300), np.random.default_rng(1))
    assert demo.MIN_S * RATE <= len(clip) <= demo.MAX_S * RATE
    assert was_cut == (seconds > demo.MAX_S)
    lead = clip[:int(demo.PAD_S[0] * RATE)]
    lead_dbfs = 20 * np.log10(np.sqrt(np.mean(lead ** 2)))
    assert demo.NOISE_DBFS[0] - 1 <= lead_dbfs <= demo.NOISE_DBFS[1] + 1   # noise, never digital silence
    speech_dbfs = 20 * np.log10(np.sqrt(np.mean(clip ** 2)))
    assert demo.LEVEL_DBFS[0] - 3 <= speech_dbfs <= demo.LEVEL_DBFS[1] + 1


def test_channel_is_deterministic_and_the_same_for_any_input_class():
    first, _ = demo.apply_channel(tone(2.0, 300), np.random.default_rng(7))
    again, _ = demo.apply_channel(tone(2.0, 300), np.random.default_rng(7))
    other, _ = demo.apply_channel(tone(2.0, 300, amplitude=0.01), np.random.default_rng(7))
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, other, atol=1e-6)   # input level does not survive the channel


def test_manifest_round_trip(tmp_path):
    rows = [{"path": "REAL/a/00000.wav", "label": "real", "group": "a", "source": "asterisk",
             "attack": "bonafide", "text": "Hello, world."},
            {"path": "FAKE/b/00001.wav", "label": "fake", "group": "b", "source": "flite",
             "attack": "flite/slt", "text": ""}]
    demo.write_manifest(rows, tmp_path / "manifest.csv")
    assert (tmp_path / "manifest.csv").read_text().splitlines()[0] == ",".join(demo.MANIFEST_COLUMNS)
    assert demo.read_manifest(tmp_path / "manifest.csv") == rows


def test_round_robin_balances_pools():
    assert demo.round_robin([[1, 2, 3], [4], [5, 6]], 5) == [1, 4, 5, 2, 6]
    assert demo.round_robin([[1], [2]], 10) == [1, 2]


def segment(speaker: str, seconds: float, language: str = "en") -> demo.Segment:
    return demo.Segment(f"/x/{speaker}/{seconds}.wav", "word", speaker, "test", language, seconds)


def test_items_reach_their_target_and_foreign_share_is_kept():
    rng = np.random.default_rng(0)
    items = demo.plan_speaker([segment("en1", 0.6)] * 30, rng)
    mean_gap = sum(demo.GAP_S) / 2
    assert items and all(0.6 * len(item.paths) + mean_gap * (len(item.paths) - 1) >= item.target_s
                         for item in items)
    by_speaker = {"en1": items, "fr": demo.plan_speaker([segment("fr", 2.5, "fr")] * 40, rng)}
    chosen = demo.select_real(by_speaker, 20)
    assert len(chosen) == 20 and sum(item.language != "en" for item in chosen) == 2


def test_prepare_output_refuses_foreign_folders(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        demo.prepare_output(tmp_path)
    assert (tmp_path / "mine.txt").exists()


def generated_recordings(folder, monkeypatch, speakers=(("low", 110, "en"), ("high", 210, "en"))) -> None:
    """Six 'recordings' per speaker, each with a 6 kHz tone above the telephone band, as the only REAL
    source; the Griffin-Lim vocoder as the only FAKE engine."""
    segments = []
    for speaker, pitch, language in speakers:
        for index in range(6):
            path = folder / speaker / f"{index}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            samples = voice_like(1.2, 22050, pitch + 5 * index, seed=index)
            samples = samples + 0.05 * np.sin(2 * np.pi * 6000 * np.arange(len(samples)) / 22050)
            sf.write(path, samples, 22050)
            segments.append(demo.Segment(str(path), f"word {index}", speaker, "generated", language))
    monkeypatch.setattr(demo, "collect_segments", lambda: segments)
    monkeypatch.setattr(demo, "available_sources", lambda: {"vocoded-griffin_lim": ["griffin_lim"]})


def test_small_build_then_fast_rerun(tmp_path, monkeypatch):
    """A whole build from generated 'recordings' with the Griffin-Lim vocoder as the only engine."""
    generated_recordings(tmp_path / "in", monkeypatch)
    output = tmp_path / "demo"
    argv = ["--output", str(output), "--per-class", "4", "--jobs", "1"]
    assert demo.main(argv) == 0
    rows = demo.read_manifest(output / "manifest.csv")
    assert sorted(row["label"] for row in rows) == ["fake"] * 4 + ["real"] * 4
    info = sf.info(output / rows[0]["path"])
    assert (info.samplerate, info.channels, info.subtype) == (RATE, 1, "PCM_16")
    monkeypatch.setattr(demo, "build", lambda args: pytest.fail("a complete output must not be rebuilt"))
    assert demo.main(argv) == 0
    samples, _ = sf.read(output / rows[0]["path"])
    assert band_energy(samples, 5500, 6500) < 1e-3 * band_energy(samples, 100, 3000)  # the telephone band


def test_real_only_build_keeps_each_recordings_band_and_weighs_speakers_alike(tmp_path, monkeypatch):
    generated_recordings(tmp_path / "in", monkeypatch, [("en1", 110, "en"), ("fr1", 150, "fr"), ("de1", 210, "de")])
    monkeypatch.setattr(demo, "available_sources", lambda: pytest.fail("REAL alone needs no FAKE engine"))
    output = tmp_path / "real"
    assert demo.main(["--output", str(output), "--per-class", "6", "--jobs", "1", "--real-only"]) == 0
    rows = demo.read_manifest(output / "manifest.csv")
    assert [row["label"] for row in rows] == ["real"] * 6
    assert sorted(row["group"] for row in rows) == ["de1", "de1", "en1", "en1", "fr1", "fr1"]  # no foreign cap
    samples, _ = sf.read(output / rows[0]["path"])
    assert band_energy(samples, 5500, 6500) > 1e-2 * band_energy(samples, 100, 3000)     # no telephone band
    assert demo.build_settings(demo.parse_args(["--real-only"])) != demo.build_settings(demo.parse_args([]))



def test_vocoder_bit_rates_share_a_source_and_what_is_missing_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(demo.tts, "available_engines", lambda languages: {"flite": ["slt"]})
    monkeypatch.setattr(demo, "available_vocoders", lambda: ["world", "codec2_3200", "codec2_1300", "upsampling_net"])
    monkeypatch.setattr(demo, "missing_debian_packages", lambda: ["festival"])
    assert demo.available_sources() == {"flite": ["slt"], "vocoded-world": ["world"],
                                        "vocoded-codec2": ["codec2_3200", "codec2_1300"]}
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert "espeak-ng" in message and "vocoded-griffin_lim" in message and "festival" in message
    assert "vocoded-world" not in message
    assert "upsampling_net" not in message  # step 1's copy-synthesis vocoder: never a demo source
