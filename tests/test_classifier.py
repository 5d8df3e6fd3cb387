"""The classifier the app serves with: LiteRT when its export matches, Keras otherwise; both give the same answers."""

import html
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from pictures import FIXTURES

from handwriting import classifier
from handwriting.ink import image_to_frame
from harness.pictures import STROKES, draw_letter, encode
from training.idx import read_idx, upright
from training.strokes import read_strokes, render_strokes
from webapp import create_app
from webapp.model import load_letter_model

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "letter_cnn.keras"


@pytest.fixture(scope="module")
def litert():
    model = load_letter_model(MODEL, "litert")
    assert model.runtime == "litert", model.error
    return model


@pytest.fixture(scope="module")
def keras_runtime():
    model = load_letter_model(MODEL, "keras")
    assert model.runtime == "keras", model.error
    return model


def picture_frames():
    """Frames of the test pictures: each drawn letter with several pens, sizes and places."""
    pictures = [draw_letter(letter, width=width, scale=scale, offset=offset)
                for letter in STROKES for width in (6, 14, 30) for scale in (0.5, 1.0)
                for offset in ((0, 0), (60, 30))]
    return np.stack([image_to_frame(picture) for picture in pictures])


def fixture_frames(count=300):
    """A few hundred frames made from the fixtures: the UniPen letters rendered with random pens,
    slant and jitter as training renders them, and the IDX images."""
    rng = np.random.default_rng(0)
    samples = read_strokes(FIXTURES / "strokes.txt")
    frames = [render_strokes(samples[i % len(samples)][1], rng) for i in range(count)]
    images = [read_idx(FIXTURES / "images-idx3-ubyte.gz"),
              upright(read_idx(FIXTURES / "emnist" / "emnist-letters-train-images-idx3-ubyte.gz"))]
    return np.concatenate([np.stack([f for f in frames if f is not None]),
                           np.concatenate(images).astype(np.float32) / 255.0])


def test_auto_serves_with_litert_when_the_export_matches(app):
    model = app.extensions["letter_model"]
    assert model.runtime == "litert" and model.available and model.error is None
    assert "matches the fingerprint" in model.runtime_reason


def test_healthz_and_stats_say_which_runtime_serves(client, app):
    model = app.extensions["letter_model"]
    health = client.get("/healthz").get_json()
    assert health["runtime"] == "litert" and health["runtime_reason"] == model.runtime_reason
    stats = html.unescape(client.get("/stats").get_data(as_text=True))
    assert "LiteRT" in stats and model.runtime_reason in stats


def test_layers_come_from_metrics_json_without_keras(litert):
    metrics = json.loads((MODEL.parent / "metrics.json").read_text())
    assert litert.layers() == metrics["architecture"]
    assert sum(row["params"] for row in litert.layers()) == metrics["parameters"]
    assert {"name", "type", "output_shape", "params"} == set(litert.layers()[0])


@pytest.mark.parametrize("frames", [picture_frames, fixture_frames], ids=["test-pictures", "fixture-frames"])
def test_both_runtimes_give_the_same_top5(litert, keras_runtime, frames):
    x = frames()
    assert len(x) >= 40 if frames is picture_frames else len(x) >= 300
    lite, reference = litert.probabilities(x), keras_runtime.probabilities(x)
    assert lite.shape == reference.shape == (len(x), 26)
    assert np.abs(lite - reference).max() < 1e-4
    for row_lite, row_keras in zip(lite, reference):
        top_lite, top_keras = np.argsort(-row_lite)[:5], np.argsort(-row_keras)[:5]
        # identical, or two letters swapped whose probabilities tie to 1e-6
        assert (top_lite == top_keras).all() or np.allclose(row_keras[top_lite], row_keras[top_keras], atol=1e-6)
        assert litert.top(row_lite) == [
            {"letter": item["letter"], "probability": pytest.approx(item["probability"], abs=1e-4)}
            for item in keras_runtime.top(row_keras)]


def test_a_batch_gives_what_single_calls_give(litert):
    x = fixture_frames(150)
    assert len(x) > classifier.BATCH_LIMIT * 2  # several chunks and a remainder
    batched = litert.probabilities(x)
    single = np.concatenate([litert.probabilities(frame[None]) for frame in x])
    assert np.abs(batched - single).max() < 1e-6
    assert np.abs(litert.probabilities(x[:3]) - batched[:3]).max() < 1e-6  # resized back down


def test_threads_each_get_their_own_interpreter(litert):
    x = fixture_frames(64)
    expected = litert.probabilities(x)
    results, errors = {}, []

    def work(n):
        try:
            for _ in range(30):
                size = 1 + (n * 7) % len(x)
                results[n] = np.abs(litert.probabilities(x[:size]) - expected[:size]).max()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 8 and max(results.values()) < 1e-6


def test_keras_runtime_when_asked_for(keras_runtime):
    assert keras_runtime.runtime_reason == "the Keras runtime was asked for"
    assert keras_runtime.layers()  # from metrics.json too


def test_unknown_runtime_is_an_unavailable_model():
    model = classifier.load(MODEL, "onnx")
    assert not model.available and "onnx" in model.error


def test_a_litert_worker_never_imports_tensorflow():
    """Every serving module imported, the app created from wsgi.py, a letter and a line read:
    neither TensorFlow nor Keras is in sys.modules."""
    code = """
import importlib, io, json, pkgutil, sys
import handwriting, webapp
for package in (handwriting, webapp):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
from wsgi import app
from harness.pictures import draw_letter, encode
from PIL import Image
client = app.test_client()
letter = client.post("/api/predict", data={"image": (io.BytesIO(encode(draw_letter("x"))), "x.png")})
line = Image.new("L", (700, 280), 255)
for n, char in enumerate("tax"):
    line.paste(draw_letter(char), (n * 220, 0))
read = client.post("/api/read", data={"image": (io.BytesIO(encode(line)), "line.png")})
print(json.dumps({"letter": letter.get_json(), "read": read.get_json(),
                  "runtime": app.extensions["letter_model"].runtime,
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))}))
"""
    env = {**os.environ, "FLASK_SECRET_KEY": "test", "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_MODEL_RUNTIME", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["runtime"] == "litert"
    assert result["letter"]["predictions"][0]["letter"] == "x"
    assert result["read"]["text"] == "tax"
    assert result["loaded"] == []


# --- a missing, stale, foreign or damaged .tflite -------------------------------------------------


def _copy_model(folder):
    for name in ("letter_cnn.keras", "letter_cnn.tflite", "metrics.json"):
        shutil.copy(MODEL.parent / name, folder / name)
    return folder / "letter_cnn.keras"


def _record(folder, **fields):
    metrics_path = folder / "metrics.json"
    metrics = json.loads(metrics_path.read_text())
    metrics["export"].update(fields)
    metrics_path.write_text(json.dumps(metrics))


def _replace_tflite(folder, content):
    """Put content in place of the .tflite and record its fingerprint, as an export would."""
    (folder / "letter_cnn.tflite").write_bytes(content)
    _record(folder, tflite_sha256=classifier.fingerprint(folder / "letter_cnn.tflite"))


def missing(folder):
    (folder / "letter_cnn.tflite").unlink()


def no_record(folder):
    metrics = json.loads((folder / "metrics.json").read_text())
    del metrics["export"]
    (folder / "metrics.json").write_text(json.dumps(metrics))


def foreign(folder):
    with open(folder / "letter_cnn.tflite", "ab") as file:
        file.write(b"\0" * 16)


def stale(folder):
    _record(folder, keras_sha256="0" * 64)  # exported from another .keras


def corrupt(folder):
    _replace_tflite(folder, bytes(np.random.default_rng(0).integers(0, 256, 100_000, dtype=np.uint8)))


def truncated(folder):
    _replace_tflite(folder, (folder / "letter_cnn.tflite").read_bytes()[:1_000_000])


def wrong_classes(folder):
    import keras

    from training.export import to_tflite

    ten = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    _replace_tflite(folder, to_tflite(ten))


BAD_EXPORTS = [
    (missing, "letter_cnn.tflite is missing"),
    (no_record, "records no fingerprint"),
    (foreign, "is not the file exported for this model"),
    (stale, "is stale"),
    (corrupt, "could not be loaded"),
    (truncated, "could not be loaded"),
    (wrong_classes, "predicts (10,) classes, not 26"),
]


def _letter_upload():
    return {"data": {"image": (io.BytesIO(encode(draw_letter("t"))), "t.png")}}


@pytest.mark.parametrize(("damage", "reason"), BAD_EXPORTS, ids=[d.__name__ for d, _ in BAD_EXPORTS])
def test_auto_refuses_a_bad_export_and_serves_with_keras(tmp_path, caplog, damage, reason):
    path = _copy_model(tmp_path)
    damage(tmp_path)
    with caplog.at_level(logging.WARNING, logger="handwriting.classifier"):
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "MODEL_PATH": str(path)})
    model = app.extensions["letter_model"]
    assert model.runtime == "keras" and reason in model.runtime_reason, model.runtime_reason
    assert any("LiteRT model refused" in r.getMessage() and reason in r.getMessage() for r in caplog.records)
    client = app.test_client()
    answer = client.post("/api/predict", **_letter_upload())
    assert answer.status_code == 200 and answer.get_json()["predictions"][0]["letter"] == "t"
    assert client.get("/healthz").get_json()["runtime"] == "keras"


@pytest.mark.parametrize(("damage", "reason"), BAD_EXPORTS, ids=[d.__name__ for d, _ in BAD_EXPORTS])
def test_litert_only_reports_a_bad_export_as_unavailable(tmp_path, damage, reason):
    path = _copy_model(tmp_path)
    damage(tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "MODEL_PATH": str(path), "MODEL_RUNTIME": "litert"})
    model = app.extensions["letter_model"]
    assert not model.available and model.runtime is None and reason in model.error
    client = app.test_client()
    api = client.post("/api/predict", **_letter_upload())
    assert api.status_code == 503 and reason in api.get_json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
    home = client.get("/")
    assert home.status_code == 200
    assert "The recognizer is not available." in html.unescape(home.get_data(as_text=True))
    assert client.post("/upload", **_letter_upload()).status_code == 503


def test_a_bad_tflite_and_a_bad_keras_leave_the_app_up_without_a_model(tmp_path):
    path = _copy_model(tmp_path)
    corrupt(tmp_path)
    path.write_bytes(b"PK\x03\x04 not a Keras model")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "MODEL_PATH": str(path)})
    model = app.extensions["letter_model"]
    assert not model.available and "letter_cnn.keras could not be loaded" in model.error
    assert app.test_client().post("/api/predict", **_letter_upload()).status_code == 503


def test_the_tflite_alone_serves_without_the_keras_file(tmp_path):
    path = _copy_model(tmp_path)
    path.unlink()
    model = classifier.load(path, "auto")
    assert model.runtime == "litert"
    assert model.top(model.probabilities(image_to_frame(draw_letter("l"))[None])[0])[0]["letter"] == "l"
