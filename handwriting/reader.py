"""Read a picture of a handwritten page into a Transcript, in plain stages:

    clean_photo → to_grey → grey_to_ink → find_lines → a recognizer per line → Words → Transcript

A phone photo of a sheet is flattened, its light evened and turned upright first
(`handwriting.photo`); its boxes are then in the flattened page's pixels.

Two recognizers read lines: the letter recognizer (separate print-style letters cut apart and
read by the letter CNN) and the line recognizer (a whole line at once, joined writing too).
`reader="auto"` chooses per line (`sure_letter_scans`); "letters" or "lines" forces one.
"""

from dataclasses import dataclass

import numpy as np

from handwriting.ink import grey_to_ink, sent_size, to_grey
from handwriting.language import NONE
from handwriting.lines import find_lines
from handwriting.photo import clean_photo
from handwriting.segment import MAX_LETTERS, TooManyLetters
from handwriting.transcript import TextLine, Transcript

READ_SIDE = 1600  # a page is analysed at most this large
# On a page, only the tiniest marks are specks: the fraction is of the largest piece, which on ruled
# paper is a rule joined to words, and a larger one drops accents, i-dots and commas; find_lines
# leaves specks far from any ink out of every line.
SPECK_FRACTION = 0.0005
READERS = ("auto", "letters", "lines")
# auto: a line goes to the letter recognizer when the letter CNN reads its cut letters at least this
# surely on average (separate print letters), else to the line recognizer. Chosen with
# `python -m benchmarks.lines --route` on training data only (the README gives the figures).
LETTERS_CONFIDENCE = 0.8


class NoReader(LookupError):
    """The reader asked for has no model loaded."""


@dataclass
class Readers:
    """The recognizers a page may be read with (None where a model is missing)."""

    letters: object = None  # handwriting.letter_recognizer.LetterRecognizer
    lines: object = None  # handwriting.line_recognizer.LineRecognizer

    def available(self, reader):
        if reader == "auto":
            return self.letters is not None or self.lines is not None
        return getattr(self, reader) is not None


@dataclass
class FoundPage:
    """A picture cut into lines, before any recognizer: the stage between finding and reading."""

    grey: np.ndarray  # the picture as analysed (grey, upright)
    page: object  # handwriting.lines.Page: the straightened ink and its lines
    scale: tuple  # (x, y) pixels of the sent (upright) picture per analysed pixel
    flattened: object = None  # the cleaned page (a Pillow image) when the picture was a photo of a sheet

    @property
    def lines(self):
        return self.page.lines

    def transcript(self, words, readers, language):
        """The Transcript of the lines read as `words` (one list per line) by `readers` (their names)."""
        lines = [TextLine(w, line.paragraph, reader, line.picture)
                 for line, w, reader in zip(self.lines, words, readers) if w]
        return Transcript(lines, self.grey, self.scale, language, self.page.straightening, self.flattened)


def find_page_lines(image):
    """The lines of a Pillow image of handwriting (a FoundPage)."""
    cleaned = clean_photo(image)
    grey = to_grey(cleaned.image, max_side=READ_SIDE)
    return FoundPage(grey, find_lines(grey_to_ink(grey, SPECK_FRACTION), MAX_LETTERS), _scale(cleaned.image, grey),
                     cleaned.image if cleaned.changed else None)


def read_page(image, readers, language=NONE, reader="auto"):
    """Read a Pillow image of handwriting into a Transcript, each line by the recognizer `reader`
    names ("auto": chosen per line). Raises NoReader when that recognizer is missing, and
    TooManyLetters when the letter recognizer alone is asked to read more letters than it may."""
    if not readers.available(reader):
        raise NoReader(reader)
    found = find_page_lines(image)
    lines, read = found.lines, {}
    if reader == "lines" or readers.letters is None:
        scans = {}
    elif reader == "letters" or readers.lines is None:
        scans = dict(enumerate(readers.letters.scan(lines)))
    else:
        scans = sure_letter_scans(readers.letters, lines)
    if scans:
        words = readers.letters.decode(list(scans.values()), language)
        read.update({n: (w, readers.letters.name) for n, w in zip(scans, words)})
    rest = [n for n in range(len(lines)) if n not in scans]
    if rest:
        words = readers.lines.read([lines[n] for n in rest], language)
        read.update({n: (w, readers.lines.name) for n, w in zip(rest, words)})
    words, names = zip(*(read[n] for n in range(len(lines)))) if lines else ((), ())
    return found.transcript(words, names, language)


def sure_letter_scans(letters, lines, at_least=LETTERS_CONFIDENCE):
    """{line number: LetterScan} of the lines the letter recognizer reads surely: cut into few
    enough letters, each read at least `at_least` surely on average."""
    scans = {}
    for n, line in enumerate(lines):
        try:
            (scan,) = letters.scan([line])
        except TooManyLetters:
            continue
        if scan.confidence() >= at_least:
            scans[n] = scan
    return scans


def _scale(image, grey):
    """(x, y) pixels of the sent picture, turned upright, per analysed pixel."""
    width, height = sent_size(image)
    if (width > height) != (grey.shape[1] > grey.shape[0]):
        width, height = height, width  # to_grey turned it upright (EXIF orientation)
    return (width / grey.shape[1], height / grey.shape[0])
