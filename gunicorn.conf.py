"""gunicorn settings for Letter Scanner: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
preload_app = False  # TensorFlow is not fork-safe: each worker loads its own model
timeout = 30
graceful_timeout = 10
# One TensorFlow thread pool per worker, sized to share the cores instead of fighting over them.
raw_env = ["TF_NUM_INTRAOP_THREADS=1", "TF_NUM_INTEROP_THREADS=1", "TF_CPP_MIN_LOG_LEVEL=2"]
accesslog = "-"
