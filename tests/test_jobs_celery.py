"""Background reading through Celery: a real redis-server and a real `celery -A worker worker`
subprocess (as `make worker` starts it) read the jobs the app queues; a worker killed mid-job and
started again finishes the job."""

import io
import time

import pytest
from pictures import page_picture, pdf_of
from test_jobs import PAGE, finished

from harness.servers import CeleryWorker
from webapp import create_app

VISIBILITY_TIMEOUT_S = 3  # a lost job comes back this soon (an hour in production)


@pytest.fixture(scope="module")
def settings(redis_url, tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.sqlite3'}"
    return {"REDIS_URL": redis_url, "DATABASE_URL": database, "JOB_VISIBILITY_TIMEOUT_S": VISIBILITY_TIMEOUT_S}


@pytest.fixture(scope="module")
def client(settings):
    return create_app({"TESTING": True, "SECRET_KEY": "test", **settings}).test_client()


def worker(settings):
    return CeleryWorker(**{f"FLASK_{key}": str(value) for key, value in settings.items()})


def submit(client, pdf):
    response = client.post("/api/jobs", data={"image": (io.BytesIO(pdf), "letters.pdf"), "language": "en"})
    assert response.status_code == 202
    return response.get_json()["url"]


def test_a_worker_reads_a_three_page_pdf(client, settings):
    pdf = pdf_of([PAGE] * 3)
    with worker(settings):
        assert client.get("/healthz").get_json()["jobs"]["queue"] == "celery"
        seen, answer = finished(client, submit(client, pdf))
    assert answer["state"] == "done" and seen[-1] == {"done": 3, "total": 3}
    assert answer["result"] == client.post("/api/read", data={"image": (io.BytesIO(pdf), "letters.pdf"),
                                                              "language": "en"}).get_json()


def test_a_worker_killed_mid_job_and_started_again_finishes_it(client, settings):
    wide, _ = page_picture([(20 + 200 * row, [(c, 90 * n) for n, c in enumerate("taxataxa")]) for row in range(4)])
    url = submit(client, pdf_of([wide] * 8))
    with worker(settings) as first:
        deadline = time.monotonic() + 120
        while client.get(url).get_json()["progress"]["done"] < 1:
            assert time.monotonic() < deadline, first.log_tail()
            time.sleep(0.02)
        first.kill()
    answer = client.get(url).get_json()
    assert answer["state"] == "running" and 1 <= answer["progress"]["done"] < 8  # killed mid-job
    time.sleep(VISIBILITY_TIMEOUT_S)
    with worker(settings) as second:
        _, answer = finished(client, url)
        assert answer["state"] == "done", second.log_tail()
    assert answer["progress"] == {"done": 8, "total": 8} and len(answer["result"]["pages"]) == 8
    assert all(page["text"] for page in answer["result"]["pages"])
    # (A job read for longer than the visibility timeout is handed out again once read: the copy finds
    # it done and does nothing; so the broker's count of messages is not checked.)
    jobs = client.get("/healthz").get_json()["jobs"]
    assert (jobs["queue"], jobs["status"], jobs["queued"], jobs["running"]) == ("celery", "ok", 0, 0)
