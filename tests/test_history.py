"""The private history (webapp/history.py): the /history page, and what a result page hands the
browser to keep (the #kept-result block) — the frame and guesses of a letter, the text of a page,
nothing for a blank picture."""

import io
import json
import re

from PIL import Image
from pictures import data_url, page_picture

from harness.pictures import draw_letter, encode
from webapp.history import HISTORY_SIZE

PAGE, _ = page_picture([(20, [("a", 0), ("t", 90), ("x", 360)])])


def kept(html):
    """The JSON block a result page hands the browser to keep."""
    block = re.search(r'<script type="application/json" id="kept-result">(.*?)</script>', html, re.S)
    assert block, "no #kept-result block"
    return json.loads(block[1])


def test_history_page_says_it_stays_in_this_browser_in_both_languages(client):
    html = client.get("/history").get_data(as_text=True)
    assert f"The last {HISTORY_SIZE} letters and pages you read" in html
    assert "They stay in this browser only" in html and 'id="history-forget"' in html
    assert re.search(r'<a href="/history" aria-current="page">History</a>', html)
    assert f'data-size="{HISTORY_SIZE}"' in html and 'src="/static/js/history.js"' in html
    spanish = client.get("/history?lang=es").get_data(as_text=True)
    assert f"Las últimas {HISTORY_SIZE} letras y páginas" in spanish
    assert "Olvidar todo" in spanish and ">Historial</a>" in spanish


def test_every_page_links_to_the_history(client):
    for path in ("/", "/read", "/stats"):
        assert 'href="/history"' in client.get(path).get_data(as_text=True)


def test_a_letter_result_hands_over_its_frame_and_guesses(client):
    html = client.post("/draw", data={"drawing": data_url(encode(draw_letter("x")))}).get_data(as_text=True)
    entry = kept(html)
    assert entry["kind"] == "letter" and entry["note"] is None
    assert entry["frame"].startswith("data:image/png;base64,") and entry["frame"] in html  # the frame shown
    shown = re.findall(r'data-letter="([a-z])" data-probability="([0-9.]+)"', html)
    assert [(g["letter"], g["probability"]) for g in entry["predictions"]] == [(l, float(p)) for l, p in shown]
    assert entry["predictions"][0]["letter"] == "x"


def test_a_blank_letter_result_hands_over_nothing(client):
    blank = encode(Image.new("L", (280, 280), 255))
    assert kept(client.post("/draw", data={"drawing": data_url(blank)}).get_data(as_text=True)) is None


def test_a_reading_hands_over_its_text_only(client):
    html = client.post("/read/upload", data={"image": (io.BytesIO(encode(PAGE)), "page.png"),
                                              "language": "none"}).get_data(as_text=True)
    entry = kept(html)
    assert entry == {"kind": "page", "text": entry["text"]} and entry["text"].replace(" ", "") == "atx"
    blank = client.post("/read/upload", data={"image": (io.BytesIO(encode(Image.new("L", (600, 300), 255))), "b.png")})
    assert kept(blank.get_data(as_text=True)) is None


def test_the_read_page_without_a_result_keeps_nothing(client):
    assert 'id="kept-result"' not in client.get("/read").get_data(as_text=True)
