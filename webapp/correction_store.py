"""The corrections people send: the table, and what the app asks of it.

A correction is the 28x28 frame the model saw (uint8, white ink on black, row by row), the letter
the person says it is, the model's guesses (letters, most likely first), where the picture came
from (canvas or upload), the model version, the page's language and the time (UTC). Nothing else:
no picture, no address, no cookie.

A line correction is one read line as cut from the page (a grey PNG), the text a person says it
holds, the text the app read, the recognizer that read it, the dictionary it was read with, the
model version and the time (UTC); no address, no cookie either. Both kinds count towards one
daily cap.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, String, func, insert, literal, select, text
from sqlalchemy.orm import Mapped, mapped_column

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from webapp.db import advisory_key, db, now, reading, writing

SOURCES = ("canvas", "upload")
MAX_GUESSES = 5
FRAME_BYTES = FRAME_SIZE * FRAME_SIZE
LINE_READERS = ("letters", "lines")  # handwriting.reader's recognizers
MAX_LINE_PICTURE_BYTES = 256 * 1024  # a line's PNG: a page's line at the reader's size takes about 5 to 40 KB
MAX_LINE_PICTURE_SIDE = 4096  # pixels
MAX_LINE_TEXT = 500  # characters of a line's text (and of its reading)


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


class LineCorrection(db.Model):
    __tablename__ = "line_corrections"
    __table_args__ = (
        CheckConstraint(f"length(picture) <= {MAX_LINE_PICTURE_BYTES}", name="picture_is_bounded"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {MAX_LINE_TEXT}", name="text_is_bounded"),
        CheckConstraint(f"length(reading) <= {MAX_LINE_TEXT}", name="reading_is_bounded"),
        CheckConstraint("reader IN ('letters', 'lines')", name="reader_is_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC, naive
    picture: Mapped[bytes] = mapped_column(LargeBinary)  # a grey PNG of the line as cut from the page
    text: Mapped[str] = mapped_column(String(MAX_LINE_TEXT))  # what the person says it says
    reading: Mapped[str] = mapped_column(String(MAX_LINE_TEXT))  # what the app read
    reader: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(16))  # the dictionary it was read with, or "none"
    model_version: Mapped[str] = mapped_column(String(80))


class DailyCapReached(Exception):
    """The site has kept as many corrections today as it takes in a day."""

    def __init__(self, cap):
        super().__init__(cap)
        self.cap = cap


def start_of_day(moment):
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def seconds_to_tomorrow(moment):
    return int((start_of_day(moment) + timedelta(days=1) - moment).total_seconds()) + 1


def add(frame, label, guesses, source, model_version, language, cap):
    """Keep one letter correction unless `cap` corrections were kept today (UTC): DailyCapReached
    then. Returns its id."""
    return _keep(Correction, {"frame": np.asarray(frame, dtype=np.uint8).tobytes(), "label": label, "guesses": guesses,
                       "source": source, "model_version": model_version, "language": language}, cap)


def add_line(picture, text, reading, reader, language, model_version, cap):
    """Keep one line correction (`picture`: PNG bytes) unless `cap` corrections, of letters and
    lines together, were kept today (UTC): DailyCapReached then."""
    _keep(LineCorrection, {"picture": picture, "text": text, "reading": reading, "reader": reader,
                           "language": language, "model_version": model_version}, cap)


def _keep(model, values, cap):
    """Insert one row of `model` unless `cap` corrections of either kind were kept today; its id.

    One INSERT … SELECT … WHERE (today's count) < cap: SQLite takes its write lock before the
    count, so the cap holds exactly however many write at once; PostgreSQL is made to do the
    same with a transaction-scoped advisory lock.
    """
    moment = now()
    values = {"created_at": moment, **values}
    today = sum(select(func.count()).select_from(kind).where(kind.created_at >= start_of_day(moment)).scalar_subquery()
                for kind in (Correction, LineCorrection))
    table = model.__table__
    row = select(*[literal(value, table.c[name].type) for name, value in values.items()])
    statement = insert(table).from_select(list(values), row.where(today < cap)).returning(table.c.id)
    with writing() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key("corrections")})
        kept = session.execute(statement).first()  # rowcount is not reliable for INSERT … SELECT
    if kept is None:
        raise DailyCapReached(cap)
    return kept.id


def recent(limit, before=None, model=Correction):
    """The newest corrections of `model` (older than id `before` if given), newest first."""
    query = select(model).order_by(model.id.desc()).limit(limit)
    if before is not None:
        query = query.where(model.id < before)
    return reading(lambda session: list(session.scalars(query)))


def delete(correction_id, model=Correction):
    """Delete one correction of `model`; whether there was one (False: it is gone already)."""
    with writing() as session:
        return session.execute(db.delete(model).where(model.id == correction_id)).rowcount > 0


def count(model):
    """How many corrections of `model` there are."""
    return reading(lambda session: session.scalar(select(func.count()).select_from(model)))


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


def all_in_order(batch=1000, model=Correction):
    """Every correction of `model`, oldest first, read `batch` rows at a time."""
    query = select(model).order_by(model.id).execution_options(yield_per=batch)
    return reading(lambda session: session.scalars(query))
