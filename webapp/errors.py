"""Errors mapped to HTTP: the status and message of each error, and the app-wide fallbacks.

Each blueprint answers the errors of its own views in its own kind (the API in JSON, each page
blueprint with its own page); what is left here is what no blueprint owns: unknown URLs, wrong
methods on them, and the unexpected.
"""

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from handwriting.segment import TooManyLetters
from webapp.input_errors import (InputError, PictureTooLarge, TooManyFormParts, UnsupportedContentType,
                                 UnsupportedPicture)
from webapp import uploads

# The status of each kind of bad input; any other InputError is a 400.
STATUS_OF_INPUT = {PictureTooLarge: 413, TooManyFormParts: 413, UnsupportedPicture: 415, UnsupportedContentType: 415}
# Flask-WTF's reasons for refusing a form, in its own words: marked here (_l) for the catalog, and
# translated when shown.
CSRF_REASONS = (_l("The CSRF token is missing."), _l("The CSRF session token is missing."),
                _l("The CSRF token has expired."), _l("The CSRF token is invalid."),
                _l("The CSRF tokens do not match."), _l("The referrer header is missing."),
                _l("The referrer does not match the host."))
# Stable codes for programs, by HTTP status, for errors that are not InputErrors.
CODE_OF_STATUS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                  415: "unsupported_type", 429: "too_many_requests", 500: "internal_error",
                  503: "unavailable"}


FORMS = ("upload", "draw")  # the views of each page blueprint that take a form, by endpoint name


def placed(error, model_error=None):
    """Where a page shows `error`: beside the form that was sent ("upload_error" or "draw_error"),
    else at the top ("error"). The model's own error stays at the top, where its banner is."""
    form = request.endpoint.rpartition(".")[2] if request.method == "POST" and request.endpoint else None
    if error is None or error == model_error or form not in FORMS:
        form = None
    return {"error": error if form is None else None,
            "upload_error": error if form == "upload" else None,
            "draw_error": error if form == "draw" else None}


def http_message(status):
    """What to tell a person about an HTTP error with no message of our own."""
    messages = {
        400: _("The request could not be understood."),
        404: _("There is no such page."),
        405: _("That method is not allowed here."),
        413: _("The request is too large: a picture may be at most %(limit)s.",
               limit=uploads.limits().size_text),
        500: _("Something went wrong on our side."),
    }
    return messages.get(status)


def describe(error):
    """(status, code, message) for any error a view lets through."""
    if isinstance(error, InputError):
        status = next((s for cls, s in STATUS_OF_INPUT.items() if isinstance(error, cls)), 400)
        return status, error.code, error.message
    if isinstance(error, TooManyLetters):
        return 413, "too_many_letters", _(
            "The picture holds too many letters or marks: at most %(limit)d letters can be read at once.",
            limit=error.limit)
    if isinstance(error, CSRFError):
        return 400, "csrf", _("The form expired or was not sent from this site (%(reason)s). "
                              "Your drawing is kept: please send it again.", reason=_(error.description))
    if not isinstance(error, HTTPException):
        error = InternalServerError()
    return error.code, CODE_OF_STATUS.get(error.code, "error"), http_message(error.code) or error.description


def headers_of(error):
    """The headers an HTTP error must keep whatever the body (Allow on a 405, Retry-After on a 429)."""
    if not isinstance(error, HTTPException):
        return []
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def json_error(error):
    """The API's answer to an error: {"error": message, "code": code}, with the right status."""
    status, code, message = describe(error)
    return jsonify(error=message, code=code), status, headers_of(error)


def _log_if_unexpected(error):
    if not isinstance(error, (HTTPException, InputError, TooManyLetters)):
        current_app.logger.exception("Unhandled error")


def register_json_errors(blueprint):
    """Answer every error of a blueprint's views in JSON."""

    @blueprint.errorhandler(Exception)
    def json_error_answer(error):
        _log_if_unexpected(error)
        return json_error(error)


def register_page_errors(blueprint, render_page):
    """Answer every error of a blueprint's views with its own page: `render_page(message, status)`."""

    @blueprint.errorhandler(Exception)
    def page_error(error):
        _log_if_unexpected(error)
        status, _code, message = describe(error)
        page, status = render_page(message, status)
        return page, status, headers_of(error)


def init_app(app, api_prefix, render_fallback_page):
    """Errors outside every blueprint's views (unknown URLs, wrong methods): JSON under the API's
    prefix, `render_fallback_page(message, status)` elsewhere."""

    @app.errorhandler(Exception)
    def unowned_error(error):
        _log_if_unexpected(error)
        if request.path.startswith(api_prefix):
            return json_error(error)
        status, _code, message = describe(error)
        page, status = render_fallback_page(message, status)
        return page, status, headers_of(error)
