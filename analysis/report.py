"""summary.md: shortcut risks first, then the per-feature and per-band differences in words and tables."""
from __future__ import annotations

import itertools

import pandas as pd

from analysis.features import FEATURES, IN_IMAGES


def markdown_table(frame: pd.DataFrame) -> str:
    numbers = frame.select_dtypes("number").columns
    frame = frame.astype(object)
    frame[numbers] = frame[numbers].map("{:.4g}".format)
    frame = frame.replace({True: "yes", False: ""})
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + " --- |" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def significant_ranges(bands: pd.DataFrame) -> pd.DataFrame:
    """Runs of neighbouring significant bands whose difference has the same sign."""
    runs, position = [], 0
    keys = zip(bands["significant"], bands["cohens_d"] > 0)
    for (significant, higher_in_fake), run in itertools.groupby(keys):
        length = len(list(run))
        part = bands.iloc[position:position + length]
        position += length
        if significant:
            runs.append({"from_hz": part["centre_hz"].iloc[0], "to_hz": part["centre_hz"].iloc[-1],
                         "bands": length, "higher_in": "FAKE" if higher_in_fake else "REAL",
                         "mean_difference_db": part["difference"].mean(),
                         "max_abs_d": part["cohens_d"].abs().max(), "max_auc": part["auc"].max()})
    return pd.DataFrame(runs, columns=["from_hz", "to_hz", "bands", "higher_in", "mean_difference_db",
                                       "max_abs_d", "max_auc"])


def summary_markdown(features: pd.DataFrame, bands: pd.DataFrame, cells_significant: float, notes: dict,
                     figures: list[str], shortcut_auc: float, alpha: float, min_effect: float) -> str:
    risks = features[features["shortcut_risk"]]
    lines = ["# REAL vs FAKE: difference analysis", "",
             f"Data: {notes['data']} (split: {notes['split']}), {notes['real']} REAL and {notes['fake']} FAKE "
             f"clips (at most {notes['max_clips']} per class, seed {notes['seed']}); {notes['source']}.", "",
             f"## Shortcut risks (a feature alone reaches AUC >= {shortcut_auc:g})", ""]
    if risks.empty:
        lines.append("None: no single clip feature separates the classes this well.")
    else:
        lines += [f"- **{name}** alone separates REAL from FAKE with AUC {row.auc:.3f} ({row.direction}; "
                  f"{IN_IMAGES.get(name, 'visible in the images')})." for name, row in risks.iterrows()]
        lines += ["", "Such a trivial feature separating the classes means the data, not the voice, tells "
                  "REAL from FAKE: a model can score well by learning it instead of synthesis artefacts, "
                  "and fail on data where it does not hold. Balance or remove it before trusting test scores."]
    table = features.reset_index()[["name", "mean_real", "mean_fake", "cohens_d", "q_value", "auc",
                                    "direction", "shortcut_risk"]]
    ranges = significant_ranges(bands)
    strongest = bands.reindex(bands["cohens_d"].abs().sort_values(ascending=False).index).head(10)
    lines += ["", "## Clip features, each alone", "",
              "AUC is max(AUC, 1 - AUC) of the feature used alone as a score; d is Cohen's d (FAKE - REAL); "
              "q is the Benjamini-Hochberg corrected Welch t-test p-value.", "", markdown_table(table), "",
              *(f"- {name}: {meaning}" for name, meaning in FEATURES.items()), "",
              "## Mel bands", "",
              f"Band energy = mean dB over the image columns that hold audio. Significant: q < {alpha:g} and "
              f"|d| >= {min_effect:g}. {int(bands['significant'].sum())} of {len(bands)} bands are significant; "
              f"{cells_significant:.0%} of image cells (padding included) are.", "",
              markdown_table(ranges) if len(ranges) else "No significant band.", "",
              "Strongest bands:", "",
              markdown_table(strongest.reset_index()[["name", "centre_hz", "mean_real", "mean_fake", "difference",
                                                      "cohens_d", "q_value", "auc"]]), "",
              "## Figures", "", *(f"- [{name}]({name})" for name in figures), ""]
    return "\n".join(lines)
