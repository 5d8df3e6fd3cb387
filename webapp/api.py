"""The JSON API, for programs: stateless (no cookies, no CSRF); every error answers in JSON."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from handwriting.ink import WORK_SIDE
from webapp import db, errors
from webapp.images import decode_data_url, sent_image
from webapp.input_errors import MalformedRequest, UnsupportedContentType
from webapp.model import letter_detector, letter_model
from webapp.recognition import NONE, read_page, reading_language, recognize

PREFIX = "/api/"  # every URL under it is the API's, answered in JSON even when it does not exist
HEALTH = "/healthz"
bp = Blueprint("api", __name__)
errors.register_json_errors(bp)


def sent_picture():
    """The picture's bytes from a multipart field `image` or JSON {"image": "data:…"}."""
    if request.mimetype == "application/json":
        try:
            payload = request.get_json(silent=True)
        except RecursionError:  # JSON nested deeper than Python's parser goes
            raise MalformedRequest(_("The JSON is nested too deeply.")) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("image"), str):
            raise MalformedRequest(_('Send JSON like {"image": "data:image/png;base64,…"}.'))
        return decode_data_url(payload["image"])
    if request.mimetype == "multipart/form-data":
        files = request.files.getlist("image")
        if not files:
            raise MalformedRequest(_("Send the picture in a multipart field named 'image'."))
        if len(files) > 1:
            raise MalformedRequest(_("Send one picture at a time."))
        return files[0].read()
    raise UnsupportedContentType(_(
        "Send multipart/form-data with a field 'image', or application/json with "
        '{"image": "data:image/png;base64,…"}.'))


def _unavailable(model):
    """503: the reason (a log-style line, in English) after a sentence in the client's language."""
    message = _("The recognizer is not available. %(reason)s", reason=model.error)
    return jsonify(error=message, code=errors.CODE_OF_STATUS[503]), 503


@bp.post(PREFIX + "predict")
def predict():
    """Top-5 letters for one picture: {"predictions": [...], "blank": bool}."""
    model = letter_model()
    if not model.available:
        return _unavailable(model)
    with sent_image(sent_picture(), max_side=WORK_SIDE) as image:
        result = recognize(image, model, letter_detector())
    if result.blank:
        return jsonify(predictions=[], blank=True)
    return jsonify(predictions=result.predictions, blank=False, letter=result.letter, reason=result.not_a_letter)


@bp.post(PREFIX + "read")
def read():
    """A page read line by line: {"text", "raw_text", "language", "lines": [{"words": [{"letters"}]}],
    "words", "letters", "blank"}; `language` (en, es or none, the default) as a field or query."""
    model = letter_model()
    if not model.available:
        return _unavailable(model)
    language = reading_language(request.values.get("language"), NONE)
    with sent_image(sent_picture()) as image:
        reading = read_page(image, model, language)
    return jsonify(reading.as_json())


@bp.get(HEALTH)
def healthz():
    """The model decides the status (503 without one); the database's state is reported beside it."""
    model = letter_model()
    if not model.available:
        return jsonify(status="unavailable", error=model.error, database=db.health()), 503
    return jsonify(status="ok", runtime=model.runtime, runtime_reason=model.runtime_reason, database=db.health())
