"""Hostile files and the answers they get, shared by the tests of the app in-process
(test_hostile_inputs.py) and under gunicorn (test_gunicorn.py)."""

import functools
import struct
import zlib

import pytest
from PIL import Image

from harness.pictures import draw_letter, encode


@functools.cache
def blank_png(width, height):
    """A 1-bit black PNG of any size, written row by row: a 30000x30000 one is about 100 KB."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, grey, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def letter_png(letter="a"):
    return encode(draw_letter(letter))


def half(data):
    return data[: len(data) // 2]


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="280" height="280"><path d="M80 230 L140 50"/></svg>'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Refused alike by the API and the upload form: (make the file, status, part of the message).
REFUSED_FILES = [
    pytest.param(lambda: b"", 400, "The file is empty", id="zero-bytes"),
    pytest.param(lambda: b"hello, this is text\n", 415, "not a picture we can read", id="text-named-png"),
    pytest.param(lambda: half(letter_png()), 400, "damaged or truncated", id="truncated-png"),
    pytest.param(lambda: half(encode(draw_letter(), "JPEG")), 400, "damaged or truncated", id="truncated-jpeg"),
    pytest.param(lambda: blank_png(30000, 30000), 413, "far too many pixels", id="decompression-bomb"),
    pytest.param(lambda: blank_png(8000, 8000), 413, "the limit is 50 megapixels for a PNG picture",
                 id="over-full-size-limit"),
    pytest.param(lambda: blank_png(10050, 10050), 413, "the limit is 100 megapixels", id="over-pixel-limit"),
    pytest.param(lambda: encode(Image.new("L", (1, 1))), 400, "too small to show a letter", id="1x1"),
    pytest.param(lambda: SVG, 415, "not a picture we can read", id="svg-named-png"),
    pytest.param(lambda: PDF, 415, "not a picture we can read", id="pdf-named-png"),
]
