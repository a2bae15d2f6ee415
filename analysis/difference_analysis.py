"""Step 2: how REAL and FAKE differ in step 1's data, and which trivial features give the answer away.

    python analysis/difference_analysis.py                     # spectrograms -> analysis/plots
    python analysis/difference_analysis.py --data /tmp/spec_dev --split train --max-clips 500

Writes mean spectrograms and their difference (significant cells contoured), per-band effect
sizes, band energy with 95% CIs (also per origin and per attack), clip feature distributions with
the AUC each reaches alone, example images, summary.csv and summary.md (shortcut risks first).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from analysis import plots
from analysis.features import FEATURES, feature_aucs, load_clips
from analysis.report import summary_markdown
from analysis.stats import band_differences, band_energy, is_significant, welch
from preprocessing.manifest import DatasetError, read_config
from preprocessing.spectrogram import band_frequencies


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="spectrograms", help="step 1's output folder")
    parser.add_argument("--output", default="analysis/plots", help="where figures and tables go")
    parser.add_argument("--split", choices=("train", "val", "test"), help="one split only (default: all)")
    parser.add_argument("--max-clips", type=int, default=1000, help="per class, seeded random sample (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--alpha", type=float, default=0.05, help="false discovery rate (Benjamini-Hochberg)")
    parser.add_argument("--min-effect", type=float, default=0.2, help="smallest |Cohen's d| called significant")
    parser.add_argument("--shortcut-auc", type=float, default=0.8, help="flag features reaching this AUC alone")
    parser.add_argument("--high-band-hz", type=float, default=4000.0, help="edge of the high-band energy ratio")
    parser.add_argument("--n-boot", type=int, default=300, help="bootstrap resamples of the band-energy CIs")
    parser.add_argument("--examples", type=int, default=4, help="example images per class")
    parser.add_argument("--max-facets", type=int, default=12, help="most origins/attacks drawn")
    parser.add_argument("--min-facet-clips", type=int, default=10, help="fewest fakes for an origin/attack facet")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        config = read_config(args.data)
        frame, mels = load_clips(args.data, args.split, args.max_clips, args.seed, args.high_band_hz)
    except DatasetError as error:
        sys.exit(f"error: {error}")
    y = frame["y"].to_numpy()
    if len(set(y)) < 2:
        sys.exit(f"error: {args.data} needs both REAL and FAKE clips to compare them")
    from_png = int((~frame["from_audio"]).sum())
    source = "band dB recomputed from the source audio"
    if from_png:
        source += (f", except {from_png} clips whose audio is gone: decoded from their PNG "
                   f"(clipped, 0.3 dB steps; no audio features for them)")
        print(f"note: {from_png} clips have no audio at their source path; using their PNG levels")

    output = Path(args.output)
    config.save(output)  # the settings these plots were computed with
    difference, d, _, q = welch(mels, y)
    cells_significant = is_significant(q, d, args.alpha, args.min_effect)
    energy = band_energy(mels, frame["frames"].to_numpy())
    bands = band_differences(energy, y, config, args.alpha, args.min_effect)
    features = feature_aucs(frame, args.shortcut_auc, args.alpha, args.min_effect)

    centres = band_frequencies(config)
    figures = ["mean_spectrograms.png", "band_effects.png", "band_energy.png"]
    plots.plot_mean_spectrograms(mels, y, difference, cells_significant, centres, config, output / figures[0])
    plots.plot_band_effects(bands, args.min_effect, output / figures[1])
    plots.plot_band_energy(energy, frame, centres, output / figures[2], n_boot=args.n_boot)
    for column in ("origin", "attack"):
        name = f"band_energy_by_{column}.png"
        if plots.plot_band_energy(energy, frame, centres, output / name, column, args.max_facets,
                                  args.min_facet_clips, args.n_boot):
            figures.append(name)
    plots.plot_feature_distributions(frame, features, output / "feature_distributions.png")
    plots.plot_examples(frame, output / "examples.png", args.examples, args.seed)
    figures += ["feature_distributions.png", "examples.png"]

    summary = pd.concat([features.assign(kind="feature"), bands.assign(kind="band")]).reset_index()
    summary.to_csv(output / "summary.csv", index=False, float_format="%.6g")
    frame[["image", "label", "split", "origin", "attack", *FEATURES, "from_audio"]].to_csv(
        output / "clip_features.csv", index=False, float_format="%.6g")
    notes = {"data": args.data, "split": args.split or "all", "real": int((y == 0).sum()),
             "fake": int((y == 1).sum()), "max_clips": args.max_clips or "all", "seed": args.seed, "source": source}
    (output / "summary.md").write_text(summary_markdown(features, bands, cells_significant.mean(), notes, figures,
                                                        args.shortcut_auc, args.alpha, args.min_effect))

    print(features[["auc", "direction", "shortcut_risk"]].to_string(float_format="{:.3f}".format))
    risks = features.index[features["shortcut_risk"]]
    print(f"shortcut risks (AUC >= {args.shortcut_auc:g}): {', '.join(risks) if len(risks) else 'none'}")
    print(f"{int(bands['significant'].sum())}/{len(bands)} frequency bands significant; "
          f"wrote {output / 'summary.md'} and {len(figures)} figures in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
