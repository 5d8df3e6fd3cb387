"""Hostile and odd inputs: each gets a specific 4xx and a clear message (JSON for the API, the home
page for the HTML forms) or a real answer, never a 500, and the app stays healthy afterwards."""

import html
import io

import pytest
from hostile import REFUSED_FILES, blank_png, letter_png
from PIL import Image
from pictures import data_url

from handwriting.labels import LETTERS
from harness.pictures import draw_letter, encode
from webapp import create_app

BOUNDARY = "hostile-boundary"


# --- pictures and request bodies -------------------------------------------------------------


def animated_gif(*letters):
    frames = [draw_letter(letter) for letter in letters]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:])


def transparent_ink_png():
    """Black ink on a fully transparent page: what a canvas exports when nothing fills it."""
    page = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    page.paste((0, 0, 0, 255), mask=draw_letter(ink=255, paper=0))
    return encode(page)


def upload(data, filename="letter.png", field="image"):
    """Request arguments for a multipart upload of one file."""
    return {"data": {field: (io.BytesIO(data), filename)}, "content_type": "multipart/form-data"}


def raw_upload(filename: bytes, data):
    """A multipart upload written byte by byte, for filenames the test client would refuse to encode."""
    body = (
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="image"; filename="' + filename + b'"\r\n'
        + b"Content-Type: image/png\r\n\r\n" + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return {"data": body, "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


# --- assertions ---------------------------------------------------------------------------------


def assert_secure_headers(response):
    """The security headers every response carries."""
    directives = (d.split() for d in response.headers["Content-Security-Policy"].split(";") if d.strip())
    policy = {name: sources for name, *sources in directives}
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def assert_api_error(response, status, message):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert message in response.get_json()["error"]
    assert "Set-Cookie" not in response.headers
    assert_secure_headers(response)


def assert_home_page(response, status, message):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="upload-form"' in page and 'id="draw-form"' in page
    assert message in page
    assert_secure_headers(response)


def assert_prediction(response):
    """A 200 with five distinct letters, most likely first; returns the best guess."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert_secure_headers(response)
    body = response.get_json()
    assert body["blank"] is False
    letters = [p["letter"] for p in body["predictions"]]
    probabilities = [p["probability"] for p in body["predictions"]]
    assert len(set(letters)) == 5 and set(letters) <= set(LETTERS)
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    return letters[0]


def assert_blank(response):
    assert response.status_code == 200
    assert response.get_json() == {"predictions": [], "blank": True}


def assert_still_healthy(client):
    assert client.get("/healthz").status_code == 200
    assert_prediction(client.post("/api/predict", **upload(letter_png())))


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


# --- files refused by the API and the upload form alike -----------------------------------------

TOO_BIG_FILE = b"\0" * (26 * 1024 * 1024)  # over the 25 MB file limit, under the 33.4 MB request limit
OVER_THE_BODY_LIMIT = 35 * 1024 * 1024
@pytest.mark.parametrize(("make", "status", "message"), REFUSED_FILES)
def test_api_refuses_bad_files(client, make, status, message):
    assert_api_error(client.post("/api/predict", **upload(make())), status, message)
    assert_still_healthy(client)


@pytest.mark.parametrize(("make", "status", "message"), REFUSED_FILES)
def test_upload_form_refuses_bad_files(client, make, status, message):
    assert_home_page(client.post("/upload", **upload(make())), status, message)
    assert_still_healthy(client)


@pytest.mark.parametrize(
    ("filename", "status", "message"),
    [
        ("letter.svg", 415, "Upload a PNG, JPEG, GIF, BMP, WebP, TIFF, or HEIC picture."),
        ("letter.pdf", 415, "Upload a PNG, JPEG, GIF, BMP, WebP, TIFF, or HEIC picture."),  # a letter is a picture
        ("", 400, "Choose a picture of a letter to upload."),
    ],
)
def test_upload_form_checks_the_file_name(client, filename, status, message):
    assert_home_page(client.post("/upload", **upload(letter_png(), filename)), status, message)


# --- requests the API refuses ------------------------------------------------------------------


def two_files():
    files = [(io.BytesIO(letter_png()), "a.png"), (io.BytesIO(letter_png("x")), "x.png")]
    return {"data": {"image": files}, "content_type": "multipart/form-data"}


REFUSED_REQUESTS = [
    pytest.param(lambda: upload(b"", filename=""), 400, "The file is empty", id="empty-file-field"),
    pytest.param(lambda: upload(letter_png(), field="file"), 400, "multipart field named 'image'", id="wrong-field"),
    pytest.param(two_files, 400, "one picture at a time", id="two-files"),
    pytest.param(lambda: upload(TOO_BIG_FILE), 413, "larger than 25 MB", id="file-over-25mb"),
    pytest.param(lambda: upload(b"\0" * OVER_THE_BODY_LIMIT), 413, "too large", id="body-over-33mb"),
    pytest.param(lambda: raw_upload(b"\xff\xfeletter.png", letter_png()), 400, "malformed", id="non-utf8-filename"),
    pytest.param(lambda: {"data": b"--x\r\nno headers", "content_type": "multipart/form-data"}, 400, "malformed",
                 id="multipart-without-boundary"),
    pytest.param(lambda: {"json": {"image": "iVBORw0KGgo="}}, 400, "must be a data URL", id="not-a-data-url"),
    pytest.param(lambda: {"json": {"image": "data:image/png;base64,@@@"}}, 400, "base64 payload is malformed",
                 id="bad-base64"),
    pytest.param(lambda: {"json": {"image": data_url(b"just some text")}}, 415, "not a picture we can read",
                 id="base64-not-an-image"),
    pytest.param(lambda: {"json": {"image": "data:image/png;base64,"}}, 400, "The file is empty", id="empty-data-url"),
    pytest.param(lambda: {"json": {"image": data_url(blank_png(30000, 30000))}}, 413, "far too many pixels",
                 id="bomb-data-url"),
    pytest.param(lambda: {"json": {"picture": data_url(letter_png())}}, 400, "Send JSON like", id="json-without-image"),
    pytest.param(lambda: {"json": {"image": 42}}, 400, "Send JSON like", id="json-image-not-text"),
    pytest.param(lambda: {"json": [data_url(letter_png())]}, 400, "Send JSON like", id="json-not-an-object"),
    pytest.param(lambda: {"data": b'{"image": ', "content_type": "application/json"}, 400, "Send JSON like",
                 id="invalid-json"),
    pytest.param(lambda: {"data": letter_png(), "content_type": "image/png"}, 415, "Send multipart/form-data",
                 id="raw-png-body"),
    pytest.param(lambda: {"data": {"image": data_url(letter_png())}}, 415, "Send multipart/form-data",
                 id="urlencoded-form"),
    pytest.param(lambda: {"data": "image=hello", "content_type": "text/plain"}, 415, "Send multipart/form-data",
                 id="text-plain"),
]


@pytest.mark.parametrize(("make", "status", "message"), REFUSED_REQUESTS)
def test_api_refuses_bad_requests(client, make, status, message):
    assert_api_error(client.post("/api/predict", **make()), status, message)
    assert_still_healthy(client)


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [("/api/predict", "get", 405), ("/api/nothing", "get", 404), ("/api/predict", "put", 405)],
)
def test_api_answers_wrong_routes_in_json(client, path, method, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]
    assert_secure_headers(response)


# --- odd but valid pictures are read ------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        pytest.param(lambda: encode(draw_letter().convert("CMYK"), "JPEG", quality=95), "a.jpg", id="cmyk-jpeg"),
        pytest.param(lambda: encode(draw_letter(ink=0, paper=65535, mode="I;16")), "a.png", id="16-bit-png"),
        pytest.param(lambda: encode(draw_letter().convert("P"), transparency=255), "a.png",
                     id="palette-png-with-transparency"),
        pytest.param(transparent_ink_png, "a.png", id="ink-on-transparent-png"),
        pytest.param(lambda: encode(draw_letter().convert("LAB"), "TIFF"), "a.tif", id="lab-tiff"),
        pytest.param(lambda: encode(draw_letter(), "WEBP", lossless=True), "a.webp", id="webp"),
        pytest.param(letter_png, "a" * 5000 + ".png", id="very-long-filename"),
        pytest.param(letter_png, "lettre-é-字.png", id="unicode-filename"),
    ],
)
def test_api_reads_odd_but_valid_pictures(client, make, filename):
    expected = assert_prediction(client.post("/api/predict", **upload(letter_png())))
    assert assert_prediction(client.post("/api/predict", **upload(make(), filename))) == expected


def test_api_reads_the_first_frame_of_an_animated_gif(client):
    first = assert_prediction(client.post("/api/predict", **upload(letter_png("l"))))
    second = assert_prediction(client.post("/api/predict", **upload(letter_png("x"))))
    assert first != second  # else this test could not tell the frames apart
    assert assert_prediction(client.post("/api/predict", **upload(animated_gif("l", "x"), "a.gif"))) == first


def test_api_reads_a_json_data_url(client):
    assert assert_prediction(client.post("/api/predict", json={"image": data_url(letter_png("t"))})) == (
        assert_prediction(client.post("/api/predict", **upload(letter_png("t"))))
    )


# --- blank pictures: "no letter found", not an error ------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: encode(Image.new("RGBA", (280, 280), (0, 0, 0, 0))), id="fully-transparent-png"),
        pytest.param(lambda: encode(Image.new("RGB", (280, 280), "white")), id="white-canvas"),
        pytest.param(lambda: encode(Image.new("L", (280, 280), 0)), id="black-canvas"),
    ],
)
def test_api_answers_blank_for_an_empty_picture(client, make):
    """An empty canvas (a browser exports an untouched one as transparent) is the product's
    "no letter found" answer, 200 with blank: true, not an error: the user did nothing wrong."""
    assert_blank(client.post("/api/predict", **upload(make())))
    assert_blank(client.post("/api/predict", json={"image": data_url(make())}))


def test_draw_form_says_no_letter_found_for_a_blank_canvas(client):
    response = client.post("/draw", data={"drawing": data_url(encode(Image.new("RGB", (400, 400), "white")))})
    assert response.status_code == 200
    assert "No letter found" in response.get_data(as_text=True)
    assert_secure_headers(response)


# --- the HTML forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drawing", "status", "message"),
    [
        ("", 400, "Draw a letter on the canvas first."),
        ("data:image/png;base64", 400, "must be a data URL"),
        ("data:image/png;base64,@@@", 400, "base64 payload is malformed"),
        (data_url(b"<svg/>", "image/svg+xml"), 415, "not a picture we can read"),
        (data_url(encode(Image.new("L", (4, 4), 255))), 400, "too small to show a letter"),
    ],
)
def test_draw_form_refuses_bad_drawings(client, drawing, status, message):
    assert_home_page(client.post("/draw", data={"drawing": drawing}), status, message)
    assert_still_healthy(client)


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        pytest.param(lambda: raw_upload(b"\xff\xfeletter.png", letter_png()), 400, "malformed", id="non-utf8-filename"),
        pytest.param(lambda: upload(b"\0" * OVER_THE_BODY_LIMIT), 413, "too large", id="body-over-33mb"),
        pytest.param(lambda: upload(TOO_BIG_FILE), 413, "larger than 25 MB", id="file-over-25mb"),
    ],
)
def test_upload_form_refuses_broken_requests(client, make, status, message):
    assert_home_page(client.post("/upload", **make()), status, message)
    assert_still_healthy(client)


@pytest.mark.parametrize(
    ("path", "make"),
    [("/upload", lambda: upload(letter_png())), ("/draw", lambda: {"data": {"drawing": data_url(letter_png())}})],
)
def test_forms_without_a_csrf_token_are_refused(csrf_client, path, make):
    assert_home_page(csrf_client.post(path, **make()), 400, "The CSRF token is missing")
    assert_still_healthy(csrf_client)


# --- cookies and security headers ----------------------------------------------------------------


def test_the_api_sets_no_cookies_even_with_csrf_on(csrf_client):
    """The API is stateless: predictions, errors and health checks never start a session."""
    assert_prediction(csrf_client.post("/api/predict", **upload(letter_png())))
    assert_api_error(csrf_client.post("/api/predict", **upload(b"")), 400, "empty")
    assert "Set-Cookie" not in csrf_client.get("/healthz").headers


@pytest.mark.parametrize("path", ["/", "/stats", "/healthz", "/no-such-page", "/static/css/style.css"])
def test_every_page_has_the_security_headers(csrf_client, path):
    assert_secure_headers(csrf_client.get(path))


# --- a missing or corrupt model -----------------------------------------------------------------


def missing_model(tmp_path):
    return tmp_path / "letter_cnn.keras"


def corrupt_model(tmp_path):
    path = tmp_path / "letter_cnn.keras"
    path.write_bytes(b"PK\x03\x04 this is not a Keras model" + bytes(range(256)))
    return path


@pytest.mark.parametrize("model_file", [missing_model, corrupt_model])
def test_the_app_starts_without_a_usable_model(tmp_path, model_file):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "MODEL_PATH": str(model_file(tmp_path))})
    client = app.test_client()
    model_error = app.extensions["letter_model"].error
    assert "letter_cnn.keras" in model_error

    home = client.get("/")
    assert home.status_code == 200
    page = html.unescape(home.get_data(as_text=True))
    assert "The recognizer is not available." in page and model_error in page

    assert_api_error(client.post("/api/predict", **upload(letter_png())), 503, model_error)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
    assert_home_page(client.post("/upload", **upload(letter_png())), 503, model_error)
    assert_home_page(client.post("/draw", data={"drawing": data_url(letter_png())}), 503, model_error)


# --- one file limit for every way in -------------------------------------------------------------

FILE_LIMIT = 25 * 1024 * 1024


def jpeg_of_size(size):
    """A letter JPEG padded after its end marker to exactly `size` bytes: readable, and as big as wanted."""
    data = encode(draw_letter("t").convert("RGB"), "JPEG", quality=95)
    return data + b"\0" * (size - len(data))


SEND_WAYS = {
    "api-multipart": lambda client, data: client.post("/api/predict", **upload(data, "t.jpg")),
    "api-json-data-url": lambda client, data: client.post("/api/predict", json={"image": data_url(data, "image/jpeg")}),
    "upload-form": lambda client, data: client.post("/upload", **upload(data, "t.jpg")),
    "draw-form": lambda client, data: client.post("/draw", data={"drawing": data_url(data, "image/jpeg")}),
}


@pytest.mark.parametrize("way", SEND_WAYS)
def test_the_file_limit_holds_for_every_way_in(client, way):
    """Issue 15: a data URL (API or canvas) just over the limit was read; now each way refuses it alike."""
    assert SEND_WAYS[way](client, jpeg_of_size(FILE_LIMIT)).status_code == 200
    refused = SEND_WAYS[way](client, jpeg_of_size(FILE_LIMIT + 1))
    assert refused.status_code == 413
    assert "The picture is larger than 25 MB." in html.unescape(refused.get_data(as_text=True))


# --- crafted requests: a 4xx and no traceback -----------------------------------------------------

NESTED_JSON = b"[" * 1000 + b"]" * 1000


@pytest.mark.parametrize("path", ["/api/predict", "/api/read"])
@pytest.mark.parametrize("body", [NESTED_JSON, b'{"image": ' + b"[" * 100_000], ids=["1000-deep", "100000-open"])
def test_deeply_nested_json_is_a_400_without_a_traceback(client, caplog, path, body):
    response = client.post(path, data=body, content_type="application/json")
    assert_api_error(response, 400, "nested too deeply")
    assert response.get_json()["code"] == "malformed"
    assert not [record for record in caplog.records if record.exc_info or record.levelname == "ERROR"]
    assert_still_healthy(client)


def many_parts(count):
    body = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\nx\r\n' for n in range(count))
    return {"data": body + f"--{BOUNDARY}--\r\n", "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_too_many_form_parts_have_their_own_message(client):
    """Over 1,000 parts used to be answered "a picture may be at most 5 MB"."""
    response = client.post("/api/predict", **many_parts(1001))
    assert_api_error(response, 413, "The form has more than 1000 parts")
    assert response.get_json()["code"] == "too_many_parts"
    for path in ["/upload", "/draw"]:
        page = client.post(path, **many_parts(1001))
        assert_home_page(page, 413, "The form has more than 1000 parts")
        assert "The request is too large" not in page.get_data(as_text=True)
    assert_still_healthy(client)


# --- pictures in any mode, at any size ------------------------------------------------------------


def big_letter(mode, side, ink, paper):
    return draw_letter("l", size=side, width=side // 20, ink=ink, paper=paper, mode=mode, scale=side / 280)


SIXTEEN_BIT = [
    pytest.param("PNG", 1536, id="png-1536"),
    pytest.param("TIFF", 1536, id="tiff-1536"),
    pytest.param("PNG", 3000, id="png-3000"),
]


@pytest.mark.parametrize(("fmt", "side"), SIXTEEN_BIT)
def test_16_bit_grey_pictures_of_any_size_are_read(client, fmt, side):
    """Pillow's reduce() has no 16-bit modes: from 1536 px these were a 500."""
    data = encode(big_letter("I;16", side, 0, 65535), fmt)
    assert Image.open(io.BytesIO(data)).mode.startswith("I;16")
    assert assert_prediction(client.post("/api/predict", **upload(data, f"l.{fmt.lower()}"))) == (
        assert_prediction(client.post("/api/predict", **upload(letter_png("l")))))


def test_a_wide_16_bit_line_is_read(client):
    """The read page analyses up to 1600 px: a 16-bit picture from 6400 px wide was a 500."""
    line = Image.new("I;16", (6400, 400), 65535)
    line.paste(big_letter("I;16", 400, 0, 65535), (3000, 0))
    response = client.post("/api/read", **upload(encode(line)))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.get_json()["letters"]) == 1
