"""The letter classifier: 28x28 frames -> probabilities over a..z, run by LiteRT or by Keras.

`python -m training.export` writes `letter_cnn.tflite` beside `letter_cnn.keras` and records in
metrics.json the fingerprints of both files and the architecture rows. The LiteRT flatbuffer is
used only when those fingerprints match the files beside it: a stale or foreign flatbuffer is
refused with the reason, and with the runtime "auto" the Keras model serves instead. TensorFlow
and Keras are imported only when the Keras runtime is chosen, so a LiteRT process never loads them.
"""

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"  # where the shipped model lives
MODEL_FILE = "letter_cnn.keras"  # the trained model; its LiteRT export and artifacts sit beside it
RUNTIMES = ("auto", "litert", "keras")
RUNTIME_NAMES = {"litert": "LiteRT", "keras": "Keras (TensorFlow)"}
METRICS_FILE = "metrics.json"
EXPORT_KEY = "export"  # metrics.json: {"keras_sha256", "tflite_sha256", ...} written at export
ARCHITECTURE_KEY = "architecture"  # metrics.json: [{"name", "type", "output_shape", "params"}]
INPUT_SHAPE = (FRAME_SIZE, FRAME_SIZE, 1)
# Frames per LiteRT call: a page's hundreds of candidate letters go in chunks, so each thread's
# interpreter keeps ~10 MB of tensors instead of growing by ~150 MB for an 800-frame batch.
BATCH_LIMIT = 64

log = logging.getLogger(__name__)
EXPORT_COMMAND = "python -m training.export"


def N_(message):
    """Marks an English message for the web app's catalog (`make i18n-extract` reads this file)."""
    return message


class Reason(str):
    """A message in English (the str itself, for logs, JSON and the command line) that keeps its
    template and parameters, so the web app can show it in the page's language
    (webapp.i18n.translated). A parameter may itself be a Reason."""

    def __new__(cls, message, **params):
        text = super().__new__(cls, message % params if params else message)
        text.message, text.params = message, params
        return text


class Refused(Exception):
    """A model file that cannot serve; `reason` (a Reason) says why."""

    def __init__(self, message, **params):
        self.reason = Reason(message, **params)
        super().__init__(self.reason)


def fingerprint(path):
    """The sha256 of a file, in hex."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def tflite_path(keras_path):
    """Where the LiteRT flatbuffer of a .keras model lives: beside it, same name."""
    return Path(keras_path).with_suffix(".tflite")


@dataclass
class LetterModel:
    """A loaded model (`runtime` "litert" or "keras", and why), or the reason there is none (`error`)."""

    runtime: str | None = None
    runtime_reason: str = ""  # a Reason
    error: str | None = None  # a Reason
    architecture: list = field(default_factory=list)
    _call: object = field(default=None, repr=False)

    @property
    def available(self):
        return self._call is not None

    def probabilities(self, frames):
        """(n, 28, 28) frames in [0, 1] -> (n, 26) class probabilities."""
        return self._call(np.asarray(frames, dtype=np.float32).reshape(-1, *INPUT_SHAPE))

    def top(self, probabilities, k=5):
        """The k most likely letters of one probability row, most likely first."""
        order = np.argsort(-probabilities)[:k]
        return [{"letter": LETTERS[i], "probability": float(probabilities[i])} for i in order]

    def layers(self):
        """The architecture as rows for the stats page, as recorded in metrics.json at export."""
        return self.architecture


class LiteRTCall:
    """The flatbuffer run by LiteRT interpreters: one per thread (an interpreter is not
    thread-safe), each resized to the batch it is given."""

    def __init__(self, content):
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter_class = Interpreter
        self._content = content
        self._local = threading.local()
        interpreter = self._new_interpreter()  # fails here, at load, on a damaged file
        given, answer = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
        takes, gives = given["shape_signature"].tolist(), answer["shape_signature"].tolist()
        if tuple(takes[1:]) != INPUT_SHAPE or given["dtype"] != np.float32:
            raise ValueError(f"it takes {tuple(takes)} {given['dtype'].__name__}, "
                             f"not (n, {FRAME_SIZE}, {FRAME_SIZE}, 1) float32 frames")
        if tuple(gives[1:]) != (len(LETTERS),):
            raise ValueError(f"it predicts {tuple(gives[1:])} classes, not {len(LETTERS)}")
        self._input, self._output = given["index"], answer["index"]

    def _new_interpreter(self):
        interpreter = self._interpreter_class(model_content=self._content, num_threads=1)
        interpreter.allocate_tensors()
        return interpreter

    def __call__(self, x):
        if len(x) > BATCH_LIMIT:
            return np.concatenate([self(x[i : i + BATCH_LIMIT]) for i in range(0, len(x), BATCH_LIMIT)])
        local = self._local
        if not hasattr(local, "interpreter"):
            local.interpreter, local.batch = self._new_interpreter(), None
        if local.batch != len(x):
            local.interpreter.resize_tensor_input(self._input, x.shape, strict=True)
            local.interpreter.allocate_tensors()
            local.batch = len(x)
        local.interpreter.set_tensor(self._input, x)
        local.interpreter.invoke()
        return local.interpreter.get_tensor(self._output)


def _keras_call(path):
    """The Keras model's inference function, traced once (never model.predict per request)."""
    import keras
    import tensorflow as tf

    model = keras.models.load_model(path, compile=False)
    if tuple(model.output_shape[1:]) != (len(LETTERS),):
        raise ValueError(f"it predicts {model.output_shape[1:]} classes, not {len(LETTERS)}")
    call = tf.function(
        lambda x: model(x, training=False),
        input_signature=[tf.TensorSpec([None, *INPUT_SHAPE], tf.float32)],
    )
    call(np.zeros((1, *INPUT_SHAPE), np.float32))  # trace once, up front
    return lambda x: call(x).numpy()


def read_metrics(folder, name=METRICS_FILE):
    """metrics.json (or `name`) in folder as a dict ({} when absent or unreadable)."""
    try:
        metrics = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return metrics if isinstance(metrics, dict) else {}


def check_export(keras_path, metrics, metrics_file=METRICS_FILE):
    """The flatbuffer's bytes if it is the one exported from the .keras beside it; else Refused."""
    path = tflite_path(keras_path)
    if not path.is_file():
        raise Refused(N_("%(file)s is missing (write it with `%(command)s`)"), file=path.name, command=EXPORT_COMMAND)
    record = metrics.get(EXPORT_KEY)
    if not isinstance(record, dict) or not record.get("tflite_sha256"):
        raise Refused(N_("%(metrics)s records no fingerprint of %(file)s (re-export with `%(command)s`)"),
                      metrics=metrics_file, file=path.name, command=EXPORT_COMMAND)
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != record["tflite_sha256"]:
        raise Refused(N_("%(file)s is not the file exported for this model: its sha256 differs from the one "
                         "%(metrics)s records (re-export with `%(command)s`)"),
                      file=path.name, metrics=metrics_file, command=EXPORT_COMMAND)
    keras_path = Path(keras_path)
    if keras_path.is_file() and fingerprint(keras_path) != record.get("keras_sha256"):
        raise Refused(N_("%(file)s is stale: it was exported from another %(model)s (re-export with `%(command)s`)"),
                      file=path.name, model=keras_path.name, command=EXPORT_COMMAND)
    return content


def _litert(keras_path, metrics, make_call=None, metrics_file=METRICS_FILE):
    content = check_export(keras_path, metrics, metrics_file)
    try:
        return (make_call or LiteRTCall)(content)
    except ImportError:
        raise Refused(N_("the ai-edge-litert package is not installed (it has no wheel for some platforms)")) from None
    except Exception as exc:  # a damaged flatbuffer fails in LiteRT's own ways
        raise Refused(N_("%(file)s could not be loaded (%(problem)s)"), file=tflite_path(keras_path).name,
                      problem=str(exc)) from None


def litert_refusal(keras_path):
    """Why the LiteRT model beside keras_path cannot serve, or None when it can (TensorFlow-free)."""
    try:
        _litert(Path(keras_path), read_metrics(Path(keras_path).parent))
    except Refused as exc:
        return exc.reason
    return None


@dataclass
class Loaded:
    """What `load_runtime` found: a call and its runtime ("litert" or "keras") and why, or an error
    (both Reasons)."""

    runtime: str | None = None
    reason: str = ""
    error: str | None = None
    call: object = None


def load_runtime(keras_path, runtime, make_litert, make_keras, metrics_file=METRICS_FILE, train_command="training.train"):
    """A model's call, by LiteRT from the flatbuffer beside keras_path when its fingerprints in
    `metrics_file` match (`runtime` "auto" or "litert"), else by Keras (`make_keras(path)`); never raises."""
    keras_path = Path(keras_path)
    if runtime not in RUNTIMES:
        return Loaded(error=Reason(N_("Unknown model runtime %(runtime)s: choose one of %(runtimes)s."),
                                   runtime=repr(runtime), runtimes=", ".join(RUNTIMES)))
    refused = None
    if runtime != "keras":
        try:
            call = _litert(keras_path, read_metrics(keras_path.parent, metrics_file), make_litert, metrics_file)
        except Refused as exc:
            refused = exc.reason
            log.warning("LiteRT model refused: %s", refused)
            if runtime == "litert":
                return Loaded(error=Reason(N_("The LiteRT model cannot serve: %(reason)s."), reason=refused))
        else:
            reason = Reason(N_("%(file)s matches the fingerprint of %(model)s in %(metrics)s"),
                            file=tflite_path(keras_path).name, model=keras_path.name, metrics=metrics_file)
            log.info("Serving with LiteRT: %s", reason)
            return Loaded("litert", reason, call=call)

    if not keras_path.is_file():
        return Loaded(error=Reason(N_("The model file %(model)s is missing. Train one with `%(command)s` "
                                      "(see the README)."), model=keras_path.name, command=f"python -m {train_command}"))
    try:
        call = make_keras(keras_path)
    except Exception as exc:  # a corrupt or foreign file must not stop the app
        return Loaded(error=Reason(N_("The model file %(model)s could not be loaded (%(problem)s). Retrain with "
                                      "`%(command)s`."), model=keras_path.name, problem=str(exc),
                                   command=f"python -m {train_command}"))
    reason = (Reason(N_("the Keras runtime was asked for")) if refused is None
              else Reason(N_("LiteRT refused: %(reason)s"), reason=refused))
    log.info("Serving with Keras: %s", reason)
    return Loaded("keras", reason, call=call)


def load(keras_path, runtime="auto"):
    """Load the model at keras_path (its .tflite beside it, per `runtime`); never raises."""
    metrics = read_metrics(Path(keras_path).parent)
    architecture = metrics.get(ARCHITECTURE_KEY) if isinstance(metrics.get(ARCHITECTURE_KEY), list) else []
    loaded = load_runtime(keras_path, runtime, LiteRTCall, _keras_call)
    if loaded.error:
        return LetterModel(error=loaded.error)
    return LetterModel(loaded.runtime, loaded.reason, architecture=architecture, _call=loaded.call)
