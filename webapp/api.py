"""The JSON API, for programs: stateless (no cookies, no CSRF); every error answers in JSON."""

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _

from handwriting.ink import WORK_SIDE
from webapp import db, errors
from webapp.i18n import translated
from webapp.images import decode_data_url, sent_image
from webapp.input_errors import MalformedRequest, UnsupportedContentType
from handwriting import output
from handwriting.language import NONE
from handwriting.single_letter import recognize
from webapp.model import letter_detector, letter_model, line_model, reader_model, readers
from webapp.recognition import output_format, read_document, reader_choice, reading_language

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


def sent_pictures():
    """Every picture sent: several multipart fields `image` (pages, in order), else `sent_picture`'s one."""
    if request.mimetype == "multipart/form-data" and len(request.files.getlist("image")) > 1:
        return [sent.read() for sent in request.files.getlist("image")]
    return [sent_picture()]


def unavailable_message(model):
    """A sentence and the model's reason, both in the client's language."""
    return _("The recognizer is not available. %(reason)s", reason=translated(model.error))


def unavailable(model):
    """503: `unavailable_message`."""
    return jsonify(error=unavailable_message(model), code=errors.CODE_OF_STATUS[503]), 503


@bp.post(PREFIX + "predict")
def predict():
    """Top-5 letters for one picture: {"predictions": [...], "blank": bool}."""
    model = letter_model()
    if not model.available:
        return unavailable(model)
    with sent_image(sent_picture(), max_side=WORK_SIDE) as image:
        result = recognize(image, model, letter_detector())
    if result.blank:
        return jsonify(predictions=[], blank=True)
    return jsonify(predictions=result.predictions, blank=False, letter=result.letter, reason=result.not_a_letter)


@bp.post(PREFIX + "read")
def read():
    """A picture of a page, or a PDF, read line by line: JSON (`document_json`) or, with `format`,
    txt, hOCR, ALTO or a searchable PDF; `language` (en, es, fr or none, the default), `reader`
    (auto, letters or lines) and `format` as fields or query parameters."""
    language = reading_language(request.values.get("language"), NONE)
    reader = reader_choice(request.values.get("reader"))
    key = output_format(request.values.get("format"))
    available = readers()
    if not available.available(reader):
        return unavailable(reader_model(reader))
    name = upload_name()
    body = read_document(sent_picture(), language, reader, key, name)
    if key == "json":
        return jsonify(body)
    mimetype, extension = output.FORMATS[key]
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=output.download_name(name, extension))
    return response


def upload_name():
    """The file name a multipart upload gave its picture, if any."""
    sent = request.files.get("image") if request.mimetype == "multipart/form-data" else None
    return sent.filename if sent else None


@bp.get(HEALTH)
def healthz():
    """The model decides the status (503 without one); the database's and the job queue's states
    are reported beside it. The models' reasons follow Accept-Language, like every API message."""
    model, lines = letter_model(), line_model()
    line_state = ({"runtime": lines.runtime, "runtime_reason": translated(lines.runtime_reason)} if lines.available
                  else {"error": translated(lines.error)})
    beside = {"line_model": line_state, "database": db.health(), "jobs": current_app.extensions["jobs"].health()}
    if not model.available:
        return jsonify(status="unavailable", error=translated(model.error), **beside), 503
    return jsonify(status="ok", runtime=model.runtime, runtime_reason=translated(model.runtime_reason), **beside)
