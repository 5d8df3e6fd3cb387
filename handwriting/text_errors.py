"""How far a reading is from the truth: character and word error rates (Levenshtein, rapidfuzz)."""

from rapidfuzz.distance import Levenshtein


def character_error_rate(truths, readings):
    """Character edits needed to turn the readings into the truths, per character of the truths."""
    edits = sum(Levenshtein.distance(truth, reading) for truth, reading in zip(truths, readings, strict=True))
    return edits / max(1, sum(map(len, truths)))


def word_error_rate(truths, readings):
    """Word edits (insertions, deletions, substitutions) per word of the truths."""
    edits = sum(Levenshtein.distance(truth.split(), reading.split())
                for truth, reading in zip(truths, readings, strict=True))
    return edits / max(1, sum(len(truth.split()) for truth in truths))
