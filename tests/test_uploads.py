"""The upload limits have one home: change it and the form, the API, the page text and the
upload script's config all follow."""

import html
import io
import json
import re

import pytest
from pictures import data_url

from harness.pictures import draw_letter, encode
from webapp import create_app, uploads

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


def test_the_default_limit_is_25_mb_everywhere(client):
    page = client.get("/").get_data(as_text=True)
    assert "up to 25 MB" in page
    config = upload_config(page)
    assert config["max_bytes"] == 25 * 1024 * 1024
    assert "The picture is larger than 25 MB" in config["messages"]["too_big"]
    assert set(config["extensions"]) == {"png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff", "heic", "heif"}


def test_the_formats_have_one_definition():
    """The file field's accept list, the extensions and the names all come from PICTURE_FORMATS
    (and PAGE_FORMATS where pages are read: a PDF)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    with app.test_request_context():
        pictures, pages = uploads.client_config(), uploads.client_config(pages=True)
        assert pictures["accept"].split(",")[0] == "image/*"  # a phone offers its camera and library
        assert ".heic" in pictures["accept"] and "pdf" not in pictures["accept"]
        assert {"application/pdf", ".pdf", ".heic", ".heif"} <= set(pages["accept"].split(","))
        assert set(pages["extensions"]) == set(pictures["extensions"]) | {"pdf"}
        assert uploads.format_names() == "PNG, JPEG, GIF, BMP, WebP, TIFF, or HEIC"
        assert uploads.format_names(pages=True) == "PNG, JPEG, GIF, BMP, WebP, TIFF, HEIC, or PDF"
        assert pictures["messages"]["wrong_type"] == "Upload a PNG, JPEG, GIF, BMP, WebP, TIFF, or HEIC picture."
        assert pages["messages"]["wrong_type"] == "Upload a PNG, JPEG, GIF, BMP, WebP, TIFF, HEIC, or PDF file."
        assert uploads.page_context(pages=True)["upload_hint"] == (
            "PNG, JPEG, GIF, BMP, WebP, TIFF, HEIC, or PDF, up to 25 MB; a PDF of up to 50 pages.")


def test_the_upload_form_offers_a_camera_without_hiding_the_file_picker(client):
    """`capture` on the real field would open the camera only: it is on a second field, behind a
    button upload.js shows on touch screens, and has no name (upload.js moves its photo over)."""
    page = client.get("/").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="image"[^>]*>', page)[0]
    assert "capture" not in field and 'accept="image/*,' in field
    camera = re.search(r'<input[^>]*id="camera"[^>]*>', page)[0]
    assert 'capture="environment"' in camera and "name=" not in camera and "hidden" in camera
    assert re.search(r'<div id="camera-row" hidden>', page)


def test_the_pixel_limits_follow_the_config():
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "MAX_IMAGE_PIXELS": 1_000_000,
                      "MAX_FULL_SIZE_PIXELS": 5_000_000})
    with app.test_request_context():
        limits = uploads.limits()
    assert (limits.max_pixels, limits.full_size_pixels) == (1_000_000, 1_000_000)  # never over the first
    assert uploads.DEFAULT_LIMITS.max_pixels == 100_000_000
    assert uploads.DEFAULT_LIMITS.full_size_pixels == 50_000_000


@pytest.mark.parametrize("path", ["/", "/read"])
def test_page_text_and_client_check_follow_the_limit(small_limit_client, path):
    page = small_limit_client.get(path).get_data(as_text=True)
    limit = len(LETTER_PNG) - 1
    shown = f"{round(limit / 1024)} KB" if limit >= 1024 else f"{limit} bytes"
    assert f"up to {shown}" in html.unescape(page)
    config = upload_config(page)
    assert config["max_bytes"] == limit
    assert shown in config["messages"]["too_big"] and "%(size)s" in config["messages"]["too_big"]
    assert "25 MB" not in page


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
        assert "25 MB" not in response.get_json()["error"]


def test_the_request_body_limit_is_derived_from_the_file_limit():
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "MAX_UPLOAD_BYTES": 3000})
    assert 4000 <= app.config["MAX_CONTENT_LENGTH"] <= 4000 + 64 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] == app.config["MAX_CONTENT_LENGTH"]


def test_a_file_just_under_the_limit_is_read(client):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "MAX_UPLOAD_BYTES": len(LETTER_PNG)})
    response = app.test_client().post("/api/predict", data={"image": (io.BytesIO(LETTER_PNG), "a.png")})
    assert response.status_code == 200 and response.get_json()["predictions"]
