"""The real server: gunicorn with the project's config, against hostile input, and its runtime and preloading."""

import json
import runpy
import shutil
from pathlib import Path

import pytest
from hostile import REFUSED_FILES, blank_png, letter_png
from pictures import data_url

from harness.clients import multipart
from harness.servers import Gunicorn

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    with Gunicorn(WEB_CONCURRENCY="1", THREADS="2") as running:
        running.wait_for_first_prediction(*multipart(letter_png()))
        yield running
        assert "Traceback" not in running.log_tail(100_000)


def post(server, path, body, headers):
    """Status, headers and body of one request on a fresh connection."""
    connection = server.connect()
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def assert_json_error(answer, status, message):
    code, headers, body = answer
    assert code == status, body[:300]
    assert headers["Content-Type"] == "application/json"
    assert message in json.loads(body)["error"]
    assert "Set-Cookie" not in headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def assert_healthy(server):
    connection = server.connect()
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    code, _, body = post(server, "/api/predict", *multipart(letter_png()))
    assert code == 200 and len(json.loads(body)["predictions"]) == 5


@pytest.mark.parametrize(("make", "status", "message"), REFUSED_FILES)
def test_gunicorn_refuses_bad_files(server, make, status, message):
    assert_json_error(post(server, "/api/predict", *multipart(make())), status, message)
    assert_healthy(server)


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        pytest.param(b"\0" * (35 * 1024 * 1024), {"Content-Type": "multipart/form-data; boundary=x"}, 413,
                     "too large", id="body-over-33mb"),
        pytest.param(json.dumps({"image": "data:image/png;base64,@@@"}).encode(), JSON, 400,
                     "base64 payload is malformed", id="bad-base64"),
        pytest.param(json.dumps({"image": data_url(blank_png(30000, 30000))}).encode(), JSON, 413,
                     "far too many pixels", id="bomb-data-url"),
        pytest.param(b'{"image": ', JSON, 400, "Send JSON like", id="invalid-json"),
        pytest.param(b"[" * 1000 + b"]" * 1000, JSON, 400, "nested too deeply", id="json-nested-1000-deep"),
        pytest.param(letter_png(), {"Content-Type": "image/png"}, 415, "Send multipart/form-data", id="raw-png"),
    ],
)
def test_gunicorn_refuses_bad_requests(server, body, headers, status, message):
    assert_json_error(post(server, "/api/predict", body, headers), status, message)
    assert_healthy(server)


def test_gunicorn_refuses_forms_without_a_csrf_token(server):
    code, headers, body = post(server, "/upload", *multipart(letter_png()))
    assert code == 400
    assert headers["Content-Type"].startswith("text/html")
    assert b"The form expired or was not sent from this site" in body
    assert_healthy(server)


# --- the runtime and preloading ------------------------------------------------------------------


def gunicorn_settings(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_the_app_is_preloaded_only_when_litert_serves(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_MODEL_RUNTIME", raising=False)
    monkeypatch.delenv("FLASK_MODEL_PATH", raising=False)
    assert gunicorn_settings(monkeypatch)["preload_app"] is True
    assert gunicorn_settings(monkeypatch, FLASK_MODEL_RUNTIME="keras")["preload_app"] is False
    stale = tmp_path / "letter_cnn.keras"
    for name in ("letter_cnn.keras", "letter_cnn.tflite"):
        shutil.copy(ROOT / "models" / name, tmp_path / name)
    (tmp_path / "metrics.json").write_text("{}")  # no fingerprint: TensorFlow would load, so no preload
    assert gunicorn_settings(monkeypatch, FLASK_MODEL_RUNTIME="auto", FLASK_MODEL_PATH=str(stale))["preload_app"] is False


def test_the_server_says_litert_serves(server):
    status, health = server.request("GET", "/healthz")
    assert status == 200 and health["runtime"] == "litert"


def test_a_keras_worker_still_serves_without_preloading():
    """The fallback under real gunicorn: each worker loads TensorFlow itself, after the fork."""
    with Gunicorn(FLASK_MODEL_RUNTIME="keras", WEB_CONCURRENCY="1", THREADS="2") as keras_server:
        keras_server.wait_for_first_prediction(*multipart(letter_png()))
        status, health = keras_server.request("GET", "/healthz")
        assert status == 200 and health["runtime"] == "keras"
        status, answer = keras_server.request("POST", "/api/predict", *multipart(letter_png()))
        assert status == 200 and len(answer["predictions"]) == 5
        assert "Traceback" not in keras_server.log_tail(100_000)
