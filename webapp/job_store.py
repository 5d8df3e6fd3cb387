"""Background reading jobs: the tables, and what the app asks of them.

A job is what was sent to read (its files, the dictionary, reader and format asked for, the
language its messages are written in), its state and progress, and once read its result (the
JSON document) and the files of the formats asked for. Every process that serves or reads jobs
sees the same rows (the app's database), so a job sent to one process can be followed on another.
Jobs are deleted `ttl_s` seconds after they were sent, read or not.
"""

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import db, now, reading, writing

STATES = ("queued", "running", "done", "failed")
UPLOAD = "upload"  # the kind of a job's file that was sent to read (the others are output formats)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC, naive
    state: Mapped[str] = mapped_column(String(8))
    done: Mapped[int] = mapped_column(Integer)  # pages read (or failed) so far
    total: Mapped[int] = mapped_column(Integer)  # pages to read
    language: Mapped[str] = mapped_column(String(8))
    reader: Mapped[str] = mapped_column(String(8))
    formats: Mapped[str] = mapped_column(String(40))  # the format asked for, then others to keep, by commas
    locale: Mapped[str] = mapped_column(String(16))  # the language its messages are written in
    name: Mapped[str | None] = mapped_column(String(255))  # the upload's file name
    result: Mapped[str | None] = mapped_column(Text)  # the JSON document, once read
    error: Mapped[str | None] = mapped_column(Text)  # JSON {"error", "code"} of a job that failed

    def answer(self):
        """The parts of the job a client is told: state, progress, result and error (None until set)."""
        return {"state": self.state, "progress": {"done": self.done, "total": self.total},
                "result": json.loads(self.result) if self.result else None,
                "error": json.loads(self.error) if self.error else None}


class JobFile(db.Model):
    """A file of a job: what was sent (kind "upload", in order) or the result in a format."""

    __tablename__ = "job_files"

    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)


def add(uploads, total, *, language, reader, formats, locale, name, ttl_s):
    """Keep a new queued job of the `uploads` (bytes, in order) of `total` pages; its id. `formats`:
    the format asked for first, then any others to keep. Jobs older than `ttl_s` seconds are
    deleted first."""
    job_id = secrets.token_hex(16)
    with writing() as session:
        _delete_expired(session, ttl_s)
        session.add(Job(id=job_id, created_at=now(), state="queued", done=0, total=total, language=language,
                        reader=reader, formats=",".join(formats), locale=locale, name=name))
        session.flush()  # the job before its files (foreign key)
        session.add_all(JobFile(job_id=job_id, kind=UPLOAD, position=n, body=body) for n, body in enumerate(uploads))
    return job_id


def get(job_id, ttl_s):
    """The job (None when there is none, or it is older than `ttl_s` seconds)."""
    job = reading(lambda session: session.get(Job, job_id))
    if job is None or job.created_at < now() - timedelta(seconds=ttl_s):
        return None
    return job


def uploads(job_id):
    """The bytes that were sent, in order."""
    query = select(JobFile.body).where(JobFile.job_id == job_id, JobFile.kind == UPLOAD).order_by(JobFile.position)
    return reading(lambda session: list(session.scalars(query)))


def file(job_id, kind):
    """The body of the job's result in format `kind`, or None."""
    row = reading(lambda session: session.get(JobFile, (job_id, kind, 0)))
    return row.body if row is not None else None


def start(job_id):
    """Mark the job running from its first page (a job run again after a lost worker starts over)."""
    _set(job_id, state="running", done=0)


def progress(job_id, done):
    _set(job_id, done=done)


def finish(job_id, result, files):
    """The job read: its JSON document `result`, its `files` ({format: bytes}); what was sent is
    deleted."""
    with writing() as session:
        session.execute(delete(JobFile).where(JobFile.job_id == job_id))
        session.add_all(JobFile(job_id=job_id, kind=kind, position=0, body=body) for kind, body in files.items())
        session.execute(update(Job).where(Job.id == job_id).values(
            state="done", result=json.dumps(result, ensure_ascii=False)))


def fail(job_id, message, code):
    """The job could not be read at all; what was sent is deleted."""
    with writing() as session:
        session.execute(delete(JobFile).where(JobFile.job_id == job_id))
        session.execute(update(Job).where(Job.id == job_id).values(
            state="failed", error=json.dumps({"error": message, "code": code}, ensure_ascii=False)))


def count(state):
    """How many jobs are in `state` now."""
    query = select(db.func.count()).select_from(Job).where(Job.state == state)
    return reading(lambda session: session.scalar(query))


def _set(job_id, **values):
    with writing() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))


def _delete_expired(session, ttl_s):
    expired = select(Job.id).where(Job.created_at < now() - timedelta(seconds=ttl_s))
    session.execute(delete(JobFile).where(JobFile.job_id.in_(expired)))
    session.execute(delete(Job).where(Job.id.in_(expired)))
