"""Editing the text on /read in Chromium: a word's other readings replace it, and Copy and the .txt
download take the edited text."""

import base64

from pictures import page_picture
from playwright.sync_api import expect

from harness.pictures import encode

# "tall at" / "lax": with the English dictionary "tall" is weighed against other readings.
PAGE, _ = page_picture([(20, [("t", 0), ("a", 90), ("l", 180), ("l", 270), ("a", 540), ("t", 630)]),
                        (230, [("l", 40), ("a", 130), ("x", 220)])])


def read_page(page, base_url, language="en"):
    page.goto(base_url + "/read")
    page.select_option("#upload-language", language)
    page.set_input_files("#image", files=[{"name": "page.png", "mimeType": "image/png", "buffer": encode(PAGE)}])
    page.click("#upload-form [type=submit]")
    page.wait_for_selector("#read-text", timeout=30_000)
    page.wait_for_load_state("load")  # read.js is deferred


def txt_download(page):
    href = page.get_attribute("#read-download-txt", "href")
    assert href.startswith("data:text/plain;base64,")
    return base64.b64decode(href.split(",", 1)[1]).decode("utf-8")


def shown_text(page):
    return page.evaluate("""() => Array.from(document.querySelectorAll('#read-text .read-line')).map(
        (line) => Array.from(line.querySelectorAll(':scope > .read-word-text, :scope > details > summary'))
                       .map((word) => word.textContent).join(' ')).join('\\n')""")


def test_choosing_a_reading_replaces_the_word_and_the_download(page, base_url):
    read_page(page, base_url)
    assert page.get_attribute("#read-text", "contenteditable") == "true"
    before = txt_download(page)
    assert before == shown_text(page)
    word = page.locator("#read-text details.read-options").first
    summary = word.locator("summary")
    old = summary.text_content()
    summary.click()
    assert word.evaluate("(details) => details.open")
    option = word.locator("li.read-option").nth(1)
    new = option.get_attribute("data-text")
    assert new != old
    option.click()
    assert summary.text_content() == new and not word.evaluate("(details) => details.open")
    edited = txt_download(page)
    assert edited == shown_text(page) and edited != before
    assert edited.split()[0] == new and edited.split()[1:] == before.split()[1:]
    # The option lists are no part of the text, and the word can still be edited by typing.
    summary.click()
    page.keyboard.press("End")
    page.keyboard.type("ñ")
    typed = txt_download(page)
    assert typed.split()[0] == new + "ñ" and "%" not in typed


def test_typing_in_a_line_changes_the_download_and_copy(page, base_url, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        read_page(page, base_url, language="none")
        line = page.locator("#read-text .read-line").last
        line.locator(".read-word-text").last.click()
        page.keyboard.press("End")
        page.keyboard.type(" café")
        text = txt_download(page)
        assert text.endswith(" café") and text.count("\n") == 1
        page.click("#read-copy")
        expect(page.locator("#read-status")).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == text
    finally:
        context.close()
