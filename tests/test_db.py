"""The database: migrations, and corrections when the database is missing, read-only, full,
written by many threads and processes at once, or killed in the middle of a burst."""

import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import event, inspect, text

from conftest import database_url
from correction_forms import correction, make_app
from harness.pictures import draw_letter, encode
from pictures import data_url
from webapp import create_app, db as database
from webapp.db import db

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
A_PNG = encode(draw_letter("a"))


def marks_in(path, count):
    """The marks of every stored frame (read with sqlite3 itself, not through the app)."""
    with sqlite3.connect(path) as connection:
        frames = [row[0] for row in connection.execute("SELECT frame FROM corrections")]
    return [tuple(b - 1 for b in frame[:count]) for frame in frames]


def columns(app):
    with app.app_context():
        return {c["name"] for c in inspect(db.engine).get_columns("corrections")}


def test_an_empty_database_is_migrated_to_the_newest_schema_at_start(tmp_path):
    app = make_app(database_url(tmp_path))
    with app.app_context():
        assert database.current_revision() == database.head_revision()
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("corrections")}
        with db.engine.connect() as connection:
            pragmas = [connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                       for name in ("journal_mode", "busy_timeout")]
    assert columns(app) == {"id", "created_at", "frame", "label", "guesses", "source", "model_version", "language"}
    assert "ix_corrections_created_at" in indexes
    assert pragmas == ["wal", 15_000]
    assert (tmp_path / "corrections.sqlite3").is_file()


def test_the_default_database_is_a_file_in_the_instance_folder(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_MIGRATE_ON_START": False})
    with app.app_context():
        assert database.sqlite_path(db.engine) == Path(app.instance_path) / "corrections.sqlite3"


def test_a_database_at_the_previous_schema_is_migrated_and_keeps_its_rows(tmp_path):
    url = database_url(tmp_path)
    old = make_app(url, DATABASE_MIGRATE_ON_START=False)
    with old.app_context():
        database.upgrade("0001")
        assert database.current_revision() == "0001"
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO corrections (created_at, frame, label, guesses, source, model_version) "
                "VALUES ('2026-11-29 10:00:00', :frame, 'q', 'gq', 'upload', 'old model')"),
                {"frame": bytes(784)})
    assert "language" not in columns(old)

    app = make_app(url)
    with app.app_context():
        assert database.current_revision() == database.head_revision()
        rows = db.session.execute(text("SELECT label, guesses, model_version, language FROM corrections")).all()
    assert rows == [("q", "gq", "old model", None)]
    client = app.test_client()
    assert client.post("/corrections", data=correction(1)).status_code == 201

    with app.app_context():  # and back down: the downgrade keeps the rows too
        database.downgrade("0001")
        assert db.session.execute(text("SELECT count(*) FROM corrections")).scalar() == 2
    assert "language" not in columns(app)


def assert_predictions_work_and_corrections_answer_503(client):
    assert client.post("/api/predict", json={"image": data_url(A_PNG)}).status_code == 200
    page = client.post("/draw", data={"drawing": data_url(A_PNG)})
    assert page.status_code == 200 and 'id="feedback"' in page.get_data(as_text=True)
    refused = client.post("/corrections", data=correction(7))
    assert refused.status_code == 503
    assert "the database is unavailable, so nothing was stored" in refused.get_data(as_text=True)
    assert "Traceback" not in refused.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"  # the model check holds
    return health.get_json()["database"]


def test_a_directory_in_place_of_the_database_file(tmp_path):
    (tmp_path / "corrections.sqlite3").mkdir()
    app = make_app(database_url(tmp_path))
    client = app.test_client()
    state = client.get("/healthz").get_json()["database"]
    assert state["status"] == "unavailable" and "unable to open database file" in state["error"]
    assert assert_predictions_work_and_corrections_answer_503(client)["status"] == "unavailable"


def test_an_unreachable_postgresql_server(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(f"postgresql+psycopg://nobody@127.0.0.1:{port}/corrections")
    state = assert_predictions_work_and_corrections_answer_503(app.test_client())
    assert state["status"] == "unavailable" and "refused" in state["error"]


def test_a_read_only_database(tmp_path):
    make_app(database_url(tmp_path))  # created and migrated
    path = tmp_path / "corrections.sqlite3"
    app = make_app(f"sqlite:///file:{path}?mode=ro&uri=true")
    state = assert_predictions_work_and_corrections_answer_503(app.test_client())
    assert state == {"status": "read_only", "error": "attempt to write a readonly database"}


def test_a_full_database_keeps_every_acknowledged_correction_and_recovers(tmp_path):
    url = database_url(tmp_path)
    app = make_app(url)
    with app.app_context():
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        # No more room than the database has now (SQLite's own size limit, set on every connection).
        event.listen(db.engine, "connect",
                     lambda connection, _: connection.execute(f"PRAGMA max_page_count = {pages + 2}"))
        db.session.remove()
        db.engine.dispose()
    client = app.test_client()
    statuses = [client.post("/corrections", data=correction(i)).status_code for i in range(40)]
    kept = statuses.index(503)
    assert kept > 0 and set(statuses[:kept]) == {201} and set(statuses[kept:]) == {503}
    assert sorted(marks_in(tmp_path / "corrections.sqlite3", 1)) == [(i,) for i in range(kept)]
    assert assert_predictions_work_and_corrections_answer_503(client) == {
        "status": "full", "error": "database or disk is full"}

    roomy = make_app(url).test_client()  # room again: corrections are kept and the state clears
    assert roomy.post("/corrections", data=correction(99)).status_code == 201
    assert roomy.get("/healthz").get_json()["database"] == {"status": "ok"}


WRITER = """
import collections, json, sys, threading, time
sys.path.insert(0, {tests!r})
from correction_forms import correction, make_app

url, process, threads, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
app = make_app(url, CORRECTIONS_PER_DAY=10**9)
statuses, problems, latencies = collections.Counter(), [], []
lock = threading.Lock()
go = threading.Barrier(threads)

def write(thread):
    client = app.test_client()
    forms = [correction(process, thread, i % 250, i // 250) for i in range(each)]
    go.wait()
    for form in forms:
        started = time.perf_counter()
        response = client.post("/corrections", data=form)
        elapsed = time.perf_counter() - started
        body = response.get_data(as_text=True)
        with lock:
            statuses[response.status_code] += 1
            latencies.append(elapsed)
            if response.status_code != 201 or "locked" in body:
                problems.append(body[:300])

started = time.perf_counter()
workers = [threading.Thread(target=write, args=(t,)) for t in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
latencies.sort()
print(json.dumps({{"statuses": statuses, "problems": problems[:3], "seconds": time.perf_counter() - started,
                   "p50_ms": 1000 * latencies[len(latencies) // 2], "max_ms": 1000 * latencies[-1]}}))
"""


def test_two_processes_of_eight_threads_write_8000_corrections_at_once(tmp_path):
    url, processes, threads, each = database_url(tmp_path), 2, 8, 500
    script = WRITER.format(tests=str(TESTS))
    started = time.perf_counter()
    runs = [subprocess.Popen([sys.executable, "-c", script, url, str(p), str(threads), str(each)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True) for p in range(processes)]
    outputs = [json.loads(run.communicate(timeout=600)[0].strip().splitlines()[-1]) for run in runs]
    wall = time.perf_counter() - started
    for output in outputs:
        assert output["statuses"] == {"201": threads * each} and output["problems"] == []
    marks = marks_in(tmp_path / "corrections.sqlite3", 4)
    expected = {(p, t, i % 250, i // 250) for p in range(processes) for t in range(threads) for i in range(each)}
    assert len(marks) == 8000 and set(marks) == expected
    print(f"\n8,000 corrections from 2 processes x 8 threads in {wall:.1f} s "
          f"({8000 / wall:.0f}/s); per process: "
          + "; ".join(f"{o['seconds']:.1f} s, p50 {o['p50_ms']:.1f} ms, max {o['max_ms']:.0f} ms" for o in outputs))


class Server:
    """gunicorn with the project's config on a free loopback port, in its own process group."""

    def __init__(self, url):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "BIND": f"127.0.0.1:{self.port}", "FLASK_SECRET_KEY": secrets.token_hex(),
               "FLASK_DATABASE_URL": url, "FLASK_WTF_CSRF_ENABLED": "false",
               "FLASK_CORRECTIONS_RATE_LIMIT": "100000 per minute", "WEB_CONCURRENCY": "2", "THREADS": "4"}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("gunicorn did not answer /healthz within 120 s")

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = urlencode(form) if form else None
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def kill(self, sig=signal.SIGKILL):
        """Every process of the server at once (the master and its workers)."""
        os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)


def test_every_acknowledged_correction_survives_the_server_killed_mid_burst(tmp_path):
    url, path = database_url(tmp_path), tmp_path / "corrections.sqlite3"
    server = Server(url)
    acknowledged, lock, stop = set(), threading.Lock(), threading.Event()

    def post(thread):
        for i in range(10_000):
            if stop.is_set():
                return
            try:
                status, _ = server.request("POST", "/corrections", correction(thread, i % 250, i // 250))
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if status == 201:
                with lock:
                    acknowledged.add((thread, i % 250, i // 250))

    posters = [threading.Thread(target=post, args=(t,)) for t in range(8)]
    try:
        for poster in posters:
            poster.start()
        while len(acknowledged) < 300:
            time.sleep(0.01)
        server.kill(signal.SIGKILL)  # in the middle of the burst
    finally:
        stop.set()
        for poster in posters:
            poster.join()
        if server.process.poll() is None:
            server.kill()

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = set(marks_in(path, 3))
    assert acknowledged <= stored
    print(f"\nSIGKILL after {len(acknowledged)} acknowledged corrections: {len(stored)} stored, "
          f"{len(acknowledged - stored)} acknowledged ones missing")

    restarted = Server(url)
    try:
        status, body = restarted.request("GET", "/healthz")
        assert json.loads(body)["database"] == {"status": "ok"}
        assert restarted.request("POST", "/corrections", correction(200, 0, 0))[0] == 201
    finally:
        restarted.kill(signal.SIGTERM)
    assert len(marks_in(path, 3)) == len(stored) + 1
