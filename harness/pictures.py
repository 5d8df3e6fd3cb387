"""Letters drawn with Pillow, as tests and benchmarks send them."""

import io

from PIL import Image, ImageDraw

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
