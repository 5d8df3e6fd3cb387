import json

import keras
import numpy as np

from handwriting.labels import LETTERS
from training import train
from fake_data import make_data_dir
from webapp.model import load_letter_model


def test_smoke_training_run_writes_every_artifact_and_reloads(tmp_path):
    data_dir = make_data_dir(tmp_path / "data")
    out = tmp_path / "models"
    model = train.main([
        "--data-dir", str(data_dir), "--output", str(out), "--epochs", "1",
        "--samples-per-epoch", "260", "--batch-size", "32", "--workers", "1",
    ])

    history = json.loads((out / "history.json").read_text())
    assert len(history) == 1
    assert {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(history[0])
    assert not (out / "labels.json").exists()  # the classes have one home: handwriting.labels
    assert model.output_shape == (None, len(LETTERS))

    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["parameters"] == model.count_params() > 100_000
    assert metrics["training"]["data"]["unipen-letters"]["train"] > 0
    assert metrics["training"]["epochs_run"] == 1 and metrics["training"]["wall_seconds"] > 0
    assert {"keras", "tensorflow", "python"} <= set(metrics["versions"])
    emnist = metrics["evaluation"]["emnist-letters"]
    assert emnist["count"] == 130 and 0.0 <= emnist["top1"] <= emnist["top3"] <= 1.0
    assert len(emnist["confusion"]) == 26 and sum(map(sum, emnist["confusion"])) == 130
    assert metrics["evaluation"]["uji-penchars-v1-letters"]["count"] == 6

    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    reloaded = keras.models.load_model(out / train.MODEL_FILE)
    expected = model(x, training=False).numpy()
    assert np.allclose(reloaded.predict(x, verbose=0), expected, atol=1e-5)
    served = load_letter_model(out / train.MODEL_FILE)
    assert np.allclose(served.probabilities(x[..., 0]), expected, atol=1e-5)
