"""Is this one handwritten letter? So that noise, photos, words, scribbles, shapes, digits and
doodles are named as such instead of guessed at.

A small perceptron (trained by `python -m training.letterness`, weights in
models/letterness.npz) reads the 28x28 frame the model saw, pooled 2x2, and the model's own
certainty (its five best probabilities and their entropy); its threshold lets 99.9 % of the
held-out validation writers' letters through. A few ink statistics then say what the picture
looks like instead. benchmarks/letterness.py measures it.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handwriting.ink import label_components

DETECTOR_FILE = "letterness.npz"
POOL = 2  # the frame is averaged over POOL x POOL blocks
INK_LEVEL = 0.3  # a frame pixel this bright (0..1) is ink
PART_SHARE = 0.05  # a piece of ink with less than this share of all ink is a detail (an i's dot)
REASONS = ("several_marks", "filled", "not_like_a_letter")


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
        return "several_marks"
    if sizes.sum() > 0.6 * height * width:
        return "filled"
    return "not_like_a_letter"
