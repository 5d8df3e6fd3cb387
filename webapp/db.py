"""The database (Flask-SQLAlchemy, Alembic migrations through Flask-Migrate).

SQLite by default: `corrections.sqlite3` in the instance folder, in WAL mode with a busy timeout,
so several threads and processes can write at once. `FLASK_DATABASE_URL` takes any SQLAlchemy URL
instead (PostgreSQL: `postgresql+psycopg://user:password@host/name`). The schema is migrated to
the newest revision when the app starts, so a fresh machine needs no extra step; a database that
cannot be reached or written leaves the rest of the app working, and `health()` says why.
"""

import fcntl
import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
DEFAULTS = {
    "DATABASE_URL": "sqlite:///corrections.sqlite3",  # relative: in the instance folder
    "DATABASE_BUSY_TIMEOUT_MS": 15_000,  # SQLite: how long a writer waits for another one
    "DATABASE_MIGRATE_ON_START": True,
}

log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def now():
    """The time as the tables keep it: UTC, naive."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class DatabaseUnavailable(Exception):
    """The database cannot be read or written now; `kind` is "unavailable", "read_only" or "full"."""

    def __init__(self, kind, detail):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def kind_of(message):
    """What a database error message means: "full", "read_only" or "unavailable"."""
    message = message.lower()
    if "full" in message:  # SQLite "database or disk is full", PostgreSQL "could not extend file"
        return "full"
    if "readonly" in message or "read-only" in message:
        return "read_only"
    return "unavailable"


def unavailable(error):
    """A database error as DatabaseUnavailable, with the driver's own message."""
    detail = str(getattr(error, "orig", None) or error)
    return DatabaseUnavailable(kind_of(detail), detail)


class _State:
    """The last failure of this process to use the database (cleared by the next success)."""

    def __init__(self, head):
        self.head = head  # the newest schema revision of migrations/
        self.lock = threading.Lock()
        self.failure = None  # DatabaseUnavailable or None

    def record(self, failure):
        with self.lock:
            self.failure = failure


def advisory_key(name):
    """A PostgreSQL advisory lock id of its own for `name`."""
    return int.from_bytes(hashlib.sha256(f"letter-scanner-{name}".encode()).digest()[:8], "big", signed=True)


def _state():
    return current_app.extensions["database_state"]


@contextmanager
def writing():
    """A unit of work on db.session, committed at the end; any database failure is rolled back
    and raised as DatabaseUnavailable (logged once, remembered for /healthz)."""
    try:
        yield db.session
        db.session.commit()
    except (SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        failure = unavailable(exc)
        log.warning("Database write failed (%s)", failure)
        _state().record(failure)
        raise failure from None
    _state().record(None)


def reading(query):
    """Run `query(session)`; a database failure is raised as DatabaseUnavailable."""
    try:
        return query(db.session)
    except (SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        raise unavailable(exc) from None


def _sqlite_pragmas(busy_timeout_ms):
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        cursor.execute("PRAGMA synchronous = NORMAL")  # in WAL: a commit survives a killed process
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return on_connect


def sqlite_path(engine):
    """The SQLite file of an engine, or None for other databases (and in-memory SQLite)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return None
    if engine.url.query.get("uri"):  # sqlite:///file:/path?mode=ro&uri=true
        database = database.removeprefix("file:")
    return Path(database)


@contextmanager
def _migration_lock(engine):
    """One migration at a time across the processes and machines sharing a database
    (gunicorn's workers all start at once)."""
    path = sqlite_path(engine)
    if path is not None:
        try:
            lock = open(f"{path}.migrate-lock", "a")
        except OSError:  # a read-only folder: nobody can migrate there anyway
            yield
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        return
    if engine.dialect.name == "postgresql":
        key = advisory_key("migrations")
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        return
    yield


def upgrade(revision="head"):
    """Migrate the app's database to `revision` (Alembic), one process at a time."""
    db.session.remove()  # this thread's open transaction would block the schema change
    with _migration_lock(db.engine):
        command.upgrade(migrate.get_config(), revision)


def downgrade(revision):
    db.session.remove()
    with _migration_lock(db.engine):
        command.downgrade(migrate.get_config(), revision)


def current_revision():
    """The schema revision the database is at (None when it has none)."""
    with db.engine.connect() as connection:
        if not db.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision():
    return _state().head


def health():
    """{"status": "ok"} or {"status": "unavailable" | "read_only" | "full", "error": why}."""
    try:
        revision, head = current_revision(), _state().head
    except (SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        return {"status": "unavailable", "error": unavailable(exc).detail}
    if revision != head:
        return {"status": "unavailable", "error": f"the schema is at {revision}, the app needs {head}"}
    path = sqlite_path(db.engine)
    if path is not None and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return {"status": "read_only", "error": f"{path.name} or its folder is not writable"}
    failure = _state().failure
    if failure is not None:
        return {"status": failure.kind, "error": failure.detail}
    return {"status": "ok"}


def init_app(app):
    """Configure the engine from DATABASE_URL and bring the schema up to date (never raises)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    options = {"pool_pre_ping": True}
    if app.config["DATABASE_URL"].startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 5}  # seconds: /healthz must not hang on a lost server
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        app.extensions["database_state"] = _State(ScriptDirectory.from_config(migrate.get_config()).get_current_head())
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas(app.config["DATABASE_BUSY_TIMEOUT_MS"]))
        if app.config["DATABASE_MIGRATE_ON_START"]:
            started = time.perf_counter()
            try:
                upgrade()
            except (SQLAlchemyError, OSError) as exc:
                failure = unavailable(exc)
                app.extensions["database_state"].record(failure)
                app.logger.warning("The database could not be migrated; corrections are off (%s)", failure)
            else:
                log.info("Database schema at %s (%.0f ms)", app.extensions["database_state"].head,
                         (time.perf_counter() - started) * 1000)
