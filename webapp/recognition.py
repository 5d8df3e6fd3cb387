"""Recognise the letter, or the page of letters, in a picture: one path for canvas drawings,
uploads and the API."""

import base64
import io
import math
from dataclasses import dataclass, replace

import numpy as np
from flask_babel import gettext as _
from PIL import Image

from handwriting.diacritics import drop_diacritics
from handwriting.frame import ink_to_frame
from handwriting.ink import grey_to_frame, grey_to_ink, to_grey
from handwriting.labels import LETTERS
from handwriting.language import LANGUAGES, NONE, PRIOR, decode, is_text, lexicon, shares
from handwriting.lines import find_lines
from handwriting.segment import MAX_LETTERS, TooManyLetters, segment
from webapp.input_errors import MalformedRequest

PREVIEW_SIDE = 280
READ_SIDE = 1600  # a page of letters is analysed at most this large
READ_TOP = 3  # guesses shown per letter of a line
READ_SPECK_FRACTION = 0.003  # on a page, only really tiny marks are specks; segment() judges the rest
READING_LANGUAGES = (*LANGUAGES, NONE)
MIN_SHARE = 0.01  # a decoder's option less likely than this is not shown, unless it is the raw reading


@dataclass
class Recognition:
    predictions: list  # [{"letter", "probability"}], most likely first; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    frame: np.ndarray | None  # the 28x28 frame the model saw; None when blank
    not_a_letter: str | None = None  # why it is not one letter (handwriting.letterness.REASONS)

    @property
    def blank(self):
        return self.frame is None

    @property
    def letter(self):
        """It holds one handwritten letter, as far as the detector can tell."""
        return not self.blank and self.not_a_letter is None


def recognize(image, model, detector=None, top=5):
    """Preprocess a Pillow image and ask the model; blank pictures are not guessed at. With a
    `detector` (handwriting.letterness), a picture that is not one letter says why."""
    grey = to_grey(image)
    frame = grey_to_frame(grey)
    if frame is None:
        return Recognition([], grey, None)
    probabilities = model.probabilities(frame[None])[0]
    reason = detector.judge(frame, probabilities) if detector else None
    return Recognition(model.top(probabilities, top), grey, frame, reason)


@dataclass
class ReadLetter:
    box: tuple  # (x, y, width, height) in the analysed (straightened) picture's pixels
    predictions: list  # the READ_TOP most likely letters, most likely first

    @property
    def letter(self):
        return self.predictions[0]["letter"]


@dataclass
class ReadWord:
    letters: list  # ReadLetters of the reading chosen, left to right
    raw: str  # the word read letter by letter
    options: list  # [{"text", "share", "word"}] the decoder weighed, best first; [] without a language

    @property
    def text(self):
        return self.options[0]["text"] if self.options else self.raw

    @property
    def box(self):
        return box_around([letter.box for letter in self.letters])


@dataclass
class ReadLine:
    words: list  # ReadWords, left to right
    paragraph: bool  # it starts a paragraph

    @property
    def box(self):
        return box_around([word.box for word in self.words])


@dataclass
class Reading:
    """A page read line by line; boxes are in the pixels of the straightened page, which
    `analysed_box` turns into `grey`'s and `picture_box` into the sent picture's."""

    lines: list  # ReadLines, top to bottom; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    scale: tuple  # (x, y) pixels of the sent (upright) picture per pixel of `grey`
    language: str  # the dictionary used, or "none"
    straightening: object = None  # handwriting.lines.Straightening, when the page was turned level

    @property
    def blank(self):
        return not self.lines

    @property
    def words(self):
        return [word for line in self.lines for word in line.words]

    @property
    def letters(self):
        return [letter for word in self.words for letter in word.letters]

    @property
    def text(self):
        return self._joined(lambda word: word.text)

    @property
    def raw_text(self):
        return self._joined(lambda word: word.raw)

    def _joined(self, text_of):
        """Words joined by spaces, lines by line breaks, paragraphs by an empty line."""
        lines = [("\n" if line.paragraph and n else "") + " ".join(map(text_of, line.words))
                 for n, line in enumerate(self.lines)]
        return "\n".join(lines)

    def analysed_box(self, box):
        """An (x, y, w, h) box of the straightened page, in the pixels of `grey` (turned back)."""
        return box if self.straightening is None else self.straightening.to_page(box)

    def picture_box(self, box):
        """An (x, y, w, h) box of the straightened page, in the sent picture's pixels."""
        (sx, sy), (x, y, w, h) = self.scale, self.analysed_box(box)
        left, top = max(0, math.floor(x * sx)), max(0, math.floor(y * sy))
        return [left, top, math.ceil((x + w) * sx) - left, math.ceil((y + h) * sy) - top]

    def as_json(self):
        """The API's answer: the text and the raw text; lines of words of letters with their boxes
        and guesses; and, as before lines, every letter and every word of the page."""
        letter_json = [{"box": self.picture_box(letter.box), "predictions": letter.predictions}
                       for letter in self.letters]
        words_json, n = [], 0
        for word in self.words:
            words_json.append({"text": word.text, "raw_text": word.raw, "box": self.picture_box(word.box),
                               "alternatives": word.options, "letters": letter_json[n : n + len(word.letters)]})
            n += len(word.letters)
        lines_json, n = [], 0
        for line in self.lines:
            lines_json.append({"text": " ".join(word.text for word in line.words), "paragraph": line.paragraph,
                               "box": self.picture_box(line.box), "words": words_json[n : n + len(line.words)]})
            n += len(line.words)
        return {
            "text": self.text,
            "raw_text": self.raw_text,
            "language": self.language,
            "blank": self.blank,
            "lines": lines_json,
            "words": [{"text": word["text"], "box": word["box"]} for word in words_json],
            "letters": letter_json,
        }


def reading_language(value, default):
    """The dictionary asked for ("en", "es" or "none"), `default` when none is named."""
    if not value:
        return default
    if value not in READING_LANGUAGES:
        raise MalformedRequest(_("Unknown language %(language)s: choose one of %(choices)s.",
                                 language=value, choices=", ".join(READING_LANGUAGES)))
    return value


@dataclass
class Scan:
    """What a page shows before any language: its lines cut into candidate letters, and the letter
    probabilities of every candidate."""

    lines: list  # (handwriting.lines.PageLine, handwriting.segment.Line, probabilities) per line
    grey: np.ndarray  # the picture as analysed
    scale: tuple
    straightening: object


def read_page(image, model, language=NONE, max_letters=MAX_LETTERS, prior=PRIOR):
    """Read a Pillow image of handwriting: its lines, top to bottom, cut into words and letters,
    each word decoded with the dictionary of `language` ("none": letter by letter) weighed by `prior`.
    Raises TooManyLetters past `max_letters`."""
    return decode_scan(scan_page(image, model, max_letters), model, language, prior)


def scan_page(image, model, max_letters=MAX_LETTERS):
    """The lines and candidate letters of a page; every candidate is recognised in one model call."""
    grey = to_grey(image, max_side=READ_SIDE)
    page = find_lines(grey_to_ink(grey, READ_SPECK_FRACTION), max_letters)
    segmented = [segment(line.ink, max_letters) for line in page.lines]
    count = sum(len(line.cuts) for line in segmented)
    if count > max_letters:
        raise TooManyLetters(f"{count} letters", max_letters)
    candidates = [candidate for line in segmented for candidate in line.candidates]
    scan = Scan([], grey, _scale(image, grey), page.straightening)
    if candidates:
        probabilities = model.probabilities(np.stack([ink_to_frame(drop_diacritics(candidate.ink)) for candidate in candidates]))
        ends = np.cumsum([len(line.candidates) for line in segmented])
        scan.lines = list(zip(page.lines, segmented, np.split(probabilities, ends[:-1])))
    return scan


def decode_scan(scan, model, language=NONE, prior=PRIOR):
    """The Reading of a scanned page with the dictionary of `language` weighed by `prior` (or by
    nothing, when the page does not read as text of that language)."""
    cut = [(page_line, line, probabilities, line.read(probabilities.max(axis=1)))
           for page_line, line, probabilities in scan.lines]
    words = lexicon(language, prior.vocabulary) if language != NONE else None
    raw = ["".join(LETTERS[int(np.argmax(p[k]))] for k in word) for _, _, p, chosen in cut for word in chosen]
    if words is not None and not is_text(raw, words, prior):
        prior = replace(prior, weight=0.0)
    lines = [ReadLine(_read_words(line, probabilities, chosen, page_line.top, model, words, prior), page_line.paragraph)
             for page_line, line, probabilities, chosen in cut]
    return Reading(lines, scan.grey, scan.scale, language, scan.straightening)


def _scale(image, grey):
    """(x, y) pixels of the sent picture, turned upright, per analysed pixel."""
    width, height = image.size
    if (width > height) != (grey.shape[1] > grey.shape[0]):
        width, height = height, width  # to_grey turned it upright (EXIF orientation)
    return (width / grey.shape[1], height / grey.shape[0])


def _read_words(line, probabilities, chosen, top, model, words_of_language, prior):
    """The words of one segmented line read as `chosen` letter by letter (`top`: the line's first
    row on the page), decoded with `words_of_language` (a Lexicon, or None for letter by letter)."""
    confidence = probabilities.max(axis=1)
    log_probabilities = np.log(np.maximum(probabilities, 1e-12))
    words = []
    for word in chosen:
        raw = "".join(LETTERS[int(np.argmax(probabilities[k]))] for k in word)
        options, path = [], word
        if words_of_language is not None:
            first, end = line.spans[word[0]][0], line.spans[word[-1]][1]
            decoded = decode(line.paths(first, end, confidence), log_probabilities, words_of_language, prior)
            options = [{"text": o.text, "share": float(share), "word": o.word}
                       for o, share in zip(decoded, shares(decoded)) if share >= MIN_SHARE or o.text == raw]
            path = decoded[0].path
        letters = [ReadLetter(_shifted(line.candidates[k].box, top), model.top(probabilities[k], READ_TOP))
                   for k in path]
        words.append(ReadWord(letters, raw, options))
    return words


def _shifted(box, top):
    x, y, w, h = box
    return (x, y + top, w, h)


def box_around(boxes):
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
