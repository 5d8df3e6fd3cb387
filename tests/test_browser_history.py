"""Back and bookmarks of a result page in Debian's chromium: the picture is never sent again and
"method not allowed" never shows (static/js/result.js and the GET routes of the forms; reloading a
result is in test_browser_keep_results.py)."""

from browser import draw, methods_during, recognised


def test_back_then_forward_to_a_result_sends_nothing_again(page):
    draw(page, "l")
    recognised(page)
    page.go_back()
    page.wait_for_selector("#draw-canvas")
    assert "POST" not in methods_during(page, page.go_forward)
    assert page.evaluate("location.pathname") == "/history"  # the result kept in the browser


def test_a_bookmarked_result_url_opens_the_form(page, base_url):
    page.goto(base_url + "/draw")
    assert page.evaluate("location.pathname") == "/"
    page.wait_for_selector("#draw-canvas")
