"""gunicorn settings for Letter Scanner: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core
worker_class = "gthread"
# A client that sends a byte and stops holds a thread until it hangs up: 8 per worker (each runs
# its own LiteRT interpreter, ~5 MB) take twice the stalled connections of 4. Behind nginx
# (deploy/), which passes on only whole requests, this stops mattering.
threads = int(os.environ.get("THREADS", "8"))
preload_app = False  # TensorFlow is not fork-safe: each worker loads its own model
timeout = 30
graceful_timeout = 10
limit_request_fields = 50  # headers per request (gunicorn allows 100; a browser sends ~15)
# X-Forwarded-* are trusted only by the app, through ProxyFix and FLASK_PROXY_FIX.
secure_scheme_headers = {}
# One TensorFlow thread pool per worker, sized to share the cores instead of fighting over them.
raw_env = ["TF_NUM_INTRAOP_THREADS=1", "TF_NUM_INTEROP_THREADS=1", "TF_CPP_MIN_LOG_LEVEL=2"]
accesslog = "-"
