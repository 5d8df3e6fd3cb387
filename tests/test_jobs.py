"""Background reading with the in-process pool (no Redis): POST /api/jobs, its progress, its result
(what /api/read answers), a page that fails kept with why, expiry, and bad input refused at once."""

import http.client
import io
import json
import time
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from pictures import data_url, page_picture, pdf_of
from PIL import Image, ImageDraw

from harness.pictures import encode
from harness.servers import Gunicorn
from webapp import create_app, uploads
from webapp.db import db
from webapp.job_store import Job, JobFile

PAGE, _ = page_picture([(20, [("a", 0), ("t", 90), ("x", 360), ("a", 450)]),
                        (230, [("t", 40), ("a", 130), ("x", 220)])])


def bars():
    """A page of 405 separate bars: more letters than `reader=letters` reads (413 too_many_letters)."""
    page = Image.new("L", (81 * 16 + 40, 5 * 100 + 40), 255)
    for row in range(5):
        for n in range(81):
            ImageDraw.Draw(page).rectangle((20 + n * 16, 30 + row * 100, 25 + n * 16, 80 + row * 100), fill=0)
    return page


def submit(client, files, query=None, headers=None):
    data = {"image": [(io.BytesIO(body), name) for body, name in files]}
    return client.post("/api/jobs", query_string=query or {}, data=data, headers=headers or {})


def finished(client, url, timeout=120):
    """The job's answers until it is done or failed: every distinct progress seen, and the last answer."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get(url).get_json()
        if not seen or seen[-1] != answer["progress"]:
            seen.append(answer["progress"])
        if answer["state"] in ("done", "failed"):
            return seen, answer
        time.sleep(0.05)
    raise AssertionError(f"the job did not finish in {timeout} s: {answer}")


def test_a_pdf_job_is_queued_counted_page_by_page_and_answers_what_api_read_answers(client):
    pdf = pdf_of([PAGE] * 3)
    response = submit(client, [(pdf, "letters.pdf")], {"language": "en", "downloads": "txt,pdf"})
    assert response.status_code == 202
    body = response.get_json()
    assert body["url"] == f"/api/jobs/{body['id']}" and response.headers["Location"] == body["url"]
    seen, answer = finished(client, body["url"])
    assert answer["state"] == "done" and answer["error"] is None
    assert seen[-1] == {"done": 3, "total": 3} and all(p["total"] == 3 for p in seen)
    assert [p["done"] for p in seen] == sorted(p["done"] for p in seen)  # it only goes forward
    direct = client.post("/api/read", data={"image": (io.BytesIO(pdf), "letters.pdf"), "language": "en"})
    assert answer["result"] == direct.get_json() and len(answer["result"]["pages"]) == 3

    assert set(answer["files"]) == {"json", "txt", "pdf"}
    assert client.get(answer["files"]["json"]).get_json() == direct.get_json()
    txt = client.get(answer["files"]["txt"])
    assert txt.mimetype == "text/plain" and txt.get_data(as_text=True) == answer["result"]["text"]
    assert "filename=letters.txt" in txt.headers["Content-Disposition"]
    searchable = client.get(answer["files"]["pdf"])
    assert "filename=letters.pdf" in searchable.headers["Content-Disposition"]
    document = pdfium.PdfDocument(searchable.get_data())
    assert len(document) == 3 and "tax" in document[2].get_textpage().get_text_range()
    assert client.get(f"{body['url']}/result?format=alto").status_code == 404  # not asked for


def test_the_result_url_answers_the_format_the_job_was_sent_with(client):
    body = submit(client, [(encode(PAGE), "scan.png")], {"format": "hocr"}).get_json()
    _, answer = finished(client, body["url"])
    hocr = client.get(f"{body['url']}/result")
    assert hocr.mimetype == "text/html" or hocr.mimetype.startswith("application/xhtml")
    assert "ocrx_word" in hocr.get_data(as_text=True) and "filename=scan.hocr" in hocr.headers["Content-Disposition"]
    assert answer["result"]["text"] == client.post("/api/read", data={"image": (io.BytesIO(encode(PAGE)), "scan.png")}
                                                   ).get_json()["text"]


def test_a_page_that_cannot_be_read_says_why_and_the_others_are_kept(client):
    pdf = pdf_of([PAGE, bars(), PAGE])
    body = submit(client, [(pdf, "mixed.pdf")], {"reader": "letters", "downloads": "txt"},
                  headers={"Accept-Language": "es"}).get_json()
    _, answer = finished(client, body["url"])
    assert answer["state"] == "done" and answer["progress"] == {"done": 3, "total": 3}
    first, failed, last = answer["result"]["pages"]
    assert failed["failed"] is True and failed["code"] == "too_many_letters" and "400" in failed["error"]
    assert "letras" in failed["error"]  # written in the language the job was sent in
    assert first["text"] == last["text"] == "at xa\ntax"
    assert answer["result"]["text"] == "at xa\ntax\f\fat xa\ntax"
    assert client.get(answer["files"]["txt"]).get_data(as_text=True) == "at xa\ntax\fat xa\ntax"


def test_a_job_whose_every_page_fails_has_failed(client):
    body = submit(client, [(encode(bars()), "bars.png")], {"reader": "letters"}).get_json()
    _, answer = finished(client, body["url"])
    assert answer["state"] == "failed" and answer["result"] is None
    assert answer["error"]["code"] == "too_many_letters" and answer["files"] == {}


def test_several_pictures_are_the_pages_of_one_job(client):
    body = submit(client, [(encode(PAGE), "one.png"), (encode(PAGE, "JPEG"), "two.jpg")]).get_json()
    _, answer = finished(client, body["url"])
    assert answer["progress"] == {"done": 2, "total": 2} and len(answer["result"]["pages"]) == 2


def test_jobs_expire_after_their_day(app, client):
    url = submit(client, [(encode(PAGE), "scan.png")], {"downloads": "txt"}).get_json()["url"]
    finished(client, url)
    with app.app_context():  # sent a day and a second ago
        job = db.session.query(Job).one()
        job.created_at -= timedelta(seconds=app.config["JOB_TTL_S"] + 1)
        db.session.commit()
    answer = client.get(url)
    assert answer.status_code == 404 and answer.get_json()["code"] == "not_found"
    submit(client, [(encode(PAGE), "again.png")])  # sending a job deletes the expired ones, files too
    with app.app_context():
        first = url.rsplit("/", 1)[1]
        assert db.session.query(Job).count() == 1 and db.session.get(Job, first) is None
        assert db.session.query(JobFile).filter_by(job_id=first).count() == 0


def test_an_unknown_job_is_a_json_404(client):
    for url in ("/api/jobs/0123456789abcdef", "/api/jobs/0123456789abcdef/result"):
        response = client.get(url)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"
        assert "job" in response.get_json()["error"]


@pytest.mark.parametrize("files, query, status, code", [
    ([(b"", "empty.png")], {}, 400, "empty"),
    ([(b"%PDF-1.4 broken", "broken.pdf")], {}, 400, "damaged"),
    ([(b"hello", "notes.txt")], {}, 415, "unsupported_type"),
    ([(encode(PAGE), "scan.png")], {"format": "docx"}, 400, "malformed"),
    ([(encode(PAGE), "scan.png")], {"downloads": "json"}, 400, "malformed"),
    ([(encode(PAGE), "scan.png")], {"language": "xx"}, 400, "malformed"),
])
def test_bad_input_is_refused_at_once_like_api_read(client, files, query, status, code):
    response = submit(client, files, query)
    assert response.status_code == status and response.get_json()["code"] == code


def test_too_many_pages_and_a_pdf_among_pictures_are_refused(client):
    blank = Image.new("L", (100, 100), 255)
    response = submit(client, [(pdf_of([blank] * (uploads.MAX_PDF_PAGES + 1)), "long.pdf")])
    assert response.status_code == 413 and "50" in response.get_json()["error"]
    response = submit(client, [(encode(blank), "a.png")] * (uploads.MAX_PDF_PAGES + 1))
    assert response.status_code == 413 and "50" in response.get_json()["error"]
    response = submit(client, [(encode(PAGE), "a.png"), (pdf_of([PAGE]), "b.pdf")])
    assert response.status_code == 415
    big = submit(client, [(b"\x89PNG" + bytes(uploads.DEFAULTS["MAX_UPLOAD_BYTES"]), "big.png")])
    assert big.status_code == 413


def test_healthz_reports_the_queue(client):
    jobs = client.get("/healthz").get_json()["jobs"]
    assert jobs["queue"] == "threads" and jobs["status"] == "ok" and jobs["queued"] == 0


def test_under_gunicorn_a_job_is_followed_from_either_worker_process(tmp_path):
    """Two worker processes, no Redis: the job is read by the process that took it, and each poll is
    answered by whichever process accepts it (the state is in the shared database)."""
    with Gunicorn(WEB_CONCURRENCY="2", THREADS="2", FLASK_DATABASE_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}") as server:
        deadline = time.monotonic() + 120
        while len(server.workers()) < 2 or not _answers(server):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.1)
        status, body = server.request("POST", "/api/jobs", json.dumps({"image": data_url(pdf_of([PAGE] * 2),
                                                                                          "application/pdf")}),
                                      {"Content-Type": "application/json"})
        assert status == 202
        answer = server.get_json(body["url"])
        while answer["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.05)
            answer = server.get_json(body["url"])
        assert answer["state"] == "done" and answer["progress"] == {"done": 2, "total": 2}


def _answers(server):
    try:
        return server.request("GET", "/healthz")[0] == 200
    except (OSError, http.client.HTTPException, ValueError):
        return False


def test_without_a_database_jobs_answer_503_not_500(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'jobs.sqlite3'}"})
    client = app.test_client()
    for response in (submit(client, [(encode(PAGE), "scan.png")]), client.get("/api/jobs/0123456789abcdef")):
        assert response.status_code == 503 and response.get_json()["code"] == "unavailable"
    assert "error" in client.get("/healthz").get_json()["jobs"]


def test_a_job_for_a_recognizer_that_is_not_loaded_is_503(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "LINE_MODEL_PATH": str(tmp_path / "none.keras"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}"})
    response = submit(app.test_client(), [(encode(PAGE), "scan.png")], {"reader": "lines"})
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"


def test_jobs_sent_too_fast_are_refused_with_429(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "JOBS_RATE_LIMIT": "2 per minute",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}"})
    client = app.test_client()
    statuses = [submit(client, [(encode(PAGE), "scan.png")]) for _ in range(3)]
    assert [r.status_code for r in statuses] == [202, 202, 429]
    assert statuses[2].get_json()["code"] == "too_many_requests" and "Retry-After" in statuses[2].headers
    assert "jobs faster" in statuses[2].get_json()["error"]
