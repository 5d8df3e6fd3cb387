"""Pictures that are not one handwritten letter, made with Pillow and numpy from a seed.

Seven kinds: noise, photos of textures, several letters, scribbles, shapes, digits and doodles,
each drawn with random size, position, pen, paper and polarity. Seed 1 makes the set that
handwriting/letterness.py's thresholds were chosen on, seed 2 the set they are measured on
(benchmarks/letterness.py).
"""

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

KINDS = ("noise", "texture", "letters", "scribble", "shape", "digits", "doodle")
WORDS = ("hello", "abc", "cat", "Hi", "ok", "the", "LETTER", "xyz", "dog", "fun", "am", "tu")
DIGITS = "0123456789"


def _paper(rng, side):
    """A light (or, one time in five, dark) page and the ink colour that goes with it."""
    light = rng.random() >= 0.2
    paper = int(rng.integers(200, 256)) if light else int(rng.integers(0, 50))
    ink = int(rng.integers(0, 70)) if light else int(rng.integers(190, 256))
    return Image.new("L", (side, side), paper), ink


def _points(rng, side, count, margin=0.15):
    low, high = side * margin, side * (1 - margin)
    return [tuple(p) for p in rng.uniform(low, high, (count, 2)).tolist()]


def noise(rng, side):
    values = {
        0: lambda: rng.integers(0, 256, (side, side)),
        1: lambda: np.clip(rng.normal(128, 60, (side, side)), 0, 255),
        2: lambda: np.where(rng.random((side, side)) < rng.uniform(0.02, 0.3), 0, 255),
    }[int(rng.integers(3))]()
    return Image.fromarray(np.uint8(values))


def texture(rng, side):
    """What a photo of a surface looks like: smooth blotches, grain, wood-like stripes, a grid."""
    kind = int(rng.integers(4))
    if kind == 0:  # blotches: blurred noise
        field = Image.fromarray(np.uint8(rng.integers(0, 256, (side // 8, side // 8))))
        return field.resize((side, side), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(side / 60))
    y, x = np.mgrid[0:side, 0:side] / side
    if kind == 1:  # wood grain
        phase = 30 * (x + 0.1 * np.sin(8 * y + rng.uniform(0, 6)))
        values = 128 + 80 * np.sin(phase * rng.uniform(0.5, 2)) + rng.normal(0, 15, (side, side))
    elif kind == 2:  # fabric or a checkerboard
        period = rng.uniform(0.03, 0.15)
        values = 128 + 100 * np.sign(np.sin(x / period * math.pi) * np.sin(y / period * math.pi))
    else:  # gravel: many small dark stones
        image, ink = _paper(rng, side)
        draw = ImageDraw.Draw(image)
        for cx, cy in _points(rng, side, int(rng.integers(60, 200)), margin=0):
            r = rng.uniform(side / 80, side / 25)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ink)
        return image
    return Image.fromarray(np.uint8(np.clip(values, 0, 255)))


def _text(rng, side, text):
    image, ink = _paper(rng, side)
    font = ImageFont.load_default(size=int(side / max(2.2, 0.62 * len(text) + 0.6)))
    ImageDraw.Draw(image).text((side / 2, side / 2), text, fill=ink, font=font, anchor="mm",
                               stroke_width=int(rng.integers(0, 3)), stroke_fill=ink)
    return image


def letters(rng, side):
    return _text(rng, side, str(rng.choice(WORDS)))


def digits(rng, side):
    """One digit that does not look like a letter, or a number of several digits."""
    if rng.random() < 0.5:
        return _text(rng, side, str(rng.choice(list("234789"))))
    return _text(rng, side, "".join(rng.choice(list(DIGITS), int(rng.integers(2, 5)))))


def scribble(rng, side):
    image, ink = _paper(rng, side)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(2, max(3, side // 25)))
    points = np.cumsum(rng.normal(0, side / 10, (int(rng.integers(25, 80)), 2)), axis=0)
    points = (points - points.min(axis=0)) / np.ptp(points, axis=0).max() * side * 0.7 + side * 0.15
    draw.line([tuple(p) for p in points.tolist()], fill=ink, width=width, joint="curve")
    return image


def shape(rng, side):
    """Filled shapes, a star, a grid, a crossed box, concentric rings."""
    image, ink = _paper(rng, side)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(3, max(4, side // 20)))
    (x0, y0), (x1, y1) = sorted(_points(rng, side, 2, margin=0.1))
    x0, x1, y0, y1 = min(x0, x1), max(x0, x1) + side / 5, min(y0, y1), max(y0, y1) + side / 5
    kind = int(rng.integers(5))
    if kind == 0:
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=ink)
    elif kind == 1:
        cx, cy, r = side / 2, side / 2, side * rng.uniform(0.25, 0.42)
        star = [(cx + (r if k % 2 == 0 else r / 2.5) * math.sin(k * math.pi / 5),
                 cy - (r if k % 2 == 0 else r / 2.5) * math.cos(k * math.pi / 5)) for k in range(10)]
        draw.polygon(star, outline=ink, width=width, fill=ink if rng.random() < 0.5 else None)
    elif kind == 2:
        step = side / int(rng.integers(4, 9))
        for k in range(1, int(side / step)):
            draw.line((k * step, 0, k * step, side), fill=ink, width=width)
            draw.line((0, k * step, side, k * step), fill=ink, width=width)
    elif kind == 3:
        draw.rectangle((x0, y0, x1, y1), outline=ink, width=width)
        draw.line((x0, y0, x1, y1), fill=ink, width=width)
        draw.line((x0, y1, x1, y0), fill=ink, width=width)
    else:
        for r in np.linspace(side * 0.1, side * 0.45, int(rng.integers(3, 6))):
            draw.ellipse((side / 2 - r, side / 2 - r, side / 2 + r, side / 2 + r), outline=ink, width=width)
    return image


def doodle(rng, side):
    """A smiley, a house, a sun, a spiral, a stick figure or a heart."""
    image, ink = _paper(rng, side)
    draw = ImageDraw.Draw(image)
    w = int(rng.integers(3, max(4, side // 25)))
    s = side
    kind = int(rng.integers(6))
    if kind == 0:
        draw.ellipse((0.15 * s, 0.15 * s, 0.85 * s, 0.85 * s), outline=ink, width=w)
        for cx in (0.38, 0.62):
            draw.ellipse(((cx - 0.05) * s, 0.35 * s, (cx + 0.05) * s, 0.45 * s), fill=ink)
        draw.arc((0.3 * s, 0.35 * s, 0.7 * s, 0.7 * s), 20, 160, fill=ink, width=w)
    elif kind == 1:
        draw.rectangle((0.25 * s, 0.45 * s, 0.75 * s, 0.85 * s), outline=ink, width=w)
        draw.line((0.2 * s, 0.47 * s, 0.5 * s, 0.15 * s, 0.8 * s, 0.47 * s), fill=ink, width=w)
        draw.rectangle((0.45 * s, 0.65 * s, 0.55 * s, 0.85 * s), outline=ink, width=w)
        draw.rectangle((0.3 * s, 0.52 * s, 0.4 * s, 0.62 * s), outline=ink, width=w)
    elif kind == 2:
        draw.ellipse((0.35 * s, 0.35 * s, 0.65 * s, 0.65 * s), outline=ink, width=w)
        for k in range(int(rng.integers(6, 13))):
            a = 2 * math.pi * k / 12
            draw.line((s / 2 + 0.2 * s * math.cos(a), s / 2 + 0.2 * s * math.sin(a),
                       s / 2 + 0.42 * s * math.cos(a), s / 2 + 0.42 * s * math.sin(a)), fill=ink, width=w)
    elif kind == 3:
        t = np.linspace(0, rng.uniform(4, 7) * math.pi, 300)
        r = 0.4 * s * t / t[-1]
        draw.line(list(zip((s / 2 + r * np.cos(t)).tolist(), (s / 2 + r * np.sin(t)).tolist())), fill=ink, width=w)
    elif kind == 4:
        draw.ellipse((0.4 * s, 0.1 * s, 0.6 * s, 0.3 * s), outline=ink, width=w)
        draw.line((0.5 * s, 0.3 * s, 0.5 * s, 0.62 * s), fill=ink, width=w)
        draw.line((0.3 * s, 0.42 * s, 0.7 * s, 0.42 * s), fill=ink, width=w)
        draw.line((0.35 * s, 0.9 * s, 0.5 * s, 0.62 * s, 0.65 * s, 0.9 * s), fill=ink, width=w)
    else:
        t = np.linspace(0, 2 * math.pi, 200)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        heart = list(zip((s / 2 + x * s / 40).tolist(), (s / 2 + y * s / 40).tolist()))
        draw.polygon(heart, outline=ink, width=w, fill=ink if rng.random() < 0.5 else None)
    return image


MAKERS = {"noise": noise, "texture": texture, "letters": letters, "scribble": scribble, "shape": shape,
          "digits": digits, "doodle": doodle}


def non_letters(seed, per_kind=100):
    """[(kind, Pillow image)]: `per_kind` pictures of each kind, 200 to 600 pixels on a side."""
    rng = np.random.default_rng(seed)
    return [(kind, MAKERS[kind](rng, int(rng.integers(200, 601)))) for kind in KINDS for _ in range(per_kind)]
