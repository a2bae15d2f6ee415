"""A grid of N seeded random spectrograms with true label, predicted label and p_fake.

    python inference/predict_panel.py                       # newest run, spectrograms/ test split
    python inference/predict_panel.py --input some/folder --n 24 --output panel.png
    python inference/predict_panel.py --explain            # cyan: where the evidence for the verdict is

Green titles are right, red are wrong (grey when the true label is unknown).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from inference.explain import explain, overlay
from inference.predictor import Predictor
from model.run import ModelNotFoundError, describe_run
from preprocessing.layouts import label_from_path
from preprocessing.manifest import DatasetError, original_images, read_config, read_manifest
from preprocessing.spectrogram import load_image_array


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="run folder or model.keras (default: newest run)")
    parser.add_argument("--data", default="spectrograms", help="step 1 output folder (used without --input)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--input", help="a folder of PNGs instead (labels from REAL/FAKE folder names)")
    parser.add_argument("--n", type=int, default=16, help="number of samples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default="prediction_panel.png")
    parser.add_argument("--explain", action="store_true",
                        help="overlay each tile with where the evidence for its verdict lies (Hz and s axes)")
    return parser.parse_args(argv)


def pick_samples(args) -> list[tuple[Path, str]]:
    if args.input:
        paths = sorted(Path(args.input).rglob("*.png"))
        samples = [(p, label_from_path(p) or "?") for p in paths]
    else:
        frame = original_images(read_manifest(args.data, args.split))
        samples = [(Path(p), label) for p, label in zip(frame["image_path"], frame["label"])]
    if not samples:
        raise DatasetError(f"no PNG spectrograms found in {args.input or args.data}")
    rng = np.random.default_rng(args.seed)
    chosen = rng.choice(len(samples), size=min(args.n, len(samples)), replace=False)
    return [samples[i] for i in sorted(chosen)]


def draw_panel(samples, p_fake, predicted, output: Path, threshold: float, explained=None) -> None:
    """`explained`: (images, relevance maps, config) to draw overlays instead of plain images."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    columns = min(4, len(samples))
    rows = int(np.ceil(len(samples) / columns))
    tile_height = 3.9 if explained else 3.4
    fig, axes = plt.subplots(rows, columns, figsize=(3.1 * columns, tile_height * rows), squeeze=False,
                             layout="constrained")  # leaves room for the suptitle
    for ax in axes.ravel():
        ax.axis("off")
    for index, (ax, (path, truth), score, guess) in enumerate(zip(axes.ravel(), samples, p_fake, predicted)):
        if explained:
            images, maps, config = explained
            ax.axis("on")
            overlay(ax, images[index], maps[index], config)
        else:
            with Image.open(path) as image:
                ax.imshow(image, cmap="gray" if image.mode == "L" else None, vmin=0, vmax=255)
        color = "grey" if truth == "?" else ("tab:green" if truth == guess else "tab:red")
        ax.set_title(f"true {truth} | pred {guess}\np_fake {score:.3f}", color=color, fontsize=10)
    fig.suptitle(f"p_fake = P(fake); FAKE when p_fake >= {threshold:.3f}"
                 + ("\ncyan: evidence for the predicted label (HiResCAM)" if explained else ""), fontsize=11)
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        predictor = Predictor.load(args.model)
        samples = pick_samples(args)
        if not args.input:
            predictor.check_dataset_config(read_config(args.data), args.data)
        images = np.stack([load_image_array(path, predictor.config) for path, _ in samples])
        p_fake = predictor.predict_arrays(images)
    except (ModelNotFoundError, DatasetError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    predicted = predictor.label(p_fake)
    explained = None
    if args.explain:
        explained = (images, explain(predictor.model, images, threshold=predictor.threshold,
                                     calibration=predictor.card.calibration)[0], predictor.config)
    draw_panel(samples, p_fake, predicted, Path(args.output), predictor.threshold, explained)
    known = [(truth, guess) for (_, truth), guess in zip(samples, predicted) if truth != "?"]
    right = sum(truth == guess for truth, guess in known)
    print(f"model: {describe_run(predictor.run_dir)}; {len(samples)} samples, {right}/{len(known)} right; "
          f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
