"""A miniature ../shared/data built from the committed fixtures, for offline training tests."""

import csv
import gzip
from pathlib import Path

import numpy as np

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from training.idx import read_idx, write_idx
from training.strokes import read_strokes
from pictures import FIXTURES



def _stroke_file(path, meta_path, samples, count, writers, crohme=False, true_labels=False):
    """`count` stroke letters cycling through the fixture shapes and all 26 labels (or their own)."""
    lines, rows = [], []
    for i in range(count):
        own, strokes = samples[i % len(samples)]
        char = LETTERS[i % 26].upper() if (i // 26) % 2 else LETTERS[i % 26]
        char = own if true_labels else char
        writer = f"w{i % writers}"
        lines.append(f"WORD {char} {writer} src{i}\n  NUMSTROKES {len(strokes)}\n")
        for stroke in strokes:
            coords = " ".join(f"{v:g}" for v in stroke.ravel())
            lines.append(f"  POINTS {len(stroke)} # {coords}\n")
        row = {"index": i, "char": char, "label": LETTERS.index(char.lower()) + 1, "writer": writer}
        rows.append(row if crohme else {**row, "contributor": "lab", "quality": "?", "source": "x"})
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(lines)
    with gzip.open(meta_path, "wt", encoding="utf-8", newline="") as f:
        writer_ = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer_.writeheader()
        writer_.writerows(rows)


def make_data_dir(root, per_set=130, true_labels=False):
    """Training folders plus two evaluation folders, laid out like ../shared/data.

    By default labels cycle through all 26 letters whatever the shape; with `true_labels` every
    fixture letter keeps its own label: a tiny set a model can learn.
    """
    root = Path(root)
    samples = read_strokes(FIXTURES / "strokes.txt")
    images = read_idx(FIXTURES / "images-idx3-ubyte.gz")
    for name, stroke_file, meta_file, crohme in [
        ("unipen-letters", "unipen-letters-strokes.txt.gz", "unipen-letters-meta.csv.gz", False),
        ("crohme-letters-online", "crohme-letters-strokes.txt.gz", "meta.csv.gz", True),
    ]:
        (root / name).mkdir(parents=True)
        _stroke_file(root / name / stroke_file, root / name / meta_file, samples, per_set, 10, crohme,
                     true_labels)
    tiled = np.resize(images, (per_set, FRAME_SIZE, FRAME_SIZE))
    labels = np.arange(per_set) % 26 + 1
    if true_labels:
        labels = np.resize(read_idx(FIXTURES / "labels-idx1-ubyte.gz"), per_set)
    for name in ["uppercase-paper-mutikara", "uppercase-28px-mingyanying"]:
        (root / name).mkdir()
        write_idx(root / name / "images-idx3-ubyte.gz", tiled)
        write_idx(root / name / "labels-idx1-ubyte.gz", labels)
        with gzip.open(root / name / "index.csv.gz", "wt", encoding="utf-8") as f:
            f.write("index,char,label,original_file\n")
            f.writelines(f"{i},{LETTERS[l - 1].upper()},{l},x.png\n" for i, l in enumerate(labels))
    emnist = root / "emnist-letters"
    emnist.mkdir()
    write_idx(emnist / "emnist-letters-test14800-images-idx3-ubyte.gz", np.transpose(tiled, (0, 2, 1)))
    write_idx(emnist / "emnist-letters-test14800-labels-idx1-ubyte.gz", labels)
    (root / "uji-penchars-v1-letters").mkdir()
    uji = root / "uji-penchars-v1-letters" / "uji1-letters-strokes.txt.gz"
    uji.write_bytes(gzip.compress((FIXTURES / "strokes.txt").read_bytes()))
    return root
