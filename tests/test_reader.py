"""handwriting.reader: a page found into lines, each line read by the recognizer that suits it."""

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
from fake_lines import WORDS
from PIL import Image, ImageDraw, ImageFont
from pictures import page_picture

from handwriting.reader import NoReader, Readers, read_page
from handwriting.text_errors import character_error_rate
from webapp.model import readers as app_readers

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PAGE, _ = page_picture([(20, [("a", 0), ("t", 90), ("x", 360), ("a", 450)]),
                        (230, [("t", 40), ("a", 130), ("x", 220)])])


@pytest.fixture
def readers(app):
    with app.app_context():
        return app_readers()


def copiste_page():
    """The first whole Copiste page (its writer is held out of the line model's training)."""
    import gzip
    import json

    with gzip.open(DATA / "htr-lines-copiste" / "index.jsonl.gz", "rt") as file:
        row = next(r for r in map(json.loads, file) if r["kind"] == "page")
    with tarfile.open(DATA / "htr-lines-copiste" / "pages.tar") as tar:
        image = Image.open(io.BytesIO(tar.extractfile(row["page_image"]).read()))
        image.load()
    return image, [line["text"] for line in row["lines"]]


def printed_page(lines, size=22):
    """A page of printed lines (Pillow's font), for counting characters rather than reading hands."""
    font = ImageFont.load_default(size=size)
    width = int(max(font.getlength(line) for line in lines)) + 80
    image = Image.new("L", (width, len(lines) * 2 * size + 80), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((40, 40 + 2 * n * size), line, fill=0, font=font)
    return image


def test_auto_reads_separate_letters_with_the_letter_recognizer(readers):
    transcript = read_page(PAGE, readers, "none", "auto")
    assert [line.reader for line in transcript.lines] == ["letters", "letters"]
    assert transcript.raw_text == "at xa\ntax"


def test_auto_reads_real_joined_handwriting_with_the_line_recognizer(readers):
    image, truth = copiste_page()
    transcript = read_page(image, readers, "fr", "auto")
    joined = [line.text for line in transcript.lines if line.reader == "lines"]
    assert len(joined) >= 0.75 * len(truth)  # the rest: the printed note at the top, and lines the letter CNN reads surely
    assert character_error_rate(["\n".join(truth)], ["\n".join(joined)]) < 0.5
    for word in transcript.words:  # boxes from the CTC alignment, inside their line and the page
        x, y, w, h = word.box
        assert w > 0 and h > 0 and 0 <= x and x + w <= transcript.grey.shape[1]
        for character in word.characters:
            assert x <= character.box[0] and character.box[0] + character.box[2] <= x + w


def test_a_page_of_two_thousand_characters_is_read_not_refused(readers):
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(WORDS, 12)) for _ in range(50)]
    page = printed_page(lines)
    assert sum(map(len, lines)) >= 2000
    transcript = read_page(page, readers, "none", "auto")
    assert len(transcript.lines) == len(lines)
    assert len(transcript.text) >= 0.8 * sum(map(len, lines))


def test_a_missing_recognizer_is_said_so(readers):
    with pytest.raises(NoReader):
        read_page(PAGE, Readers(letters=readers.letters), "none", "lines")
    only_lines = read_page(PAGE, Readers(lines=readers.lines), "none", "auto")
    assert {line.reader for line in only_lines.lines} == {"lines"}
