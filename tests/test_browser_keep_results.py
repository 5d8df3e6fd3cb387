"""Results kept in the browser (static/js/kept.js, result.js, history.js) in Debian's chromium: a
result survives reload and Back at its address /history#<id>, the History page lists the letters and
pages read, opens them again, forgets them all once confirmed and keeps the last HISTORY_SIZE."""

from browser import draw, methods_during, recognised
from pictures import page_picture

from harness.pictures import encode
from webapp.history import HISTORY_SIZE

# "lax": one line of separate letters, read on /read.
PAGE, _ = page_picture([(20, [("l", 20), ("a", 110), ("x", 200)])])


def shown_guesses(page):
    """The letters of the kept letter shown on the History page, best first."""
    page.wait_for_selector("#history-entry .guesses li")
    return [li.get_attribute("data-letter") for li in page.locator("#history-entry .guesses li").all()]


def read_a_page(page, base_url):
    """Upload PAGE on /read; the text read."""
    page.goto(base_url + "/read")
    page.select_option("#upload-language", "none")
    page.set_input_files("#image", files=[{"name": "page.png", "mimeType": "image/png", "buffer": encode(PAGE)}])
    page.click("#upload-form [type=submit]")
    page.wait_for_selector("#read-text", timeout=30_000)
    page.wait_for_load_state("load")  # result.js (deferred) keeps it
    return page.evaluate("JSON.parse(document.getElementById('read-data').textContent).text")


def listed(page):
    """The History page's entries: (kind, title), newest first."""
    page.wait_for_selector("#history-card:not([hidden])")
    return [(item.locator(".history-kind").text_content(), item.locator(".history-title").text_content())
            for item in page.locator("#history-list li").all()]


def test_a_letter_result_survives_reload_and_back(page, base_url):
    draw(page, "t")
    guesses = recognised(page)
    assert "t" in guesses[:3]
    page.wait_for_load_state("load")
    assert page.evaluate("location.pathname") == "/history" and page.evaluate("location.hash")
    address = page.url
    assert methods_during(page, page.reload) == ["GET"]  # the picture is not sent again
    assert page.url == address
    assert shown_guesses(page) == guesses
    assert page.locator("#history-entry .frame-picture").get_attribute("src").startswith("data:image/png;base64,")
    page.click("text=Draw another letter")
    page.wait_for_selector("#draw-canvas")
    assert "POST" not in methods_during(page, page.go_back)
    assert page.url == address
    assert shown_guesses(page) == guesses


def test_back_to_a_letter_result_from_another_page_shows_it(page, base_url):
    draw(page, "l")
    guesses = recognised(page)
    page.wait_for_load_state("load")
    page.click("#again")
    page.wait_for_selector("#draw-canvas")
    page.go_back()
    assert shown_guesses(page) == guesses


def test_a_reading_survives_reload_and_back(page, base_url):
    text = read_a_page(page, base_url)
    assert text.strip()
    assert page.evaluate("location.pathname") == "/history"
    assert methods_during(page, page.reload) == ["GET"]
    assert page.locator("#history-entry .history-text").text_content() == text
    page.click("text=Read another page")
    page.wait_for_selector("#upload-form")
    page.go_back()
    page.wait_for_selector("#history-entry .history-text")
    assert page.locator("#history-entry .history-text").text_content() == text


def test_the_history_lists_what_was_read_and_opens_each_entry(page, base_url):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    draw(page, "t")
    guesses = recognised(page)
    text = read_a_page(page, base_url)
    page.click(".site-nav a[href='/history']")
    entries = listed(page)
    assert [kind for kind, _title in entries] == ["Page", "Letter"]  # newest first
    assert entries[0][1] == " ".join(text.split())
    assert entries[1][1].startswith(f"{guesses[0].upper()} {guesses[0]} · ")
    assert page.locator("#history-entry").is_hidden()
    page.locator("#history-list li").nth(1).locator("a").click()
    assert shown_guesses(page) == guesses
    assert page.locator("#history-list li").nth(1).locator("a").get_attribute("aria-current") == "true"
    page.locator("#history-list li").nth(0).locator("a").click()
    page.wait_for_selector("#history-entry .history-text")
    assert page.locator("#history-entry .history-text").text_content() == text
    page.go_back()
    assert shown_guesses(page) == guesses
    assert errors == []


def test_forget_all_asks_first_then_empties_the_history(page, base_url):
    draw(page, "l")
    recognised(page)
    page.goto(base_url + "/history")
    assert len(listed(page)) == 1
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#history-forget")
    assert len(listed(page)) == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#history-forget")
    assert listed(page) == []
    assert page.locator("#history-empty").is_visible() and page.locator("#history-forget").is_hidden()
    assert page.evaluate("localStorage.length") == 0
    page.reload()
    assert listed(page) == []


def test_the_history_keeps_only_the_newest_entries(page, base_url):
    page.goto(base_url + "/history")
    page.wait_for_load_state("load")
    page.evaluate("""(count) => { for (let i = 0; i < count; i++) {
        LetterScanner.kept.keep({kind: "page", text: "page " + i}); } }""", HISTORY_SIZE + 5)
    page.reload()
    titles = [title for _kind, title in listed(page)]
    assert titles == [f"page {i}" for i in range(HISTORY_SIZE + 4, 4, -1)]


def test_an_address_this_browser_did_not_keep_says_so(page, base_url):
    page.goto(base_url + "/history#nothing-here")
    page.wait_for_selector("#history-missing:not([hidden])")
    assert page.locator("#history-entry").is_hidden()


def test_without_storage_a_reloaded_result_goes_back_to_the_form(browser, base_url):
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('off', 'SecurityError'); }});")
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        draw(page, "t")
        recognised(page)
        page.wait_for_load_state("load")
        assert page.evaluate("location.pathname") == "/draw"
        assert methods_during(page, page.reload) == ["GET", "GET"]  # GET /draw, then the form
        assert page.evaluate("location.pathname") == "/"
        page.goto(base_url + "/history")
        assert listed(page) == []
    finally:
        context.close()


def test_an_open_entry_stays_open_in_the_other_language(page, base_url):
    draw(page, "t")
    guesses = recognised(page)
    page.wait_for_load_state("load")
    page.reload()
    assert shown_guesses(page) == guesses
    page.click(".language-switcher a[data-language='es']")
    page.wait_for_selector("html[lang='es']")
    assert shown_guesses(page) == guesses
    assert page.locator("#history-heading").text_content() == "Letras y páginas leídas"
    assert page.locator("#history-list .history-kind").first.text_content() == "Letra"
