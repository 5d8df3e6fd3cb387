"""gunicorn settings for Letter Scanner: `gunicorn -c gunicorn.conf.py wsgi:app`.

Measured on the 2-core machine (benchmarks/results/RESULTS.md): a LiteRT worker never imports
TensorFlow and is ~100 MB RSS after start (a Keras worker: ~750 MB), so 2 workers (one per core)
cost little. Loading the app once in the master before forking (preload) halves each worker's
unshared memory (PSS ~60 MB instead of ~100 MB) and makes a restarted worker ready at once, but
only a LiteRT model may be loaded before the fork: TensorFlow is not fork-safe, so when the
Keras runtime serves (FLASK_MODEL_RUNTIME=keras, or no usable .tflite) each worker loads its
own model, as before.
"""

import os

from handwriting import classifier
from training.paths import MODEL_FILE, MODELS_DIR

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core
worker_class = "gthread"
# A client that sends a byte and stops holds a thread until it hangs up: 8 per worker (each runs
# its own LiteRT interpreter, ~5 MB, made on first use) take twice the stalled connections of 4.
# Behind nginx (deploy/), which passes on only whole requests, this stops mattering.
threads = int(os.environ.get("THREADS", "8"))
preload_app = os.environ.get("FLASK_MODEL_RUNTIME", "auto") != "keras" and classifier.litert_refusal(
    os.environ.get("FLASK_MODEL_PATH", str(MODELS_DIR / MODEL_FILE))) is None
timeout = 30
graceful_timeout = 10
limit_request_fields = 50  # headers per request (gunicorn allows 100; a browser sends ~15)
# X-Forwarded-* are trusted only by the app, through ProxyFix and FLASK_PROXY_FIX.
secure_scheme_headers = {}
# For the Keras fallback: one TensorFlow thread pool per worker, sized to share the cores.
raw_env = ["TF_NUM_INTRAOP_THREADS=1", "TF_NUM_INTEROP_THREADS=1", "TF_CPP_MIN_LOG_LEVEL=2"]
accesslog = "-"


def post_fork(server, worker):
    """Database connections the preloaded app opened belong to the master: each worker opens its own."""
    if preload_app:
        from webapp.db import db
        from wsgi import app

        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
