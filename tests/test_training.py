import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np

from handwriting.labels import LETTERS
from training import train
from training.paths import ROOT
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


TWO_CPU_RUNS = """
import sys
import tensorflow as tf

# Two logical CPUs, set before TensorFlow starts: MirroredStrategy then mirrors over both.
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from training import train

root, *common = sys.argv[1:]
for name in ("none", "mirrored"):
    train.main([*common, "--output", f"{root}/{name}", "--distribute", name])
"""


def test_mirrored_training_on_two_cpus_learns_and_writes_the_artifacts_of_a_plain_run(tmp_path):
    data_dir = make_data_dir(tmp_path / "data", true_labels=True)  # 8 letters a model can learn
    common = ["--data-dir", str(data_dir), "--epochs", "3", "--samples-per-epoch", "1600",
              "--batch-size", "32", "--workers", "2"]
    subprocess.run([sys.executable, "-c", TWO_CPU_RUNS, str(tmp_path), *common], check=True, cwd=ROOT)

    plain, mirrored = tmp_path / "none", tmp_path / "mirrored"
    assert sorted(p.name for p in mirrored.iterdir()) == sorted(p.name for p in plain.iterdir())
    metrics = {run: json.loads((run / "metrics.json").read_text()) for run in (plain, mirrored)}
    assert set(metrics[mirrored]) == set(metrics[plain])
    assert metrics[plain]["training"]["replicas"] == 1
    assert metrics[mirrored]["training"]["replicas"] == 2
    assert metrics[mirrored]["training"]["distribute"] == "mirrored"

    history = json.loads((mirrored / "history.json").read_text())
    assert len(history) == 3 and history[-1]["loss"] < history[0]["loss"]
    assert max(e["val_accuracy"] for e in history) > 0.5  # 8 classes: chance is 1/8 at best
    model = load_letter_model(mirrored / train.MODEL_FILE)
    assert model.probabilities(np.zeros((2, 28, 28), "float32")).shape == (2, 26)


def test_multi_worker_strategy_reads_tf_config_and_the_chief_writes_the_artifacts(tmp_path):
    # One worker: Keras 3.15's fit fails under MultiWorkerMirroredStrategy with two or more
    # workers (keras-team/keras#20585), which the README says.
    data_dir = make_data_dir(tmp_path / "data", true_labels=True)
    out = tmp_path / "out"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tf_config = {"cluster": {"worker": [f"127.0.0.1:{port}"]}, "task": {"type": "worker", "index": 0}}
    subprocess.run(
        [sys.executable, "-m", "training.train", "--data-dir", str(data_dir), "--output", str(out),
         "--epochs", "2", "--samples-per-epoch", "1600", "--batch-size", "32", "--workers", "1",
         "--distribute", "multi-worker", "--no-evaluate"],
        cwd=ROOT, check=True, env={**os.environ, "TF_CONFIG": json.dumps(tf_config)},
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["training"]["distribute"] == "multi-worker" and metrics["training"]["replicas"] == 1
    history = json.loads((out / "history.json").read_text())
    assert len(history) == 2 and history[-1]["loss"] < history[0]["loss"]
    assert load_letter_model(out / train.MODEL_FILE).probabilities(np.zeros((1, 28, 28), "float32")).shape == (1, 26)


def test_max_minutes_stops_a_run_after_the_epoch_under_way(tmp_path):
    data_dir = make_data_dir(tmp_path / "data")
    out = tmp_path / "models"
    train.main(["--data-dir", str(data_dir), "--output", str(out), "--epochs", "3", "--max-minutes", "0",
                "--samples-per-epoch", "260", "--batch-size", "32", "--workers", "1", "--no-evaluate"])
    assert len(json.loads((out / "history.json").read_text())) == 1
    assert (out / train.MODEL_FILE).exists()
