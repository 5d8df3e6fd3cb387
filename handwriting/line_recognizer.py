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
from handwriting.alphabet import BLANK, CHARACTERS, CODE, NUM_CODES, decode
from handwriting.ctc_decode import BEAM, beam_search, dictionary
from handwriting.frame import INK_THRESHOLD
from handwriting.language import NONE
from handwriting.line_image import LINE_HEIGHT, WIDTH_STEP, line_input
from handwriting.transcript import Character, Word

LINE_MODEL_FILE = "line_crnn.keras"
LINE_METRICS_FILE = "line_metrics.json"
TOP = 3  # guesses kept per character
MIN_SHARE = 0.01  # a reading of a word less likely than this is not offered, unless it is the raw one
_SPACE = CODE[" "]


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

    def __init__(self, model, beam=BEAM):
        self.model = model  # a LineModel
        self.beam = beam

    def read(self, lines, language=NONE):
        """The Words of each found line (handwriting.lines.PageLine), decoded with the dictionary of
        `language` ("none": as the model reads them)."""
        words = dictionary(language) if language != NONE else None
        return [self.read_line(line, words) for line in lines]

    def read_line(self, line, words=None):
        """The Words of one found line, with boxes in the straightened page's pixels."""
        prepared = line_input(line.ink)
        if prepared is None:
            return []
        log_probabilities = self.model.log_probabilities(prepared.pixels)
        raw = greedy_codes(log_probabilities)
        raw_words = _words(raw, _character_bounds(raw, len(log_probabilities)))
        hypotheses = beam_search(log_probabilities, words, beam=self.beam) if words else []
        if hypotheses:
            best = hypotheses[0]
            spans = [(CODE[c], first, last) for c, (first, last) in zip(best.text, best.spans)]
            chosen = _words(spans, _character_bounds(spans, len(log_probabilities)))
        else:
            chosen = raw_words
        return [self._word(line, prepared, log_probabilities, word, raw_words, hypotheses, words) for word in chosen]

    def _word(self, line, prepared, log_probabilities, spikes, raw_words, hypotheses, words):
        characters = []
        for code, first, last, left, right in spikes:
            peak = first + int(np.argmax(log_probabilities[first : last + 1, code]))
            box = _ink_box(line, prepared.ink_x(left * WIDTH_STEP), prepared.ink_x(right * WIDTH_STEP))
            characters.append(Character(box, _guesses(log_probabilities[peak], code)))
        text = "".join(character.text for character in characters)
        left, right = spikes[0][3], spikes[-1][4]
        raw = _text_between(raw_words, left, right)
        box = _ink_box(line, prepared.ink_x(left * WIDTH_STEP), prepared.ink_x(right * WIDTH_STEP))
        return Word(characters, raw, _options(text, raw, left, right, hypotheses, words), box)


def _words(spans, bounds):
    """Characters (code, first, last, left bound, right bound) grouped into words at spaces."""
    words, current = [], []
    for (code, first, last), (left, right) in zip(spans, bounds):
        if code == _SPACE:
            words.append(current)
            current = []
        else:
            current.append((code, first, last, left, right))
    return [word for word in [*words, current] if word]


def _text_between(words, left, right):
    """The words (as from `_words`) emitted between output columns left and right, joined by spaces."""
    inside = ["".join(CHARACTERS[c[0] - 1] for c in word if left <= (c[1] + c[2]) / 2 < right) for word in words]
    return " ".join(text for text in inside if text)


def _options(text, raw, left, right, hypotheses, words):
    """The readings of one word the beam weighed (the text each hypothesis has between the word's
    columns), with their shares of the hypotheses' probability, best first; [] without a dictionary."""
    if not hypotheses:
        return []
    scores = np.array([h.score for h in hypotheses])
    weights = np.exp(scores - scores.max())
    shares = {}
    for hypothesis, weight in zip(hypotheses, weights / weights.sum()):
        codes = [(CODE[c], first, last) for c, (first, last) in zip(hypothesis.text, hypothesis.spans)]
        option = _text_between(_words(codes, [(0, 0)] * len(codes)), left, right)
        if option:
            shares[option] = shares.get(option, 0.0) + float(weight)
    shares.setdefault(text, 0.0)
    shares.setdefault(raw, 0.0)
    ranked = sorted(shares.items(), key=lambda item: (item[0] != text, -item[1]))
    return [{"text": option, "share": share, "word": words.known(option)} for option, share in ranked
            if share >= MIN_SHARE or option in (text, raw)]


def _character_bounds(spans, columns):
    """Each character's (left, right) output columns: from halfway after the previous character to
    halfway before the next (CTC marks a character in one or two columns, not its whole width)."""
    edges = [0.0] + [(a[2] + 1 + b[1]) / 2 for a, b in zip(spans, spans[1:])] + [float(columns)]
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


def _guesses(log_probabilities, chosen):
    """The character `chosen` in a column, then the column's next most likely ones (blank left out)."""
    others = [code for code in np.argsort(-log_probabilities) if code not in (BLANK, chosen)][: TOP - 1]
    return [{"letter": CHARACTERS[code - 1], "probability": float(np.exp(log_probabilities[code]))}
            for code in [chosen, *others]]
