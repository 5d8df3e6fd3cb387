"""What the web app adds to the reader (`handwriting`): the language and reader asked for, the
JSON shape of a Transcript, and pictures as data: URLs."""

import base64
import io
from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _
from PIL import Image

from handwriting import output
from handwriting.language import LANGUAGES, NONE
from handwriting.output import FORMATS
from handwriting.reader import READ_SIDE, READERS, read_page
from webapp.images import sent_pages
from webapp.input_errors import MalformedRequest
from webapp.model import readers

PREVIEW_SIDE = 280
PNG_URL_PREFIX = "data:image/png;base64,"
READING_LANGUAGES = (*LANGUAGES, NONE)


def reading_language(value, default):
    """The dictionary asked for ("en", "es", "fr" or "none"), `default` when none is named."""
    return _choice(value, default, READING_LANGUAGES,
                   lambda choices: _("Unknown language %(language)s: choose one of %(choices)s.",
                                     language=value, choices=choices))


def reader_choice(value):
    """The recognizer asked for ("auto", "letters" or "lines"), "auto" when none is named."""
    return _choice(value, READERS[0], READERS,
                   lambda choices: _("Unknown reader %(reader)s: choose one of %(choices)s.",
                                     reader=value, choices=choices))


def output_format(value):
    """The format asked for (a key of handwriting.output.FORMATS), "json" when none is named."""
    return _choice(value, "json", tuple(FORMATS),
                   lambda choices: _("Unknown format %(format)s: choose one of %(choices)s.",
                                     format=value, choices=choices))


def _choice(value, default, choices, message):
    if not value:
        return default
    if value not in choices:
        raise MalformedRequest(message(", ".join(choices)))
    return value


def transcript_json(transcript):
    """The API's answer: the text and the raw text; lines of words of characters ("letters") with
    their boxes and guesses; and, as before lines, every letter and every word of the page."""
    box = transcript.picture_box
    letters = [{"box": box(c.box), "predictions": c.predictions} for c in transcript.characters]
    words, n = [], 0
    for word in transcript.words:
        words.append({"text": word.text, "raw_text": word.raw, "box": box(word.box),
                      "alternatives": word.options, "letters": letters[n : n + len(word.characters)]})
        n += len(word.characters)
    lines, n = [], 0
    for line in transcript.lines:
        lines.append({"text": line.text, "paragraph": line.paragraph, "reader": line.reader,
                      "box": box(line.box), "words": words[n : n + len(line.words)]})
        n += len(line.words)
    return {
        "text": transcript.text,
        "raw_text": transcript.raw_text,
        "language": transcript.language,
        "blank": transcript.blank,
        "lines": lines,
        "words": [{"text": word["text"], "box": word["box"]} for word in words],
        "letters": letters,
    }


@dataclass(frozen=True)
class FailedPage:
    """A page of a document that could not be read (a background job keeps the others): why."""

    error: str
    code: str
    text = raw_text = ""

    def json(self):
        return {"text": "", "raw_text": "", "failed": True, "error": self.error, "code": self.code}


def document_json(transcripts):
    """The API's answer for the pages of one document: a single page as `transcript_json`; several
    (a PDF) as their text and raw text, pages separated by a form feed, and `pages`, each page's
    `transcript_json` (a `FailedPage` as its `json()`)."""
    if len(transcripts) == 1:
        return transcript_json(transcripts[0])
    read = [t for t in transcripts if not isinstance(t, FailedPage)]
    return {"text": "\f".join(t.text for t in transcripts), "raw_text": "\f".join(t.raw_text for t in transcripts),
            "language": read[0].language, "blank": all(t.blank for t in read),
            "pages": [t.json() if isinstance(t, FailedPage) else transcript_json(t) for t in transcripts]}


def read_document(data, language, reader, key, name=None):
    """The bytes of a picture or PDF read page by page with the running app's recognizers: the
    answer (`document_json`) for `key` "json", else the bytes of the document in format `key`, as
    `handwriting.output.write` names them after the file `name`."""
    available = readers()
    with sent_pages(data, max_side=READ_SIDE) as pictures:
        transcripts = [read_page(picture, available, language, reader) for picture in pictures]
        if key == "json":
            return document_json(transcripts)
        return output.write(key, list(zip(transcripts, pictures)), name)


def png_data_url(array, max_side=None):
    """A float [0, 1] grey (or RGB) array as a data: URL PNG (shrunk to max_side if given)."""
    image = Image.fromarray(np.uint8(np.clip(array, 0, 1) * 255))
    if max_side:
        image.thumbnail((max_side, max_side))
    return png_url(png_bytes(image))


def png_bytes(image):
    """A Pillow image as PNG bytes (without `optimize`: 2 % smaller, 7 times slower)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_url(data):
    """PNG bytes as a data: URL."""
    return PNG_URL_PREFIX + base64.b64encode(data).decode("ascii")
