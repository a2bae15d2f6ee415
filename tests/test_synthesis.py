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
