"""Corrections on a real PostgreSQL server (Debian's `postgresql` package, which `make test`
installs), started here in a temporary folder on loopback and stopped after."""

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from correction_forms import correction, make_app
from harness.servers import Postgres
from webapp import correction_store, db as database
from webapp.db import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    with Postgres() as postgres:
        yield postgres


@pytest.fixture
def pg_url(server):
    """A fresh, empty database on the server."""
    return server.new_database()


def count(app):
    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM corrections")).scalar()


def test_an_empty_database_is_migrated_and_keeps_corrections(pg_url, tmp_path):
    app = make_app(pg_url)
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert database.current_revision() == database.head_revision()
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("corrections")}
    assert "ix_corrections_created_at" in indexes
    client = app.test_client()
    assert client.post("/corrections", data=correction(1)).status_code == 201
    assert client.post("/corrections?lang=es", data={**correction(2), "verdict": "wrong", "letter": "z"}).status_code == 201
    with app.app_context():
        first, second = correction_store.recent(10)[::-1]
        usage = correction_store.usage()
    assert (first.label, first.language, second.label, second.language) == ("a", "en", "z", "es")
    assert first.pixels[0, 0] == 2 and first.pixels[12, 13] == 255
    assert usage.per_letter == {"a": (1, 1), "z": (1, 0)}
    assert client.get("/healthz").get_json()["database"] == {"status": "ok"}
    result = app.test_cli_runner().invoke(args=["corrections", "export", str(tmp_path / "out")])
    assert result.exit_code == 0 and "Wrote 2 corrections" in result.output


def test_a_database_at_the_previous_schema_is_migrated(pg_url):
    old = make_app(pg_url, DATABASE_MIGRATE_ON_START=False)
    with old.app_context():
        database.upgrade("0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO corrections (created_at, frame, label, guesses, source, model_version) "
                "VALUES ('2026-11-29 10:00:00', :frame, 'q', 'gq', 'upload', 'old model')"), {"frame": bytes(784)})
    app = make_app(pg_url)
    with app.app_context():
        assert database.current_revision() == database.head_revision()
        assert db.session.execute(text("SELECT label, language FROM corrections")).all() == [("q", None)]
        database.downgrade("base")
        assert not inspect(db.engine).has_table("corrections")


def test_the_database_refuses_what_the_form_would(pg_url):
    app = make_app(pg_url)
    with app.app_context():
        for column, value in [("label", "'A'"), ("source", "'camera'"), ("frame", "'\\x00'::bytea")]:
            values = {"label": "'a'", "source": "'canvas'", "frame": "decode(repeat('00', 784), 'hex')", column: value}
            with pytest.raises(Exception, match="violates check constraint"):
                with db.engine.begin() as connection:
                    connection.execute(text(
                        "INSERT INTO corrections (created_at, frame, label, guesses, source, model_version) "
                        f"VALUES (now(), {values['frame']}, {values['label']}, 'a', {values['source']}, 'v')"))


def post_from_threads(app, threads, each):
    statuses = Counter()
    lock = threading.Lock()

    def post(thread):
        client = app.test_client()
        for i in range(each):
            status = client.post("/corrections", data=correction(thread, i)).status_code
            with lock:
                statuses[status] += 1

    workers = [threading.Thread(target=post, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


def test_eight_threads_write_at_once(pg_url):
    app = make_app(pg_url, CORRECTIONS_PER_DAY=10**9)
    assert post_from_threads(app, 8, 50) == {201: 400}
    assert count(app) == 400


def test_the_daily_cap_holds_exactly_when_many_post_at_once(pg_url):
    app = make_app(pg_url, CORRECTIONS_PER_DAY=25)
    assert post_from_threads(app, 8, 6) == {201: 25, 503: 23}
    assert count(app) == 25


def test_processes_starting_at_once_migrate_one_at_a_time(pg_url):
    start = f"import sys; sys.path[:0] = ['.', 'tests']; from correction_forms import make_app; make_app({pg_url!r})"
    runs = [subprocess.Popen([sys.executable, "-c", start], cwd=ROOT, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    logs = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0]
    assert not any("could not be migrated" in log for log in logs), logs
    app = make_app(pg_url)
    with app.app_context():
        assert database.current_revision() == database.head_revision()
