"""The JSON API: stateless (no cookies, no CSRF), for programs."""

from flask import Blueprint, current_app, jsonify, request

from handwriting.ink import WORK_SIDE
from webapp.forms import TOO_BIG
from webapp.images import InputError, decode_data_url, open_sent_image
from webapp.model import letter_model
from webapp.recognition import recognize

bp = Blueprint("api", __name__)


def image_bytes():
    """The picture's bytes from a multipart field `image` or JSON {"image": "data:…"}."""
    if request.mimetype == "application/json":
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("image"), str):
            raise InputError('Send JSON like {"image": "data:image/png;base64,…"}.')
        return decode_data_url(payload["image"])
    if request.mimetype == "multipart/form-data":
        files = request.files.getlist("image")
        if not files:
            raise InputError("Send the picture in a multipart field named 'image'.")
        if len(files) > 1:
            raise InputError("Send one picture at a time.")
        data = files[0].read()
        if len(data) > current_app.config["MAX_UPLOAD_BYTES"]:
            raise InputError(TOO_BIG, 413)
        return data
    raise InputError(
        "Send multipart/form-data with a field 'image', or application/json with "
        '{"image": "data:image/png;base64,…"}.',
        415,
    )


@bp.post("/api/predict")
def predict():
    """Top-5 letters for one picture: {"predictions": [...], "blank": bool}."""
    model = letter_model()
    if not model.available:
        return jsonify(error=model.error), 503
    image = open_sent_image(image_bytes(), max_side=WORK_SIDE)
    result = recognize(image, model)
    return jsonify(predictions=result.predictions, blank=result.blank)


@bp.get("/healthz")
def healthz():
    model = letter_model()
    if not model.available:
        return jsonify(status="unavailable", error=model.error), 503
    return jsonify(status="ok")
