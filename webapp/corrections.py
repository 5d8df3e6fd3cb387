"""Corrections: a person says whether the model was right; the site owner reviews and exports them.

POST /corrections keeps one correction (webapp.correction_store) when a person presses "Right"
or "Wrong, it was …" on the result page, and nothing before; for CORRECTIONS_UNDO_SECONDS the
thank-you page can take it back (POST /corrections/undo, with a token signed by the app's secret
that only that page holds). /review lists and deletes them, for
the holder of FLASK_ADMIN_TOKEN only (404 when it is unset). `flask corrections export OUT/`
writes them as a training folder.
"""

import hashlib
import hmac
import io
import math
from pathlib import Path

import click
import numpy as np
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from PIL import Image
from werkzeug.exceptions import Forbidden, NotFound, ServiceUnavailable
from wtforms import HiddenField, PasswordField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Length

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from webapp import correction_export, correction_store, errors, rate_limit_storage
from webapp.artifacts import artifact
from webapp.correction_store import Correction, LineCorrection
from webapp.db import DatabaseUnavailable
from webapp.forms import csrf
from webapp.images import decode_data_url
from webapp.input_errors import InputError
from webapp.recognition import png_data_url, png_url

DEFAULTS = {
    "CORRECTIONS_PER_DAY": 5000,  # the whole site's, in UTC days; past it posts answer 503
    "CORRECTIONS_RATE_LIMIT": "10 per minute;200 per day",  # per client address (Flask-Limiter)
    "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis unreachable: count in this process meanwhile
    "CORRECTIONS_UNDO_SECONDS": 300,  # how long the thank-you page can take a correction back
    "ADMIN_TOKEN": None,  # FLASK_ADMIN_TOKEN: the review page is off (404) without it
    "REVIEW_PAGE_SIZE": 60,
}
VERDICTS = ("right", "wrong")
MAX_FRAME_URL = 4096  # characters: a 28x28 grey PNG as a data URL takes about 1,000
ADMIN_HEADER = "X-Admin-Token"
METRICS_FILE = "metrics.json"  # the letter model's, beside it

bp = Blueprint("corrections", __name__, cli_group="corrections")
# The client's address counts posts in the limiter's storage; it is never written to the database.
limiter = Limiter(key_func=get_remote_address)


def init_app(app):
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # FLASK_RATELIMIT_STORAGE_URI (any storage `limits` knows) wins over FLASK_REDIS_URL.
    app.config.setdefault("RATELIMIT_STORAGE_URI", rate_limit_storage.storage_uri(app.config["REDIS_URL"]))
    if rate_limit_storage.per_process(app.config["RATELIMIT_STORAGE_URI"]):
        app.logger.warning("Rate limits are counted per process: each worker allows the full rate. "
                           "Set FLASK_REDIS_URL to share them between workers and hosts.")
    limiter.init_app(app)


def render_message(message=None, status=200, **context):
    """The page that answers a correction or a review action: `message` is an error when status >= 400."""
    return render_template("correction.html", message=message, status=status, **context), status


errors.register_page_errors(bp, render_message)


class CorrectionForm(FlaskForm):
    """What the result page posts: the frame the model saw, its guesses, the source, and either
    verdict "right" or verdict "wrong" with the letter it was."""

    frame = HiddenField(validators=[DataRequired(), Length(max=MAX_FRAME_URL)])
    guesses = HiddenField(validators=[DataRequired()])
    source = HiddenField(validators=[AnyOf(correction_store.SOURCES)])
    verdict = HiddenField(validators=[AnyOf(VERDICTS)])  # sent by the button pressed
    letter = HiddenField()  # a radio button a..z, with the verdict "wrong"

    def validate_frame(self, field):
        """The frame must be a PNG of exactly 28x28 grey pixels with some ink."""
        try:
            image = Image.open(io.BytesIO(decode_data_url(field.data)), formats=["PNG"])
            if image.size != (FRAME_SIZE, FRAME_SIZE) or image.mode != "L":
                raise ValueError(image.size, image.mode)
            pixels = np.asarray(image)
        except (InputError, OSError, ValueError, SyntaxError) as exc:
            raise ValidationError(_("The frame must be a %(size)d×%(size)d grey PNG.", size=FRAME_SIZE)) from exc
        if not pixels.any():
            raise ValidationError(_("The frame is blank: there is no letter to keep."))
        self.pixels = pixels

    def validate_guesses(self, field):
        letters = field.data
        if not (len(letters) <= correction_store.MAX_GUESSES and set(letters) <= set(LETTERS)
                and len(set(letters)) == len(letters)):
            raise ValidationError(_("The guesses must be one to %(count)d different letters.",
                                    count=correction_store.MAX_GUESSES))

    def validate_letter(self, field):
        if self.verdict.data == "wrong" and field.data not in LETTERS:
            raise ValidationError(_("Choose the letter it was, from A to Z."))

    @property
    def other_guesses(self):
        """The picker's first letters: the model's guesses after its own first one."""
        return list(self.guesses.data[1:])

    @property
    def other_letters(self):
        """The picker's other letters: the rest of a–z, in order."""
        return [letter for letter in LETTERS if letter not in self.guesses.data]

    @property
    def label(self):
        """The letter the person says it is."""
        return self.guesses.data[0] if self.verdict.data == "right" else self.letter.data


def feedback_form(frame_url, predictions, source):
    """The result page's "Right / Wrong, it was …" form, carrying what a correction keeps."""
    if frame_url is None or not predictions:
        return None
    guesses = "".join(p["letter"] for p in predictions[: correction_store.MAX_GUESSES])
    return CorrectionForm(formdata=None, frame=frame_url, guesses=guesses, source=source)


def model_version(metrics_file=METRICS_FILE):
    """The served model as people can find it again: its training (or export) date and file
    fingerprint, from its metrics file beside the model."""
    metrics = artifact(metrics_file) or {}
    export = metrics.get("export") or {}
    fingerprint = export.get("keras_sha256", "")[:12]
    return " ".join(filter(None, [metrics.get("date") or export.get("date"), fingerprint])) or "unknown"


def usage_for_stats():
    """How the model does in use (correction_store.Usage) for /stats, or None while the database
    cannot be read."""
    try:
        return correction_store.usage()
    except DatabaseUnavailable:
        return None


def unavailable():
    return ServiceUnavailable(_("Corrections cannot be kept right now: the database is unavailable, "
                                "so nothing was stored. Recognising letters still works."))


def _too_fast():
    return _("You are sending corrections faster than we can take them: please try again later.")


# Letter and line corrections (webapp.line_corrections) count together per client.
rate_limit = limiter.shared_limit(lambda: current_app.config["CORRECTIONS_RATE_LIMIT"], scope="corrections",
                                  error_message=_too_fast)


def cap_reached():
    """The answer once the site has kept its day's corrections: 503 until midnight (UTC)."""
    return ServiceUnavailable(
        _("Thank you, but we have kept all the corrections we take in a day. "
          "Nothing was stored; please try again tomorrow."),
        retry_after=correction_store.seconds_to_tomorrow(correction_store.now()))


@bp.post("/corrections")
@rate_limit
def create():
    form = CorrectionForm()
    if not form.validate_on_submit():
        first = next(iter(form.errors.values()))[0]
        return render_message(first, 400)
    try:
        kept = correction_store.add(form.pixels, form.label, form.guesses.data, form.source.data,
                                    model_version(), str(get_locale()), current_app.config["CORRECTIONS_PER_DAY"])
    except correction_store.DailyCapReached:
        raise cap_reached() from None
    except DatabaseUnavailable:
        raise unavailable() from None
    return render_message(status=201, letter=form.label, right=form.guesses.data[0] == form.label,
                          undo_form=UndoForm(formdata=None, token=_undo_signer().dumps(kept)),
                          undo_seconds=current_app.config["CORRECTIONS_UNDO_SECONDS"],
                          undo_minutes=math.ceil(current_app.config["CORRECTIONS_UNDO_SECONDS"] / 60))


class UndoForm(FlaskForm):
    """The thank-you page's "Undo": the kept correction's id, signed with the time it was kept."""

    token = HiddenField(validators=[DataRequired()])


def _undo_signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="correction-undo")


@bp.post("/corrections/undo")
def undo():
    """Delete the correction an undo token names, while the token is fresh."""
    form = UndoForm()
    if not form.validate_on_submit():
        return render_message(next(iter(form.errors.values()))[0], 400)
    try:
        correction_id = _undo_signer().loads(form.token.data, max_age=current_app.config["CORRECTIONS_UNDO_SECONDS"])
    except SignatureExpired:
        return render_message(_("Too late to undo: the correction is kept. It can be taken back only in the first "
                                "minutes after sending it."), 403)
    except BadSignature:
        return render_message(_("This undo request is not valid: nothing was changed."), 400)
    try:
        removed = correction_store.delete(correction_id)
    except DatabaseUnavailable:
        raise unavailable() from None
    return render_message(undone=True, already=not removed)


# The review page: the site owner's, behind FLASK_ADMIN_TOKEN.

class LoginForm(FlaskForm):
    token = PasswordField(_l("Admin token"), validators=[DataRequired(_l("Enter the admin token."))])


class DeleteForm(FlaskForm):
    """Only its CSRF token: the correction is in the URL."""


def _admin_token():
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        raise NotFound()
    return token.encode()


def _session_flag(token):
    """What the session keeps once the token was given: a digest of it, so a new token logs everyone out."""
    return hashlib.sha256(b"letter-scanner-review:" + token).hexdigest()


def _header_admin(token):
    sent = request.headers.get(ADMIN_HEADER)
    return sent is not None and hmac.compare_digest(sent.encode(), token)


def _is_admin():
    token = _admin_token()
    return _header_admin(token) or hmac.compare_digest(session.get("review", ""), _session_flag(token))


@bp.get("/review")
def review():
    if not _is_admin():
        return render_template("review.html", login_form=LoginForm()), 200
    size = current_app.config["REVIEW_PAGE_SIZE"]
    before, lines_before = request.args.get("before", type=int), request.args.get("lines_before", type=int)
    try:
        corrections = correction_store.recent(size, before)
        usage = correction_store.usage()
        lines = correction_store.recent(size, lines_before, LineCorrection)
        line_count = correction_store.count(LineCorrection)
    except DatabaseUnavailable:
        raise unavailable() from None
    rows = [{"correction": c, "picture": png_data_url(c.pixels / 255.0)} for c in corrections]
    line_rows = [{"correction": c, "picture": png_url(c.picture)} for c in lines]
    return render_template("review.html", rows=rows, usage=usage, older=_older(corrections, size), before=before,
                           line_rows=line_rows, line_count=line_count, older_lines=_older(lines, size),
                           lines_before=lines_before, delete_form=DeleteForm())


def _older(page, size):
    """The id to list older corrections from, when `page` is full."""
    return page[-1].id if len(page) == size else None


@bp.post("/review/login")
@limiter.limit("10 per minute", error_message=_too_fast)
def login():
    token = _admin_token()
    form = LoginForm()
    if form.validate_on_submit() and hmac.compare_digest(form.token.data.encode(), token):
        session["review"] = _session_flag(token)
        return redirect(url_for(".review"), 303)
    return render_template("review.html", login_form=form, login_failed=form.is_submitted()), 403


@bp.post("/review/logout")
def logout():
    _admin_token()
    session.pop("review", None)
    return redirect(url_for(".review"), 303)


@bp.post("/review/<int:correction_id>/delete", defaults={"kind": "letters"})
@bp.post("/review/lines/<int:correction_id>/delete", defaults={"kind": "lines"})
@csrf.exempt  # checked below unless the token came in a header, which another site cannot send
def delete(correction_id, kind):
    token = _admin_token()
    if not _header_admin(token):
        csrf.protect()
        if not _is_admin():
            raise Forbidden(_("Log in with the admin token first."))
    try:
        correction_store.delete(correction_id, LineCorrection if kind == "lines" else Correction)
    except DatabaseUnavailable:
        raise unavailable() from None
    return redirect(url_for(".review", before=request.args.get("before", type=int),
                            lines_before=request.args.get("lines_before", type=int)), 303)


@bp.cli.command("export")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def export_command(out):
    """Write every correction to OUT as training folders: the letters as gzip IDX images and labels
    with index.csv.gz, the lines in OUT/lines/ as a line set (lines.tar, index.jsonl.gz)."""
    count = correction_export.write_folder(out, correction_store.all_in_order())
    click.echo(f"Wrote {count} corrections to {out}/")
    lines = out / correction_export.LINES_FOLDER
    count = correction_export.write_lines(lines, correction_store.all_in_order(model=LineCorrection))
    click.echo(f"Wrote {count} line corrections to {lines}/")
