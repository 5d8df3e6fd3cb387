import io
import re

import pytest
from PIL import Image

from conftest import csrf_token
from pictures import data_url
from harness.pictures import draw_letter, encode
from webapp import create_app

A_PNG = encode(draw_letter("a"))
BLANK_PNG = encode(Image.new("L", (280, 280), 255))


def guesses(html):
    """(letter, probability) of each <li> in #guesses, in page order."""
    block = re.search(r'<ol[^>]*id="guesses".*?</ol>', html, re.S)
    assert block, "no #guesses list"
    return [(m[0], float(m[1])) for m in re.findall(
        r'<li[^>]*data-letter="([a-z])"[^>]*data-probability="([0-9.]+)"', block[0])]


def test_home_page_has_canvas_buttons_and_upload_form(client):
    html = client.get("/").get_data(as_text=True)
    for element_id in ["draw-canvas", "clear", "undo", "recognize", "draw-form", "upload-form"]:
        assert f'id="{element_id}"' in html
    assert 'name="image"' in html and 'type="file"' in html and 'name="drawing"' in html


def test_upload_shows_top_five_guesses_frame_and_charts(client):
    response = client.post("/upload", data={"image": (io.BytesIO(A_PNG), "a.png")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    found = guesses(html)
    assert len(found) == 5
    assert [p for _, p in found] == sorted((p for _, p in found), reverse=True)
    assert "a" in [letter for letter, _ in found[:3]]
    assert html.count("data:image/png;base64,") >= 2  # the picture and the 28x28 frame
    assert 'id="history-data"' in html and 'id="accuracy-chart"' in html and 'id="loss-chart"' in html


def test_drawing_is_recognised_through_the_same_path(client):
    response = client.post("/draw", data={"drawing": data_url(encode(draw_letter("x")))})
    assert response.status_code == 200
    assert "x" in [letter for letter, _ in guesses(response.get_data(as_text=True))[:3]]


def test_blank_drawing_says_no_letter_found(client):
    response = client.post("/draw", data={"drawing": data_url(BLANK_PNG)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no letter found" in html.lower() and "data-letter=" not in html


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({}, 400, "Choose a picture"),
        ({"image": (io.BytesIO(b"hello"), "notes.txt")}, 415, "PNG, JPEG"),
        ({"image": (io.BytesIO(b"\x89PNG" + b"0" * (25 * 1024 * 1024)), "big.png")}, 413, "25 MB"),
        ({"image": (io.BytesIO(b"not a picture"), "fake.png")}, 415, "not a picture"),
    ],
    ids=["no-file", "wrong-extension", "too-big", "not-an-image"],
)
def test_upload_errors_come_back_on_the_home_page(client, data, status, message):
    response = client.post("/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert 'id="draw-canvas"' in response.get_data(as_text=True)


def test_empty_drawing_field_is_a_400(client):
    response = client.post("/draw", data={"drawing": ""})
    assert response.status_code == 400 and "Draw a letter" in response.get_data(as_text=True)


def test_stats_page_shows_evaluation_and_architecture(client, app):
    html = client.get("/stats").get_data(as_text=True)
    assert "EMNIST letters<span" in html  # the set's plain name (webapp.model_stats.DATA_SETS)
    assert 'id="per-letter-chart"' in html and 'id="confusion-chart"' in html
    for layer in app.extensions["letter_model"].layers():
        assert layer["name"] in html


def test_api_predict_multipart_and_json(client):
    for response in [
        client.post("/api/predict", data={"image": (io.BytesIO(A_PNG), "a.png")}),
        client.post("/api/predict", json={"image": data_url(A_PNG)}),
    ]:
        assert response.status_code == 200
        body = response.get_json()
        assert body["blank"] is False and len(body["predictions"]) == 5
        probabilities = [p["probability"] for p in body["predictions"]]
        assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0001
        assert "a" in [p["letter"] for p in body["predictions"][:3]]
        assert "Set-Cookie" not in response.headers


def test_api_blank_and_errors(client):
    blank = client.post("/api/predict", json={"image": data_url(BLANK_PNG)})
    assert blank.status_code == 200 and blank.get_json() == {"predictions": [], "blank": True}
    assert client.post("/api/predict", json={"picture": "x"}).status_code == 400
    assert client.post("/api/predict", data=b"x", content_type="text/plain").status_code == 415
    assert "error" in client.post("/api/predict", json={}).get_json()


def test_healthz(client):
    model, lines = client.application.extensions["letter_model"], client.application.extensions["line_model"]
    assert client.get("/healthz").get_json() == {"status": "ok", "runtime": "litert",
                                                 "runtime_reason": model.runtime_reason,
                                                 "line_model": {"runtime": "litert",
                                                                "runtime_reason": lines.runtime_reason},
                                                 "database": {"status": "ok"},
                                                 "jobs": {"queue": "threads", "status": "ok", "queued": 0, "running": 0}}


def test_missing_model_keeps_pages_up_and_answers_503(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "MODEL_PATH": str(tmp_path / "none.keras")})
    client = app.test_client()
    home = client.get("/")
    assert home.status_code == 200 and "python -m training.train" in home.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503
    assert client.post("/api/predict", json={"image": data_url(A_PNG)}).status_code == 503
    upload = client.post("/upload", data={"image": (io.BytesIO(A_PNG), "a.png")})
    assert upload.status_code == 503
    assert client.get("/stats").status_code == 200


def test_secret_key_is_required_outside_debug(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_csrf_protects_the_forms(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/upload", data={"image": (io.BytesIO(A_PNG), "a.png")}).status_code == 400
    assert client.post("/draw", data={"drawing": data_url(A_PNG)}).status_code == 400
    response = client.post("/draw", data={"drawing": data_url(A_PNG), "csrf_token": csrf_token(client)})
    assert response.status_code == 200 and 'id="guesses"' in response.get_data(as_text=True)
    assert client.post("/api/predict", json={"image": data_url(A_PNG)}).status_code == 200


def test_unknown_pages_answer_404_in_kind(client):
    assert client.get("/nowhere").status_code == 404
    api = client.get("/api/nowhere")
    assert api.status_code == 404 and "error" in api.get_json()
