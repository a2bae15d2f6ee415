"""The web page inference/app.py: its logic through Streamlit's AppTest, then once in a real browser."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import write_clip

APP = Path(__file__).resolve().parent.parent / "inference" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def open_app(monkeypatch, tmp_path):
    """Run the page against a runs folder and a demo folder (empty unless given)."""
    def run(runs_dir: Path, demo_dir: Path | None = None, pretrained_dir: Path | None = None) -> AppTest:
        monkeypatch.setenv("DEEPFAKE_RUNS_DIR", str(runs_dir))
        monkeypatch.setenv("DEEPFAKE_DEMO_DIR", str(demo_dir or tmp_path / "no_demo"))
        monkeypatch.setenv("DEEPFAKE_PRETRAINED_DIR", str(pretrained_dir or tmp_path / "no_pretrained"))
        return AppTest.from_file(str(APP), default_timeout=60).run()
    return run


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "audio/wav"))
    return at.run()


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def verdict(at: AppTest) -> str:
    assert not at.exception and not at.error, texts(at.error)
    return texts(at.subheader) + "\n" + texts(at.markdown)


def test_without_model_the_page_says_how_to_train_one(open_app, tmp_path):
    at = open_app(tmp_path / "no_runs")
    assert not at.exception
    assert "python model/train_cnn_model.py" in texts(at.info) and "make demo" in texts(at.info)
    assert not at.file_uploader


def test_without_a_run_of_your_own_the_shipped_model_answers(open_app, trained_run, tmp_path):
    import shutil

    shutil.copytree(trained_run, tmp_path / "shipped" / "v1")
    at = open_app(tmp_path / "no_runs", pretrained_dir=tmp_path / "shipped")
    assert not at.exception and not at.info
    assert at.sidebar.selectbox[0].format_func(at.sidebar.selectbox[0].value) == "v1 (pretrained)"
    assert at.file_uploader


def test_model_card_and_a_demo_clip_verdict(open_app, trained_run, tmp_path):
    demo = tmp_path / "demo"
    write_clip(demo / "REAL" / "speaker" / "real.wav", seed=1)
    write_clip(demo / "FAKE" / "engine" / "fake.wav", seed=2, fake=True)
    at = open_app(trained_run.parent, demo)
    card = texts(at.sidebar.markdown)
    assert "Validation EER" in card and "Threshold" in card and "parameters" in card
    assert at.sidebar.table, "training data counts"

    at.radio[0].set_value("Demo clip").run()
    assert at.selectbox(key="demo_clip").options == ["FAKE/engine/fake.wav", "REAL/speaker/real.wav"]
    at.selectbox(key="demo_clip").set_value(demo / "REAL" / "speaker" / "real.wav").run()
    shown = verdict(at)
    assert "Verdict:" in shown and "p_fake = " in shown and "P(fake)" in shown
    assert at.image and not at.slider, "one window: its spectrogram, no window picker"
    assert len(at.image) == 2 and "pushed this window" in texts(at.caption), "and its explanation overlay"


def test_without_demo_clips_the_page_says_how_to_make_them(open_app, trained_run):
    at = open_app(trained_run.parent)
    at.radio[0].set_value("Demo clip").run()
    assert "make demo" in texts(at.info) and not at.exception


def test_a_long_upload_gets_a_window_timeline(open_app, trained_run, tmp_path):
    clip = write_clip(tmp_path / "talk.wav", seconds=9.5, sample_rate=22050, fake=True)
    at = upload(open_app(trained_run.parent), "talk.wav", clip.read_bytes())
    assert "mean of 3 windows" in verdict(at)
    assert len(at.get("vega_lite_chart")) == 2, "waveform and p_fake timeline"
    at.slider[0].set_value(3).run()
    assert "window 3" in at.image[0].proto.imgs[0].caption and not at.exception


@pytest.mark.parametrize("name, data, message", [
    ("broken.wav", b"not audio at all" * 100, "Could not decode broken.wav"),
    ("huge.wav", bytes(21 * 2 ** 20), "the limit is 20 MB"),
])
def test_a_bad_upload_gives_an_error_message(open_app, trained_run, name, data, message):
    at = upload(open_app(trained_run.parent), name, data)
    assert message in texts(at.error) and not at.exception
    assert not at.subheader, "no verdict"


def test_a_model_that_fails_to_load_gives_an_error_message(open_app, trained_run, tmp_path):
    broken = tmp_path / "runs" / "broken"
    broken.mkdir(parents=True)
    shutil.copy(trained_run / "model.json", broken / "model.json")
    (broken / "model.keras").write_bytes(b"not a keras file")
    at = open_app(broken.parent)
    assert "Could not load the model" in texts(at.error) and not at.exception


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served_app(trained_run, tmp_path):
    """`streamlit run` on a free localhost port; yields its address."""
    port = free_port()
    env = {**os.environ, "DEEPFAKE_RUNS_DIR": str(trained_run.parent), "DEEPFAKE_DEMO_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_upload_in_a_real_browser_shows_a_verdict(served_app, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    clip = write_clip(tmp_path / "clip.wav", seed=3)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(served_app)
            with page.expect_file_chooser(timeout=60_000) as chooser:
                page.locator("[data-testid=stFileUploaderDropzone] button").click()
            chooser.value.set_files(str(clip))
            shown = page.get_by_text("Verdict:")
            shown.wait_for(timeout=60_000)
            assert shown.inner_text().split()[-1] in ("REAL", "FAKE")
            assert "threshold" in page.get_by_text(re.compile(r"^p_fake = [0-9.]+")).inner_text()
        finally:
            browser.close()
