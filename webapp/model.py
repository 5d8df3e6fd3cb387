"""The models as the web app uses them: loaded once per process and file version."""

import functools
import threading
from pathlib import Path

from flask import current_app

from handwriting import classifier, letterness
from handwriting.letter_recognizer import LetterRecognizer
from handwriting.line_recognizer import LINE_METRICS_FILE, LineRecognizer, load_line_model
from handwriting.reader import Readers

_cache = {}
_cache_lock = threading.Lock()


def _version(path):
    return path.stat().st_mtime_ns if path.is_file() else None


def _cached(load, path, runtime, metrics_file):
    """load(path, runtime), once per process and version of the files it reads."""
    path = Path(path)
    files = [path, classifier.tflite_path(path), path.parent / metrics_file]
    key = (load, path, runtime, *map(_version, files))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load(path, runtime)
        return _cache[key]


def load_letter_model(path, runtime="auto"):
    """The classifier.LetterModel at path with its runtime ("auto", "litert" or "keras"); never raises."""
    return _cached(classifier.load, path, runtime, classifier.METRICS_FILE)


def load_line_model_once(path, runtime="auto"):
    """The line_recognizer.LineModel at path with its runtime; never raises."""
    return _cached(load_line_model, path, runtime, LINE_METRICS_FILE)


def letter_model():
    """The model the running app loaded (an unavailable one carries the reason)."""
    return current_app.extensions["letter_model"]


def line_model():
    """The line model the running app loaded (an unavailable one carries the reason)."""
    return current_app.extensions["line_model"]


def readers():
    """The recognizers pages are read with: those whose model is loaded."""
    letters, lines = letter_model(), line_model()
    return Readers(LetterRecognizer(letters) if letters.available else None,
                   LineRecognizer(lines) if lines.available else None)


def reader_model(reader):
    """The model whose absence leaves `reader` ("auto", "letters" or "lines") unable to read: the
    line model for "lines", else the letter model."""
    return line_model() if reader == "lines" else letter_model()


def letter_detector():
    """The "is it one letter?" detector saved beside the model (handwriting.letterness), or None."""
    return _detector(Path(current_app.config["MODEL_PATH"]).with_name(letterness.DETECTOR_FILE))


@functools.cache
def _detector(path):
    return letterness.Detector.load(path)
