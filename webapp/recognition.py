"""Recognise the letter in a picture: one path for canvas drawings, uploads and the API."""

import base64
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from handwriting.frame import ink_to_frame
from handwriting.ink import grey_to_ink, to_grey

PREVIEW_SIDE = 280


@dataclass
class Recognition:
    predictions: list  # [{"letter", "probability"}], most likely first; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    frame: np.ndarray | None  # the 28x28 frame the model saw; None when blank

    @property
    def blank(self):
        return self.frame is None


def recognize(image, model, top=5):
    """Preprocess a Pillow image and ask the model; blank pictures are not guessed at."""
    grey = to_grey(image)
    frame = ink_to_frame(grey_to_ink(grey))
    if frame is None:
        return Recognition([], grey, None)
    return Recognition(model.top(model.probabilities(frame[None])[0], top), grey, frame)


def png_data_url(array, max_side=None):
    """A float [0, 1] grey array as a data: URL PNG (shrunk to max_side if given)."""
    image = Image.fromarray(np.uint8(np.clip(array, 0, 1) * 255))
    if max_side:
        image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
