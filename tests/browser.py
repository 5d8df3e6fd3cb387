"""The app served on a loopback port for Debian's Chromium, and drawing on its canvas with the mouse
(the browser fixtures are in conftest.py)."""

import shutil
import threading

from werkzeug.serving import make_server

from harness.pictures import STROKES
from webapp import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


def serve(config):
    """The app with `config` (CSRF on) served on a free loopback port, until the generator ends."""
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-test", **config})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def draw(page, letter):
    """Draw a letter's strokes (defined on a 280 px square) with the mouse."""
    page.wait_for_load_state("load")  # draw.js (deferred) listens to the pointer
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
    """Send the drawing; the letters of the result page's guesses (none when it found no letter)."""
    page.click("#recognize")
    page.wait_for_selector("#result-heading", timeout=15_000)  # the result page, with or without a letter
    return [li.get_attribute("data-letter") for li in page.locator("#guesses li").all()]


def methods_during(page, action):
    """The methods of the page loads (documents) the page asks the app for while `action` runs."""
    sent = []
    page.on("request", lambda request: sent.append(request.method) if request.resource_type == "document" else None)
    action()
    page.wait_for_load_state()
    return sent
