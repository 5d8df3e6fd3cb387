"""The HTML forms (Flask-WTF): CSRF-protected, with the app's upload limits."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField
from wtforms.validators import DataRequired

from webapp import uploads

csrf = CSRFProtect()


def init_app(app):
    csrf.init_app(app)


class UploadForm(FlaskForm):
    image = FileField(_l("Picture of a letter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits are the running app's, so the validators are made per form.
        limits = uploads.limits()
        self.image.validators = [
            FileRequired(_l("Choose a picture of a letter to upload.")),
            FileAllowed(uploads.EXTENSIONS, uploads.wrong_type_message()),
            FileSize(max_size=limits.max_bytes, message=uploads.too_big_message(limits)),
        ]


class DrawForm(FlaskForm):
    drawing = HiddenField(validators=[DataRequired(_l("Draw a letter on the canvas first."))])


def error_status(form):
    """The HTTP status that fits a form's validation errors: 413 too big, 415 wrong type, else 400."""
    messages = {m for errors in form.errors.values() for m in errors}
    if uploads.too_big_message(uploads.limits()) in messages:
        return 413
    if uploads.wrong_type_message() in messages:
        return 415
    return 400
