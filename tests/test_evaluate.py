import subprocess
import sys

import numpy as np

from training.evaluate import score
from training.paths import ROOT


def test_score_top1_top3_per_letter_and_confusion():
    labels = np.array([0, 0, 1, 2])
    probabilities = np.zeros((4, 26))
    probabilities[0, [0, 1, 2]] = [0.7, 0.2, 0.1]  # right
    probabilities[1, [1, 0, 3]] = [0.5, 0.3, 0.2]  # wrong, right one second
    probabilities[2, [2, 3, 4, 1]] = [0.4, 0.3, 0.2, 0.1]  # wrong, right one fourth
    probabilities[3, [2]] = [1.0]  # right
    result = score(probabilities, labels, detailed=True)
    assert result["count"] == 4
    assert result["top1"] == 0.5 and result["top3"] == 0.75
    assert result["per_letter"] == {"a": 0.5, "b": 0.0, "c": 1.0}
    assert result["confusion"][0][1] == 1 and result["confusion"][1][2] == 1
    assert result["most_confused"][0]["count"] == 1
    assert {(p["true"], p["predicted"]) for p in result["most_confused"]} == {("a", "b"), ("b", "c")}


def test_evaluate_and_words_benchmark_import_neither_train_nor_each_other_in_a_cycle():
    code = (
        "import sys, training.evaluate; "
        "assert 'training.train' not in sys.modules and 'tensorflow' not in sys.modules; "
        "import benchmarks.words; assert 'training.train' not in sys.modules; "
        "import training.train"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
