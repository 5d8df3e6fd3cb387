"""Pictures of letters for tests, drawn with Pillow, and the ways tests send them."""

import base64
import io
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

FIXTURES = Path(__file__).parent / "fixtures"

# Strokes of a few capitals on a 280x280 canvas, as (x, y) polylines.
STROKES = {
    "a": [[(80, 230), (140, 50), (200, 230)], [(105, 160), (175, 160)]],
    "l": [[(110, 50), (110, 230), (190, 230)]],
    "t": [[(70, 55), (210, 55)], [(140, 55), (140, 235)]],
    "x": [[(80, 60), (200, 230)], [(200, 60), (80, 230)]],
}


def draw_letter(letter="a", size=280, width=14, ink=0, paper=255, mode="L", offset=(0, 0), scale=1.0):
    """A letter drawn on plain paper: `ink` and `paper` are colours for `mode`."""
    image = Image.new(mode, (size, size), paper)
    draw = ImageDraw.Draw(image)
    for stroke in STROKES[letter]:
        points = [(offset[0] + x * scale, offset[1] + y * scale) for x, y in stroke]
        draw.line(points, fill=ink, width=width, joint="curve")
    return image


def encode(image, fmt="PNG", **params):
    """The bytes of an image saved in a format."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def data_url(data, mime="image/png"):
    """Picture bytes as a data: URL, the way a canvas drawing is sent."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


# More letters on the 280 px square of STROKES, for lines and pages; a stroke of one point is a dot.
PARTS = dict(STROKES, **{
    "i": [[(140, 110), (140, 235)], [(140, 62)]],
    "j": [[(160, 110), (160, 245), (100, 245)], [(160, 62)]],
    "l": [[(140, 40), (140, 130)], [(140, 146), (140, 235)]],  # a broken stroke
    "k": [[(90, 40), (90, 235)], [(185, 90), (112, 160), (185, 235)]],  # the arm does not touch
    "y": [[(80, 110), (140, 200)], [(200, 110), (110, 330)]],  # a descender
})
LINE_SCALE = 0.5  # letters are 140 px tall-ish boxes on a line
LINE_PEN = 10


def _draw_part(draw, letter, x, y):
    for stroke in PARTS[letter]:
        points = [(x + px * LINE_SCALE, y + py * LINE_SCALE) for px, py in stroke]
        if len(points) == 1:
            (cx, cy), r = points[0], LINE_PEN * 0.8
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=0)
        else:
            draw.line(points, fill=0, width=LINE_PEN, joint="curve")


def page_picture(lines, size=None):
    """Lines of letters drawn dark on white: `lines` is [(y, [(letter, x)])]. Returns the picture
    and, per line, each letter's own ink box (x, y, w, h)."""
    size = size or (max(x for _, line in lines for _, x in line) + 200, max(y for y, _ in lines) + 180)
    page = Image.new("L", size, 255)
    boxes = []
    for y, letters in lines:
        boxes.append([])
        for letter, x in letters:
            _draw_part(ImageDraw.Draw(page), letter, x, y)
            alone = Image.new("L", size, 255)
            _draw_part(ImageDraw.Draw(alone), letter, x, y)
            left, top, right, bottom = ImageOps.invert(alone).point(lambda v: 255 * (v > 127)).getbbox()
            boxes[-1].append((left, top, right - left, bottom - top))
    return page, boxes


def line_picture(letters, width=None):
    """One line of (letter, x) drawn dark on white, and each letter's own ink box (x, y, w, h)."""
    page, boxes = page_picture([(20, letters)], (width or max(x for _, x in letters) + 200, 180))
    return page, boxes[0]


def arc(cx, cy, rx, ry, start, end, n=24):
    """Points of an elliptic arc, angles in degrees (0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start + (end - start) * k / (n - 1) for k in range(n))]


# A small n and a small a on the 280 px square, and the marks Spanish writes over letters.
SMALL = {
    "n": [[(95, 120), (95, 235)], [(95, 165)] + arc(137, 165, 42, 40, 180, 360) + [(179, 235)]],
    "a": [arc(135, 185, 45, 48, -20, 340, 40), [(180, 140), (180, 235)]],
}
MARKS = {
    "tilde": [arc(118, 85, 22, 14, 180, 360, 12) + arc(162, 85, 22, 14, 180, 0, 12)],
    "acute": [[(125, 110), (160, 60)]],
    "grave": [[(145, 110), (110, 60)]],
}


def draw_strokes(strokes, width=14):
    """Polylines drawn dark on a white 280 px square; a stroke of one point is a dot."""
    image = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        if len(stroke) == 1:
            (x, y), r = stroke[0], width * 0.8
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
        else:
            draw.line(stroke, fill=0, width=width, joint="curve")
    return image
