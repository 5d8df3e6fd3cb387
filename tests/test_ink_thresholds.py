"""handwriting.ink.to_grey at the sizes where Pillow changes how it shrinks a picture, in every mode
(issue 15: 16-bit pictures from 1536 px were a 500)."""

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_profiles import FUZZ
from pillow_modes import MODES, WRITABLE
from PIL import Image, ImageDraw

from handwriting.ink import WORK_SIDE, to_grey
from webapp.images import open_image
from handwriting.reader import READ_SIDE
from webapp.uploads import DEFAULT_LIMITS as LIMITS

ALL_MODES = (*MODES, "I;16L", "I;16N")
# Around each size where the path changes: no shrinking (max_side), Pillow's reduce() step (from
# 2x reducing_gap = 4x max_side) and JPEG's draft scales (2x, 4x, 8x max_side).
THRESHOLDS = (1, 2, 4, 8)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@st.composite
def around_a_threshold(draw):
    max_side = draw(st.sampled_from([WORK_SIDE, READ_SIDE]))
    long_side = max(8, max_side * draw(st.sampled_from(THRESHOLDS)) + draw(st.integers(-3, 3)))
    short_side = draw(st.integers(8, 48))
    size = (long_side, short_side) if draw(st.booleans()) else (short_side, long_side)
    return max_side, size


def assert_grey_of(grey, size, max_side):
    assert grey.dtype == np.float32 and grey.ndim == 2
    assert np.isfinite(grey).all() and grey.min() >= 0.0 and grey.max() <= 1.0
    assert max(grey.shape) == min(max_side, max(size))
    assert (grey.shape[0] >= grey.shape[1]) == (size[1] >= size[0]) or size[0] == size[1]


def striped(mode, size):
    """A picture in `mode` with a dark bar on light paper, drawn in RGB then converted."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((size[0] // 3, 0, size[0] // 2, size[1]), fill="black")
    if mode.startswith("I;16"):
        return Image.fromarray(np.asarray(image.convert("L"), np.uint16) * 257).convert(mode)
    return image.convert(mode) if mode not in ("LAB", "HSV") else image.convert("RGB").convert(mode)


@FUZZ
@given(st.sampled_from(ALL_MODES), around_a_threshold())
def test_to_grey_shrinks_every_mode_at_every_threshold(mode, sizes):
    max_side, size = sizes
    image = Image.new(mode, size)
    assert_grey_of(to_grey(image, max_side), size, max_side)
    assert image.size == size  # the caller's picture is left as it was


@FUZZ
@given(st.sampled_from(sorted({*WRITABLE["PNG"], *WRITABLE["TIFF"]})), around_a_threshold())
def test_saved_pictures_open_and_shrink_at_every_threshold(mode, sizes):
    max_side, size = sizes
    fmt = "PNG" if mode in WRITABLE["PNG"] else "TIFF"
    buffer = io.BytesIO()
    striped(mode, size).save(buffer, fmt)
    assert_grey_of(to_grey(open_image(buffer.getvalue(), LIMITS, max_side), max_side), size, max_side)


@FUZZ
@given(st.sampled_from(WRITABLE["JPEG"]), around_a_threshold())
def test_jpeg_draft_scales_shrink_at_every_threshold(mode, sizes):
    max_side, size = sizes
    buffer = io.BytesIO()
    striped(mode, size).save(buffer, "JPEG")
    image = open_image(buffer.getvalue(), LIMITS, max_side)
    assert max(image.size) >= min(max_side, max(size))  # the draft never goes below what is asked
    assert_grey_of(to_grey(image, max_side), size, max_side)
