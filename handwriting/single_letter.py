"""Recognise the one letter of a picture: one path for canvas drawings, uploads and the API."""

from dataclasses import dataclass

import numpy as np

from handwriting.frame import ink_to_frame
from handwriting.ink import letter_ink, to_grey
from handwriting.letterness import SEVERAL_MARKS, several_letters


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

    @property
    def several_letters(self):
        """It holds several letters or marks (a word): a page to read, not a letter."""
        return self.not_a_letter == SEVERAL_MARKS


def recognize(image, model, detector=None, top=5):
    """Preprocess a Pillow image and ask the model; blank pictures are not guessed at. Several
    letters side by side (a word) are "several_marks"; with a `detector` (handwriting.letterness),
    any other picture that is not one letter says why too."""
    grey = to_grey(image)
    ink = letter_ink(grey)
    frame = ink_to_frame(ink)
    if frame is None:
        return Recognition([], grey, None)
    probabilities = model.probabilities(frame[None])[0]
    if several_letters(ink):
        reason = SEVERAL_MARKS
    else:
        reason = detector.judge(frame, probabilities) if detector else None
    return Recognition(model.top(probabilities, top), grey, frame, reason)
