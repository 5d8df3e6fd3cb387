"""The real page in Debian's Chromium (never a downloaded browser), driven by Playwright."""

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from browser import draw, recognised, serve

from handwriting.labels import LETTERS
from harness.pictures import STROKES

METRICS = Path(__file__).resolve().parent.parent / "models" / "metrics.json"


@pytest.mark.parametrize("letter", sorted(STROKES))
def test_drawn_letter_is_in_the_top_three(page, letter):
    draw(page, letter)
    guesses = recognised(page)
    assert len(guesses) == 5
    assert letter in guesses[:3], guesses


def test_an_empty_canvas_is_answered_beside_it_without_a_request(page):
    draw(page, "x")
    page.click("#clear")
    requests = []
    page.on("request", lambda request: requests.append(request.url) if request.method == "POST" else None)
    page.click("#recognize")
    page.wait_for_function("document.getElementById('draw-status').textContent.length > 0")
    assert page.locator("#draw-status").inner_text() == "The canvas is empty: write on it first."
    assert requests == [] and page.locator("#result-heading").count() == 0
    assert not page.locator("#recognize").is_disabled()  # still ready for a drawing
    draw(page, "x")
    assert "x" in recognised(page)[:3]


def test_undo_removes_the_last_stroke(page):
    draw(page, "t")
    draw(page, "x")  # two more strokes on top
    page.click("#undo")
    page.click("#undo")
    assert "t" in recognised(page)[:3]


def test_drawing_sent_back_with_an_error_is_on_the_canvas_again(page):
    draw(page, "t")
    page.evaluate("document.getElementById('draw-csrf-token').value = 'stale'")
    page.click("#recognize")
    page.wait_for_selector("#draw-error")  # the home page again, with the error beside the drawing
    page.wait_for_load_state("load")  # draw.js has put the drawing back
    assert page.get_attribute("#undo", "aria-disabled") == "false"
    assert "t" in recognised(page)[:3]  # sent again as it came back


def test_drawing_canvas_says_what_it_is_for(page):
    canvas = page.locator("#draw-canvas")
    assert canvas.get_attribute("role") == "application"
    assert "draw" in canvas.get_attribute("aria-label").lower()
    hint = page.locator("#" + canvas.get_attribute("aria-describedby"))
    assert "Esc" in hint.inner_text()


def watch_errors(page):
    """The console errors (a CSP violation is one) and uncaught exceptions `page` will have."""
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.parametrize("path, charts", [("/", []), ("/read", []),
                                          ("/stats", ["per-letter-chart", "accuracy-chart", "loss-chart"])])
def test_pages_run_their_scripts_without_errors(browser, base_url, path, charts):
    page = browser.new_page()
    problems = watch_errors(page)
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.LetterScanner.message") == "function"
    for chart in charts:
        assert page.evaluate(f"Chart.getChart('{chart}').data.datasets.length") >= 1
    page.close()
    assert problems == []


def test_result_page_draws_its_charts_without_errors(page):
    problems = watch_errors(page)
    draw(page, "t")
    recognised(page)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("Chart.getChart('accuracy-chart').data.datasets[0].label") == "Train"
    assert problems == []


def test_confusion_matrix_can_be_read_with_the_keyboard(browser, base_url):
    matrix = json.loads(METRICS.read_text(encoding="utf-8"))["evaluation"]["emnist-letters"]["confusion"]
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(base_url + "/stats")
    readout = page.locator("#confusion-readout")
    assert readout.get_attribute("aria-live") == "polite" and readout.get_attribute("aria-hidden") is None
    page.locator("#confusion-chart").focus()
    page.keyboard.press("Tab")  # the matrix is in the tab order: Shift+Tab comes back to it
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "confusion-chart"

    def expected(i, j):
        count, total = matrix[i][j], sum(matrix[i])
        share = (Decimal(100 * count) / total).quantize(Decimal("0.1"), ROUND_HALF_UP)  # as Intl rounds
        return (f"{LETTERS[i].upper()} {LETTERS[i]} read as {LETTERS[j].upper()} {LETTERS[j]}: "
                f"{count:,} of {total:,} pictures ({share}%)")

    assert readout.inner_text() == expected(0, 0)
    page.keyboard.press("ArrowRight")
    assert readout.inner_text() == expected(0, 1)
    g = LETTERS.index("g")
    for _ in range(g):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    assert readout.inner_text() == expected(g, 0)
    for _ in range(LETTERS.index("q")):
        page.keyboard.press("ArrowRight")
    assert readout.inner_text() == expected(g, LETTERS.index("q"))
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")  # stays at the edge
    assert readout.inner_text() == expected(g, len(LETTERS) - 1)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("window.scrollY") == scrolled  # the keys move in the matrix, not the page
    page.close()


def test_confusion_matrix_table_view_holds_the_counts(browser, base_url):
    matrix = json.loads(METRICS.read_text(encoding="utf-8"))["evaluation"]["emnist-letters"]["confusion"]
    page = browser.new_page()
    page.goto(base_url + "/stats")
    table = page.locator("#confusion-table")
    assert not table.is_visible()
    page.click("#confusion-table-view summary")
    assert table.is_visible()
    g = LETTERS.index("g")
    row = table.locator("tbody tr").nth(g)
    assert row.locator("th").inner_text() == "G g"
    assert [int(cell.replace(",", "")) for cell in row.locator("td").all_inner_texts()] == matrix[g]
    page.close()


@pytest.fixture(scope="module")
def small_limit_url():
    """The app with a 2 KB upload limit: the page's own check must follow it."""
    yield from serve({"MAX_UPLOAD_BYTES": 2048})


def test_upload_check_follows_the_configured_limit_and_formats(browser, small_limit_url):
    page = browser.new_page()
    page.goto(small_limit_url + "/")
    status = page.locator("#upload-status")
    page.set_input_files("#image", files=[{"name": "big.png", "mimeType": "image/png", "buffer": b"x" * 3072}])
    assert status.inner_text() == "The picture is larger than 2 KB (it is 3 KB)."
    assert page.get_attribute("#image", "aria-invalid") == "true"
    assert page.evaluate("document.getElementById('image').validity.customError")
    page.set_input_files("#image", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x"}])
    assert status.inner_text().startswith("Upload a PNG, JPEG")
    page.set_input_files("#image", files=[{"name": "ok.png", "mimeType": "image/png", "buffer": b"x" * 1024}])
    assert status.inner_text() == "" and page.get_attribute("#image", "aria-invalid") is None
    page.close()


def test_switch_to_spanish_then_draw_gives_a_spanish_result_page(browser, base_url):
    page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="en-US")
    page.goto(base_url + "/")
    assert page.get_attribute("html", "lang") == "en"
    page.click(".language-switcher a[lang=es]")
    page.wait_for_selector("html[lang=es]")
    page.wait_for_load_state("load")  # the deferred scripts have run: upload.js listens for a file
    assert page.locator("h1").inner_text() == "¿Qué letra es?"
    assert page.locator(".language-switcher a[aria-current=true]").inner_text() == "Español"
    page.set_input_files("#image", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x"}])
    assert page.locator("#upload-status").inner_text() == "Sube una imagen PNG, JPEG, GIF, BMP, WebP, TIFF o HEIC."
    draw(page, "a")
    guesses = recognised(page)  # the choice, kept in the cookie, holds through the POST
    assert "a" in guesses[:3]
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator(".eyebrow").first.text_content() == "Opción más probable"
    assert page.locator("#guesses-heading").inner_text() == "Las 5 opciones más probables"
    assert page.evaluate("LetterScanner.message('chart_accuracy')") == "Acierto"
    assert page.evaluate("LetterScanner.formatPercent(0.941, 1)") == "94,1\xa0%"
    assert page.locator(".guess-pct").first.inner_text().endswith("\xa0%")
    page.click(".language-switcher a[lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Which letter is it?"
    page.close()


@pytest.fixture(scope="module")
def corrections_url(tmp_path_factory):
    """The app with a database of its own, for the correction flow."""
    yield from serve({"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'corrections.sqlite3'}"})


def test_wrong_it_was_keeps_the_letter_picked_with_the_keyboard_on_a_phone(browser, corrections_url):
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto(corrections_url + "/")
    draw(page, "t")
    assert recognised(page)
    assert page.locator(".letter-key").first.is_hidden()  # nothing to pick until asked
    page.focus("#feedback-wrong summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the letters: the model's second guess first
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # ... to the sixth letter offered
    sixth = page.locator(".letter-key input").nth(5).get_attribute("value")
    assert page.locator(".letter-key input:checked").get_attribute("value") == sixth
    keys = page.locator(".letter-key").all()
    assert all(key.bounding_box()["width"] >= 44 and key.bounding_box()["x"] + key.bounding_box()["width"] <= 390
               for key in keys)  # a finger's width, and all on the screen
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Send the correction"
    page.wait_for_selector("#correction-kept")
    assert page.locator("#correction-kept").inner_text().startswith(f"Kept: it was {sixth.upper()}.")
    page.close()
