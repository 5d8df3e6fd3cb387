"""Pillow's image modes, and the ones each format can store: what the fuzz and ink-threshold tests
draw pictures in."""

import numpy as np

# The modes of more than 8 bits, and the numpy type of their pixels.
HIGH_DEPTH = {"I;16": np.uint16, "I;16B": np.uint16, "I": np.int32, "F": np.float32}
MODES = ("1", "L", "P", "PA", "LA", "La", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB", "HSV",
         *HIGH_DEPTH)
# The modes each format can store (Pillow writers); the decoder may still read them back differently.
WRITABLE = {
    "PNG": ("1", "L", "P", "LA", "RGB", "RGBA", "I;16", "I"),
    "JPEG": ("L", "RGB", "CMYK"),
    "GIF": ("L", "P", "RGB"),
    "BMP": ("1", "L", "P", "RGB"),
    "WEBP": ("RGB", "RGBA"),
    "TIFF": ("1", "L", "P", "PA", "LA", "RGB", "RGBA", "CMYK", "LAB", "I;16", "I", "F"),
}
