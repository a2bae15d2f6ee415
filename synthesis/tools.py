"""What the vocoders and TTS engines share: running an external tool, checking for a Python package,
fitting audio to a length."""
from __future__ import annotations

import subprocess

import numpy as np


def run_tool(command: list[str], stdin: bytes | None = None) -> bytes:
    """stdout of `command`; a failure raises with the tail of its stderr (the message is the error)."""
    result = subprocess.run(command, input=stdin, capture_output=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.decode(errors='replace')[-300:]}")
    return result.stdout


def module_available(name: str) -> bool:
    try:
        __import__(name)
        return True
    except Exception:  # a broken install counts as absent
        return False


def fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    """float32, cut or padded with silence to `length` samples."""
    samples = np.asarray(samples[:length], dtype=np.float32)
    return np.pad(samples, (0, length - len(samples)))
