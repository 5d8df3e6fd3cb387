"""Sending an edited line of /read as a correction, in Chromium: the line's picture and the edited
text reach the corrections store; unchanged lines are not sent; on a phone and in Spanish too."""

import base64
import sqlite3

import pytest
from browser import serve
from pictures import page_picture
from playwright.sync_api import expect

from harness.pictures import encode

PAGE, _ = page_picture([(20, [("t", 0), ("a", 90), ("l", 180), ("l", 270)]),
                        (230, [("l", 40), ("a", 130), ("x", 220)])])


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return tmp_path_factory.mktemp("line-corrections") / "corrections.sqlite3"


@pytest.fixture(scope="module")
def base_url(database):
    yield from serve({"DATABASE_URL": f"sqlite:///{database}"})


def kept(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT text, reading, reader, language, picture FROM line_corrections "
                                  "ORDER BY id").fetchall()


def read_page(page, base_url, query=""):
    page.goto(base_url + "/read" + query)
    page.set_input_files("#image", files=[{"name": "page.png", "mimeType": "image/png", "buffer": encode(PAGE)}])
    page.click("#upload-form [type=submit]")
    page.wait_for_selector("#read-text", timeout=30_000)
    page.wait_for_load_state("load")  # the scripts are deferred


def edit_line(page, n, typed):
    """Type `typed` at the end of line n (0-based) of the text; the line's text afterwards."""
    line = page.locator("#read-text .read-line").nth(n)
    line.locator(".read-word-text").last.click()
    page.keyboard.press("End")
    page.keyboard.type(typed)
    page.keyboard.press("Escape")  # close a word's readings, if they opened
    return " ".join(line.evaluate("(element) => window.LetterScanner.lineText(element)").split())


def picture_of(page, key):
    data = page.evaluate("() => JSON.parse(document.getElementById('line-correction-data').textContent)")
    return base64.b64decode(data["lines"][key]["picture"].split(",", 1)[1])


def test_an_edited_line_is_sent_with_its_picture_and_only_once(page, base_url, database):
    before = len(kept(database))
    read_page(page, base_url)
    send, status = page.locator("#line-correction-send"), page.locator("#line-correction-status")
    expect(send).to_be_visible()
    send.click()
    expect(status).to_have_text("Edit a line's text first: only the lines you changed are sent.")
    assert "is-error" in status.get_attribute("class")
    text = edit_line(page, 1, "q")
    send.click()
    expect(status).to_have_text("Thank you: 1 corrected line is kept to train the line reader.")
    assert "is-error" not in status.get_attribute("class")
    rows = kept(database)[before:]
    assert len(rows) == 1
    stored, reading, reader, language, picture = rows[0]
    assert stored == text and stored != reading and stored.endswith("q")
    assert reader in ("letters", "lines") and language == "en"  # the dictionary the page was read with
    assert picture == picture_of(page, "1-2")
    send.click()  # nothing new to send
    expect(status).to_have_text("Edit a line's text first: only the lines you changed are sent.")
    assert len(kept(database)) == before + 1


def test_on_a_phone_in_spanish_two_edited_lines_are_sent(browser, base_url, database):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        before = len(kept(database))
        read_page(page, base_url, "?lang=es")
        texts = [edit_line(page, 0, "s"), edit_line(page, 1, "ñ")]
        send = page.locator("#line-correction-send")
        expect(send).to_have_text("Enviar corrección")
        send.tap()
        expect(page.locator("#line-correction-status")).to_have_text(
            "Gracias: se guardan 2 líneas corregidas para entrenar el lector de líneas.")
        assert [row[0] for row in kept(database)[before:]] == texts
        box = send.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen, not beside it
    finally:
        page.close()


def test_a_refused_correction_says_why_beside_the_button(browser, tmp_path):
    server = serve({"DATABASE_URL": f"sqlite:///{tmp_path / 'full.sqlite3'}", "CORRECTIONS_PER_DAY": 0})
    base_url = next(server)
    page = browser.new_page()
    try:
        read_page(page, base_url)
        edit_line(page, 0, "s")
        page.click("#line-correction-send")
        status = page.locator("#line-correction-status")
        expect(status).to_have_text("Thank you, but we have kept all the corrections we take in a day. "
                                    "Nothing was stored; please try again tomorrow.")
        assert "is-error" in status.get_attribute("class")
        assert kept(tmp_path / "full.sqlite3") == []
    finally:
        page.close()
        next(server, None)  # shuts the server down
