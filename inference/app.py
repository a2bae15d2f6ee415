"""Web page: upload a clip (or pick a demo clip) and see what the detector sees and says.

    streamlit run inference/app.py --server.headless true --browser.gatherUsageStats false

The model's output is p_fake = P(fake), the probability that the speech is synthetic; the
verdict is FAKE when p_fake >= the run's threshold. The environment variables
DEEPFAKE_RUNS_DIR (saved runs), DEEPFAKE_PRETRAINED_DIR (shipped models) and DEEPFAKE_DEMO_DIR (demo
clips) point the page at other folders.
"""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from inference.explain import explain, overlay_figure
from inference.predictor import Predictor, aggregate
from model.run import RUNS_DIR, RunCard, describe_run, list_runs, shipped_runs
from preprocessing.audio import AUDIO_EXTENSIONS, AudioError, speech_warning
from preprocessing.config import CLASS_NAMES, SPLITS
from preprocessing.spectrogram import image_to_array

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = Path("raw_audio_dataset/demo")
UPLOAD_TYPES = ("wav", "flac", "mp3", "ogg")
MAX_UPLOAD_MB = 20
MAX_WINDOWS = 200          # 10 minutes of 3 s windows; the page analyses no more than that
SPECTROGRAM_SCALE = 3      # the model's input image is shown this many times larger, pixel for pixel
WAVEFORM_BINS = 1200       # the waveform is drawn as the min/max outline of this many time bins
HOW_TO_TRAIN = ("Train one with `python model/train_cnn_model.py` (after `python "
                "preprocessing/audio_to_spectrogram.py` on your audio), or run `make demo`, which builds "
                "an offline demo dataset and trains on it.")
PIXELATED_IMAGES = "<style>[data-testid='stImage'] img { image-rendering: pixelated; }</style>"


def folder_setting(variable: str, default: Path) -> Path:
    """A folder from the environment, else the project's default (relative to the repository)."""
    return Path(os.environ.get(variable) or REPO_ROOT / default)


@st.cache_resource(show_spinner="Loading the model…", max_entries=4)
def load_predictor(run_dir: str) -> Predictor:
    return Predictor.load(run_dir)


@st.cache_data(show_spinner="Analysing…", max_entries=4)
def analyze(run_dir: str, data: bytes):
    """(Audio, the model's input images, p_fake per window) for the bytes of an audio file."""
    return load_predictor(run_dir).predict_audio(data, max_windows=MAX_WINDOWS)


def upload_problem(size: int) -> str | None:
    """Why an upload of `size` bytes is refused, or None (Streamlit itself checks the file type)."""
    if size > MAX_UPLOAD_MB * 2 ** 20:
        return f"The file is {size / 2 ** 20:.1f} MB; the limit is {MAX_UPLOAD_MB} MB."
    return None


def demo_clips(demo_dir: Path) -> list[Path]:
    """Audio files under demo_dir/REAL and demo_dir/FAKE."""
    return sorted(path for label in ("REAL", "FAKE") for path in (demo_dir / label).rglob("*")
                  if path.suffix.lower() in AUDIO_EXTENSIONS)


def choose_run() -> Path | None:
    """Sidebar: a runs folder and a run in it; None when the folder holds no trained model."""
    runs_dir = st.sidebar.text_input("Runs folder", str(folder_setting("DEEPFAKE_RUNS_DIR", RUNS_DIR)))
    shipped = shipped_runs()
    runs = list_runs(runs_dir) + shipped  # the user's runs first, then the shipped ones
    if not runs:
        st.info(f"No trained model in `{runs_dir}`. {HOW_TO_TRAIN}")
        return None
    return st.sidebar.selectbox("Model (your runs newest first, then the shipped pretrained models, the default first)", runs,
                                format_func=lambda run: f"{run.name} (pretrained)" if run in shipped else run.name)


def shown(value, spec: str = "") -> str:
    return "?" if value is None else format(value, spec)


def show_model_card(card: RunCard) -> None:
    """Threshold, validation metrics, architecture and training data counts of a run."""
    st.sidebar.markdown(
        f"- Threshold: **{shown(card.threshold, '.3f')}** (p_fake at or above it → FAKE)\n"
        f"- Validation EER: **{shown(card.validation_eer, '.2%')}**, "
        f"ROC AUC {shown(card.validation.get('roc_auc'), '.3f')}\n"
        f"- Architecture: {shown(card.arch or None)}, {shown(card.parameters, ',')} parameters\n"
        f"- Created: {shown(card.created or None)}")
    counts = pd.DataFrame.from_dict(card.counts, orient="index")
    counts = counts.reindex(index=list(SPLITS), columns=list(CLASS_NAMES)).fillna(0).astype(int)
    st.sidebar.caption("Training data (images per split)")
    st.sidebar.table(counts)


def choose_clip(demo_dir: Path) -> tuple[str, bytes] | None:
    """The clip to analyse as (name, bytes), uploaded or from the demo set; None until there is one."""
    source = st.radio("Audio", ["Upload a file", "Demo clip"], horizontal=True, label_visibility="collapsed")
    if source == "Upload a file":
        uploaded = st.file_uploader(f"Audio file ({', '.join(UPLOAD_TYPES)}; up to {MAX_UPLOAD_MB} MB)",
                                    type=list(UPLOAD_TYPES), max_upload_size=MAX_UPLOAD_MB)
        if uploaded is None:
            return None
        problem = upload_problem(uploaded.size)
        if problem:
            st.error(f"{uploaded.name}: {problem}")
            return None
        return uploaded.name, uploaded.getvalue()
    clips = demo_clips(demo_dir)
    if not clips:
        st.info(f"No demo clips in `{demo_dir}`: `make demo` builds them (REAL/ and FAKE/ folders).")
        return None
    clip = st.selectbox("Demo clip (its folder says REAL or FAKE)", clips, key="demo_clip",
                        format_func=lambda path: str(path.relative_to(demo_dir)))
    return str(clip.relative_to(demo_dir)), clip.read_bytes()


def distinct_decimals(a: float, b: float) -> tuple[str, str]:
    """a and b with enough decimals (3 to 6) to tell them apart."""
    digits = next((d for d in range(3, 7) if f"{a:.{d}f}" != f"{b:.{d}f}"), 6)
    return f"{a:.{digits}f}", f"{b:.{digits}f}"


def show_verdict(predictor: Predictor, p_fake: np.ndarray) -> None:
    """Clip verdict: the mean p_fake of its windows (as inference/predict.py) against the threshold."""
    clip_p_fake = aggregate(p_fake)
    verdict = str(predictor.label(clip_p_fake))
    colour, relation = ("red", "≥") if verdict == "FAKE" else ("green", "<")
    over_windows = f", mean of {len(p_fake)} windows" if len(p_fake) > 1 else ""
    shown_p_fake, shown_threshold = distinct_decimals(clip_p_fake, predictor.threshold)
    st.subheader(f"Verdict: :{colour}-background[{verdict}]")
    st.markdown(f"p_fake = **{shown_p_fake}**{over_windows} ({relation} threshold {shown_threshold}). "
                f"p_fake is the model's output P(fake): the probability that the speech is synthetic. "
                f"A FAKE verdict is evidence, not proof. Answered by the {describe_run(predictor.run_dir)}.")


def waveform_chart(samples: np.ndarray, sample_rate: int) -> alt.Chart:
    """The whole clip as the min/max outline of short time bins."""
    bins = np.array_split(samples, min(WAVEFORM_BINS, len(samples)))
    frame = pd.DataFrame({"time (s)": np.linspace(0, len(samples) / sample_rate, len(bins)),
                          "low": [b.min() for b in bins], "high": [b.max() for b in bins]})
    return alt.Chart(frame, height=230, title="Waveform (at the model's sample rate)").mark_area().encode(
        x="time (s):Q", y=alt.Y("low:Q", title="amplitude"), y2="high:Q")


def timeline_chart(p_fake: np.ndarray, threshold: float, clip_seconds: float) -> alt.LayerChart:
    """p_fake of each window, with the threshold as a dashed line."""
    frame = pd.DataFrame({"window start (s after speech starts)": np.arange(len(p_fake)) * clip_seconds,
                          "p_fake": p_fake})
    title = f"p_fake per window (dashed: the threshold, {threshold:.3f})"
    line = alt.Chart(frame, height=230, title=title).mark_line(point=True).encode(
        x="window start (s after speech starts):Q", y=alt.Y("p_fake:Q", scale=alt.Scale(domain=[0, 1])),
        tooltip=list(frame.columns))
    rule = alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(
        color="red", strokeDash=[6, 4]).encode(y=alt.Y("threshold:Q", title="p_fake"))
    return line + rule


def show_spectrogram(images: list, p_fake: np.ndarray, size: int) -> int:
    """One window's model input, exactly as the model sees it (shown enlarged, nearest-neighbour);
    returns the chosen window (1-based)."""
    window = st.slider("Window", 1, len(images), 1) if len(images) > 1 else 1
    st.html(PIXELATED_IMAGES)
    st.image(images[window - 1], width=size * SPECTROGRAM_SCALE, output_format="PNG",
             caption=f"Model input of window {window}: {size}×{size} spectrogram "
                     f"(time →, frequency ↑), p_fake {p_fake[window - 1]:.3f}")
    return window


def show_explanation(predictor: Predictor, image, p_fake: float) -> None:
    """Where in the chosen window the evidence for its verdict lies, over its spectrogram."""
    array = image_to_array(image, predictor.config)
    relevance = explain(predictor.model, array[None], threshold=predictor.threshold,
                        calibration=predictor.card.calibration)[0][0]
    verdict = str(predictor.label(p_fake))
    st.pyplot(overlay_figure(array, relevance, predictor.config, f"Evidence for {verdict} (cyan, HiResCAM)"),
              width="content")
    st.caption(f"The more opaque the cyan, the more that region pushed this window towards {verdict}.")


def show_analysis(predictor: Predictor, name: str, data: bytes) -> None:
    """Verdict, player, waveform, the model's input image and (for long audio) the p_fake timeline."""
    try:
        audio, images, p_fake = analyze(str(predictor.run_dir), data)
    except AudioError as error:
        st.error(f"Could not decode {name} as audio ({', '.join(UPLOAD_TYPES)}): "
                 f"{str(error).rsplit(': ', 1)[-1]}")
        return
    except Exception as error:  # shown on the page, never as a traceback
        st.error(f"Could not analyse {name}: {error}")
        return
    config = predictor.config
    for warning in (speech_warning(audio, config), predictor.model_warning):
        if warning:
            st.warning(f"Read this verdict with care: {warning}.")
    show_verdict(predictor, p_fake)
    st.audio(data, format=mimetypes.guess_type(name)[0] or "audio/wav")
    st.caption(f"{name}: {audio.duration:.1f} s at {audio.original_rate} Hz, analysed as {len(p_fake)} "
               f"window(s) of {config.clip_seconds:g} s at {config.sample_rate} Hz"
               + (f" (the page stops at {MAX_WINDOWS} windows)" if len(p_fake) == MAX_WINDOWS else ""))
    charts, spectrogram = st.columns([3, 2])
    charts.altair_chart(waveform_chart(audio.samples, config.sample_rate))
    if len(p_fake) > 1:
        charts.altair_chart(timeline_chart(p_fake, predictor.threshold, config.clip_seconds))
    with spectrogram:
        window = show_spectrogram(images, p_fake, config.image_size)
        show_explanation(predictor, images[window - 1], p_fake[window - 1])


def main() -> None:
    st.set_page_config(page_title="Deepfake voice detector", layout="wide")
    st.title("Deepfake voice detector")
    st.caption("Real or synthetic speech? The model outputs p_fake = P(fake), the probability that the "
               "speech is synthetic; it is FAKE at or above the model's threshold.")
    st.sidebar.header("Model")
    run_dir = choose_run()
    if run_dir is None:
        return
    clip = choose_clip(folder_setting("DEEPFAKE_DEMO_DIR", DEMO_DIR))  # usable while the model loads
    try:
        predictor = load_predictor(str(run_dir))
    except Exception as error:  # a broken or foreign model: a message, never a traceback page
        st.error(f"Could not load the model in {run_dir}: {error}")
        return
    show_model_card(predictor.card)
    if clip is not None:
        show_analysis(predictor, *clip)


if __name__ == "__main__":
    main()
