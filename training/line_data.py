"""Real handwritten lines with their text (../shared/data/htr-lines-*), split by writer.

Each line crop goes through the reader's own preprocessing (`grey_to_ink`, then `line_input`),
with the ink outside the line's polygon dropped, as the page reader drops the ink of the lines
above and below. Writers are held out whole: the writers of Copiste's whole pages (and 15 Poilus
writers) form the test set of the benchmark, 10 more writers of each set the validation set.
"""

import gzip
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from handwriting.alphabet import normalize
from handwriting.ink import grey_to_ink
from handwriting.line_image import line_input

LINE_SETS = ("htr-lines-copiste", "htr-lines-poilus")
INDEX_FILE = "index.jsonl.gz"  # a set's rows: {"kind": "line", "image", "text", "writer", "page", "polygon", …}
LINES_FILE = "lines.tar"  # ...and its line pictures, named by "image"
SPLITS = ("train", "validation", "test")
VALIDATION_WRITERS = 10  # per set
TEST_WRITERS = 15  # per set without whole pages (Copiste's test writers are those of its pages)
SPLIT_SEED = 0
SPECK_FRACTION = 0.003  # as on a page: only really tiny marks are specks
POLYGON_MARGIN = 3  # pixels of ink kept outside the line's polygon


@dataclass
class Line:
    pixels: np.ndarray  # (LINE_HEIGHT, width) uint8, the recognizer's input scaled to 0..255
    text: str
    writer: str
    source: str


def read_index(data_dir, name):
    with gzip.open(Path(data_dir) / name / INDEX_FILE, "rt", encoding="utf-8") as file:
        return [json.loads(row) for row in file]


def test_writers(rows, name):
    """The writers kept for the benchmark: those of the whole pages, else TEST_WRITERS drawn."""
    page_images = {row["page_image"] for row in rows if row["kind"] == "page"}
    writers = sorted({row["writer"] for row in rows if row["kind"] == "line"})
    if page_images:
        return {row["writer"] for row in rows if row["kind"] == "line" and row["page"] in page_images}
    rng = np.random.default_rng(SPLIT_SEED)
    return set(rng.choice(writers, TEST_WRITERS, replace=False))


def split_of(rows, name):
    """{writer: split} for one set."""
    test = test_writers(rows, name)
    rest = sorted({row["writer"] for row in rows if row["kind"] == "line"} - test)
    validation = set(np.random.default_rng(SPLIT_SEED + 1).choice(rest, VALIDATION_WRITERS, replace=False))
    return {writer: "test" if writer in test else "validation" if writer in validation else "train"
            for writer in rest + sorted(test)}


def crop_ink(grey, polygon):
    """The ink of a line crop, without what lies outside its polygon."""
    ink = grey_to_ink(grey, SPECK_FRACTION)
    mask = Image.new("L", (grey.shape[1], grey.shape[0]), 0)
    ImageDraw.Draw(mask).polygon([tuple(point) for point in polygon], fill=255, outline=255, width=2 * POLYGON_MARGIN)
    return ink * (np.asarray(mask) > 0)


def _read_lines(folder, rows, name):
    """(row, Line) of a set's line rows; lines whose text holds a character the recognizer does not
    read, or crossed-out words, are left out."""
    with tarfile.open(Path(folder) / LINES_FILE) as tar:
        for row in rows:
            if row["kind"] != "line" or "<" in row["text"] or ">" in row["text"]:
                continue
            text = normalize(row["text"])
            if text is None:
                continue
            data = tar.extractfile(row["image"]).read()
            grey = np.asarray(Image.open(io.BytesIO(data)).convert("L"), np.float32) / 255
            line = line_input(crop_ink(grey, row["polygon"]))
            if line is None:
                continue
            yield row, Line(np.uint8(np.rint(line.pixels * 255)), text, row["writer"], name)


def load_lines(data_dir, name):
    """{split: [Line]} of one set (see `_read_lines` for the lines left out)."""
    rows = read_index(data_dir, name)
    splits = split_of(rows, name)
    out = {split: [] for split in SPLITS}
    for row, line in _read_lines(Path(data_dir) / name, rows, name):
        out[splits[row["writer"]]].append(line)
    return out


def folder_lines(folder):
    """Every line of a folder in the layout of the sets (`flask corrections export` writes one),
    all of them for training."""
    folder = Path(folder)
    return [line for _, line in _read_lines(folder, read_index(folder.parent, folder.name), folder.name)]


def cached_lines(data_dir, cache_dir, sets=LINE_SETS):
    """{split: [Line]} of every set, preprocessed once and kept in `cache_dir`."""
    out = {split: [] for split in SPLITS}
    for name in sets:
        path = Path(cache_dir) / f"{name}.npz"
        if not path.exists():
            loaded = load_lines(data_dir, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            flat = [(split, line) for split in SPLITS for line in loaded[split]]
            pixels = np.empty(len(flat), dtype=object)
            pixels[:] = [line.pixels for _, line in flat]
            np.savez_compressed(path, pixels=pixels, meta=np.array([[split, line.text, line.writer] for split, line in flat]))
        saved = np.load(path, allow_pickle=True)
        for pixels, (split, text, writer) in zip(saved["pixels"], saved["meta"]):
            out[str(split)].append(Line(pixels, str(text), str(writer), name))
    return out
