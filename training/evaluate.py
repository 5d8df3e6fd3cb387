"""Score a saved model on every evaluation-only set and record it in metrics.json.

    python -m training.evaluate [--model models/letter_cnn.keras] [--data-dir ../shared/data]

Evaluation sets are never trained on, early-stopped on or checkpointed on. Stroke sets are
rendered the canonical way, picture sets go through the web app's own preprocessing.
"""

import argparse
import gzip
import csv
import io
import json
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

from handwriting import classifier
from handwriting.frame import FRAME_SIZE
from handwriting.ink import image_to_frame
from handwriting.labels import LETTERS, NUM_CLASSES
from training.idx import read_idx, upright
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR
from training.strokes import read_strokes, render_strokes


def emnist_images(folder, images, labels):
    def load(data_dir):
        x = upright(read_idx(data_dir / folder / images)).astype(np.float32) / 255.0
        return x, read_idx(data_dir / folder / labels).astype(np.int64) - 1

    return load


def rendered_strokes(folder, strokes_file):
    def load(data_dir):
        samples = read_strokes(data_dir / folder / strokes_file)
        frames = [render_strokes(strokes) for _, strokes in samples]
        labels = [LETTERS.index(char.lower()) for char, _ in samples]
        keep = [i for i, f in enumerate(frames) if f is not None]
        return np.stack([frames[i] for i in keep]), np.array([labels[i] for i in keep])

    return load


def original_pictures(folder, archive):
    """Original picture files, preprocessed by the web app's path (image_to_frame)."""

    def load(data_dir):
        with gzip.open(data_dir / folder / "index.csv.gz", "rt", encoding="utf-8") as f:
            label_of = {r["original_file"]: int(r["label"]) - 1 for r in csv.DictReader(f)}
        frames, labels = [], []
        with tarfile.open(data_dir / folder / archive) as tar:
            for member in tar:
                name = next((k for k in label_of if member.name.endswith(k)), None)
                if not member.isfile() or name is None:
                    continue
                frame = image_to_frame(Image.open(io.BytesIO(tar.extractfile(member).read())))
                frames.append(np.zeros((FRAME_SIZE, FRAME_SIZE), np.float32) if frame is None else frame)
                labels.append(label_of[name])
        return np.stack(frames), np.array(labels)

    return load


EVALUATION_SETS = {
    "emnist-letters": emnist_images(
        "emnist-letters",
        "emnist-letters-test14800-images-idx3-ubyte.gz",
        "emnist-letters-test14800-labels-idx1-ubyte.gz",
    ),
    "emnist-letters-test-spotcheck-26": emnist_images(
        "emnist-letters-test-spotcheck-26", "images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"
    ),
    "uji-penchars-v1-letters": rendered_strokes("uji-penchars-v1-letters", "uji1-letters-strokes.txt.gz"),
    "canvas-uppercase-24-kishieel": original_pictures("canvas-uppercase-24-kishieel", "original-png.tar"),
    "lowercase-32px-vladislavus1": original_pictures("lowercase-32px-vladislavus1", "original-png.tar"),
}
DETAILED_SET = "emnist-letters"  # the confusion matrix is reported for it
# Per-letter accuracy is reported for the letters a set has at least this many pictures of (the
# EMNIST copy has only a–s; a one-picture spot check says nothing per letter).
MIN_PER_LETTER = 20


def score(probabilities, labels, detailed=False):
    """Top-1/top-3 accuracy, per-letter accuracy where there are pictures enough (MIN_PER_LETTER),
    and, if detailed, the confusion matrix and the most confused pairs."""
    top3 = np.argsort(-probabilities, axis=1)[:, :3]
    result = {
        "count": int(len(labels)),
        "top1": float(np.mean(top3[:, 0] == labels)),
        "top3": float(np.mean((top3 == labels[:, None]).any(axis=1))),
    }
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=int)
    np.add.at(confusion, (labels, top3[:, 0]), 1)
    totals = confusion.sum(axis=1)
    per_letter = {LETTERS[c]: float(confusion[c, c] / totals[c])
                  for c in range(NUM_CLASSES) if totals[c] >= MIN_PER_LETTER}
    if per_letter:
        result["per_letter"] = per_letter
    if detailed:
        result["confusion"] = confusion.tolist()
        off = [(int(confusion[t, p]), LETTERS[t], LETTERS[p])
               for t in range(NUM_CLASSES) for p in range(NUM_CLASSES) if t != p and confusion[t, p]]
        result["most_confused"] = [
            {"true": t, "predicted": p, "count": n} for n, t, p in sorted(off, reverse=True)[:10]
        ]
    return result


def evaluate(model, data_dir):
    """Return {set name: scores} for every evaluation set present under data_dir."""
    results = {}
    for name, load in EVALUATION_SETS.items():
        if not (Path(data_dir) / name).is_dir():
            continue
        x, y = load(Path(data_dir))
        probabilities = np.concatenate([model.probabilities(x[i : i + 512]) for i in range(0, len(x), 512)])
        results[name] = score(probabilities, y, detailed=name == DETAILED_SET)
        print(f"{name:36s} n={results[name]['count']:6d}  top-1 {results[name]['top1']:.2%}  "
              f"top-3 {results[name]['top3']:.2%}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODELS_DIR / MODEL_FILE)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--runtime", choices=["keras", "litert"], default="keras",
                        help="score the .keras model, or the LiteRT export the web app serves")
    args = parser.parse_args(argv)

    model = classifier.load(args.model, args.runtime)
    if not model.available:
        raise SystemExit(model.error)
    metrics_path = args.model.parent / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
    metrics["evaluation"] = evaluate(model, args.data_dir)
    metrics_path.write_text(json.dumps(metrics, indent=1))
    detailed = metrics["evaluation"].get(DETAILED_SET, {})
    for pair in detailed.get("most_confused", [])[:5]:
        print(f"  {pair['true']} read as {pair['predicted']}: {pair['count']}")
    print(f"Wrote {metrics_path}")


if __name__ == "__main__":
    main()
