"""training.line_export and handwriting.line_recognizer's loading: the LiteRT flatbuffer reads
lines as Keras does, and serves only when its fingerprints match."""

import json
from pathlib import Path

import numpy as np
import pytest

from handwriting import classifier
from handwriting.alphabet import NUM_CODES
from handwriting.line_image import LINE_HEIGHT, WIDTH_STEP
from handwriting.line_recognizer import LINE_METRICS_FILE, LINE_MODEL_FILE, load_line_model
from training import line_export
from training.line_model import build_line_model

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    path = folder / LINE_MODEL_FILE
    build_line_model().save(path)
    line_export.main(["--model", str(path)])
    return path


def test_litert_reads_lines_of_any_width_as_keras_does(exported):
    litert, keras = load_line_model(exported, "litert"), load_line_model(exported, "keras")
    assert (litert.runtime, keras.runtime) == ("litert", "keras")
    rng = np.random.default_rng(0)
    for width in (16, 300, 1024, 64):  # the interpreter is resized for each new width
        pixels = rng.random((LINE_HEIGHT, width), dtype=np.float32)
        ours, theirs = litert.log_probabilities(pixels), keras.log_probabilities(pixels)
        assert ours.shape == (width // WIDTH_STEP, NUM_CODES)
        np.testing.assert_allclose(np.exp(ours).sum(axis=1), 1, atol=1e-4)
        np.testing.assert_allclose(ours, theirs, atol=2e-4)


def test_a_stale_or_missing_flatbuffer_is_refused_with_the_reason(exported, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    for name in (LINE_MODEL_FILE, "line_crnn.tflite", LINE_METRICS_FILE):
        (folder / name).write_bytes((exported.parent / name).read_bytes())
    build_line_model().save(folder / LINE_MODEL_FILE)  # retrained, not re-exported
    stale = load_line_model(folder / LINE_MODEL_FILE, "litert")
    assert not stale.available and "stale" in stale.error
    auto = load_line_model(folder / LINE_MODEL_FILE)
    assert auto.runtime == "keras" and "stale" in auto.runtime_reason
    (folder / "line_crnn.tflite").unlink()
    assert "missing" in load_line_model(folder / LINE_MODEL_FILE, "litert").error
    (folder / LINE_MODEL_FILE).unlink()
    gone = load_line_model(folder / LINE_MODEL_FILE)
    assert not gone.available and "training.train_lines" in gone.error


def test_the_shipped_line_flatbuffer_is_the_export_of_the_shipped_line_model():
    record = json.loads((MODELS / LINE_METRICS_FILE).read_text())["export"]
    assert record["keras_sha256"] == classifier.fingerprint(MODELS / LINE_MODEL_FILE)
    assert record["tflite_sha256"] == classifier.fingerprint(MODELS / "line_crnn.tflite")
    assert record["tflite_bytes"] <= 10_000_000  # the size budget
