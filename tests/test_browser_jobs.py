"""Background reading on /read in Chromium: a PDF or several pictures start a job, a progress bar
counts the pages, then every page's text and the downloads in each format are shown."""

import base64

from pictures import pdf_of
from playwright.sync_api import expect
from test_jobs import PAGE

from harness.pictures import encode

STATUSES = """() => {
    window.statuses = [];
    new MutationObserver(() => window.statuses.push(document.getElementById('job-status').textContent))
        .observe(document.getElementById('job-status'), {childList: true, characterData: true, subtree: true});
}"""


def send(page, base_url, files):
    page.goto(base_url + "/read")
    page.wait_for_load_state("load")  # jobs.js is deferred
    page.select_option("#upload-language", "en")
    page.evaluate(STATUSES)
    page.set_input_files("#image", files=files)
    page.click("#upload-form [type=submit]")


def test_a_pdf_is_read_as_a_job_with_a_progress_bar_then_every_page_and_format(page, base_url):
    pdf = pdf_of([PAGE] * 3)
    send(page, base_url, [{"name": "letters.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    expect(page.locator("#job")).to_be_visible()
    expect(page.locator("#job-page-3")).to_be_visible(timeout=60_000)
    assert page.url == base_url + "/read"  # the page stayed: the job was followed from it
    statuses = page.evaluate("window.statuses")
    assert any(status in ("Reading page 2 of 3…", "Reading page 3 of 3…") for status in statuses), statuses
    expect(page.locator("#job-status")).to_have_text("Every page is read: 3 in all.")
    assert page.eval_on_selector("#job-progress", "bar => [bar.value, bar.max]") == [3, 3]
    texts = page.locator(".job-text").all_text_contents()
    assert texts == ["at xa\ntax"] * 3
    for key in ("txt", "hocr", "alto", "pdf"):
        href = page.get_attribute(f"#job-download-{key}", "href")
        download = page.request.get(base_url + href)
        assert download.ok and "letters." in download.headers["content-disposition"]
    assert page.request.get(base_url + page.get_attribute("#job-download-txt", "href")).text() == "\f".join(texts)
    assert not page.locator("#upload-submit").is_disabled()


def test_several_pictures_are_read_as_the_pages_of_one_job(page, base_url):
    pictures = [{"name": f"page{n}.png", "mimeType": "image/png", "buffer": encode(PAGE)} for n in (1, 2)]
    send(page, base_url, pictures)
    expect(page.locator("#job-page-2")).to_be_visible(timeout=60_000)
    assert page.locator(".job-page").count() == 2


def test_a_job_refused_says_why(page, base_url):
    pictures = [{"name": "a.png", "mimeType": "image/png", "buffer": encode(PAGE)},
                {"name": "b.pdf", "mimeType": "application/pdf", "buffer": pdf_of([PAGE])}]
    send(page, base_url, pictures)
    expect(page.locator("#job-status")).to_have_text("The pages could not be read: Send one PDF, or pictures only.")
    expect(page.locator("#job-status")).to_have_class("form-status is-error")


def test_several_pictures_dropped_at_once_are_all_taken_as_pages(page, base_url):
    page.goto(base_url + "/read")
    page.wait_for_load_state("load")  # upload.js is deferred
    page.select_option("#upload-language", "en")
    page.evaluate("""async (png) => {
        const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        for (const name of ["one.png", "two.png"]) {
            transfer.items.add(new File([bytes], name, {type: "image/png"}));
        }
        transfer.items.add(new File(["not a picture"], "notes.txt", {type: "text/plain"}));
        window.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", base64.b64encode(encode(PAGE)).decode())
    assert page.eval_on_selector("#image", "input => Array.from(input.files, (file) => file.name)") == [
        "one.png", "two.png"]
    page.click("#upload-form [type=submit]")
    expect(page.locator("#job-page-2")).to_be_visible(timeout=60_000)
    assert page.locator(".job-text").all_text_contents() == ["at xa\ntax"] * 2
