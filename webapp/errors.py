"""Every error gets a clear message and the right status: JSON for the API, a page otherwise."""

from flask import jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.images import InputError
from webapp.pages import render_home

MESSAGES = {
    400: "The request could not be understood.",
    404: "There is no such page.",
    405: "That method is not allowed here.",
    413: "The request is too large: a picture may be at most 5 MB.",
    500: "Something went wrong on our side.",
}


JSON_PATHS = ("/api/", "/healthz")  # programs' endpoints answer errors in JSON


def _answer(message, status):
    if request.blueprint == "api" or request.path.startswith(JSON_PATHS):
        return jsonify(error=message), status
    return render_home(message, status)


def init_app(app):
    @app.errorhandler(InputError)
    def input_error(error):
        return _answer(error.message, error.status)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _answer(f"The form expired or was not sent from this site ({error.description}). "
                       "Please try again.", 400)

    @app.errorhandler(HTTPException)
    def http_error(error):
        return _answer(MESSAGES.get(error.code, error.description), error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error")
        return _answer(MESSAGES[500], 500)
