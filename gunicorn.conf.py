"""gunicorn settings for Letter Scanner: `gunicorn -c gunicorn.conf.py wsgi:app`.

Measured on the 2-core machine with the LiteRT runtime (benchmarks/results/RESULTS.md): a worker
without TensorFlow is ~110-150 MB RSS and starts in well under a second, so the defaults are
2 workers (one per core) x 4 threads. Loading the app once in the master before forking
(preload) makes each worker's unshared memory (PSS) about half as large (~45-60 MB instead of
~100 MB) and a restarted worker ready at once, but only a LiteRT model may be loaded before the
fork: TensorFlow is not fork-safe, so when the Keras runtime serves (FLASK_MODEL_RUNTIME=keras,
or no usable .tflite) each worker loads its own model, as before.
"""

import os

from handwriting import classifier
from training.paths import MODEL_FILE, MODELS_DIR

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))  # one LiteRT interpreter per thread, made on first use
preload_app = os.environ.get("FLASK_MODEL_RUNTIME", "auto") != "keras" and classifier.litert_refusal(
    os.environ.get("FLASK_MODEL_PATH", str(MODELS_DIR / MODEL_FILE))) is None
timeout = 30
graceful_timeout = 10
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
