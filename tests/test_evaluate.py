import subprocess
import sys

import numpy as np

from training.evaluate import MIN_PER_LETTER, score
from training.paths import ROOT


def test_score_top1_top3_per_letter_and_confusion():
    labels = np.array([0, 0, 1, 2]).repeat(MIN_PER_LETTER)
    probabilities = np.zeros((4, 26))
    probabilities[0, [0, 1, 2]] = [0.7, 0.2, 0.1]  # right
    probabilities[1, [1, 0, 3]] = [0.5, 0.3, 0.2]  # wrong, right one second
    probabilities[2, [2, 3, 4, 1]] = [0.4, 0.3, 0.2, 0.1]  # wrong, right one fourth
    probabilities[3, [2]] = [1.0]  # right
    result = score(probabilities.repeat(MIN_PER_LETTER, axis=0), labels, detailed=True)
    assert result["count"] == 4 * MIN_PER_LETTER
    assert result["top1"] == 0.5 and result["top3"] == 0.75
    assert result["per_letter"] == {"a": 0.5, "b": 0.0, "c": 1.0}
    assert result["confusion"][0][1] == MIN_PER_LETTER and result["confusion"][1][2] == MIN_PER_LETTER
    assert result["most_confused"][0]["count"] == MIN_PER_LETTER
    assert {(p["true"], p["predicted"]) for p in result["most_confused"]} == {("a", "b"), ("b", "c")}


def test_every_set_scores_the_letters_it_has_pictures_enough_of():
    """Per-letter figures for every set (not only the detailed one), for the letters with
    MIN_PER_LETTER pictures or more: a one-picture-per-letter spot check has none."""
    labels = np.array([0] * MIN_PER_LETTER + [1] * (MIN_PER_LETTER - 1))
    probabilities = np.eye(26)[labels]
    result = score(probabilities, labels)
    assert result["per_letter"] == {"a": 1.0} and "confusion" not in result
    assert "per_letter" not in score(np.eye(26), np.arange(26))


def test_evaluate_and_words_benchmark_import_neither_train_nor_each_other_in_a_cycle():
    code = (
        "import sys, training.evaluate; "
        "assert 'training.train' not in sys.modules and 'tensorflow' not in sys.modules; "
        "import benchmarks.words; assert 'training.train' not in sys.modules; "
        "import training.train"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
