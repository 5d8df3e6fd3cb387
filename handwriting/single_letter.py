"""Recognise the one letter of a picture: one path for canvas drawings, uploads and the API."""

from dataclasses import dataclass

import numpy as np

from handwriting.ink import grey_to_frame, to_grey


@dataclass
class Recognition:
    predictions: list  # [{"letter", "probability"}], most likely first; empty when blank
    grey: np.ndarray  # the picture as analysed (grey, upright), for showing it back
    frame: np.ndarray | None  # the 28x28 frame the model saw; None when blank
    not_a_letter: str | None = None  # why it is not one letter (handwriting.letterness.REASONS)

    @property
    def blank(self):
        return self.frame is None

    @property
    def letter(self):
        """It holds one handwritten letter, as far as the detector can tell."""
        return not self.blank and self.not_a_letter is None


def recognize(image, model, detector=None, top=5):
    """Preprocess a Pillow image and ask the model; blank pictures are not guessed at. With a
    `detector` (handwriting.letterness), a picture that is not one letter says why."""
    grey = to_grey(image)
    frame = grey_to_frame(grey)
    if frame is None:
        return Recognition([], grey, None)
    probabilities = model.probabilities(frame[None])[0]
    reason = detector.judge(frame, probabilities) if detector else None
    return Recognition(model.top(probabilities, top), grey, frame, reason)
