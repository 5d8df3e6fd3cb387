"""Hostile input once more against the real server: gunicorn with the project's config."""

import json

import pytest
from test_hostile_inputs import REFUSED_FILES, blank_png, data_url, letter_png

from benchmarks.http_load import Gunicorn, multipart


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
        pytest.param(b"\0" * (9 * 1024 * 1024), {"Content-Type": "multipart/form-data; boundary=x"}, 413,
                     "too large", id="body-over-8mb"),
        pytest.param(json.dumps({"image": "data:image/png;base64,@@@"}).encode(), JSON, 400,
                     "base64 payload is malformed", id="bad-base64"),
        pytest.param(json.dumps({"image": data_url(blank_png(30000, 30000))}).encode(), JSON, 413,
                     "far too many pixels", id="bomb-data-url"),
        pytest.param(b'{"image": ', JSON, 400, "Send JSON like", id="invalid-json"),
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
