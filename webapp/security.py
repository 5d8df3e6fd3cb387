"""Security headers on every response (Flask-Talisman): a strict CSP, nosniff, no framing; HTTPS
mode (FORCE_HTTPS); which proxies are trusted for X-Forwarded-* (PROXY_FIX, werkzeug's ProxyFix)."""

from flask import redirect, request
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:", "blob:"],
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app, machine_paths=()):
    """Headers, HTTPS mode and proxy trust. URLs under `machine_paths` (the JSON API, health checks)
    are never redirected: probes and programs get their answer, or a JSON error, never a 302.

    PROXY_FIX is the number of proxies in front of the app (0: none, X-Forwarded-* are ignored);
    behind them, the client's address, scheme and host come from their X-Forwarded-* headers.
    """
    force_https = app.config["FORCE_HTTPS"]
    if force_https:
        app.config["SESSION_COOKIE_SECURE"] = True
    proxies = int(app.config["PROXY_FIX"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    Talisman(
        app,
        force_https=False,  # below, on request.is_secure alone and with machine paths exempt
        strict_transport_security=force_https,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    app.after_request(_never_store_answers_to_forms)
    if force_https:

        @app.before_request
        def pages_over_https_only():
            if not request.is_secure and not request.path.startswith(tuple(machine_paths)):
                return redirect(request.url.replace("http://", "https://", 1))


def _never_store_answers_to_forms(response):
    """A page answering a form shows the person's picture: no cache or history copy may keep it."""
    if request.method == "POST" and response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
