"""Step 2 on a generated dataset whose fakes carry known differences (a 3-4 kHz band, leading silence)."""
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from scipy import signal

from analysis.difference_analysis import main as analyse
from analysis.features import FEATURES, clip_features, feature_aucs, image_to_db, load_clips, measure_clip
from preprocessing.audio_to_spectrogram import main as make_spectrograms
from preprocessing.config import SpectrogramConfig
from preprocessing.spectrogram import band_db, save_png, window_to_image

RATE = 16000
CLIPS_PER_CLASS = 24
SILENCE = 8192  # fakes' leading silence: 0.512 s, a multiple of librosa.trim's hop


def make_clip(rng: np.random.Generator, fake: bool) -> np.ndarray:
    """White noise at a random level; fakes add 3-4 kHz band noise (+~6 dB there) after leading silence."""
    clip = 10 ** (rng.uniform(-30, -22) / 20) * rng.normal(size=int(rng.uniform(1.6, 2.4) * RATE))
    if fake:
        band = signal.butter(8, [3000, 4000], btype="bandpass", fs=RATE, output="sos")
        clip = clip + 1.7 * clip.std() * signal.sosfilt(band, rng.normal(size=len(clip)))
    return np.concatenate([np.zeros(SILENCE), clip]) if fake else clip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Step 1 (level normalisation off, so the band shows without rescaling the rest) on a CSV layout
    with two origins and two attacks, then the analysis; returns (data dir, output dir)."""
    root = tmp_path_factory.mktemp("analysis")
    rng = np.random.default_rng(7)
    rows = []
    for label in ("real", "fake"):
        (root / "audio" / label).mkdir(parents=True)
        for index in range(CLIPS_PER_CLASS):
            path = f"audio/{label}/{label}_{index:02d}.wav"
            sf.write(root / path, make_clip(rng, label == "fake"), RATE)
            rows.append({"path": path, "label": label, "source": f"corpus_{index % 2}",
                         "attack": f"tts_{index % 2}" if label == "fake" else "bonafide"})
    pd.DataFrame(rows).to_csv(root / "clips.csv", index=False)
    data, output = root / "spectrograms", root / "plots"
    assert make_spectrograms(["--input", str(root / "clips.csv"), "--output", str(data), "--no-normalize"]) == 0
    assert analyse(["--data", str(data), "--output", str(output), "--min-facet-clips", "5", "--n-boot", "50"]) == 0
    return data, output


def test_finds_the_added_band_and_no_far_away_band(dataset):
    _, output = dataset
    summary = pd.read_csv(output / "summary.csv")
    bands = summary[summary["kind"] == "band"]
    inside = bands[bands["centre_hz"].between(3100, 3900)]
    assert len(inside) >= 8 and inside["significant"].all()
    assert (inside["cohens_d"] > 1).all() and (inside["difference"] > 2).all()
    significant = bands[bands["significant"]]
    assert significant["centre_hz"].between(2500, 4600).all(), significant[["centre_hz", "cohens_d"]]
    strongest = bands.loc[bands["cohens_d"].abs().idxmax()]
    assert 3000 <= strongest["centre_hz"] <= 4000


def test_flags_the_leading_silence_shortcut(dataset):
    data, output = dataset
    summary = pd.read_csv(output / "summary.csv").set_index("name")
    assert summary.loc["leading_silence_s", "auc"] > 0.99
    assert summary.loc["leading_silence_s", "direction"] == "higher in FAKE"
    assert summary.loc["leading_silence_s", "shortcut_risk"]
    assert not summary.loc["sample_rate_hz", "shortcut_risk"]  # all 16 kHz: AUC 0.5
    text = (output / "summary.md").read_text()
    risks = text.split("## Shortcut risks")[1].split("## Clip features")[0]
    assert "**leading_silence_s**" in risks and "sample_rate_hz" not in risks

    frame, mels = load_clips(data, max_clips=10, seed=1)  # the public API the demo check uses
    assert frame["y"].value_counts().to_dict() == {0: 10, 1: 10}
    assert mels.shape == (20, 128, 128) and frame["from_audio"].all()
    table = feature_aucs(frame)
    assert set(table.index) == set(FEATURES) and table["auc"].is_monotonic_decreasing
    assert table.loc["leading_silence_s", "auc"] > 0.99 and table.loc["leading_silence_s", "shortcut_risk"]


def test_writes_every_figure_and_table(dataset):
    _, output = dataset
    for name in ("mean_spectrograms.png", "band_effects.png", "band_energy.png", "band_energy_by_origin.png",
                 "band_energy_by_attack.png", "feature_distributions.png", "examples.png"):
        assert (output / name).stat().st_size > 10_000, name
        assert f"({name})" in (output / "summary.md").read_text()
    summary = pd.read_csv(output / "summary.csv")
    assert summary["kind"].value_counts().to_dict() == {"band": 128, "feature": len(FEATURES)}
    assert len(pd.read_csv(output / "clip_features.csv")) == 2 * CLIPS_PER_CLASS
    assert SpectrogramConfig.load(output) == SpectrogramConfig.load(dataset[0])


def test_png_fallback_matches_the_audio(dataset):
    data, _ = dataset
    frame, mels = load_clips(data, max_clips=2)
    config = SpectrogramConfig.load(data)
    row = next(frame.assign(source="/nonexistent.wav").itertuples())
    db, features = measure_clip(row, config, 4000.0)
    assert not features["from_audio"] and "rms_dbfs" not in features
    step = (config.db_ceiling - config.db_floor) / 255
    assert np.abs(db - mels[0]).max() <= step / 2 + 1e-3


def test_clip_features_measure_the_original_audio(tmp_path):
    config = SpectrogramConfig()
    time = np.arange(RATE * 2) / RATE
    quiet, loud = (amplitude * np.sin(2 * np.pi * 1000 * time) for amplitude in (0.01, 0.1))
    high = 0.1 * np.sin(2 * np.pi * 6000 * time)
    delayed = np.concatenate([np.zeros(RATE // 2), loud])
    quiet_f, loud_f, high_f, delayed_f = (clip_features(x.astype(np.float32), config)
                                          for x in (quiet, loud, high, delayed))
    assert loud_f["rms_dbfs"] == pytest.approx(-23.0, abs=0.1)  # 0.1 / sqrt(2): level before normalisation
    assert loud_f["rms_dbfs"] - quiet_f["rms_dbfs"] == pytest.approx(20.0, abs=0.1)
    assert loud_f["centroid_hz"] == pytest.approx(1000, abs=60) and high_f["centroid_hz"] == pytest.approx(6000, abs=60)
    assert loud_f["high_band_ratio"] < 0.01 and high_f["high_band_ratio"] > 0.99
    # librosa.effects.trim decides per 2048-sample frame (64 ms)
    assert delayed_f["leading_silence_s"] == pytest.approx(0.5, abs=0.07) and loud_f["leading_silence_s"] == 0
    assert delayed_f["rms_dbfs"] == pytest.approx(loud_f["rms_dbfs"], abs=0.3)  # after the trim (else -1 dB)

    # decoding a PNG gives back the clipped dB values (of step 1's own window for multi_resolution)
    for config in (SpectrogramConfig(), SpectrogramConfig(gray=True), SpectrogramConfig(multi_resolution=True)):
        window = np.random.default_rng(0).normal(scale=0.05, size=config.clip_samples).astype(np.float32)
        save_png(window_to_image(window, config), tmp_path / "image.png")
        expected = np.clip(band_db(window, config), config.db_floor, config.db_ceiling)
        step = (config.db_ceiling - config.db_floor) / 255
        assert np.abs(image_to_db(tmp_path / "image.png", config) - expected).max() <= step / 2 + 1e-3


def test_noise_floor_and_bandwidth_move_the_right_way():
    """Broadband 'speech' bursts with pauses; a noisy room raises the floor, an 8 kHz channel halves the band."""
    import librosa

    config = SpectrogramConfig()
    rng = np.random.default_rng(3)
    gate = (np.arange(RATE * 3) % (RATE // 2)) < 0.3 * RATE  # 0.3 s of sound, 0.2 s pauses
    speech = 0.1 * rng.normal(size=RATE * 3) * gate
    clean, noisy = (speech + level * rng.normal(size=speech.size) for level in (1e-3, 1e-2))
    narrow = librosa.resample(librosa.resample(clean, orig_sr=RATE, target_sr=8000), orig_sr=8000, target_sr=RATE)
    clean_f, noisy_f, narrow_f = (clip_features(x.astype(np.float32), config) for x in (clean, noisy, narrow))
    assert clean_f["noise_floor_dbfs"] == pytest.approx(-60, abs=2)
    assert noisy_f["noise_floor_dbfs"] == pytest.approx(-40, abs=2)
    assert clean_f["rms_dbfs"] == pytest.approx(noisy_f["rms_dbfs"], abs=1)  # the level alone does not show it
    assert clean_f["bandwidth_hz"] > 7500 and 3500 < narrow_f["bandwidth_hz"] < 4100
    silent = clip_features(np.zeros(RATE, np.float32), config)
    assert silent["bandwidth_hz"] == 0 and silent["noise_floor_dbfs"] == -200
