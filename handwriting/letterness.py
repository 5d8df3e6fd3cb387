"""Is this one handwritten letter? So that noise, photos, words, scribbles, shapes, digits and
doodles are named as such instead of guessed at.

`several_letters` looks at the picture's ink itself, before it is framed: letters side by side
with a gap between them, or ink much wider than tall, are several letters (a word, a number),
whatever the model thinks of the frame. Then a small perceptron (trained by `python -m training.letterness`, weights in
models/letterness.npz) reads the 28x28 frame the model saw, pooled 2x2, and the model's own
certainty (its five best probabilities and their entropy); its threshold lets 99.9 % of the
held-out validation writers' letters through. A few ink statistics then say what the picture
looks like instead. benchmarks/letterness.py measures it.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handwriting.ink import label_components
from handwriting.segment import TooManyLetters, segment

DETECTOR_FILE = "letterness.npz"
POOL = 2  # the frame is averaged over POOL x POOL blocks
INK_LEVEL = 0.3  # a frame pixel this bright (0..1) is ink
PART_SHARE = 0.05  # a piece of ink with less than this share of all ink is a detail (an i's dot)
SEVERAL_MARKS = "several_marks"  # the reason given for a word, letters side by side, several marks
REASONS = (SEVERAL_MARKS, "filled", "not_like_a_letter")
LETTER_GAP = 0.1  # pieces of ink further apart than this many median piece heights are separate letters
WORD_ASPECT = 2.2  # ink this many times wider than tall is several letters (touching or joined)
MARK_HEIGHT = 0.4  # a piece shorter than this share of the tallest is a mark (a comma, a speck), not a letter


def several_letters(ink):
    """Whether an ink map (`grey_to_ink`) holds several letters side by side rather than one.

    The page segmenter's pieces (`handwriting.segment`: the dot of an i or j and the parts of a
    broken stroke that overlap belong to their letter) fall into groups parted by clear gaps; two
    groups that each hold a letter-sized piece are two letters (a comma or a speck beside a letter
    is not, and a loose bar between two stems bridges them). Letters that touch or are joined
    count by the width of their ink. benchmarks/several_letters.py measures it on training data.
    """
    try:
        line = segment(ink)
    except TooManyLetters:
        return True
    boxes = sorted(letter.box for letter in line.candidates[: len(line.cuts)])
    if not boxes:
        return False
    tallest = max(box[3] for box in boxes)
    letters = [box for box in boxes if box[3] >= MARK_HEIGHT * tallest]
    gap = LETTER_GAP * float(np.median([box[3] for box in letters]))
    groups, right = [[]], boxes[0][0]
    for box in boxes:
        if box[0] - right > gap:
            groups.append([])
        groups[-1].append(box)
        right = max(right, box[0] + box[2])
    if sum(any(box in letters for box in group) for group in groups) > 1:
        return True
    left, right = min(box[0] for box in letters), max(box[0] + box[2] for box in letters)
    top, bottom = min(box[1] for box in letters), max(box[1] + box[3] for box in letters)
    return right - left > WORD_ASPECT * (bottom - top)


def features(frames, probabilities):
    """The detector's input for a batch of 28x28 frames and the model's probabilities for them."""
    n, side = len(frames), frames.shape[1]
    pooled = frames.reshape(n, side // POOL, POOL, side // POOL, POOL).mean(axis=(2, 4)).reshape(n, -1)
    best = -np.sort(-probabilities, axis=1)[:, :5]
    entropy = -(probabilities * np.log(np.clip(probabilities, 1e-9, 1.0))).sum(axis=1, keepdims=True)
    return np.concatenate([pooled, best, entropy], axis=1).astype(np.float32)


@dataclass(frozen=True)
class Detector:
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    threshold: float

    @classmethod
    def load(cls, path):
        """The detector saved at `path`, or None when there is none."""
        if not Path(path).is_file():
            return None
        with np.load(path) as saved:
            return cls(saved["w1"], saved["b1"], saved["w2"], saved["b2"], float(saved["threshold"]))

    def scores(self, features):
        """How much each picture looks like one letter, 0..1 (the perceptron's forward pass)."""
        hidden = np.maximum(features @ self.w1 + self.b1, 0.0)
        return (1.0 / (1.0 + np.exp(-(hidden @ self.w2 + self.b2)))).ravel()

    def judge(self, frame, probabilities):
        """Why the picture whose frame is `frame`, read as `probabilities`, is not one letter; or None."""
        score = self.scores(features(frame[None], np.asarray(probabilities)[None]))[0]
        return None if score >= self.threshold else what_it_looks_like(frame)


def what_it_looks_like(frame):
    """The reason to give for a frame that is not a letter: several marks, a filled area, or other."""
    mask = frame > INK_LEVEL
    _, sizes = label_components(mask)
    sizes[0] = 0
    rows, cols = np.nonzero(mask)
    if not rows.size:
        return "not_like_a_letter"
    height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
    if (sizes >= PART_SHARE * sizes.sum()).sum() > 2 or width > 1.6 * height:
        return SEVERAL_MARKS
    if sizes.sum() > 0.6 * height * width:
        return "filled"
    return "not_like_a_letter"
