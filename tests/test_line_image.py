"""handwriting.line_image: a line's ink cropped and scaled to the recognizer's height."""

import numpy as np

from handwriting.line_image import LINE_HEIGHT, MIN_HEIGHT, PAD, WIDTH_STEP, line_input


def test_a_line_is_cropped_to_its_ink_and_scaled_to_the_recognizer_height():
    ink = np.zeros((200, 900), np.float32)
    ink[50:130, 100:740] = 1.0  # 640 x 80 of ink: 8 times as wide as tall
    line = line_input(ink)
    assert line.pixels.shape[0] == LINE_HEIGHT and line.pixels.shape[1] % WIDTH_STEP == 0
    inner = LINE_HEIGHT - 2 * PAD
    assert abs(line.pixels.shape[1] - (8 * inner + 2 * PAD)) <= WIDTH_STEP
    assert line.pixels[:PAD].max() == 0 and line.pixels[:, :PAD].max() == 0  # a black border
    assert (line.left, line.top) == (100, 50)
    assert abs(line.ink_x(PAD) - 100) < 1e-6 and abs(line.ink_x(PAD + 8 * inner) - 740) < 1e-6


def test_blank_ink_or_a_thin_rule_gives_no_line():
    assert line_input(np.zeros((40, 100), np.float32)) is None
    rule = np.zeros((40, 900), np.float32)
    rule[20:20 + MIN_HEIGHT - 1] = 1.0
    assert line_input(rule) is None
