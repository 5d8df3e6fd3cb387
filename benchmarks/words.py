"""Reading whole lines: words composed from real handwritten letters of one writer.

    python -m benchmarks.words [--lines 300] [--seed 0]

Each line is two to four words, common English words or random strings, written with the letter
pictures of one writer from the evaluation-only sets (never trained on): the lower-case canvas
letters of lowercase-32px-vladislavus1 (one writer) and the canvas capitals of
canvas-uppercase-24-kishieel (one "client" folder per line; it has no Q or V). Letters keep
their place in their picture (so their baseline), vary in size by ±10 % and jitter up and down;
gaps are drawn relative to the writer's median letter height u: between letters 0.05u..0.35u
(separately written letters, as /read expects: their ink does not touch), between words
0.8u..1.5u. Each line is read the way /api/read reads it (`read_line`), and compared with the
same letter pictures recognised alone (`image_to_frame` + the model, one batched call).
"""

import argparse
import csv
import difflib
import gzip
import io
import os
import tarfile
import time
from collections import Counter, defaultdict
from datetime import datetime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.common import print_table, save  # noqa: E402
from handwriting.ink import image_to_frame  # noqa: E402
from handwriting.labels import LETTERS  # noqa: E402
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR  # noqa: E402
from webapp.model import load_letter_model  # noqa: E402
from webapp.recognition import read_line  # noqa: E402

MODEL = MODELS_DIR / MODEL_FILE
WORDS = """
the of and to in is you that it he was for on are as with his they at be this have from or one
had by word but not what all were we when your can said there use an each which she do how their
if will up other about out many then them these so some her would make like him into time has
look two more write go see number no way could people my than first water been call who oil its
now find long down day did get come made may part over new sound take only little work know place
year live me back give most very after thing our just name good sentence man think say great
where help through much before line right too mean old any same tell boy follow came want show
also around form three small set put end does another well large must big even such because turn
here why ask went men read need land different home us move try kind hand picture again change off
play spell air away animal house point page letter mother answer found study still learn should
world high every near add food between own below country plant last school father keep tree never
start city earth eye light thought head under story saw left few while along might close something
seem next hard open example begin life always those both paper together got group often run
""".split()
LETTER_GAP = (0.05, 0.35)  # gap between separately written letters, in median letter heights
WORD_GAP = (0.8, 1.5)  # gap between words
X_HEIGHT = (30, 60)  # the writer's median letter height on the line, px
SIZE_JITTER = 0.1
BASELINE_JITTER = 0.05  # of the letter picture's height, up or down


def load_set(folder, writer_of):
    """{writer: {letter: [(file bytes, grey picture cut to its ink's columns, paper = 1)]}}."""
    with gzip.open(DEFAULT_DATA_DIR / folder / "index.csv.gz", "rt", encoding="utf-8") as f:
        letter_of = {r["original_file"]: r["char"].lower() for r in csv.DictReader(f)}
    writers = defaultdict(lambda: defaultdict(list))
    with tarfile.open(DEFAULT_DATA_DIR / folder / "original-png.tar") as tar:
        for member in tar:
            name = member.name
            if not member.isfile() or name not in letter_of:
                continue
            data = tar.extractfile(member).read()
            grey = np.asarray(Image.open(io.BytesIO(data)).convert("L"), np.float32) / 255.0
            if np.median(grey) < 0.5:
                grey = 1.0 - grey  # light ink on a dark canvas
            columns = np.flatnonzero((grey < 0.5).any(axis=0))
            if columns.size:
                writers[writer_of(name)][letter_of[name]].append((data, grey[:, columns[0] : columns[-1] + 1]))
    return writers


def median_height(letters):
    """A writer's median letter height in its pictures, px."""
    return float(np.median([np.ptp(np.flatnonzero((g < 0.5).any(axis=1))) + 1
                            for pool in letters.values() for _, g in pool]))


SETS = {  # folder: the writer of a file
    "lowercase-32px-vladislavus1": lambda name: "one writer",
    "canvas-uppercase-24-kishieel": lambda name: name.split("/")[1],  # data/client-N/...
}


def line_text(rng, alphabet):
    """Two to four words: common words (60 %) or random strings, in `alphabet` only."""
    words = []
    for _ in range(rng.integers(2, 5)):
        if rng.random() < 0.6:
            words.append(str(rng.choice([w for w in WORDS if set(w) <= alphabet])))
        else:
            words.append("".join(rng.choice(sorted(alphabet), rng.integers(2, 8))))
    return words


def compose(words, letters, height, rng):
    """A line picture ("L", dark ink on white) of `words` in the writer's `letters` (whose median
    height is `height`) and the truth: [(letter, its file's bytes, its box)]."""
    unit = rng.uniform(*X_HEIGHT)
    scale = unit / height
    placed, x = [], unit
    for word in words:
        for i, char in enumerate(word):
            data, grey = letters[char][rng.integers(len(letters[char]))]
            size = scale * rng.uniform(1 - SIZE_JITTER, 1 + SIZE_JITTER)
            shape = (max(1, round(grey.shape[1] * size)), max(1, round(grey.shape[0] * size)))
            picture = Image.fromarray(np.uint8(grey * 255)).resize(shape, Image.Resampling.BICUBIC)
            if placed:
                x += unit * rng.uniform(*(WORD_GAP if i == 0 else LETTER_GAP))
            y = unit * 0.5 + picture.height * rng.uniform(-BASELINE_JITTER, BASELINE_JITTER)
            placed.append((char, data, picture, round(x), round(y)))
            x += picture.width
    width = round(x + unit)
    height = round(max(p.height + y for *_, p, _, y in placed) + unit * 0.5)
    page = np.ones((height, width), np.float32)
    truth = []
    for char, data, picture, px, py in placed:
        grey = np.asarray(picture, np.float32) / 255.0
        region = page[py : py + grey.shape[0], px : px + grey.shape[1]]
        np.minimum(region, grey, out=region)
        rows, cols = np.flatnonzero((grey < 0.5).any(axis=1)), np.flatnonzero((grey < 0.5).any(axis=0))
        truth.append((char, data, (px + cols[0], py + rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)))
    return Image.fromarray(np.uint8(page * 255)), truth


def edit_distance(a, b):
    """Levenshtein distance between two sequences."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def run(lines=300, seed=0):
    """Compose and read `lines` lines; return the scores (also saved as results/words.json).

    Per set: character accuracy (1 - edit distance / letters, spaces left out), the same letters
    recognised alone, words read exactly, lines whose letter count is wrong (letters merged, split
    or missed); on the other lines ("cut right"), character accuracy against the same letters
    alone, and letter boundaries read right as space or no space.
    """
    model = load_letter_model(MODEL)
    if not model.available:
        raise SystemExit(model.error)
    rng = np.random.default_rng(seed)
    sets = {folder: load_set(folder, writer_of) for folder, writer_of in SETS.items()}
    heights = {}
    per_set = {name: defaultdict(int) for name in sets}
    alone = {name: [] for name in sets}  # (picture bytes, letter, line cut right) of every letter
    start = time.perf_counter()
    for n in range(lines):
        name = list(sets)[n % len(sets)]
        writers = sets[name]
        writer = sorted(writers)[rng.integers(len(writers))]
        letters = writers[writer]
        heights.setdefault((name, writer), median_height(letters))
        words = line_text(rng, set(letters))
        image, truth = compose(words, letters, heights[name, writer], rng)
        reading = read_line(image, model)
        found = [[letter.letter for letter in word] for word in reading.words]
        score = per_set[name]
        score["lines"] += 1
        score["letters"] += len(truth)
        flat = [c for word in found for c in word]
        score["letter_errors"] += edit_distance("".join(words), "".join(flat))
        score["words"] += len(words)
        matcher = difflib.SequenceMatcher(None, words, ["".join(w) for w in found], autojunk=False)
        score["words_right"] += sum(block.size for block in matcher.get_matching_blocks())
        cut_right = len(flat) == len(truth)
        if not cut_right:
            score["too_few" if len(flat) < len(truth) else "too_many"] += 1
        else:
            score["cut_right_letters"] += len(flat)
            score["cut_right_read_right"] += sum(f == t for f, t in zip(flat, "".join(words)))
            true_breaks = [i == 0 for word in words for i in range(len(word))][1:]
            found_breaks = [i == 0 for word in found for i in range(len(word))][1:]
            score["boundaries"] += len(true_breaks)
            score["boundaries_right"] += sum(t == f for t, f in zip(true_breaks, found_breaks))
            score["word_gaps"] += sum(true_breaks)
            score["word_gaps_found"] += sum(t and f for t, f in zip(true_breaks, found_breaks))
            score["false_spaces"] += sum(f and not t for t, f in zip(true_breaks, found_breaks))
        alone[name] += [(data, char, cut_right) for char, data, _ in truth]
    seconds = time.perf_counter() - start
    for name in sets:
        frames = [image_to_frame(Image.open(io.BytesIO(data))) for data, *_ in alone[name]]
        top = np.argmax(model.probabilities(np.stack(frames)), axis=1)
        right = [LETTERS[t] == char for t, (_, char, _) in zip(top, alone[name])]
        per_set[name]["alone_right"] = sum(right)
        per_set[name]["cut_right_alone_right"] = sum(r for r, (*_, cut) in zip(right, alone[name]) if cut)
    per_set["all"] = sum((Counter(score) for score in per_set.values()), Counter())
    result = {"lines": lines, "seed": seed, "model": str(MODEL),
              "model_modified": datetime.fromtimestamp(MODEL.stat().st_mtime).isoformat(timespec="seconds"),
              "seconds": seconds, "sets": {name: _scores(score) for name, score in per_set.items()}}
    save("words", result)
    return result


def _scores(score):
    """The shares and counts reported for one set's tallies."""
    cut_right = score["cut_right_letters"]
    return {
        "lines": score["lines"],
        "letters": score["letters"],
        "character_accuracy": 1 - score["letter_errors"] / score["letters"],
        "single_letter_accuracy": score["alone_right"] / score["letters"],
        "word_accuracy": score["words_right"] / score["words"],
        "lines_cut_right_character_accuracy": score["cut_right_read_right"] / max(1, cut_right),
        "lines_cut_right_single_letter_accuracy": score["cut_right_alone_right"] / max(1, cut_right),
        "lines_with_wrong_letter_count": score["too_few"] + score["too_many"],
        "lines_with_too_few_letters": score["too_few"],
        "lines_with_too_many_letters": score["too_many"],
        "gap_accuracy": score["boundaries_right"] / max(1, score["boundaries"]),
        "word_gap_recall": score["word_gaps_found"] / max(1, score["word_gaps"]),
        "false_spaces": score["false_spaces"],
    }


def report(result):
    rows = [(name, s["lines"], s["letters"], f"{s['character_accuracy']:.1%}", f"{s['single_letter_accuracy']:.1%}",
             f"{s['word_accuracy']:.1%}", s["lines_with_wrong_letter_count"],
             f"{s['lines_cut_right_character_accuracy']:.1%} / {s['lines_cut_right_single_letter_accuracy']:.1%}",
             f"{s['gap_accuracy']:.1%}", f"{s['word_gap_recall']:.1%}", s["false_spaces"])
            for name, s in result["sets"].items()]
    print_table(rows, ["set", "lines", "letters", "chars", "alone", "words", "bad seg", "cut right: chars / alone",
                       "gaps", "gap recall", "false spaces"])
    print(f"{result['lines']} lines composed and read in {result['seconds']:.0f} s (seed {result['seed']}, "
          f"model of {result['model_modified']})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    report(run(args.lines, args.seed))


if __name__ == "__main__":
    main()
