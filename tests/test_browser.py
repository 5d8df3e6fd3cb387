"""The real page in Debian's Chromium (never a downloaded browser), driven by Playwright."""

import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from pictures import STROKES
from webapp import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def base_url():
    """The app, CSRF on, served on a free loopback port for this module."""
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium (`make test` does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(base_url + "/")
    yield page
    page.close()


def draw(page, letter):
    """Draw a letter's strokes (defined on a 280 px square) with the mouse."""
    box = page.locator("#draw-canvas").bounding_box()
    scale = min(box["width"], box["height"]) / 280
    for stroke in STROKES[letter]:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=12)
        page.mouse.up()


def recognised(page):
    page.click("#recognize")
    page.wait_for_selector("#guesses li, .blank, [data-blank]", timeout=15_000)
    return [li.get_attribute("data-letter") for li in page.locator("#guesses li").all()]


@pytest.mark.parametrize("letter", sorted(STROKES))
def test_drawn_letter_is_in_the_top_three(page, letter):
    draw(page, letter)
    guesses = recognised(page)
    assert len(guesses) == 5
    assert letter in guesses[:3], guesses


def test_clear_then_recognise_finds_no_letter(page):
    draw(page, "x")
    page.click("#clear")
    page.click("#recognize")
    page.wait_for_load_state()
    assert "no letter found" in page.content().lower()


def test_undo_removes_the_last_stroke(page):
    draw(page, "t")
    draw(page, "x")  # two more strokes on top
    page.click("#undo")
    page.click("#undo")
    assert "t" in recognised(page)[:3]
