"""training.export: the LiteRT flatbuffer, its fingerprint and the architecture in metrics.json."""

import json
import shutil
from pathlib import Path

import keras
import numpy as np
from fake_data import make_data_dir

from handwriting import classifier
from training import evaluate, export
from training.model import build_model

MODELS = Path(__file__).resolve().parent.parent / "models"


def test_the_shipped_tflite_is_the_export_of_the_shipped_model():
    record = json.loads((MODELS / "metrics.json").read_text())["export"]
    assert record["keras_sha256"] == classifier.fingerprint(MODELS / "letter_cnn.keras")
    assert record["tflite_sha256"] == classifier.fingerprint(MODELS / "letter_cnn.tflite")
    assert record["tflite_bytes"] == (MODELS / "letter_cnn.tflite").stat().st_size


def test_export_writes_the_tflite_fingerprints_and_architecture(tmp_path):
    model = build_model()
    path = tmp_path / "letter_cnn.keras"
    model.save(path)
    (tmp_path / "metrics.json").write_text(json.dumps({"parameters": model.count_params(), "source": "x"}))

    export.main(["--model", str(path)])

    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["source"] == "x"  # what training wrote stays
    record = metrics["export"]
    assert record["keras_sha256"] == classifier.fingerprint(path)
    assert record["tflite_sha256"] == classifier.fingerprint(tmp_path / "letter_cnn.tflite")
    layers = metrics["architecture"]
    assert [row["name"] for row in layers] == [layer.name for layer in model.layers]
    assert sum(row["params"] for row in layers) == model.count_params()
    assert layers[-1] == {"name": model.layers[-1].name, "type": "Dense", "output_shape": "(None, 26)",
                          "params": model.layers[-1].count_params()}

    served = classifier.load(path)
    assert served.runtime == "litert" and served.layers() == layers
    x = np.random.default_rng(0).random((16, 28, 28, 1), dtype=np.float32)
    assert np.abs(served.probabilities(x) - model(x, training=False).numpy()).max() < 1e-5


def test_export_of_a_model_without_metrics_makes_them(tmp_path):
    path = tmp_path / "letter_cnn.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(26, activation="softmax")]).save(path)
    assert export.export(path) == tmp_path / "letter_cnn.tflite"
    assert set(json.loads((tmp_path / "metrics.json").read_text())) == {"architecture", "export"}
    assert classifier.load(path).runtime == "litert"


def test_evaluate_scores_either_runtime_the_same(tmp_path):
    for name in ("letter_cnn.keras", "letter_cnn.tflite", "metrics.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    data_dir = make_data_dir(tmp_path / "data")
    scores = {}
    for runtime in ("keras", "litert"):
        evaluate.main(["--model", str(tmp_path / "letter_cnn.keras"), "--data-dir", str(data_dir),
                       "--runtime", runtime])
        scores[runtime] = json.loads((tmp_path / "metrics.json").read_text())["evaluation"]
    assert scores["keras"]["emnist-letters"]["count"] > 0
    assert scores["keras"] == scores["litert"]
