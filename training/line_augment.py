"""Random changes a writer, a pen or a scanner makes to a line, applied to recognizer inputs."""

import numpy as np
from PIL import Image
from scipy import ndimage

from handwriting.line_image import line_input

MAX_SHEAR = 0.4  # slant, in x shift per pixel of height
WIDTH_SCALE = (0.8, 1.25)
MAX_ROTATION = 2.0  # degrees


def augment(pixels, rng):
    """A randomly changed copy of a (LINE_HEIGHT, width) uint8 line input, as float32 pixels."""
    image = Image.fromarray(pixels)
    height, width = pixels.shape
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    spread = int(abs(shear) * height) + 1
    image = image.transform((width + spread, height), Image.Transform.AFFINE,
                            (1, shear, -spread if shear > 0 else 0, 0, 1, 0), Image.Resampling.BILINEAR)
    image = image.resize((max(8, round(image.width * rng.uniform(*WIDTH_SCALE))), height), Image.Resampling.BILINEAR)
    if rng.random() < 0.3:
        image = image.rotate(rng.uniform(-MAX_ROTATION, MAX_ROTATION), Image.Resampling.BILINEAR, expand=True)
    ink = np.asarray(image, np.float32) / 255
    pen = rng.random()
    if pen < 0.25:
        ink = ndimage.grey_dilation(ink, size=(2, 2))
    elif pen < 0.35:
        ink = ndimage.grey_erosion(ink, size=(1, 2))
    if rng.random() < 0.3:
        ink = ndimage.gaussian_filter(ink, rng.uniform(0.3, 0.9))
    line = line_input(ink)
    if line is None:
        return pixels.astype(np.float32) / 255
    out = line.pixels * rng.uniform(0.6, 1.0)
    if rng.random() < 0.3:
        out = np.clip(out + rng.normal(0, 0.04, out.shape), 0, 1)
    return out.astype(np.float32)
