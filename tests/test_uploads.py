"""The upload limits have one home: change it and the form, the API, the page text and the
upload script's config all follow."""

import html
import io
import json
import re

import pytest
from pictures import data_url

from harness.pictures import draw_letter, encode
from webapp import create_app

LETTER_PNG = encode(draw_letter("a"))


@pytest.fixture
def small_limit_client():
    """The app with a file limit just under the size of LETTER_PNG."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "MAX_UPLOAD_BYTES": len(LETTER_PNG) - 1})
    return app.test_client()


def upload_config(page):
    block = re.search(r'<script type="application/json" id="upload-config">(.*?)</script>', page, re.S)
    return json.loads(html.unescape(block[1]))


def test_the_default_limit_is_5_mb_everywhere(client):
    page = client.get("/").get_data(as_text=True)
    assert "up to 5 MB" in page
    config = upload_config(page)
    assert config["max_bytes"] == 5 * 1024 * 1024
    assert "The picture is larger than 5 MB" in config["messages"]["too_big"]
    assert set(config["extensions"]) == {"png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"}


@pytest.mark.parametrize("path", ["/", "/read"])
def test_page_text_and_client_check_follow_the_limit(small_limit_client, path):
    page = small_limit_client.get(path).get_data(as_text=True)
    limit = len(LETTER_PNG) - 1
    shown = f"{round(limit / 1024)} KB" if limit >= 1024 else f"{limit} bytes"
    assert f"up to {shown}" in html.unescape(page)
    config = upload_config(page)
    assert config["max_bytes"] == limit
    assert shown in config["messages"]["too_big"] and "%(size)s" in config["messages"]["too_big"]
    assert "5 MB" not in page


@pytest.mark.parametrize(("path", "page_id"), [("/upload", "draw-form"), ("/read/upload", "word-draw-form")])
def test_the_upload_forms_follow_the_limit(small_limit_client, path, page_id):
    response = small_limit_client.post(path, data={"image": (io.BytesIO(LETTER_PNG), "a.png")},
                                       content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The picture is larger than" in page and f'id="{page_id}"' in page


@pytest.mark.parametrize("path", ["/draw", "/read/draw"])
def test_drawings_follow_the_limit(small_limit_client, path):
    response = small_limit_client.post(path, data={"drawing": data_url(LETTER_PNG)})
    assert response.status_code == 413
    assert "The picture is larger than" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/predict", "/api/read"])
def test_the_api_follows_the_limit_however_the_picture_comes(small_limit_client, path):
    for request in [{"data": {"image": (io.BytesIO(LETTER_PNG), "a.png")}},
                    {"json": {"image": data_url(LETTER_PNG)}}]:
        response = small_limit_client.post(path, **request)
        assert response.status_code == 413
        assert response.get_json()["code"] == "too_large"
        assert "5 MB" not in response.get_json()["error"]


def test_the_request_body_limit_is_derived_from_the_file_limit():
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "MAX_UPLOAD_BYTES": 3000})
    assert 4000 <= app.config["MAX_CONTENT_LENGTH"] <= 4000 + 64 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] == app.config["MAX_CONTENT_LENGTH"]


def test_a_file_just_under_the_limit_is_read(client):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "MAX_UPLOAD_BYTES": len(LETTER_PNG)})
    response = app.test_client().post("/api/predict", data={"image": (io.BytesIO(LETTER_PNG), "a.png")})
    assert response.status_code == 200 and response.get_json()["predictions"]
