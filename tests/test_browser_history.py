"""Reload, Back and bookmarks of a result page in Debian's chromium: the picture is never sent
again and "method not allowed" never shows (static/js/result.js and the GET routes of the forms)."""

from browser import draw, recognised


def methods_during(page, action):
    """The methods of the requests the page sends to the app while `action` runs."""
    sent = []
    page.on("request", lambda request: sent.append(request.method) if request.resource_type == "document" else None)
    action()
    page.wait_for_load_state()
    return sent


def test_reloading_a_result_shows_the_form_without_sending_the_picture_again(page):
    draw(page, "t")
    assert "t" in recognised(page)[:3]
    assert page.evaluate("location.pathname") == "/draw"
    sent = methods_during(page, page.reload)
    assert sent == ["GET", "GET"]  # GET /draw, then the form it leads back to
    assert page.evaluate("location.pathname") == "/"
    page.wait_for_selector("#draw-canvas")


def test_back_then_forward_to_a_result_sends_nothing_again(page):
    draw(page, "l")
    recognised(page)
    page.go_back()
    page.wait_for_selector("#draw-canvas")
    assert "POST" not in methods_during(page, page.go_forward)
    assert page.evaluate("location.pathname") == "/"


def test_a_bookmarked_result_url_opens_the_form(page, base_url):
    page.goto(base_url + "/draw")
    assert page.evaluate("location.pathname") == "/"
    page.wait_for_selector("#draw-canvas")
