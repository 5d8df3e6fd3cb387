"""webapp.security: headers, HTTPS mode (FORCE_HTTPS) and which proxies are trusted (PROXY_FIX)."""

import io
import re

import pytest
from flask import request
from pictures import data_url

from harness.pictures import draw_letter, encode
from webapp import create_app

HTTPS = {"base_url": "https://localhost"}


def make_app(monkeypatch, proxies=None, **config):
    """The app as configured from the environment, FLASK_FORCE_HTTPS=true as the README says."""
    monkeypatch.setenv("FLASK_FORCE_HTTPS", "true")
    if proxies is not None:
        monkeypatch.setenv("FLASK_PROXY_FIX", str(proxies))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", **config})

    @app.get("/test-remote-addr")
    def remote_addr():
        return request.remote_addr

    return app


def test_https_mode_marks_the_session_cookie_secure(monkeypatch):
    """The session (it holds the CSRF token) must never travel over plain HTTP: `setdefault` on a
    key Flask already defines left it without Secure."""
    response = make_app(monkeypatch).test_client().get("/", **HTTPS)
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "; Secure" in cookie and "; HttpOnly" in cookie


def test_https_mode_sends_hsts_over_https_only(monkeypatch):
    client = make_app(monkeypatch).test_client()
    assert client.get("/healthz", **HTTPS).headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    plain = create_app({"TESTING": True, "SECRET_KEY": "test", "FORCE_HTTPS": False}).test_client()
    response = plain.get("/", **HTTPS)
    assert "Strict-Transport-Security" not in response.headers
    assert "; Secure" not in response.headers["Set-Cookie"]


def test_https_mode_sends_pages_to_https(monkeypatch):
    response = make_app(monkeypatch).test_client().get("/stats?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://localhost/stats?x=1"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/healthz", 200), ("post", "/api/predict", 200), ("get", "/api/predict", 405),
     ("get", "/api/no-such-thing", 404), ("post", "/api/read", 400)],
)
def test_health_checks_and_the_api_are_never_redirected(monkeypatch, method, path, status):
    """Load-balancer probes and API clients get their answer or a JSON error over plain HTTP, not a 302."""
    client = make_app(monkeypatch, WTF_CSRF_ENABLED=False).test_client()
    data = {"image": (io.BytesIO(encode(draw_letter())), "a.png")} if path == "/api/predict" else None
    response = getattr(client, method)(path, data=data, content_type="multipart/form-data")
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json
    assert "Location" not in response.headers


def test_x_forwarded_headers_are_ignored_without_a_configured_proxy(monkeypatch):
    client = make_app(monkeypatch).test_client()
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.7"}
    response = client.get("/", headers=spoofed)
    assert response.status_code == 302 and response.headers["Location"] == "https://localhost/"
    assert client.get("/test-remote-addr", headers=spoofed, **HTTPS).get_data(as_text=True) == "127.0.0.1"


def test_x_forwarded_headers_of_the_configured_proxy_are_trusted(monkeypatch):
    client = make_app(monkeypatch, proxies=1).test_client()
    behind_tls = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "letters.example", "X-Forwarded-For": "203.0.113.7"}
    response = client.get("/", headers=behind_tls)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "; Secure" in response.headers["Set-Cookie"]
    assert client.get("/test-remote-addr", headers=behind_tls).get_data(as_text=True) == "203.0.113.7"
    plain = client.get("/", headers={**behind_tls, "X-Forwarded-Proto": "http"})
    assert plain.status_code == 302 and plain.headers["Location"] == "https://letters.example/"
    # Only the last proxy's word counts: what the client put in front of it is not trusted.
    chained = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https"}
    assert client.get("/test-remote-addr", headers=chained).get_data(as_text=True) == "203.0.113.7"


# --- the person's picture and work ------------------------------------------------------------------

LETTER = data_url(encode(draw_letter("t")))


@pytest.mark.parametrize(("path", "data"), [
    ("/draw", {"drawing": LETTER}),
    ("/draw", {"drawing": "data:image/png;base64,@@@"}),  # an error page sends the drawing back too
    ("/read/draw", {"drawing": LETTER}),
])
def test_answers_to_forms_are_never_stored(client, path, data):
    """They show the person's picture: no cache or history copy may keep it."""
    response = client.post(path, data=data)
    assert response.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


@pytest.mark.parametrize(("path", "page"), [
    ("/draw", "/"), ("/upload", "/"), ("/read/draw", "/read"), ("/read/upload", "/read"),
])
def test_a_reloaded_or_bookmarked_result_url_leads_back_to_its_form(client, path, page):
    """Results are never stored (any worker may answer the next request): GET on a form's URL, as a
    reload after result.js's history.replaceState or a bookmark sends it, goes back to the form."""
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == page


@pytest.mark.parametrize(("path", "data"), [("/draw", {"drawing": LETTER}), ("/read/draw", {"drawing": LETTER})])
def test_result_pages_make_reload_a_get(client, path, data):
    page = client.post(path, data=data).get_data(as_text=True)
    assert 'src="/static/js/result.js"' in page
    assert "history.replaceState" in client.get("/static/js/result.js").get_data(as_text=True)


def test_a_csrf_failure_keeps_the_drawing_and_one_click_resends_it(csrf_app):
    """A stale tab or cleared cookies: the page comes back with the drawing in its form and a fresh
    token, so pressing Recognize again (draw.js puts the drawing back on the canvas) just works."""
    browser = csrf_app.test_client()
    refused = browser.post("/draw", data={"drawing": LETTER, "csrf_token": "stale"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    form = re.search(r'<form[^>]*id="draw-form".*?</form>', page, re.DOTALL)[0]
    assert f'value="{LETTER}"' in form
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)[1]
    resent = browser.post("/draw", data={"drawing": LETTER, "csrf_token": token})
    assert resent.status_code == 200
    assert 'id="guesses"' in resent.get_data(as_text=True)
