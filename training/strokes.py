"""Pen-stroke letters: read the UJI-like stroke files and render them EMNIST-style.

A stroke file holds samples as `WORD <char> <fields…>` / `NUMSTROKES n` / n lines of
`POINTS k # x1 y1 x2 y2 …` (y pointing down). Rendering draws the strokes with a round pen on
a canvas at the frame's working scale, then hands the ink to `handwriting.frame`, so training
letters are framed exactly like canvas drawings and uploads.
"""

import gzip
import math

import numpy as np
from PIL import Image, ImageDraw

from handwriting.frame import LETTER_SIZE, STROKE_MAX, STROKE_MIN, ink_to_frame


def read_strokes(path):
    """Return [(char, [stroke (k, 2) float32 arrays])] in file order."""
    opener = gzip.open if str(path).endswith(".gz") else open
    samples = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("//"):
                continue
            if parts[0] == "WORD":
                samples.append((parts[1], []))
            elif parts[0] == "POINTS":
                coords = np.array(parts[3:], dtype=np.float32).reshape(-1, 2)
                samples[-1][1].append(coords)
    return samples


def _random_affine(rng, rotate_deg, shear, stretch):
    angle = math.radians(rng.uniform(-rotate_deg, rotate_deg))
    cos, sin = math.cos(angle), math.sin(angle)
    rotation = np.array([[cos, -sin], [sin, cos]], dtype=np.float32)
    shearing = np.array([[1.0, rng.uniform(-shear, shear)], [0.0, 1.0]], dtype=np.float32)
    aspect = math.exp(rng.uniform(-stretch, stretch))
    scaling = np.diag([aspect, 1.0 / aspect]).astype(np.float32)
    return rotation @ shearing @ scaling


def render_strokes(strokes, rng=None, pen_width=None, blur_sigma=None):
    """Render pen strokes as a 28x28 EMNIST-style frame (float32 in [0, 1]), or None if empty.

    With `rng`, the letter is varied the way different pens, writers and scanners vary it:
    a small rotation, shear and stretch, point jitter, pen width and blur. Without it, the
    rendering is the canonical one (mid-range pen, default blur).
    """
    strokes = [s for s in strokes if len(s)]
    if not strokes:
        return None
    points = np.concatenate(strokes)
    origin = points.min(axis=0)
    span = float((points.max(axis=0) - origin).max()) or 1.0
    transform = np.eye(2, dtype=np.float32)
    jitter = 0.0
    if rng is not None:
        transform = _random_affine(rng, rotate_deg=8, shear=0.25, stretch=0.15)
        jitter = rng.uniform(0.0, 0.8)
        pen_width = pen_width or rng.uniform(STROKE_MIN - 1, STROKE_MAX + 1)
    pen_width = pen_width or (STROKE_MIN + STROKE_MAX) / 2
    scaled = [((s - origin) * (LETTER_SIZE / span)) @ transform.T for s in strokes]
    if jitter:
        scaled = [s + rng.normal(0.0, jitter, s.shape).astype(np.float32) for s in scaled]
    low = np.concatenate(scaled).min(axis=0)
    high = np.concatenate(scaled).max(axis=0)
    margin = pen_width
    size = np.ceil(high - low + 2 * margin).astype(int) + 1
    canvas = Image.new("L", (int(size[0]), int(size[1])))
    draw = ImageDraw.Draw(canvas)
    radius = pen_width / 2
    for stroke in scaled:
        stroke = stroke - low + margin
        if len(stroke) > 1:
            draw.line(stroke.ravel().tolist(), fill=255, width=max(1, round(pen_width)))
        # A round nib at every point: round joints and caps, 5x cheaper than joint="curve".
        for x, y in stroke.tolist():
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    if blur_sigma is None:
        blur_sigma = rng.uniform(1.0, 2.2) if rng is not None else None
    kwargs = {} if blur_sigma is None else {"blur_sigma": blur_sigma}
    return ink_to_frame(np.asarray(canvas, dtype=np.float32) / 255.0, **kwargs)
