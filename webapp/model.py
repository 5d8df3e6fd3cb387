"""The letter model as the web app uses it: loaded once per process and file version."""

import functools
import threading
from pathlib import Path

from flask import current_app

from handwriting import classifier, letterness

_cache = {}
_cache_lock = threading.Lock()


def _version(path):
    return path.stat().st_mtime_ns if path.is_file() else None


def load_letter_model(path, runtime="auto"):
    """The classifier.LetterModel at path with its runtime ("auto", "litert" or "keras"), loaded
    once per process and version of the files it reads; never raises."""
    path = Path(path)
    files = [path, classifier.tflite_path(path), path.parent / classifier.METRICS_FILE]
    key = (path, runtime, *map(_version, files))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = classifier.load(path, runtime)
        return _cache[key]


def letter_model():
    """The model the running app loaded (an unavailable one carries the reason)."""
    return current_app.extensions["letter_model"]


def letter_detector():
    """The "is it one letter?" detector saved beside the model (handwriting.letterness), or None."""
    return _detector(Path(current_app.config["MODEL_PATH"]).with_name(letterness.DETECTOR_FILE))


@functools.cache
def _detector(path):
    return letterness.Detector.load(path)
