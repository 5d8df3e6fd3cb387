"""The line recognizer: a whole text line read at once by a CNN-BiLSTM trained with CTC
(`training.train_lines`), served by LiteRT (or Keras), decoded in NumPy.

`python -m training.line_export` writes `line_crnn.tflite` beside `line_crnn.keras` and records the
fingerprints of both in `line_metrics.json`; the flatbuffer serves only when they match, as the
letter model's does (`handwriting.classifier`). The model gives per-column log-probabilities over
CTC's blank and `handwriting.alphabet.CHARACTERS`; each character's columns give its box.
"""

import threading
from dataclasses import dataclass, field

import numpy as np

from handwriting import classifier
from handwriting.alphabet import BLANK, CHARACTERS, NUM_CODES, decode
from handwriting.frame import INK_THRESHOLD
from handwriting.line_image import LINE_HEIGHT, WIDTH_STEP, line_input
from handwriting.transcript import Character, Word

LINE_MODEL_FILE = "line_crnn.keras"
LINE_METRICS_FILE = "line_metrics.json"
TOP = 3  # guesses kept per character


def greedy_codes(scores):
    """Best-path CTC decoding of (columns, codes) scores: the most likely code of each column,
    repeats merged, blanks dropped, as (code, first column, last column) triples."""
    best = np.argmax(scores, axis=-1)
    out = []
    for column, code in enumerate(best):
        if code != BLANK and (column == 0 or best[column - 1] != code):
            out.append([int(code), column, column])
        elif code != BLANK:
            out[-1][2] = column
    return [tuple(item) for item in out]


def greedy_text(scores):
    """The text of best-path CTC decoding."""
    return decode(code for code, _, _ in greedy_codes(scores))


class LiteRTLineCall:
    """The flatbuffer run by one LiteRT interpreter per thread, resized to each line's width."""

    def __init__(self, content):
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter_class, self._content = Interpreter, content
        self._local = threading.local()
        interpreter = self._interpreter()  # fails here, at load, on a damaged file
        given, answer = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
        takes, gives = given["shape_signature"].tolist(), answer["shape_signature"].tolist()
        if takes[1] != LINE_HEIGHT or gives[-1] != NUM_CODES:
            raise ValueError(f"it takes {tuple(takes)} and gives {tuple(gives)}, not lines {LINE_HEIGHT} px "
                             f"high and {NUM_CODES} codes")
        self._input, self._output = given["index"], answer["index"]

    def _interpreter(self):
        interpreter = self._interpreter_class(model_content=self._content, num_threads=1)
        interpreter.allocate_tensors()
        return interpreter

    def __call__(self, pixels):
        local = self._local
        if not hasattr(local, "interpreter"):
            local.interpreter, local.width = self._interpreter(), None
        x = pixels[None, :, :, None].astype(np.float32)
        if local.width != x.shape[2]:
            local.interpreter.resize_tensor_input(self._input, x.shape, strict=False)
            local.interpreter.allocate_tensors()
            local.width = x.shape[2]
        local.interpreter.set_tensor(self._input, x)
        local.interpreter.invoke()
        return local.interpreter.get_tensor(self._output)[0]


def _keras_line_call(path):
    """The Keras model's log-probabilities, traced once for any width."""
    import keras
    import tensorflow as tf

    model = keras.models.load_model(path, compile=False)
    call = tf.function(lambda x: tf.nn.log_softmax(model(x, training=False)),
                       input_signature=[tf.TensorSpec([1, LINE_HEIGHT, None, 1], tf.float32)])
    return lambda pixels: call(pixels[None, :, :, None].astype(np.float32)).numpy()[0]


@dataclass
class LineModel:
    """A loaded line model (`runtime` "litert" or "keras", and why), or why there is none (`error`)."""

    runtime: str | None = None
    runtime_reason: str = ""
    error: str | None = None
    _call: object = field(default=None, repr=False)

    @property
    def available(self):
        return self._call is not None

    def log_probabilities(self, pixels):
        """(LINE_HEIGHT, width) line input -> (width / WIDTH_STEP, NUM_CODES) log-probabilities."""
        return self._call(pixels)


def load_line_model(keras_path, runtime="auto"):
    """The line model at keras_path (its .tflite beside it, per `runtime`); never raises."""
    loaded = classifier.load_runtime(keras_path, runtime, LiteRTLineCall, _keras_line_call,
                                     LINE_METRICS_FILE, "training.train_lines")
    return LineModel(loaded.runtime, loaded.reason, loaded.error, loaded.call)


class LineRecognizer:
    name = "lines"

    def __init__(self, model):
        self.model = model  # a LineModel

    def read(self, lines, language="none"):
        """The Words of each found line (handwriting.lines.PageLine)."""
        return [self.read_line(line) for line in lines]

    def read_line(self, line):
        """The Words of one found line, with boxes in the straightened page's pixels."""
        prepared = line_input(line.ink)
        if prepared is None:
            return []
        log_probabilities = self.model.log_probabilities(prepared.pixels)
        spikes = greedy_codes(log_probabilities)
        bounds = _character_bounds(spikes, len(log_probabilities))
        words, current = [], []
        for (code, first, last), (left, right) in zip(spikes, bounds):
            if CHARACTERS[code - 1] == " ":
                words.append(current)
                current = []
            else:
                current.append((code, first, last, left, right))
        words.append(current)
        return [self._word(line, prepared, log_probabilities, word) for word in words if word]

    def _word(self, line, prepared, log_probabilities, spikes):
        characters = []
        for code, first, last, left, right in spikes:
            peak = first + int(np.argmax(log_probabilities[first : last + 1, code]))
            box = _ink_box(line, prepared.ink_x(left * WIDTH_STEP), prepared.ink_x(right * WIDTH_STEP))
            characters.append(Character(box, _top(log_probabilities[peak])))
        text = "".join(character.text for character in characters)
        return Word(characters, text, [])


def _character_bounds(spikes, columns):
    """Each character's (left, right) output columns: from halfway after the previous character to
    halfway before the next (CTC marks a character in one or two columns, not its whole width)."""
    edges = [0.0] + [(a[2] + 1 + b[1]) / 2 for a, b in zip(spikes, spikes[1:])] + [float(columns)]
    return list(zip(edges, edges[1:]))


def _ink_box(line, x0, x1):
    """The (x, y, w, h) page box around a found line's ink between page columns x0 and x1."""
    height, width = line.ink.shape
    left, right = int(np.clip(np.floor(x0), 0, width - 1)), int(np.clip(np.ceil(x1), 1, width))
    right = max(right, left + 1)
    inked = line.ink[:, left:right] > INK_THRESHOLD * max(float(line.ink.max()), 1e-6)
    rows = np.flatnonzero(inked.any(axis=1))
    top, bottom = (rows[0], rows[-1] + 1) if rows.size else (0, height)
    return (left, line.top + int(top), right - left, int(bottom - top))


def _top(log_probabilities):
    order = [code for code in np.argsort(-log_probabilities) if code != BLANK][:TOP]
    return [{"letter": CHARACTERS[code - 1], "probability": float(np.exp(log_probabilities[code]))} for code in order]
