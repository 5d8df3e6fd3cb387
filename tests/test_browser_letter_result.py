"""The letter result page in Debian's chromium (issue 22): a word drawn on the letter canvas is
sent on to "Read a page" with its picture, typing a letter picks it in "Wrong, it was …", and a
correction sent by mistake is taken back with "Undo"."""

import pytest
from browser import draw, recognised, serve

from harness.pictures import STROKES

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app with a database of its own, for corrections."""
    yield from serve({"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'corrections.sqlite3'}"})


def draw_word(page, letters):
    """Draw the harness's letters small, side by side, with the mouse (strokes on a 280 px square)."""
    page.wait_for_load_state("load")
    box = page.locator("#draw-canvas").bounding_box()
    scale = min(box["width"], box["height"]) / 280
    size = 0.28  # of the canvas, per letter
    for i, letter in enumerate(letters):
        for stroke in STROKES[letter]:
            points = [(box["x"] + (20 + i * 85 + x * size) * scale, box["y"] + (100 + y * size) * scale)
                      for x, y in stroke]
            page.mouse.move(*points[0])
            page.mouse.down()
            for point in points[1:]:
                page.mouse.move(*point, steps=8)
            page.mouse.up()


@pytest.mark.parametrize(("viewport", "language"), [(DESKTOP, "en"), (PHONE, "es")], ids=["desktop-en", "phone-es"])
def test_a_word_on_the_letter_page_is_read_as_a_page_with_its_picture(browser, site, viewport, language):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{site}/?lang={language}")
    draw_word(page, "tax")
    recognised(page)
    assert page.locator("#not-a-letter").is_visible()
    assert page.locator("#feedback").count() == 0  # no "Right, it was …" for a word
    button = page.locator("#read-instead-button")
    assert button.inner_text() == {"en": "Read it as a page", "es": "Leerlo como una página"}[language]
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    button.click()
    page.wait_for_selector("#read-text")  # the read page's reading
    assert len(page.locator("#read-raw").inner_text().replace(" ", "").strip()) == 3  # its three letters
    assert page.locator("#read-boxes").is_visible()  # the picture came along
    page.close()


@pytest.mark.parametrize(("viewport", "language"), [(PHONE, "en"), (DESKTOP, "es")], ids=["phone-en", "desktop-es"])
def test_typing_a_letter_picks_it_and_undo_takes_the_correction_back(browser, site, viewport, language):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{site}/?lang={language}")
    draw(page, "t")
    guesses = recognised(page)
    assert guesses[0] == "t"
    picker = [key.get_attribute("value") for key in page.locator(".letter-key input").all()]
    assert picker[:4] == guesses[1:5] and "t" not in picker and len(picker) == 25
    page.keyboard.press("t")  # the model's own guess: "Right, it was T"
    assert page.evaluate("document.activeElement.id") == "feedback-right"
    assert not page.locator("#feedback-wrong").evaluate("details => details.open")
    page.keyboard.press("Shift+K")
    assert page.locator("#feedback-wrong").evaluate("details => details.open")
    assert page.locator(".letter-key input:checked").get_attribute("value") == "k"
    assert page.evaluate("document.activeElement.id") == "feedback-send"
    page.keyboard.press("Enter")
    page.wait_for_selector("#correction-kept")
    assert "K" in page.locator("#correction-kept").inner_text()
    page.click("#undo")
    page.wait_for_selector("#correction-undone")
    assert page.locator("#correction-undone").inner_text() == {
        "en": "The correction was taken back: nothing of it is kept.",
        "es": "Se ha retirado la corrección: no se guarda nada de ella."}[language]
    page.close()


@pytest.fixture(scope="module")
def quick_undo_site(tmp_path_factory):
    """The app whose corrections can be taken back for 2 seconds only."""
    yield from serve({"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'corrections.sqlite3'}",
                      "CORRECTIONS_UNDO_SECONDS": 2})


def test_undo_goes_when_its_time_is_over_and_the_page_says_the_correction_is_kept(browser, quick_undo_site):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{quick_undo_site}/?lang=es")
    draw(page, "t")
    recognised(page)
    page.click("#feedback-right")
    page.wait_for_selector("#correction-kept")
    assert page.locator("#undo").is_visible()
    page.wait_for_selector("#undo-over", state="visible", timeout=10_000)
    assert not page.locator("#undo").is_visible()
    assert page.locator("#undo-over").inner_text() == "Se acabó el tiempo para retirarla: la corrección se guarda."
    page.close()
