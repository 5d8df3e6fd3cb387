"""The HTML forms (Flask-WTF: CSRF-protected)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField
from wtforms.validators import DataRequired

IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
MAX_UPLOAD_MB = 5
WRONG_TYPE = "Upload a PNG, JPEG, GIF, BMP, WebP or TIFF picture."
TOO_BIG = f"The picture is larger than {MAX_UPLOAD_MB} MB."
# The HTTP status for each validation message; any other failure is a plain 400.
STATUS_OF_ERROR = {WRONG_TYPE: 415, TOO_BIG: 413}


class UploadForm(FlaskForm):
    image = FileField(
        "Picture of a letter",
        validators=[
            FileRequired("Choose a picture of a letter to upload."),
            FileAllowed(IMAGE_EXTENSIONS, WRONG_TYPE),
            FileSize(max_size=MAX_UPLOAD_MB * 1024 * 1024, message=TOO_BIG),
        ],
    )


class DrawForm(FlaskForm):
    drawing = HiddenField(validators=[DataRequired("Draw a letter on the canvas first.")])


def error_status(form):
    """The HTTP status that fits a form's validation errors."""
    messages = [m for errors in form.errors.values() for m in errors]
    return max((STATUS_OF_ERROR.get(m, 400) for m in messages), default=400)
