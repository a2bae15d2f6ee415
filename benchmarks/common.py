"""Shared bits of the benchmarks: where the devset is, the machine, saving results."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEVSET = Path(os.environ.get("DEVSET", REPO.parent / "shared" / "data" / "devset"))
EXTERNAL = Path(os.environ.get("EXTERNAL", REPO.parent / "shared" / "data" / "external"))  # validation only
RESULTS = REPO / "benchmarks" / "results"
WORK = REPO / ".cache" / "bench"


def require_set(folder: Path, variable: str) -> Path:
    """The manifest.csv of a labelled set from ../shared/data (the benchmarks' only data)."""
    manifest = folder / "manifest.csv"
    if not manifest.exists():
        sys.exit(f"error: this benchmark needs the labelled set at {folder} (set {variable}=...)")
    return manifest


def require_devset() -> Path:
    return require_set(DEVSET, "DEVSET")


def require_external() -> Path:
    return require_set(EXTERNAL, "EXTERNAL")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return f"{os.cpu_count()} cores ({cpu}), {memory_gib:.0f} GiB RAM, no GPU, Python {platform.python_version()}"


def save_result(name: str, command: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"command": command, "date": date.today().isoformat(), "machine": machine(), **result}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def run(command: list[str]) -> str:
    """Run a pipeline script, echoing nothing; return its stdout (raise with its stderr on failure)."""
    done = subprocess.run([sys.executable, *command], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return done.stdout
