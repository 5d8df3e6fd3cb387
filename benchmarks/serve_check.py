"""The serving-only install serves: `make serve-check`, run by `make test`.

    .venv-serve/bin/python -m benchmarks.serve_check

Run with the Python of a venv made from requirements-serve.txt alone (no TensorFlow): gunicorn
with the project's gunicorn.conf.py starts, /healthz says LiteRT serves, and POST /api/predict
reads each drawn test letter right. Exits non-zero with the reason otherwise.
"""

import importlib.util

from harness.clients import multipart
from harness.pictures import STROKES, draw_letter, encode
from harness.servers import Gunicorn


def check():
    """Start the app, ask it; return a one-line summary, or raise SystemExit with the reason."""
    installed = [name for name in ("tensorflow", "keras") if importlib.util.find_spec(name)]
    if installed:
        raise SystemExit(f"serve-check: {', '.join(installed)} installed: run it with the serving-only venv")
    with Gunicorn(WEB_CONCURRENCY="1", THREADS="2") as server:
        started = server.wait_for_first_prediction(*multipart(encode(draw_letter("a"))))
        status, health = server.request("GET", "/healthz")
        if status != 200 or health.get("runtime") != "litert":
            raise SystemExit(f"serve-check: /healthz answered {status} {health}\n{server.log_tail()}")
        for letter in STROKES:
            status, answer = server.request("POST", "/api/predict", *multipart(encode(draw_letter(letter))))
            best = (answer.get("predictions") or [{}])[0].get("letter")
            if status != 200 or best != letter:
                raise SystemExit(f"serve-check: a drawn {letter!r} answered {status} {answer}")
    return (f"serve-check: ok, {health['runtime']} without TensorFlow, first answer {started:.2f} s after start, "
            f"read {', '.join(STROKES)} right")


if __name__ == "__main__":
    print(check())
