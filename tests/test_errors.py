"""Each error is answered by the part of the app it happened in: the API in JSON with a stable
code, each page with itself (keeping the drawing), unknown URLs in kind."""

import html
import io
import re

import pytest
from pictures import data_url

from harness.pictures import draw_letter, encode
from webapp.errors import describe
from webapp.input_errors import DamagedPicture, EmptyPicture, PictureTooLarge, UnsupportedPicture
from handwriting.segment import TooManyLetters

DRAWING = data_url(encode(draw_letter("x")))
PAGES = [("/draw", "draw-form", "drawing"), ("/read/draw", "word-draw-form", "word-drawing")]


def hidden_drawing(page, field_id):
    """The value of the hidden drawing field on a page."""
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page)[0]
    return html.unescape(re.search(r'value="([^"]*)"', tag)[1])


@pytest.mark.parametrize(("path", "form_id", "field_id"), PAGES)
def test_a_csrf_failure_answers_with_the_page_that_failed_and_keeps_the_drawing(csrf_app, path, form_id, field_id):
    response = csrf_app.test_client().post(path, data={"drawing": DRAWING})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{form_id}"' in page and "CSRF token is missing" in page
    assert hidden_drawing(page, field_id) == DRAWING


@pytest.mark.parametrize(("path", "form_id", "field_id"), PAGES)
def test_a_bad_drawing_comes_back_on_its_own_page(client, path, form_id, field_id):
    bad = data_url(b"<svg/>", "image/svg+xml")
    response = client.post(path, data={"drawing": bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 415 and f'id="{form_id}"' in page
    assert hidden_drawing(page, field_id) == bad


def test_an_oversized_upload_on_the_read_page_answers_with_the_read_page(client):
    body = {"image": (io.BytesIO(b"\0" * (35 * 1024 * 1024)), "big.png")}  # over the 33.4 MB body limit
    response = client.post("/read/upload", data=body, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="word-draw-form"' in page and "too large" in page


def test_api_errors_carry_a_stable_code(client):
    response = client.post("/api/predict", json={"image": data_url(b"")})
    assert response.status_code == 400 and response.get_json()["code"] == "empty"
    assert client.get("/api/nowhere").get_json()["code"] == "not_found"


def test_a_wrong_method_keeps_its_allow_header(client):
    for path in ["/api/predict", "/upload"]:
        response = client.get(path) if path.startswith("/api") else client.put(path)
        assert response.status_code == 405
        assert "POST" in response.headers["Allow"]


def test_an_unexpected_error_is_a_500_page_without_a_traceback(app, client, monkeypatch):
    app.testing = False  # let the error reach the handlers, as in production
    monkeypatch.setattr("webapp.pages.recognize", lambda image, model: 1 / 0)
    response = client.post("/draw", data={"drawing": DRAWING})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "ZeroDivisionError" not in page and 'id="draw-form"' in page


@pytest.mark.parametrize(("error", "status", "code"), [
    (EmptyPicture("x"), 400, "empty"),
    (DamagedPicture("x"), 400, "damaged"),
    (UnsupportedPicture("x"), 415, "unsupported_type"),
    (PictureTooLarge("x"), 413, "too_large"),
])
def test_domain_errors_map_to_statuses(error, status, code):
    assert describe(error)[:2] == (status, code)


def test_too_many_letters_is_a_413_naming_the_limit(app):
    with app.test_request_context():
        status, code, message = describe(TooManyLetters("70 letters", 64))
    assert (status, code) == (413, "too_many_letters") and "64" in message
