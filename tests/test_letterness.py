"""handwriting.letterness and the answers that use it: a picture that is not one handwritten
letter is named as such (API: "letter": false and a reason; the page: a notice), guesses kept."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from handwriting import letterness
from handwriting.frame import FRAME_SIZE
from harness.pictures import STROKES, draw_letter, encode


def upload(data):
    return {"data": {"image": (io.BytesIO(data), "picture.png")}, "content_type": "multipart/form-data"}


def noise():
    return Image.fromarray(np.uint8(np.random.default_rng(0).integers(0, 256, (300, 300))))


def word(text="hello"):
    page = Image.new("L", (400, 400), 255)
    ImageDraw.Draw(page).text((200, 200), text, fill=0, font=ImageFont.load_default(size=90), anchor="mm")
    return page


def filled_disc():
    page = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(page).ellipse((60, 60, 240, 240), fill=0)
    return page


@pytest.mark.parametrize("letter", sorted(STROKES))
def test_a_handwritten_letter_is_a_letter(client, letter):
    body = client.post("/api/predict", **upload(encode(draw_letter(letter)))).get_json()
    assert body["letter"] is True and body["reason"] is None
    assert body["predictions"][0]["letter"] == letter


@pytest.mark.parametrize("make", [noise, word, filled_disc], ids=["noise", "word", "filled-disc"])
def test_what_is_not_one_letter_says_so_and_keeps_the_guesses(client, make):
    body = client.post("/api/predict", **upload(encode(make()))).get_json()
    assert body["letter"] is False
    assert body["reason"] in letterness.REASONS
    assert len(body["predictions"]) == 5 and body["blank"] is False


def test_a_word_is_several_marks(client):
    assert client.post("/api/predict", **upload(encode(word("hello world")))).get_json()["reason"] == "several_marks"


def test_the_result_page_says_it_is_not_a_letter(client):
    page = client.post("/upload", **upload(encode(noise()))).get_data(as_text=True)
    assert 'id="not-a-letter"' in page and 'id="guesses"' in page
    assert 'id="not-a-letter"' not in client.post("/upload", **upload(encode(draw_letter()))).get_data(as_text=True)


def test_a_blank_picture_is_blank_not_a_non_letter(client):
    assert client.post("/api/predict", **upload(encode(Image.new("L", (280, 280), 255)))).get_json() == {
        "predictions": [], "blank": True}


def test_without_a_detector_file_every_picture_counts_as_a_letter(tmp_path):
    assert letterness.Detector.load(tmp_path / letterness.DETECTOR_FILE) is None


def test_features_are_the_pooled_frame_and_the_models_certainty():
    frames = np.zeros((2, FRAME_SIZE, FRAME_SIZE), np.float32)
    probabilities = np.full((2, 26), 1 / 26, np.float32)
    x = letterness.features(frames, probabilities)
    pooled = (FRAME_SIZE // letterness.POOL) ** 2
    assert x.shape == (2, pooled + 6)
    np.testing.assert_allclose(x[0, pooled : pooled + 5], 1 / 26)
    np.testing.assert_allclose(x[0, -1], np.log(26), rtol=1e-5)  # the entropy of a uniform guess
