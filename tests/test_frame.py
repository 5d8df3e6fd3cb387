import numpy as np
import pytest
from PIL import Image

from handwriting.frame import FRAME_SIZE, ink_to_frame, stroke_width
from handwriting.ink import image_to_frame
from harness.pictures import draw_letter


def _bbox(frame, threshold=0.25):
    rows = np.flatnonzero(frame.max(axis=1) > threshold)
    cols = np.flatnonzero(frame.max(axis=0) > threshold)
    return rows[0], cols[0], rows[-1] + 1, cols[-1] + 1


def test_frame_is_centred_and_fills_the_emnist_size():
    ink = np.zeros((300, 500), np.float32)
    ink[40:120, 300:460] = 1.0  # a blob far off centre
    frame = ink_to_frame(ink)
    top, left, bottom, right = _bbox(frame)
    assert frame.shape == (FRAME_SIZE, FRAME_SIZE)
    assert abs((top + bottom) / 2 - 14) <= 1 and abs((left + right) / 2 - 14) <= 1
    assert 21 <= right - left <= 25  # the long side spans about 22.5 of 28 px


def test_frame_keeps_the_aspect_ratio():
    ink = np.zeros((400, 400), np.float32)
    ink[50:350, 190:210] = 1.0  # a tall bar, 15:1
    top, left, bottom, right = _bbox(ink_to_frame(ink))
    assert (bottom - top) >= 3 * (right - left)


def test_dark_on_light_and_light_on_dark_give_the_same_frame():
    dark_on_light = image_to_frame(draw_letter("a", ink=0, paper=255))
    light_on_dark = image_to_frame(draw_letter("a", ink=255, paper=0))
    assert np.abs(dark_on_light - light_on_dark).max() < 1e-6


def test_thin_pens_and_thick_markers_come_out_alike():
    thin = image_to_frame(draw_letter("x", width=2))
    thick = image_to_frame(draw_letter("x", width=40))
    normal = image_to_frame(draw_letter("x", width=14))
    assert np.abs(thin.mean() - normal.mean()) < 0.08
    assert np.abs(thick.mean() - normal.mean()) < 0.08


def test_stroke_width_estimate():
    mask = np.zeros((200, 200), bool)
    mask[20:180, 95:105] = True
    assert stroke_width(mask) == pytest.approx(10, rel=0.15)


def test_blank_ink_has_no_frame():
    assert ink_to_frame(np.zeros((50, 50))) is None
    assert image_to_frame(Image.new("L", (280, 280), 255)) is None
