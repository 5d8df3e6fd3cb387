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
    """A picture of a letter; with `pages=True` (the read page) a page to read: a picture or a PDF."""

    image = FileField(_l("Picture of a letter"))

    def __init__(self, *args, pages=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits are the running app's, so the validators are made per form.
        limits = uploads.limits()
        required = _l("Choose a picture or PDF of a page to upload.") if pages else _l(
            "Choose a picture of a letter to upload.")
        self.image.validators = [
            FileRequired(required),
            FileAllowed(uploads.PAGE_EXTENSIONS if pages else uploads.EXTENSIONS, uploads.wrong_type_message(pages)),
            FileSize(max_size=limits.max_bytes, message=uploads.too_big_message(limits)),
        ]


class DrawForm(FlaskForm):
    drawing = HiddenField(validators=[DataRequired(_l("Draw a letter on the canvas first."))])


def error_status(form):
    """The HTTP status that fits a form's validation errors: 413 too big, 415 wrong type, else 400."""
    messages = {m for errors in form.errors.values() for m in errors}
    if uploads.too_big_message(uploads.limits()) in messages:
        return 413
    if messages & {uploads.wrong_type_message(), uploads.wrong_type_message(pages=True)}:
        return 415
    return 400
