"""Line corrections: a person sends a line of the read page with its text corrected.

The read page carries each read line's picture as cut from the page (`page_lines`); its script
posts each edited line to POST /corrections/line, which keeps it (webapp.correction_store.add_line)
and answers in JSON. Nothing is kept before the person presses "Send correction". The limits are
the letter corrections': one per-client rate for both (`corrections.rate_limit`) and one daily cap.
"""

import io

import numpy as np
from flask import Blueprint, current_app, jsonify, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, generate_csrf
from PIL import Image
from wtforms import HiddenField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Length

from handwriting.line_recognizer import LINE_METRICS_FILE
from webapp import correction_store, corrections, errors
from webapp.correction_store import LINE_READERS, MAX_LINE_PICTURE_BYTES, MAX_LINE_PICTURE_SIDE, MAX_LINE_TEXT
from webapp.db import DatabaseUnavailable
from webapp.images import decode_data_url
from webapp.input_errors import InputError
from webapp.recognition import PNG_URL_PREFIX, READING_LANGUAGES, png_bytes, png_url

MAX_PICTURE_URL = len(PNG_URL_PREFIX) + 4 * -(-MAX_LINE_PICTURE_BYTES // 3)  # the largest PNG
INK = 128  # a picture with no pixel darker than this (0..255) holds no line

bp = Blueprint("line_corrections", __name__)
errors.register_json_errors(bp)


@bp.errorhandler(CSRFError)
def csrf_refused(error):
    """A stale or foreign post: the reading is not kept, so the page must be read again."""
    return jsonify(error=_("The page has expired or was not sent from this site (%(reason)s): read the page "
                           "again to send a correction.", reason=_(error.description)), code="csrf"), 400


def init_app(app):
    app.register_blueprint(bp)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LineCorrectionForm(FlaskForm):
    """What the read page posts for one edited line: its picture, the corrected text, what the app
    read, the recognizer that read it and the dictionary it was read with."""

    picture = HiddenField(validators=[DataRequired()])
    text = StringField(filters=[_strip], validators=[
        DataRequired(_l("The corrected text is empty: write what the line says.")),
        Length(max=MAX_LINE_TEXT, message=_l("The text is too long: a line may have at most %(max)d characters."))])
    reading = HiddenField(filters=[_strip], validators=[Length(max=MAX_LINE_TEXT)])
    reader = HiddenField(validators=[AnyOf(LINE_READERS)])
    language = HiddenField(validators=[AnyOf(READING_LANGUAGES)])

    def validate_picture(self, field):
        """A grey PNG within the size limits, with some ink."""
        try:
            if len(field.data) > MAX_PICTURE_URL:  # not worth decoding
                raise ValueError(len(field.data))
            data = decode_data_url(field.data)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            if len(data) > MAX_LINE_PICTURE_BYTES or max(image.size) > MAX_LINE_PICTURE_SIDE or image.mode != "L":
                raise ValueError(len(data), image.size, image.mode)
            pixels = np.asarray(image)
        except (InputError, OSError, ValueError, SyntaxError) as exc:
            raise ValidationError(_("The line's picture must be a grey PNG of at most %(side)d pixels a side "
                                    "and %(size)d KB.", side=MAX_LINE_PICTURE_SIDE,
                                    size=MAX_LINE_PICTURE_BYTES // 1024)) from exc
        if pixels.min() >= INK:
            raise ValidationError(_("The line's picture is blank: there is no writing to keep."))
        self.png = data


def picture_url(picture):
    """A line's picture (handwriting.lines.PageLine.picture) as a PNG data: URL the form takes, or
    None when it is too large to send."""
    image = Image.fromarray(picture)
    image.thumbnail((MAX_LINE_PICTURE_SIDE, MAX_LINE_PICTURE_SIDE))
    data = png_bytes(image)
    return png_url(data) if len(data) <= MAX_LINE_PICTURE_BYTES else None


def page_lines(transcripts):
    """What the read page's script needs to send lines as corrections: where and how to post, the
    messages, and per line ("page-line" as the template numbers them) its picture, reading and reader."""
    lines = {}
    for p, transcript in enumerate(transcripts, 1):
        for n, line in enumerate(transcript.lines, 1):
            url = None if line.picture is None else picture_url(line.picture)
            if url:
                lines[f"{p}-{n}"] = {"picture": url, "reading": line.text, "reader": line.reader,
                                     "language": transcript.language}
    return {
        "url": url_for("line_corrections.create"), "csrf_token": generate_csrf(), "lines": lines,
        "sending": _("Sending…"),
        "sent_one": _sent(1), "sent_many": _sent(2, "%(count)s"),  # the script fills in how many
        "unchanged": _("Edit a line's text first: only the lines you changed are sent."),
        "failed": _("The correction could not be sent: check your connection and try again."),
    }


def _sent(count, shown=None):
    """The thanks for `count` lines kept (`shown` in place of the number, for the script to fill)."""
    return ngettext("Thank you: %(count)s corrected line is kept to train the line reader.",
                    "Thank you: %(count)s corrected lines are kept to train the line reader.", count,
                    count=count if shown is None else shown)


def line_model_version(reader):
    """The version of the model that read a line: the letter model's or the line model's."""
    return corrections.model_version(LINE_METRICS_FILE if reader == "lines" else corrections.METRICS_FILE)


@bp.post("/corrections/line")
@corrections.rate_limit
def create():
    form = LineCorrectionForm()
    if not form.validate_on_submit():
        first = next(iter(form.errors.values()))[0]
        return jsonify(error=first, code="invalid"), 400
    try:
        correction_store.add_line(form.png, form.text.data, form.reading.data or "", form.reader.data,
                                  form.language.data, line_model_version(form.reader.data),
                                  current_app.config["CORRECTIONS_PER_DAY"])
    except correction_store.DailyCapReached:
        raise corrections.cap_reached() from None
    except DatabaseUnavailable:
        raise corrections.unavailable() from None
    return jsonify(message=_sent(1)), 201

