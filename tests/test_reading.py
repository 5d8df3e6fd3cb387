"""Reading a page: /api/read's answer, the language, the limits and bad input, and the /read page."""

import base64
import io
import re

import numpy as np
from PIL import Image, ImageDraw

from conftest import csrf_token
from harness.pictures import encode
from pictures import assert_boxes, data_url, line_picture, page_picture, pdf_of
from webapp import create_app

LINE, LINE_BOXES = line_picture([("a", 0), ("t", 90), ("x", 360), ("a", 450)])
PAGE, PAGE_BOXES = page_picture([(20, [("a", 0), ("t", 90), ("x", 360), ("a", 450)]),
                                 (230, [("t", 40), ("a", 130), ("x", 220)])])
API_KEYS = {"text", "raw_text", "language", "blank", "lines", "words", "letters"}


def post_page(client, picture, **fields):
    return client.post("/api/read", data={"image": (io.BytesIO(encode(picture)), "page.png"), **fields})


# --- the API ----------------------------------------------------------------------------------


def test_api_reads_a_page_in_lines_of_words_of_letters(client):
    for response in [post_page(client, PAGE), client.post("/api/read", json={"image": data_url(encode(PAGE))})]:
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        body = response.get_json()
        assert set(body) == API_KEYS and body["blank"] is False and body["language"] == "none"
        assert [[len(word["letters"]) for word in line["words"]] for line in body["lines"]] == [[2, 2], [3]]
        assert body["text"] == body["raw_text"] == "\n".join(line["text"] for line in body["lines"])
        for line, boxes in zip(body["lines"], PAGE_BOXES):
            assert_boxes([letter["box"] for word in line["words"] for letter in word["letters"]], boxes)
            assert line["text"] == " ".join(word["text"] for word in line["words"])
            assert line["box"][1] <= min(box[1] for box in boxes)
        nested = [word for line in body["lines"] for word in line["words"]]
        assert body["words"] == [{"text": word["text"], "box": word["box"]} for word in nested]
        assert body["letters"] == [letter for word in nested for letter in word["letters"]]
        for word in nested:
            assert word["alternatives"] == [] and word["raw_text"] == word["text"]
            assert word["text"] == "".join(letter["predictions"][0]["letter"] for letter in word["letters"])
        for letter, truth in zip(body["letters"], "atxataxa"):
            probabilities = [p["probability"] for p in letter["predictions"]]
            assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)
            assert truth in [p["letter"] for p in letter["predictions"]]


def test_api_language_as_field_or_query_gives_each_word_its_alternatives(client):
    for response in [post_page(client, PAGE, language="en"),
                     client.post("/api/read?language=es", json={"image": data_url(encode(PAGE))})]:
        body = response.get_json()
        assert response.status_code == 200 and body["language"] in ("en", "es")
        assert body["raw_text"] == "\n".join(" ".join(w["raw_text"] for w in line["words"]) for line in body["lines"])
        for line in body["lines"]:
            for word in line["words"]:
                options = word["alternatives"]
                assert options and options[0]["text"] == word["text"]
                assert sum(o["share"] for o in options) <= 1 + 1e-9
                assert [o["share"] for o in options] == sorted((o["share"] for o in options), reverse=True)
                assert word["raw_text"] in [o["text"] for o in options]  # the letters one by one were weighed
    response = post_page(client, PAGE, language="klingon")
    assert response.status_code == 400 and response.get_json()["code"] == "malformed"
    assert "en, es, fr, none" in response.get_json()["error"]


def test_api_boxes_are_in_the_sent_pictures_pixels(client):
    big = LINE.resize((LINE.width * 3, LINE.height * 3))  # larger than the reading size: shrunk
    body = client.post("/api/read", json={"image": data_url(encode(big))}).get_json()
    assert_boxes([letter["box"] for letter in body["letters"]], np.multiply(LINE_BOXES, 3), tolerance=9)
    turned = LINE.transpose(Image.Transpose.ROTATE_90)  # stored on its side, EXIF says turn it back
    exif = Image.Exif()
    exif[0x0112] = 6
    body = client.post("/api/read", json={"image": data_url(encode(turned, exif=exif))}).get_json()
    assert_boxes([letter["box"] for letter in body["letters"]], LINE_BOXES)


def test_api_a_slightly_turned_page_keeps_its_lines_and_boxes_on_the_sent_picture(client):
    turned = PAGE.rotate(3, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    body = post_page(client, turned).get_json()
    assert [[len(w["letters"]) for w in line["words"]] for line in body["lines"]] == [[2, 2], [3]]
    ink = np.asarray(turned) < 128
    for letter in body["letters"]:
        x, y, w, h = letter["box"]
        assert 0 <= x and 0 <= y and x + w <= turned.width and y + h <= turned.height
        assert ink[y : y + h, x : x + w].any()


def test_api_blank_picture(client):
    response = post_page(client, Image.new("L", (600, 200), 255))
    assert response.status_code == 200
    assert response.get_json() == {"text": "", "raw_text": "", "language": "none", "blank": True,
                                   "lines": [], "words": [], "letters": []}


def test_api_limits_and_bad_input(client, tmp_path):
    assert client.post("/api/read", json={"picture": "x"}).status_code == 400
    assert client.post("/api/read", data=b"x", content_type="text/plain").status_code == 415
    bars = Image.new("L", (81 * 16 + 40, 5 * 100 + 40), 255)  # 405 letters in 5 lines
    for row in range(5):
        for n in range(81):
            ImageDraw.Draw(bars).rectangle((20 + n * 16, 30 + row * 100, 25 + n * 16, 80 + row * 100), fill=0)
    response = client.post("/api/read?reader=letters", json={"image": data_url(encode(bars))})
    assert response.status_code == 413 and response.get_json()["code"] == "too_many_letters"
    assert "400 letters" in response.get_json()["error"]
    response = client.post("/api/read", json={"image": data_url(encode(bars))})  # auto: no letter cap
    assert response.status_code == 200 and len(response.get_json()["lines"]) == 5
    assert client.post("/api/read?reader=paper", json={"image": data_url(encode(LINE))}).status_code == 400
    noise = Image.fromarray(np.uint8(np.random.default_rng(0).integers(0, 256, (600, 800))))
    response = post_page(client, noise)
    assert response.status_code == 413 and "400 letters" in response.get_json()["error"]
    small = create_app({"TESTING": True, "SECRET_KEY": "t", "MAX_IMAGE_PIXELS": 100_000}).test_client()
    response = small.post("/api/read", json={"image": data_url(encode(PAGE))})
    assert response.status_code == 413 and "megapixels" in response.get_json()["error"]
    no_letters = create_app({"TESTING": True, "SECRET_KEY": "t", "MODEL_PATH": str(tmp_path / "none.keras")})
    response = no_letters.test_client().post("/api/read", json={"image": data_url(encode(LINE))})
    assert response.status_code == 200 and {line["reader"] for line in response.get_json()["lines"]} == {"lines"}
    response = no_letters.test_client().post("/api/read?reader=letters", json={"image": data_url(encode(LINE))})
    assert response.status_code == 503 and "python -m training.train" in response.get_json()["error"]
    none = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                       "MODEL_PATH": str(tmp_path / "none.keras"),
                       "LINE_MODEL_PATH": str(tmp_path / "none_lines.keras")}).test_client()
    assert none.post("/api/read", json={"image": data_url(encode(LINE))}).status_code == 503
    page = none.post("/read/upload", data={"image": (io.BytesIO(encode(LINE)), "line.png")})
    assert page.status_code == 503 and "python -m training.train" in page.get_data(as_text=True)


# --- the page ---------------------------------------------------------------------------------


def letters_on_page(html):
    """[(top guess, [three guesses])] of each letter on the read page."""
    return [(letter, re.findall(r'class="read-guess[^"]*" data-letter="([a-z])"', guesses))
            for letter, guesses in re.findall(
                r'<li class="read-letter" data-letter="([a-z])">(.*?)</ol>', html, re.S)]


def words_on_page(html):
    """The text on the page: per line, its words as shown."""
    lines = re.findall(r'<div class="read-line[^"]*"[^>]*>(.*?)</div>', html, re.S)
    return [re.findall(r'class="read-word-text"[^>]*>([^<]*)<', line) for line in lines]


def test_read_page_has_the_tall_canvas_the_forms_and_a_dictionary_choice(client):
    html = client.get("/read").get_data(as_text=True)
    for part in ['id="word-draw-canvas"', "data-draw-pad", 'width="1200" height="800"', 'id="word-draw-form"',
                 'name="drawing"', 'id="upload-form"', 'type="file"', 'href="/read" aria-current="page"',
                 'form="word-draw-form"', 'form="upload-form"']:
        assert part in html
    assert re.findall(r'<option value="(\w+)" selected>', html) == ["en", "en"]
    spanish = client.get("/read?lang=es").get_data(as_text=True)
    assert re.findall(r'<option value="(\w+)" selected>', spanish) == ["es", "es"]
    assert re.findall(r'<option value="(\w+)"', html)[:4] == ["en", "es", "fr", "none"]


def test_upload_and_drawing_show_lines_raw_reading_boxes_and_downloads(client):
    for response, name in [
        (client.post("/read/upload", data={"image": (io.BytesIO(encode(PAGE)), "my page.png"), "language": "none"}),
         "my_page"),
        (client.post("/read/draw?lang=es", data={"drawing": data_url(encode(PAGE.convert("RGBA"))),
                                                 "language": "none"}), "transcripcion"),
    ]:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        shown = words_on_page(html)
        assert [len(line) for line in shown] == [2, 1]
        text = "\n".join(" ".join(line) for line in shown)
        assert re.search(r'id="read-raw"[^>]*>([^<]*)<', html)[1] == text
        links = dict(re.findall(r'id="read-download-(\w+)"[^>]*href="data:[^;]+;base64,[^"]*" download="([^"]+)"',
                                html))
        assert links == {"txt": f"{name}.txt", "hocr": f"{name}.hocr", "alto": f"{name}.alto.xml", "pdf": f"{name}.pdf"}
        body = re.search(r'id="read-download-txt"[^>]*href="data:text/plain;base64,([^"]*)"', html)[1]
        assert base64.b64decode(body).decode("utf-8") == text
        pdf = re.search(r'id="read-download-pdf"[^>]*href="data:application/pdf;base64,([^"]*)"', html)[1]
        assert base64.b64decode(pdf).startswith(b"%PDF-")
        found = letters_on_page(html)
        assert "".join(top for top, _ in found) == text.replace(" ", "").replace("\n", "")
        assert all(len(guesses) == 3 and guesses[0] == top for top, guesses in found)
        assert all(truth in guesses for (_, guesses), truth in zip(found, "atxataxa"))
        assert re.search(r'id="read-boxes" src="data:image/png;base64,', html)
        assert 'id="read-copy"' in html and '<script src="/static/js/read.js' in html


def test_with_a_dictionary_each_word_shows_the_readings_weighed(client):
    tall, _ = page_picture([(20, [("t", 0), ("a", 90), ("l", 180), ("l", 270), ("a", 540), ("t", 630)]),
                            (230, [("l", 40), ("a", 130), ("x", 220)])])
    html = client.post("/read/upload", data={"image": (io.BytesIO(encode(tall)), "page.png"),
                                             "language": "en"}).get_data(as_text=True)
    assert re.findall(r'<option value="(\w+)" selected>', html) == ["en", "en"]
    weighed_words = re.findall(r'<summary class="read-word-text"[^>]*>([^<]*)</summary>(.*?)</ol>', html, re.S)
    assert weighed_words  # "tall" is weighed against other readings
    for summary, options in weighed_words:
        weighed = re.findall(r'data-text="([^"]*)" data-share="([\d.]+)"', options)
        assert weighed[0][0] == summary and len(weighed) >= 2
    assert 'lang="en"' in html


def test_blank_and_bad_pictures_come_back_on_the_read_page(client):
    blank = client.post("/read/draw", data={"drawing": data_url(encode(Image.new("L", (900, 300), 255)))})
    assert blank.status_code == 200 and "No letters found" in blank.get_data(as_text=True)
    empty = client.post("/read/draw", data={"drawing": ""})
    assert empty.status_code == 400 and "Write on the canvas first" in empty.get_data(as_text=True)
    wrong = client.post("/read/upload", data={"image": (io.BytesIO(b"not a picture"), "x.png")})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 415 and "not a picture" in html and 'id="word-draw-canvas"' in html
    unknown = client.post("/read/draw", data={"drawing": data_url(encode(LINE)), "language": "xx"})
    assert unknown.status_code == 400 and "Unknown language xx" in unknown.get_data(as_text=True)


def test_csrf_protects_the_read_forms_not_the_api(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/read/draw", data={"drawing": data_url(encode(LINE))}).status_code == 400
    response = client.post("/read/draw", data={"drawing": data_url(encode(LINE)), "csrf_token": csrf_token(client, "/read")})
    assert response.status_code == 200 and 'id="read-text"' in response.get_data(as_text=True)
    assert client.post("/api/read", json={"image": data_url(encode(LINE))}).status_code == 200


def test_api_a_larger_gap_between_lines_starts_a_paragraph(client):
    lines = [(20 + 200 * n + (220 if n >= 2 else 0), [("a", 0), ("t", 90), ("x", 180)]) for n in range(4)]
    page, _ = page_picture(lines)
    body = post_page(client, page).get_json()
    assert [line["paragraph"] for line in body["lines"]] == [True, False, True, False]
    first, second = body["text"].split("\n\n")
    assert first.count("\n") == 1 and second.count("\n") == 1


def test_api_a_phone_photo_of_a_page_reads_like_the_scan(client):
    """Grey, unevenly lit paper, dark blue ink, sensor noise, JPEG."""
    ink = np.asarray(PAGE, np.float32) / 255
    light = np.linspace(0.65, 0.95, PAGE.width)[None, :, None] * np.array([0.95, 0.93, 0.88])
    photo = np.where(ink[..., None] < 0.5, np.array([0.15, 0.15, 0.35]), light)
    photo = photo + np.random.default_rng(0).normal(0, 0.02, photo.shape)
    picture = Image.fromarray(np.uint8(np.clip(photo, 0, 1) * 255))
    scan = post_page(client, PAGE).get_json()
    shot = client.post("/api/read", data={"image": (io.BytesIO(encode(picture, "JPEG", quality=85)), "p.jpg")})
    shot = shot.get_json()
    assert len(scan["letters"]) == 7 and shot["text"] == scan["text"]
    assert_boxes([letter["box"] for letter in shot["letters"]], [letter["box"] for letter in scan["letters"]])


def test_a_pdf_upload_shows_every_page_and_downloads_all_of_them(client):
    response = client.post("/read/upload", data={"image": (io.BytesIO(pdf_of([PAGE] * 3)), "letters.pdf"),
                                                  "language": "none"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r"Page (\d) of 3", html) == ["1", "2", "3"]
    assert 'id="read-raw"' in html and 'id="read-raw-2"' in html and 'id="read-raw-3"' in html
    assert 'download="letters.pdf"' in html and 'download="letters.txt"' in html
