"""handwriting.letterness and the answers that use it: a picture that is not one handwritten
letter is named as such (API: "letter": false and a reason; the page: a notice), guesses kept."""

import io
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from handwriting import letterness
from handwriting.frame import FRAME_SIZE
from handwriting.ink import letter_ink, to_grey
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


# Several letters, judged on the picture itself (letterness.several_letters).

def written(strokes, size=(280, 280)):
    """Strokes (polylines, or a single point for a pressed dot) drawn on white paper."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        if len(stroke) == 1:
            (x, y), = stroke
            draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=0)
        else:
            draw.line(stroke, fill=0, width=14, joint="curve")
    return image


def handwritten_word(letters, step, scale=0.5):
    """The harness's letters, shrunk by `scale`, one every `step` pixels: apart or touching."""
    strokes = [[(20 + i * step + x * scale, 40 + y * scale) for x, y in stroke]
               for i, letter in enumerate(letters) for stroke in STROKES[letter]]
    return written(strokes, (140 + len(letters) * step, 200))


def several(image):
    return letterness.several_letters(letter_ink(to_grey(image)))


ONE_LETTER = {
    "i": [[(140, 110), (140, 230)], [(140, 65)]],
    "j": [[(150, 110), (150, 220), (120, 250), (95, 230)], [(150, 65)]],
    "k in two strokes": [[(100, 40), (100, 240)], [(190, 60), (118, 150), (190, 240)]],
    "H with a loose bar": [[(80, 40), (80, 240)], [(98, 140), (182, 140)], [(200, 40), (200, 240)]],
    "a with a comma beside it": [*STROKES["a"], [(235, 225), (228, 250)]],
    **{letter: strokes for letter, strokes in STROKES.items()},
}


@pytest.mark.parametrize("strokes", ONE_LETTER.values(), ids=ONE_LETTER.keys())
def test_one_letter_with_a_dot_or_a_broken_stroke_is_not_several(strokes):
    assert not several(written(strokes))


@pytest.mark.parametrize(("letters", "step"), [("tax", 90), ("al", 80), ("talax", 62)],
                         ids=["apart", "two-apart", "touching"])
def test_letters_side_by_side_or_touching_are_several(letters, step):
    assert several(handwritten_word(letters, step))


def test_two_touching_letters_pass_as_one_it_is_the_width_that_tells():
    # What the check cannot see (benchmarks/several_letters.py counts it): two touching letters
    # are no wider than a wide letter.
    assert not several(handwritten_word("ta", 62))


def test_a_handwritten_word_answers_several_marks_with_its_guesses(client):
    body = client.post("/api/predict", **upload(encode(handwritten_word("tax", 90)))).get_json()
    assert (body["letter"], body["reason"], len(body["predictions"])) == (False, "several_marks", 5)


def read_instead_form(page):
    """The result page's "Read it as a page" form: (its action, the picture it carries)."""
    form = re.search(r'<form method="post" action="([^"]+)" class="read-instead".*?</form>', page, re.S)
    return form[1], re.search(r'id="read-instead-picture" name="drawing" type="hidden" value="([^"]+)"', form[0])[1]


def test_a_word_on_the_letter_page_offers_to_read_it_as_a_page_and_no_verdict(client):
    page = client.post("/upload", **upload(encode(handwritten_word("tax", 90)))).get_data(as_text=True)
    assert 'id="not-a-letter"' in page and "several letters" in page
    assert 'id="feedback"' not in page and "Right, it was" not in page
    action, picture = read_instead_form(page)
    assert action == "/read/draw" and picture.startswith("data:image/png;base64,")
    reading = client.post(action, data={"drawing": picture})
    assert reading.status_code == 200
    text = re.search(r'id="read-raw"[^>]*>([^<]*)</pre>', reading.get_data(as_text=True))[1]
    assert len(text.replace(" ", "")) == 3  # the three letters read, wherever the picture came from


def test_one_letter_keeps_its_verdict_buttons_and_no_read_instead(client):
    page = client.post("/upload", **upload(encode(draw_letter("a")))).get_data(as_text=True)
    assert 'id="feedback"' in page and 'id="read-instead"' not in page


def test_the_read_instead_form_needs_its_csrf_token(csrf_app):
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/").get_data(as_text=True))[1]
    page = client.post("/upload", data={"image": (io.BytesIO(encode(handwritten_word("tax", 90))), "w.png"),
                                        "csrf_token": token}, content_type="multipart/form-data")
    action, picture = read_instead_form(page.get_data(as_text=True))
    assert client.post(action, data={"drawing": picture}).status_code == 400
    form_token = re.search(r'id="read-instead-csrf" name="csrf_token" type="hidden" value="([^"]+)"',
                           page.get_data(as_text=True))[1]
    assert client.post(action, data={"drawing": picture, "csrf_token": form_token}).status_code == 200
