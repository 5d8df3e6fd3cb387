"""The page language (Flask-Babel): English and Spanish."""

from pathlib import Path

from flask import has_request_context, request
from flask_babel import Babel

LANGUAGES = {"en": "English", "es": "Español"}  # code -> the language's own name
DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def select_locale():
    """?lang= first, then the language cookie, then the browser's Accept-Language; English otherwise."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    for choice in (request.args.get("lang"), request.cookies.get("lang")):
        if choice in LANGUAGES:
            return choice
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def init_app(app):
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS))
