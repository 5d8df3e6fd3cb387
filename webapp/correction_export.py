"""Corrections as a training folder, in the format of ../shared/data's image sets.

gzip'd IDX images (magic 2051, n×28×28 uint8, white ink on black, upright), IDX labels (magic
2049, 1..26 = a..z) and index.csv.gz (one row per image: its label, the model's guesses, canvas
or upload, the model version, the page's language, the time). `training.train --extra-data DIR`
trains on such folders.
"""

import csv
import gzip
from pathlib import Path

import numpy as np

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from training.idx import IMAGES_FILE, INDEX_FILE, LABELS_FILE, write_idx

INDEX_COLUMNS = ["index", "label", "char", "guesses", "source", "model_version", "language", "created_at"]


def write_folder(out, corrections):
    """Write `corrections` (Correction rows) under the folder `out`; the number written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frames, labels = [], []
    with gzip.open(out / INDEX_FILE, "wt", encoding="utf-8", newline="") as index_file:
        index = csv.DictWriter(index_file, INDEX_COLUMNS)
        index.writeheader()
        for i, correction in enumerate(corrections):
            frames.append(correction.pixels)
            labels.append(LETTERS.index(correction.label) + 1)
            index.writerow({
                "index": i, "label": labels[-1], "char": correction.label, "guesses": correction.guesses,
                "source": correction.source, "model_version": correction.model_version,
                "language": correction.language or "", "created_at": correction.created_at.isoformat() + "Z",
            })
    write_idx(out / IMAGES_FILE, np.array(frames, dtype=np.uint8).reshape(-1, FRAME_SIZE, FRAME_SIZE))
    write_idx(out / LABELS_FILE, np.array(labels, dtype=np.uint8))
    return len(labels)
