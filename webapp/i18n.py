"""The page language (Flask-Babel): English and Spanish, and numbers and dates written for it.

A page's language is `?lang=` (which the `lang` cookie then remembers), else the cookie, else the
browser's Accept-Language, else English. The API is stateless: it follows Accept-Language (or
`?lang=`) and neither reads nor sets the cookie.
"""

import copy
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from babel import numbers as babel_numbers
from flask import current_app, has_request_context, request
from flask_babel import Babel, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

LANGUAGES = {"en": "English", "es": "Español"}  # code -> the language's own name
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # a year
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
MISSING = "—"  # what a number that is not there shows

babel = Babel()


def _is_api():
    return request.blueprint == "api" or request.path.startswith(current_app.extensions["i18n_api_prefix"])


def select_locale():
    """?lang= first, then the language cookie (pages only), then Accept-Language; English otherwise."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    choices = [request.args.get("lang")]
    if not _is_api():
        choices.append(request.cookies.get(COOKIE))
    for choice in choices:
        if choice in LANGUAGES:
            return choice
    for tag, _quality in request.accept_languages:  # the browser's best first; es-MX counts as es
        language = tag.replace("_", "-").split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def current_language():
    return str(get_locale() or DEFAULT_LANGUAGE)


def _remember_choice(response):
    """A page asked for with a valid ?lang= stores it in the cookie; every answer but a static file
    says what its language depended on."""
    if request.endpoint == "static":
        return response
    if _is_api():
        response.vary.add("Accept-Language")
        return response
    response.vary.update(("Accept-Language", "Cookie"))
    choice = request.args.get("lang")
    if choice in LANGUAGES and request.cookies.get(COOKIE) != choice:
        response.set_cookie(COOKIE, choice, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=current_app.config["FORCE_HTTPS"])
    return response


def _page_for_links():
    """The page a language link leads back to: this one, or for a form's answer (a POST) the
    nearest page above it that can be fetched (/read/draw -> /read, /draw -> /)."""
    if request.method in ("GET", "HEAD"):
        return request.path, request.args.to_dict(flat=False)
    adapter = current_app.url_map.bind("localhost")
    path = request.path.rstrip("/")
    while path:
        path = path.rsplit("/", 1)[0]
        try:
            adapter.match(path or "/", method="GET")
        except RequestRedirect:
            pass  # the same page with a trailing slash: fine
        except HTTPException:
            continue
        return path or "/", {}
    return "/", {}


def language_url(code):
    """This page (or the nearest one a link can fetch) in the language `code`."""
    path, args = _page_for_links()
    args["lang"] = [code]
    return path + "?" + urlencode(args, doseq=True)


# Numbers and dates in the page's language: Jinja filters, used by templates/_macros.html.

def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def percent(share, digits=1):
    """A share 0..1 as a percentage with `digits` decimals: "94.1%", "94,1 %"."""
    if not _is_number(share):
        return MISSING
    locale = get_locale()
    pattern = copy.copy(locale.percent_formats[None])
    pattern.frac_prec = (digits, digits)
    return pattern.apply(share, locale)


def number(value):
    """A count with the language's digit grouping: "14,800", "14.800"."""
    return format_decimal(value) if _is_number(value) else MISSING


def decimal(value, digits=3):
    """A number with exactly `digits` decimals: "0.123", "0,123"."""
    if not _is_number(value):
        return MISSING
    return format_decimal(value, format="#,##0." + "0" * digits) if digits else format_decimal(round(value))


def significant(value, digits=2):
    """A number to `digits` significant figures, as small as it is ("0.00025", "0,00025")."""
    if not _is_number(value):
        return MISSING
    return babel_numbers.format_decimal(float(f"{value:.{digits}g}"), locale=get_locale(), decimal_quantization=False)


def megabytes(size):
    """A byte count in megabytes (10⁶ bytes) with one decimal: "7.2 MB", "7,2 MB"."""
    if not _is_number(size):
        return MISSING
    return _("%(size)s MB", size=format_decimal(size / 1_000_000, format="#,##0.0"))


def duration(seconds):
    """A duration as "1 h 5 min", "12 min 30 s" or "45 s"."""
    if not _is_number(seconds):
        return MISSING
    s = round(seconds)
    if s >= 3600:
        return _("%(hours)s h %(minutes)s min", hours=number(s // 3600), minutes=(s % 3600) // 60)
    if s >= 60:
        return _("%(minutes)s min %(seconds)s s", minutes=s // 60, seconds=s % 60)
    return _("%(seconds)s s", seconds=s)


def date_time(text):
    """An ISO 8601 time (as metrics.json keeps it) written for people; anything else as it is."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return text
    return format_datetime(moment, "medium")


def translated(text):
    """A handwriting.classifier.Reason in the page's language (its parameters too); other text as it is."""
    message = getattr(text, "message", None)
    if message is None:
        return text
    params = {name: translated(value) for name, value in text.params.items()}
    return _(message, **params) if params else _(message)


def init_app(app, api_prefix):
    """Flask-Babel with the catalogs in translations/, the language cookie, the formatting filters,
    and what every template needs to know about the language."""
    app.extensions["i18n_api_prefix"] = api_prefix
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts {% trans %} blocks
    app.after_request(_remember_choice)
    app.jinja_env.filters.update(percent=percent, number=number, decimal=decimal, significant=significant,
                                 megabytes=megabytes, duration=duration, date_time=date_time,
                                 translated=translated)

    @app.context_processor
    def language_context():
        return {"languages": LANGUAGES, "current_language": current_language(), "language_url": language_url}
