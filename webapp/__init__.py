"""Letter Scanner web app: draw or upload a letter, get the model's best guesses."""

import secrets
from pathlib import Path

from flask import Flask

from handwriting.classifier import MODEL_FILE, MODELS_DIR
from handwriting.line_recognizer import LINE_MODEL_FILE
from webapp import (api, cli_read, corrections, db, errors, forms, history, i18n, jobs, line_corrections, pages,
                    reading, security, uploads)
from webapp.in_memory_request import InMemoryRequest
from webapp.model import load_letter_model, load_line_model_once

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Application factory: config from defaults, FLASK_* environment variables, test_config."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.request_class = InMemoryRequest
    app.config.from_mapping(
        SECRET_KEY=None,
        MODEL_PATH=str(MODELS_DIR / MODEL_FILE),
        MODEL_RUNTIME="auto",  # auto (LiteRT when its export matches, else Keras), litert or keras
        LINE_MODEL_PATH=str(MODELS_DIR / LINE_MODEL_FILE),  # the line recognizer, same runtime
        FORCE_HTTPS=False,  # set True behind a TLS-terminating proxy
        PROXY_FIX=0,  # how many proxies in front of the app set X-Forwarded-* (0: trust none)
        REDIS_URL=None,  # FLASK_REDIS_URL, redis://host:port/db: what processes and hosts share (rate limits, jobs)
        **uploads.DEFAULTS,
    )
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise RuntimeError(
                "FLASK_SECRET_KEY is not set. Letter Scanner needs a secret key outside debug "
                "mode: export FLASK_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex())')"
            )
        app.config["SECRET_KEY"] = secrets.token_hex()

    uploads.init_app(app)
    i18n.init_app(app, api.PREFIX)
    forms.init_app(app)
    security.init_app(app, machine_paths=(api.PREFIX, api.HEALTH))
    db.init_app(app)
    corrections.init_app(app)
    cli_read.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(reading.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(corrections.bp)
    line_corrections.init_app(app)
    history.init_app(app)
    jobs.init_app(app)
    forms.csrf.exempt(api.bp)
    forms.csrf.exempt(jobs.bp)
    errors.init_app(app, api.PREFIX, pages.render_home)
    app.extensions["letter_model"] = load_letter_model(app.config["MODEL_PATH"], app.config["MODEL_RUNTIME"])
    app.extensions["line_model"] = load_line_model_once(app.config["LINE_MODEL_PATH"], app.config["MODEL_RUNTIME"])
    return app
