"""The letter model as the web app uses it: loaded once per process, called directly."""

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from flask import current_app

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS

_cache = {}
_cache_lock = threading.Lock()


@dataclass
class LetterModel:
    """A loaded Keras model, or the reason there is none (`error`)."""

    path: Path
    keras_model: object = None
    error: str | None = None
    _call: object = field(default=None, repr=False)

    @property
    def available(self):
        return self.keras_model is not None

    def probabilities(self, frames):
        """(n, 28, 28) frames in [0, 1] -> (n, 26) class probabilities."""
        x = np.asarray(frames, dtype=np.float32).reshape(-1, FRAME_SIZE, FRAME_SIZE, 1)
        return self._call(x).numpy()

    def top(self, probabilities, k=5):
        """The k most likely letters of one probability row, most likely first."""
        order = np.argsort(-probabilities)[:k]
        return [{"letter": LETTERS[i], "probability": float(probabilities[i])} for i in order]

    def layers(self):
        """The architecture as rows for the stats page."""
        if not self.available:
            return []
        return [
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": str(tuple(layer.output.shape)),
                "params": layer.count_params(),
            }
            for layer in self.keras_model.layers
        ]


def _load(path):
    if not path.is_file():
        return LetterModel(
            path, error=f"The model file {path.name} is missing. Train one with "
            "`python -m training.train` (see the README)."
        )
    try:
        import keras
        import tensorflow as tf

        model = keras.models.load_model(path, compile=False)
        if tuple(model.output_shape[1:]) != (len(LETTERS),):
            raise ValueError(f"it predicts {model.output_shape[1:]} classes, not {len(LETTERS)}")
        call = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec([None, FRAME_SIZE, FRAME_SIZE, 1], tf.float32)],
        )
        call(np.zeros((1, FRAME_SIZE, FRAME_SIZE, 1), np.float32))  # trace once, up front
    except Exception as exc:  # a corrupt or foreign file must not stop the app
        return LetterModel(
            path, error=f"The model file {path.name} could not be loaded ({exc}). "
            "Retrain with `python -m training.train`."
        )
    return LetterModel(path, keras_model=model, _call=call)


def load_letter_model(path):
    """Load (once per process and file version) the model at path; never raises."""
    path = Path(path)
    key = (path, path.stat().st_mtime_ns if path.is_file() else None)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(path)
        return _cache[key]


def letter_model():
    """The model the running app loaded (an unavailable one carries the reason)."""
    return current_app.extensions["letter_model"]
