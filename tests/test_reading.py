"""Reading a whole line: segmentation on composed pictures with known boxes, /api/read, /read."""

import io
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

from handwriting.ink import grey_to_ink, to_grey
from handwriting.segment import Line, TooManyLetters, segment
from conftest import csrf_token
from pictures import STROKES, data_url, encode
from webapp import create_app

# More letters on the 280 px square of pictures.STROKES; a stroke of one point is a dot.
PARTS = dict(STROKES, **{
    "i": [[(140, 110), (140, 235)], [(140, 62)]],
    "j": [[(160, 110), (160, 245), (100, 245)], [(160, 62)]],
    "l": [[(140, 40), (140, 130)], [(140, 146), (140, 235)]],  # a broken stroke
    "k": [[(90, 40), (90, 235)], [(185, 90), (112, 160), (185, 235)]],  # the arm does not touch
})
SCALE = 0.5  # letters are 140 px tall-ish boxes on the line
PEN = 10


def _draw(draw, letter, x):
    for stroke in PARTS[letter]:
        points = [(x + px * SCALE, 20 + py * SCALE) for px, py in stroke]
        if len(points) == 1:
            (cx, cy), r = points[0], PEN * 0.8
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=0)
        else:
            draw.line(points, fill=0, width=PEN, joint="curve")


def line_picture(letters, width=None):
    """A line of (letter, x) drawn dark on white, and each letter's own ink box (x, y, w, h)."""
    size = (width or max(x for _, x in letters) + 200, 180)
    page = Image.new("L", size, 255)
    boxes = []
    for letter, x in letters:
        _draw(ImageDraw.Draw(page), letter, x)
        alone = Image.new("L", size, 255)
        _draw(ImageDraw.Draw(alone), letter, x)
        ys, xs = np.nonzero(np.asarray(alone) < 128)
        boxes.append((xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()))
    return page, boxes


def read_geometry(image):
    """Words of letter boxes, every piece taken as a letter (no recognizer)."""
    line = segment(grey_to_ink(to_grey(image, max_side=1600)))
    return [[line.candidates[k].box for k in word] for word in line.read([1.0] * len(line.candidates))]


def assert_boxes(found, expected, tolerance=3):
    assert len(found) == len(expected), (found, expected)
    for got, want in zip(found, expected):
        assert np.abs(np.subtract(got, want)).max() <= tolerance, (got, want)


# --- segmentation -----------------------------------------------------------------------------


def test_letters_come_out_left_to_right_with_their_own_boxes():
    image, boxes = line_picture([("t", 20), ("a", 110), ("x", 200), ("a", 290)])
    words = read_geometry(image)
    assert len(words) == 1
    assert_boxes(words[0], boxes)


def test_dots_of_i_and_j_and_broken_strokes_stay_with_their_letter():
    image, boxes = line_picture([("i", 0), ("j", 80), ("l", 180), ("t", 250)])
    words = read_geometry(image)
    assert_boxes([box for word in words for box in word], boxes)
    assert words[0][0][1] < 50 and words[0][1][1] < 50  # up to the dots: the stems start at y = 70


def test_word_gaps_become_spaces_and_letter_gaps_do_not():
    image, boxes = line_picture([("a", 0), ("t", 90), ("x", 180), ("a", 360), ("x", 450), ("t", 540)])
    words = read_geometry(image)
    assert [len(word) for word in words] == [3, 3]
    assert_boxes(words[0] + words[1], boxes)
    evenly, _ = line_picture([("a", 0), ("t", 100), ("a", 200), ("x", 300), ("t", 400)])
    assert [len(word) for word in read_geometry(evenly)] == [5]


def test_few_letters_are_spaced_by_letter_height_alone():
    assert [len(w) for w in read_geometry(line_picture([("a", 0), ("x", 90)])[0])] == [2]
    assert [len(w) for w in read_geometry(line_picture([("a", 0), ("x", 220)])[0])] == [1, 1]


def test_joined_letters_much_wider_than_the_others_are_cut_at_the_thin_join():
    image, boxes = line_picture([("a", 0), ("t", 100), ("a", 200), ("x", 300), ("a", 385)])
    ImageDraw.Draw(image).line([(364, 130), (393, 130)], fill=0, width=3)  # x and a joined up
    found = read_geometry(image)[0]
    assert_boxes(found[:4], boxes[:4])
    (x, y, w, h), (tx, ty, tw, th) = found[4], boxes[4]
    assert tx - 20 <= x <= tx and abs(x + w - tx - tw) <= 3 and abs(y - ty) <= 3 and abs(h - th) <= 3


def test_a_letter_in_two_strokes_side_by_side_is_read_as_one_when_the_recognizer_says_so():
    image, boxes = line_picture([("a", 0), ("k", 100)])
    line = segment(grey_to_ink(to_grey(image)))
    assert line.spans[:3] == [(0, 1), (1, 2), (2, 3)] and (1, 3) in line.spans
    joined = line.spans.index((1, 3))
    sure = [0.9 if k == joined else 0.3 for k in range(len(line.spans))]
    sure[0] = 0.9
    assert [[line.spans[k] for k in word] for word in line.read(sure)] == [[(0, 1), (1, 3)]]
    scale = image.width / to_grey(image).shape[1]
    assert_boxes([np.multiply(line.candidates[joined].box, scale)], boxes[1:], tolerance=4)
    assert len(line.read([1.0] * len(line.spans))[0]) == 3  # every piece, when all are sure


def test_blank_and_too_many_marks():
    assert segment(np.zeros((50, 200), np.float32)) == Line([], [], [])
    assert Line([], [], []).read([]) == []
    bars = np.zeros((60, 65 * 20), np.float32)
    for n in range(65):
        bars[10:50, n * 20 : n * 20 + 6] = 1.0
    assert len(segment(bars, max_letters=65).candidates) >= 65
    with pytest.raises(TooManyLetters):
        segment(bars, max_letters=64)


# --- the API ----------------------------------------------------------------------------------

LINE, LINE_BOXES = line_picture([("a", 0), ("t", 90), ("x", 360), ("a", 450)])


def test_api_reads_the_text_with_boxes_and_top_three(client):
    for response in [
        client.post("/api/read", data={"image": (io.BytesIO(encode(LINE)), "line.png")}),
        client.post("/api/read", json={"image": data_url(encode(LINE))}),
    ]:
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        body = response.get_json()
        assert set(body) == {"text", "letters", "words", "blank"} and body["blank"] is False
        assert [len(word["text"]) for word in body["words"]] == [2, 2]
        assert body["text"] == " ".join(word["text"] for word in body["words"])
        assert_boxes([letter["box"] for letter in body["letters"]], LINE_BOXES)
        assert body["words"][0]["box"][0] == body["letters"][0]["box"][0]
        for letter, truth in zip(body["letters"], "atxa"):
            probabilities = [p["probability"] for p in letter["predictions"]]
            assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)
            assert truth in [p["letter"] for p in letter["predictions"]]
        tops = "".join(letter["predictions"][0]["letter"] for letter in body["letters"])
        assert tops == body["text"].replace(" ", "")


def test_api_boxes_are_in_the_sent_pictures_pixels(client):
    big = LINE.resize((LINE.width * 3, LINE.height * 3))  # larger than the reading size: shrunk
    body = client.post("/api/read", json={"image": data_url(encode(big))}).get_json()
    assert_boxes([letter["box"] for letter in body["letters"]], np.multiply(LINE_BOXES, 3), tolerance=9)
    turned = LINE.transpose(Image.Transpose.ROTATE_90)  # stored on its side, EXIF says turn it back
    exif = Image.Exif()
    exif[0x0112] = 6
    body = client.post("/api/read", json={"image": data_url(encode(turned, exif=exif))}).get_json()
    assert_boxes([letter["box"] for letter in body["letters"]], LINE_BOXES)


def test_api_blank_picture(client):
    blank = encode(Image.new("L", (600, 200), 255))
    response = client.post("/api/read", data={"image": (io.BytesIO(blank), "blank.png")})
    assert response.status_code == 200
    assert response.get_json() == {"text": "", "letters": [], "words": [], "blank": True}


def test_api_errors(client, tmp_path):
    assert client.post("/api/read", json={"picture": "x"}).status_code == 400
    assert client.post("/api/read", data=b"x", content_type="text/plain").status_code == 415
    bars = Image.new("L", (65 * 20 + 40, 80), 255)
    for n in range(65):
        ImageDraw.Draw(bars).rectangle((20 + n * 20, 20, 26 + n * 20, 60), fill=0)
    response = client.post("/api/read", json={"image": data_url(encode(bars))})
    assert response.status_code == 413 and "64 letters" in response.get_json()["error"]
    small = create_app({"TESTING": True, "SECRET_KEY": "t", "MAX_IMAGE_PIXELS": 100_000}).test_client()
    response = small.post("/api/read", json={"image": data_url(encode(LINE))})
    assert response.status_code == 413 and "megapixels" in response.get_json()["error"]
    none = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                       "MODEL_PATH": str(tmp_path / "none.keras")}).test_client()
    assert none.post("/api/read", json={"image": data_url(encode(LINE))}).status_code == 503
    page = none.post("/read/upload", data={"image": (io.BytesIO(encode(LINE)), "line.png")})
    assert page.status_code == 503 and "python -m training.train" in page.get_data(as_text=True)


# --- the page ---------------------------------------------------------------------------------


def letters_on_page(html):
    """[(top guess, [three guesses])] of each letter on the read page."""
    return [(letter, re.findall(r'class="read-guess[^"]*" data-letter="([a-z])"', guesses))
            for letter, guesses in re.findall(
                r'<li class="read-letter" data-letter="([a-z])">(.*?)</ol>', html, re.S)]


def test_read_page_has_the_wide_canvas_and_upload_form(client):
    html = client.get("/read").get_data(as_text=True)
    for part in ['id="word-draw-canvas"', "data-draw-pad", 'id="word-draw-form"', 'name="drawing"',
                 'id="upload-form"', 'type="file"', 'href="/read" aria-current="page"']:
        assert part in html
    assert "Read a word" in client.get("/").get_data(as_text=True)


def test_upload_and_drawing_show_text_boxes_and_top_three(client):
    for response in [
        client.post("/read/upload", data={"image": (io.BytesIO(encode(LINE)), "line.png")}),
        client.post("/read/draw", data={"drawing": data_url(encode(LINE.convert("RGBA")))}),
    ]:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        text = re.search(r'id="read-text">([^<]*)<', html)[1]
        found = letters_on_page(html)
        assert len(found) == 4 and text == "{}{} {}{}".format(*(top for top, _ in found))
        assert all(len(guesses) == 3 and guesses[0] == top for top, guesses in found)
        assert all(truth in guesses for (_, guesses), truth in zip(found, "atxa"))
        assert re.search(r'id="read-boxes" src="data:image/png;base64,', html)


def test_blank_and_bad_pictures_come_back_on_the_read_page(client):
    blank = client.post("/read/draw", data={"drawing": data_url(encode(Image.new("L", (900, 300), 255)))})
    assert blank.status_code == 200 and "No letters found" in blank.get_data(as_text=True)
    empty = client.post("/read/draw", data={"drawing": ""})
    assert empty.status_code == 400 and "Write a word" in empty.get_data(as_text=True)
    wrong = client.post("/read/upload", data={"image": (io.BytesIO(b"not a picture"), "x.png")})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 415 and "not a picture" in html and 'id="word-draw-canvas"' in html


def test_csrf_protects_the_read_forms_not_the_api(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/read/draw", data={"drawing": data_url(encode(LINE))}).status_code == 400
    response = client.post("/read/draw", data={"drawing": data_url(encode(LINE)), "csrf_token": csrf_token(client, "/read")})
    assert response.status_code == 200 and 'id="read-text"' in response.get_data(as_text=True)
    assert client.post("/api/read", json={"image": data_url(encode(LINE))}).status_code == 200
