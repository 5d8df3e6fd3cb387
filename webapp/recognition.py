"""Recognise the letter, or the line of letters, in a picture: one path for canvas drawings,
uploads and the API."""

import base64
import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from handwriting.frame import ink_to_frame
from handwriting.ink import grey_to_frame, grey_to_ink, to_grey
from handwriting.segment import MAX_LETTERS, segment

PREVIEW_SIDE = 280
READ_SIDE = 1600  # a line of letters is analysed at most this large
READ_TOP = 3  # guesses shown per letter of a line
READ_SPECK_FRACTION = 0.003  # on a line, only really tiny marks are specks; segment() judges the rest


@dataclass
class Recognition:
    predictions: list  # [{"letter", "probability"}], most likely first; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    frame: np.ndarray | None  # the 28x28 frame the model saw; None when blank

    @property
    def blank(self):
        return self.frame is None


def recognize(image, model, top=5):
    """Preprocess a Pillow image and ask the model; blank pictures are not guessed at."""
    grey = to_grey(image)
    frame = grey_to_frame(grey)
    if frame is None:
        return Recognition([], grey, None)
    return Recognition(model.top(model.probabilities(frame[None])[0], top), grey, frame)


@dataclass
class ReadLetter:
    box: tuple  # (x, y, width, height) in the analysed picture's pixels
    predictions: list  # the READ_TOP most likely letters, most likely first

    @property
    def letter(self):
        return self.predictions[0]["letter"]


@dataclass
class Reading:
    """A line read letter by letter; `scale` turns analysed pixels into the sent picture's."""

    words: list  # lists of ReadLetter, left to right; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    scale: tuple  # (x, y) pixels of the sent (upright) picture per analysed pixel

    @property
    def blank(self):
        return not self.words

    @property
    def letters(self):
        return [letter for word in self.words for letter in word]

    @property
    def text(self):
        return " ".join("".join(letter.letter for letter in word) for word in self.words)

    def picture_box(self, box):
        """An (x, y, w, h) box of the analysed picture, in the sent picture's pixels."""
        (sx, sy), (x, y, w, h) = self.scale, box
        left, top = math.floor(x * sx), math.floor(y * sy)
        return [left, top, math.ceil((x + w) * sx) - left, math.ceil((y + h) * sy) - top]

    def as_json(self):
        """The API's answer: the text, each letter's box and guesses, each word's text and box."""
        return {
            "text": self.text,
            "letters": [{"box": self.picture_box(letter.box), "predictions": letter.predictions}
                        for letter in self.letters],
            "words": [{"text": "".join(letter.letter for letter in word),
                       "box": self.picture_box(_union([letter.box for letter in word]))}
                      for word in self.words],
            "blank": self.blank,
        }


def read_line(image, model, max_letters=MAX_LETTERS):
    """Cut a Pillow image into words and letters; every candidate letter is recognised in one model
    call, and the most likely reading is kept. Raises TooManyLetters past `max_letters`."""
    grey = to_grey(image, max_side=READ_SIDE)
    line = segment(grey_to_ink(grey, READ_SPECK_FRACTION), max_letters)
    width, height = image.size
    if (width > height) != (grey.shape[1] > grey.shape[0]):
        width, height = height, width  # to_grey turned it upright (EXIF orientation)
    scale = (width / grey.shape[1], height / grey.shape[0])
    if not line.candidates:
        return Reading([], grey, scale)
    probabilities = model.probabilities(np.stack([ink_to_frame(letter.ink) for letter in line.candidates]))
    words = [[ReadLetter(line.candidates[k].box, model.top(probabilities[k], READ_TOP)) for k in word]
             for word in line.read(probabilities.max(axis=1))]
    return Reading(words, grey, scale)


def _union(boxes):
    """The (x, y, w, h) box around (x, y, w, h) boxes."""
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)


def png_data_url(array, max_side=None):
    """A float [0, 1] grey (or RGB) array as a data: URL PNG (shrunk to max_side if given)."""
    image = Image.fromarray(np.uint8(np.clip(array, 0, 1) * 255))
    if max_side:
        image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
