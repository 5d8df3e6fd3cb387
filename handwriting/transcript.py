"""What reading a page gives: a Transcript of TextLines of Words of Characters, each with its box.

Boxes are (x, y, width, height) in the pixels of the straightened page the lines were found on;
`Transcript.analysed_box` turns them into the pixels of the analysed picture (`grey`), and
`Transcript.picture_box` into those of the picture that was sent.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Character:
    box: tuple
    predictions: list  # [{"letter", "probability"}]: the recognizer's best guesses, most likely first

    @property
    def text(self):
        return self.predictions[0]["letter"]


@dataclass
class Word:
    characters: list  # Characters of the reading chosen, left to right
    raw: str  # the word as the recognizer read it, without a dictionary
    options: list  # [{"text", "share", "word"}] the decoder weighed, best first; [] without a language
    box: tuple | None = None  # when None, the box around the characters

    def __post_init__(self):
        if self.box is None:
            self.box = box_around([character.box for character in self.characters])

    @property
    def text(self):
        return self.options[0]["text"] if self.options else self.raw


@dataclass
class TextLine:
    words: list  # Words, left to right
    paragraph: bool  # it starts a paragraph
    reader: str  # the recognizer that read it ("letters" or "lines")
    picture: np.ndarray | None = None  # the line as cut from the page (handwriting.lines.PageLine.picture)

    @property
    def box(self):
        return box_around([word.box for word in self.words])

    @property
    def text(self):
        return " ".join(word.text for word in self.words)

    @property
    def raw_text(self):
        return " ".join(word.raw for word in self.words)


@dataclass
class Transcript:
    """A page read line by line, top to bottom."""

    lines: list  # TextLines; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    scale: tuple  # (x, y) pixels of the sent (upright) picture per pixel of `grey`
    language: str  # the dictionary used, or "none"
    straightening: object = None  # handwriting.lines.Straightening, when the page was turned level
    flattened: object = None  # the cleaned page (a Pillow image) whose pixels boxes are in, for a photo

    @property
    def blank(self):
        return not self.lines

    @property
    def words(self):
        return [word for line in self.lines for word in line.words]

    @property
    def characters(self):
        return [character for word in self.words for character in word.characters]

    @property
    def text(self):
        return self._joined([line.text for line in self.lines])

    @property
    def raw_text(self):
        return self._joined([line.raw_text for line in self.lines])

    def _joined(self, texts):
        """Lines joined by line breaks, paragraphs by an empty line."""
        return "\n".join(("\n" if line.paragraph and n else "") + text
                         for n, (line, text) in enumerate(zip(self.lines, texts)))

    @property
    def picture_size(self):
        """(width, height) of the sent picture, upright."""
        (sx, sy), (height, width) = self.scale, self.grey.shape
        return (round(width * sx), round(height * sy))

    def analysed_box(self, box):
        """An (x, y, w, h) box of the straightened page, in the pixels of `grey` (turned back)."""
        return box if self.straightening is None else self.straightening.to_page(box)

    def picture_box(self, box):
        """An (x, y, w, h) box of the straightened page, in the sent picture's pixels."""
        (sx, sy), (x, y, w, h) = self.scale, self.analysed_box(box)
        left, top = max(0, math.floor(x * sx)), max(0, math.floor(y * sy))
        return [left, top, math.ceil((x + w) * sx) - left, math.ceil((y + h) * sy) - top]


def box_around(boxes):
    """The (x, y, w, h) box around (x, y, w, h) boxes."""
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)
