"""The pages on a 390 × 844 touch phone and a 1280 × 800 screen (issue 22): a one-row header with a
menu button, the drawing pads and their buttons on screen, the page's own file button in the page's
language, upload errors beside the upload form, the model's runtime said in Spanish."""

import pytest
from playwright.sync_api import expect

from browser import draw

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    yield context.new_page()
    context.close()


def open_page(page, base_url, path):
    page.goto(base_url + path)
    page.wait_for_load_state("load")  # the deferred scripts have run
    return page


def box(page, selector):
    return page.locator(selector).bounding_box()


@pytest.mark.parametrize("language, menu", [("en", "Menu"), ("es", "Menú")])
def test_phone_header_is_one_row_and_its_links_are_behind_a_menu_button(phone, base_url, language, menu):
    page = open_page(phone, base_url, f"/read?lang={language}")
    assert box(page, ".site-header")["height"] <= 60
    button = page.locator("#menu-button")
    assert button.inner_text() == menu and button.get_attribute("aria-expanded") == "false"
    links = page.locator(".site-nav a")
    assert not links.first.is_visible()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")  # set on the toggle event, a moment later
    assert links.first.is_visible() and page.locator(".language-switcher a[lang=es]").is_visible()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    assert not links.first.is_visible()
    button.click()
    page.locator(".site-nav a[href='/stats']").click()
    page.wait_for_url("**/stats")


def test_menu_and_upload_field_work_without_javascript(browser, base_url):
    """The menu is a <details>: it opens without scripts; the browser's own file field stays."""
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/?lang=es")
    assert box(page, ".site-header")["height"] <= 60 and not page.locator(".site-nav a").first.is_visible()
    page.click("#menu-button")
    assert page.locator(".site-nav a").first.is_visible()
    assert page.locator("#image").is_visible() and not page.locator("#file-button").is_visible()
    context.close()


def test_wide_header_shows_its_links_without_a_menu_button(desktop, base_url):
    page = open_page(desktop, base_url, "/?lang=es")
    assert not page.locator("#menu-button").is_visible()
    assert page.locator(".site-nav a[href='/read']").is_visible()
    assert page.locator(".language-switcher a[lang=en]").is_visible()
    assert box(page, ".site-header")["height"] <= 70


def on_screen(page, selector):
    found, height = box(page, selector), page.viewport_size["height"]
    return found["y"] >= 0 and found["y"] + found["height"] <= height


@pytest.mark.parametrize("language", ["en", "es"])
def test_recognize_is_on_screen_after_drawing_on_a_phone(phone, base_url, language):
    page = open_page(phone, base_url, f"/?lang={language}")
    draw(page, "t")  # on the page as it opens
    assert on_screen(page, "#draw-canvas") and on_screen(page, "#recognize")
    # Scrolled just far enough to see the pad (its bottom on the screen's bottom, the buttons under
    # the screen's edge, as with a browser's toolbars shown): the next stroke brings them up.
    page.set_viewport_size({"width": 390, "height": 640})
    canvas = box(page, "#draw-canvas")
    page.evaluate("(y) => window.scrollBy(0, y)", canvas["y"] + canvas["height"] - 640)
    assert not on_screen(page, "#recognize")
    draw(page, "x")
    page.wait_for_function("document.getElementById('recognize').getBoundingClientRect().bottom <= innerHeight")
    assert on_screen(page, "#draw-canvas") and on_screen(page, "#recognize")
    # Room beside the pad to scroll the page with a finger.
    canvas = box(page, "#draw-canvas")
    assert canvas["x"] >= 40 and 390 - (canvas["x"] + canvas["width"]) >= 40


def test_read_pad_is_the_full_width_and_at_least_300_px_tall_on_a_phone(phone, base_url):
    page = open_page(phone, base_url, "/read")
    pad, card = box(page, "#word-draw-canvas"), box(page, "section[aria-labelledby=word-draw-heading]")
    assert pad["width"] >= card["width"] - 2 and pad["height"] >= 300
    assert pad["height"] <= 844 / 2  # the page scrolls from above and below it


@pytest.mark.parametrize("path", ["/", "/read"])
def test_file_button_is_the_pages_own_in_spanish(phone, base_url, tmp_path, path):
    page = open_page(phone, base_url, path + "?lang=es")
    button = page.locator("#file-button")
    assert button.is_visible() and button.inner_text() == "Elegir un archivo"
    assert page.locator("#file-name").inner_text() == "Ningún archivo elegido"
    assert box(page, "#image")["width"] <= 1  # the browser's own field ("Choose File") is out of sight
    page.focus("#image")  # still reached with the keyboard, and the button shows it
    assert page.evaluate("document.activeElement.id") == "image"
    assert page.eval_on_selector("#file-button", "(b) => getComputedStyle(b).outlineStyle") != "none"
    picture = tmp_path / "carta.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    page.set_input_files("#image", str(picture))
    assert page.locator("#file-name").inner_text() == "carta.png"
    if path == "/read":  # the pages of one document (static/js/jobs.js makes the field take several)
        second = tmp_path / "carta-2.png"
        second.write_bytes(picture.read_bytes())
        page.set_input_files("#image", [str(picture), str(second)])
        assert page.locator("#file-name").inner_text() == "carta.png, carta-2.png"


@pytest.mark.parametrize("path, language", [("/read", "en"), ("/read", "es"), ("/", "es")])
def test_upload_error_is_beside_the_upload_form(phone, base_url, tmp_path, path, language):
    page = open_page(phone, base_url, f"{path}?lang={language}")
    broken = tmp_path / "page.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really a picture")
    page.set_input_files("#image", str(broken))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-errors li")
    page.wait_for_load_state("load")
    assert page.locator("#error").count() == 0  # not at the top of the page
    assert page.locator("#upload-form #upload-errors").is_visible()
    error = box(page, "#upload-errors")
    assert 0 <= error["y"] and error["y"] + error["height"] <= 844  # on screen, where the form is
    assert page.get_attribute("#image", "aria-invalid") == "true"
    assert page.evaluate("document.documentElement.lang") == language


def test_spanish_stats_show_no_english_runtime_message(desktop, base_url):
    page = open_page(desktop, base_url, "/stats?lang=es")
    runtime = page.locator("#model-runtime").inner_text()
    assert runtime.startswith("Lo sirve LiteRT:") and "coincide con la huella" in runtime
    assert "matches" not in page.locator("main").inner_text()
