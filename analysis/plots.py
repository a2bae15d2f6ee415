"""Figures of the difference analysis (headless: matplotlib's Agg backend, seaborn)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from PIL import Image  # noqa: E402

from analysis.features import FEATURES  # noqa: E402
from preprocessing.config import CLASS_NAMES, SpectrogramConfig  # noqa: E402

PALETTE = {"REAL": "tab:blue", "FAKE": "tab:red"}


def hz_axis(axis, centres: np.ndarray) -> None:
    """Label a band-index axis (mel or linear rows) with round frequencies."""
    ticks = [f for f in (250, 500, 1000, 2000, 3000, 4000, 6000) if centres[0] <= f <= centres[-1]]
    axis.set_ticks(np.interp(ticks, centres, np.arange(len(centres))))
    axis.set_ticklabels([f"{f / 1000:g}k" if f >= 1000 else str(f) for f in ticks])


def save(fig, path: Path) -> None:
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_mean_spectrograms(mels: np.ndarray, y: np.ndarray, difference: np.ndarray, significant: np.ndarray,
                           centres: np.ndarray, config: SpectrogramConfig, path: Path) -> None:
    """Mean image per class and FAKE - REAL on a diverging map, significant cells contoured."""
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), constrained_layout=True)
    extent = (0, mels.shape[2] * config.hop_length / config.sample_rate, -0.5, mels.shape[1] - 0.5)
    for ax, index in zip(axes, (0, 1)):
        image = ax.imshow(mels[y == index].mean(0), origin="lower", aspect="auto", extent=extent,
                          cmap=config.colormap, vmin=config.db_floor, vmax=config.db_ceiling)
        ax.set_title(f"mean {CLASS_NAMES[index]} ({(y == index).sum()} clips)")
    fig.colorbar(image, ax=axes[:2], label="dB", shrink=0.9)
    limit = float(np.abs(difference).max()) or 1.0
    image = axes[2].imshow(difference, origin="lower", aspect="auto", extent=extent, cmap="RdBu_r",
                           vmin=-limit, vmax=limit)
    if significant.any() and not significant.all():
        axes[2].contour(significant.astype(float), levels=[0.5], colors="black", linewidths=0.7,
                        origin="lower", extent=extent)
    axes[2].set_title(f"FAKE - REAL (black: significant, {significant.mean():.0%} of cells)")
    fig.colorbar(image, ax=axes[2], label="FAKE - REAL (dB)", shrink=0.9)
    for ax in axes:
        hz_axis(ax.yaxis, centres)
        ax.set_xlabel("time (s)")
    axes[0].set_ylabel("frequency band (Hz)")
    save(fig, path)


def plot_band_effects(bands: pd.DataFrame, min_effect: float, path: Path) -> None:
    """Per frequency band: FAKE - REAL in dB and Cohen's d, significant bands in colour."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6), sharex=True, constrained_layout=True)
    index = np.arange(len(bands))
    top.plot(index, bands["difference"], color="black")
    top.axhline(0, color="grey", linewidth=0.8)
    top.set_ylabel("FAKE - REAL (dB)")
    colours = np.where(bands["significant"], np.where(bands["cohens_d"] > 0, "tab:red", "tab:blue"), "lightgrey")
    bottom.bar(index, bands["cohens_d"], color=colours, width=1.0)
    for level in (-min_effect, min_effect):
        bottom.axhline(level, color="grey", linestyle=":", linewidth=0.8)
    bottom.set_ylabel("Cohen's d (colour: significant)")
    bottom.set_xlabel("frequency band (Hz)")
    hz_axis(bottom.xaxis, bands["centre_hz"].to_numpy())
    top.set_title("Band energy difference per frequency band (frames holding audio)")
    save(fig, path)


def facet_rows(frame: pd.DataFrame, column: str, max_facets: int, min_clips: int) -> pd.DataFrame:
    """Rows for per-`column` facets: each value's fakes beside the real clips of the same origins."""
    fakes = frame[frame["y"] == 1]
    counts = fakes[column].value_counts()
    parts = []
    for value in counts[counts >= min_clips].index[:max_facets]:
        fake = fakes[fakes[column] == value]
        real = frame[(frame["y"] == 0) & frame["origin"].isin(fake["origin"])]
        title = f"{value[:30]} (fake {len(fake)}, real {len(real)})"
        parts.append(pd.concat([fake, real]).assign(facet=title))
    return pd.concat(parts) if parts else frame.iloc[:0].assign(facet="")


def plot_band_energy(energy: np.ndarray, frame: pd.DataFrame, centres: np.ndarray, path: Path,
                     facet: str | None = None, max_facets: int = 12, min_clips: int = 10, n_boot: int = 300) -> bool:
    """Mean dB per frequency band and class with 95% bootstrap confidence bands; facets per `facet` column.
    Returns False (and draws nothing) when there are fewer than two facets."""
    rows = frame.assign(facet="all clips") if facet is None else facet_rows(frame, facet, max_facets, min_clips)
    if facet is not None and rows["facet"].nunique() < 2:
        return False
    long = pd.DataFrame(energy[rows.index], columns=np.arange(energy.shape[1]))
    long = long.assign(label=rows["label"].to_numpy(), facet=rows["facet"].to_numpy())
    long = long.melt(id_vars=["label", "facet"], var_name="band", value_name="dB")
    columns = rows["facet"].nunique()
    grid = sns.relplot(long, kind="line", x="band", y="dB", hue="label", hue_order=CLASS_NAMES, palette=PALETTE,
                       col="facet", col_wrap=min(columns, 4), errorbar=("ci", 95), n_boot=n_boot, seed=0,
                       height=3.0 if facet else 4.0, aspect=1.5 if facet else 2.2)
    grid.set_titles("{col_name}")
    for ax in grid.axes.flat:
        hz_axis(ax.xaxis, centres)
        ax.set_xlabel("frequency band (Hz)")
    grid.figure.suptitle(f"Energy per frequency band, mean and 95% CI{f' by {facet}' if facet else ''}", y=1.02)
    grid.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(grid.figure)
    return True


def plot_feature_distributions(frame: pd.DataFrame, table: pd.DataFrame, path: Path) -> None:
    """One histogram per feature and class, titled with the AUC the feature reaches alone."""
    rows = -(-len(FEATURES) // 3)
    fig, axes = plt.subplots(rows, 3, figsize=(15, 3.7 * rows), constrained_layout=True)
    for ax in axes.flat[len(FEATURES):]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, FEATURES):
        data = frame[[name, "label"]].dropna()
        few_values = data[name].nunique() <= 6
        if few_values:  # sample rates and other categories: one bar per value
            data = data.assign(**{name: data[name].map("{:g}".format)})
        sns.histplot(data, x=name, hue="label", hue_order=CLASS_NAMES, palette=PALETTE, ax=ax,
                     stat="percent" if few_values else "density", common_norm=False,
                     element="bars" if few_values else "step", multiple="dodge" if few_values else "layer",
                     bins="auto", shrink=0.8 if few_values else 1.0)
        row = table.loc[name]
        ax.set_title(f"{name}: AUC {row['auc']:.2f} ({row['direction']})"
                     + ("\nSHORTCUT RISK" if row["shortcut_risk"] else ""),
                     color="tab:red" if row["shortcut_risk"] else "black", fontsize=10)
    fig.suptitle("Clip features per class (AUC = max(AUC, 1-AUC) of the feature alone)")
    save(fig, path)


def plot_examples(frame: pd.DataFrame, path: Path, per_class: int = 4, seed: int = 0) -> None:
    """Step 1's own PNGs, a random few per class, REAL on top."""
    fig, axes = plt.subplots(2, per_class, figsize=(3 * per_class, 6.6), squeeze=False, constrained_layout=True)
    for row_axes, index in zip(axes, (0, 1)):
        clips = frame[frame["y"] == index]
        clips = clips.sample(min(per_class, len(clips)), random_state=seed)
        for ax, clip in zip(row_axes, clips.itertuples()):
            with Image.open(clip.image_path) as image:
                ax.imshow(image, cmap="gray")
            detail = clip.attack if index else clip.origin
            ax.set_title(f"{CLASS_NAMES[index]}: {detail[:24]}\n{clip.duration:.1f} s, {clip.sample_rate} Hz",
                         fontsize=9)
        for ax in row_axes:
            ax.axis("off")
    fig.suptitle("Example spectrograms (step 1 images, low frequencies at the bottom)")
    save(fig, path)
