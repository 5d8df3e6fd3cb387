"""The corrections people send: the table, and what the app asks of it.

A correction is the 28x28 frame the model saw (uint8, white ink on black, row by row), the letter
the person says it is, the model's guesses (letters, most likely first), where the picture came
from (canvas or upload), the model version, the page's language and the time (UTC). Nothing else:
no picture, no address, no cookie.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, String, func, insert, literal, select, text
from sqlalchemy.orm import Mapped, mapped_column

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from webapp.db import advisory_key, db, reading, writing

SOURCES = ("canvas", "upload")
MAX_GUESSES = 5
FRAME_BYTES = FRAME_SIZE * FRAME_SIZE


class Correction(db.Model):
    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint(f"length(frame) = {FRAME_BYTES}", name="frame_is_28x28"),
        CheckConstraint("length(label) = 1 AND label BETWEEN 'a' AND 'z'", name="label_is_a_letter"),
        CheckConstraint("source IN ('canvas', 'upload')", name="source_is_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC, naive
    frame: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str] = mapped_column(String(1))
    guesses: Mapped[str] = mapped_column(String(MAX_GUESSES))
    source: Mapped[str] = mapped_column(String(8))
    model_version: Mapped[str] = mapped_column(String(80))
    language: Mapped[str | None] = mapped_column(String(16))

    @property
    def pixels(self):
        """The frame as a (28, 28) uint8 array."""
        return np.frombuffer(self.frame, dtype=np.uint8).reshape(FRAME_SIZE, FRAME_SIZE)

    @property
    def model_was_right(self):
        return self.guesses[:1] == self.label


class DailyCapReached(Exception):
    """The site has kept as many corrections today as it takes in a day."""

    def __init__(self, cap):
        super().__init__(cap)
        self.cap = cap


def now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def start_of_day(moment):
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def seconds_to_tomorrow(moment):
    return int((start_of_day(moment) + timedelta(days=1) - moment).total_seconds()) + 1


def add(frame, label, guesses, source, model_version, language, cap):
    """Keep one correction unless `cap` corrections were kept today (UTC): DailyCapReached then.

    One INSERT … SELECT … WHERE (today's count) < cap: SQLite takes its write lock before the
    count, so the cap holds exactly however many write at once; PostgreSQL is made to do the
    same with a transaction-scoped advisory lock.
    """
    moment = now()
    values = {"created_at": moment, "frame": np.asarray(frame, dtype=np.uint8).tobytes(), "label": label,
              "guesses": guesses, "source": source, "model_version": model_version, "language": language}
    today = select(func.count()).select_from(Correction).where(Correction.created_at >= start_of_day(moment))
    row = select(*[literal(value, Correction.__table__.c[name].type) for name, value in values.items()])
    statement = (insert(Correction.__table__).from_select(list(values), row.where(today.scalar_subquery() < cap))
                 .returning(Correction.__table__.c.id))
    with writing() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key("corrections")})
        kept = session.execute(statement).first()  # rowcount is not reliable for INSERT … SELECT
    if kept is None:
        raise DailyCapReached(cap)


def recent(limit, before=None):
    """The newest corrections (older than id `before` if given), newest first."""
    query = select(Correction).order_by(Correction.id.desc()).limit(limit)
    if before is not None:
        query = query.where(Correction.id < before)
    return reading(lambda session: list(session.scalars(query)))


def delete(correction_id):
    """Delete one correction (none if it is gone already)."""
    with writing() as session:
        session.execute(db.delete(Correction).where(Correction.id == correction_id))


@dataclass
class Usage:
    """How the model does in use, by the letter people said it was."""

    count: int
    top3: int  # corrections whose letter was among the model's first three guesses
    per_letter: dict  # letter -> (corrections, first guess right)

    @property
    def right(self):
        return sum(right for _, right in self.per_letter.values())


def usage():
    """How many corrections there are, how often the model's first guess (and first three) held
    the letter people said, per letter."""
    right = func.substr(Correction.guesses, 1, 1) == Correction.label
    top3 = func.substr(Correction.guesses, 1, 3).contains(Correction.label)
    query = select(Correction.label, right, top3, func.count()).group_by(Correction.label, right, top3)
    rows = reading(lambda session: session.execute(query).all())
    counts, rights, in_top3 = Counter(), Counter(), 0
    for label, was_right, was_in_top3, n in rows:
        counts[label] += n
        rights[label] += n if was_right else 0
        in_top3 += n if was_in_top3 else 0
    per_letter = {letter: (counts[letter], rights[letter]) for letter in LETTERS if counts[letter]}
    return Usage(sum(counts.values()), in_top3, per_letter)


def all_in_order(batch=1000):
    """Every correction, oldest first, read `batch` rows at a time."""
    query = select(Correction).order_by(Correction.id).execution_options(yield_per=batch)
    return reading(lambda session: session.scalars(query))
