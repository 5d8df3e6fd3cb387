"""Corrections as training folders, in the formats of ../shared/data's sets.

Letters: gzip'd IDX images (magic 2051, n×28×28 uint8, white ink on black, upright), IDX labels
(magic 2049, 1..26 = a..z) and index.csv.gz (one row per image: its label, the model's guesses,
canvas or upload, the model version, the page's language, the time). `training.train
--extra-data DIR` trains on such folders.

Lines, in the sub-folder LINES_FOLDER, as the htr-lines-* sets: lines.tar (each line's grey PNG)
and index.jsonl.gz (one {"kind": "line", "image", "text", "writer", "page", "polygon"} row per
line, the polygon the whole picture, plus what the app read, the reader, the dictionary, the
model version and the time). `training.train_lines --extra-lines DIR` trains on such folders.
"""

import csv
import gzip
import io
import json
import tarfile
from datetime import timezone
from pathlib import Path

import numpy as np
from PIL import Image

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from training import line_data
from training.idx import IMAGES_FILE, INDEX_FILE, LABELS_FILE, write_idx

LINES_FOLDER = "lines"

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


def write_lines(out, corrections):
    """Write `corrections` (LineCorrection rows) as a line set in the folder `out`; the number written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with (tarfile.open(out / line_data.LINES_FILE, "w") as tar,
          gzip.open(out / line_data.INDEX_FILE, "wt", encoding="utf-8") as index):
        for correction in corrections:
            name, writer = f"{correction.id:08d}.png", f"correction-{correction.id}"
            info = tarfile.TarInfo(name)
            info.size = len(correction.picture)
            info.mtime = int(correction.created_at.replace(tzinfo=timezone.utc).timestamp())
            tar.addfile(info, io.BytesIO(correction.picture))
            width, height = Image.open(io.BytesIO(correction.picture)).size
            index.write(json.dumps({
                "kind": "line", "image": name, "text": correction.text, "writer": writer, "page": writer,
                "polygon": [[0, 0], [width, 0], [width, height], [0, height]], "reading": correction.reading,
                "reader": correction.reader, "language": correction.language,
                "model_version": correction.model_version, "created_at": correction.created_at.isoformat() + "Z",
            }, ensure_ascii=False) + "\n")
            count += 1
    return count
