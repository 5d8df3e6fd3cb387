"""Finding the lines of a page: composed pages with known lines (skew, dots, descenders)."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from handwriting.frame import INK_THRESHOLD
from handwriting.ink import grey_to_ink, to_grey
from handwriting.lines import Straightening, find_lines, skew_angle
from handwriting.segment import TooManyLetters, segment
from pictures import page_picture

# Three lines, unevenly spaced: descenders (y, j) above ascenders (l, t) and dots (i) of the next.
PAGE = [
    (20, [("t", 0), ("a", 90), ("y", 180), ("a", 360), ("j", 450)]),
    (190, [("l", 40), ("i", 120), ("t", 190), ("x", 380), ("i", 470), ("a", 540)]),
    (420, [("a", 0), ("x", 90), ("y", 180)]),
]


def letters_per_line(image, max_letters=400):
    """The page's lines: each line's letter boxes (every piece a letter), in page pixels."""
    page = find_lines(grey_to_ink(to_grey(image, max_side=1600)), max_letters)
    found = []
    for line in page.lines:
        cut = segment(line.ink)
        chosen = [k for word in cut.read([1.0] * len(cut.candidates)) for k in word]
        found.append([(x, y + line.top, w, h) for x, y, w, h in (cut.candidates[k].box for k in chosen)])
    return page, found


def test_lines_come_top_to_bottom_with_their_own_letters_dots_and_descenders():
    image, boxes = page_picture(PAGE)
    page, found = letters_per_line(image)
    assert page.straightening is None
    assert [len(line) for line in found] == [len(line) for line in boxes]
    for got, want in zip(found, boxes):
        assert np.abs(np.subtract(got, want)).max() <= 3, (got, want)
    assert [line.top for line in page.lines] == sorted(line.top for line in page.lines)


def test_a_dot_closer_to_the_line_above_stays_with_its_i():
    # The i's dot sits 30 px under the y's descender and 48 px above its own stem.
    image, boxes = page_picture([(20, [("a", 0), ("y", 90)]), (140, [("a", 0), ("i", 100), ("a", 180)])])
    _, found = letters_per_line(image)
    assert [len(line) for line in found] == [2, 3]
    i_box = found[1][1]
    assert abs(i_box[1] - boxes[1][1][1]) <= 3 and abs(i_box[3] - boxes[1][1][3]) <= 3  # dot included


@pytest.mark.parametrize("angle", [-3.0, 2.0, 4.5])
def test_a_turned_page_is_straightened_and_keeps_its_lines(angle):
    image, boxes = page_picture(PAGE)
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    page, found = letters_per_line(turned)
    assert page.straightening is not None and abs(page.straightening.angle - angle) <= 0.5
    assert [len(line) for line in found] == [len(line) for line in boxes]


def test_a_level_page_is_not_turned():
    image, _ = page_picture(PAGE)
    assert skew_angle(grey_to_ink(to_grey(image, max_side=1600))) == 0.0


def test_straightened_boxes_map_back_to_the_page():
    page = np.zeros((300, 500), np.float32)
    page[200:220, 400:430] = 1.0
    straightening = Straightening(5.0, page.shape)
    turned = straightening.apply(page)
    ys, xs = np.nonzero(turned > 0.5)
    x, y, w, h = straightening.to_page((xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()))
    assert abs(x + w / 2 - 415) <= 1.5 and abs(y + h / 2 - 210) <= 1.5  # the same place...
    assert 400 - 5 <= x <= 400 and 200 - 5 <= y <= 200 and 430 <= x + w <= 430 + 5 and 220 <= y + h <= 220 + 5
    # ...in a box a little larger than the rectangle: a turned box's corners, boxed again


def test_a_clearly_larger_gap_starts_a_paragraph():
    lines = [(20 + 170 * n + (200 if n >= 2 else 0), [("a", 0), ("t", 90), ("x", 180)]) for n in range(4)]
    image, _ = page_picture(lines)
    page, _ = letters_per_line(image)
    assert [line.paragraph for line in page.lines] == [True, False, True, False]
    evenly, _ = page_picture([(20 + 170 * n, [("a", 0), ("t", 90)]) for n in range(4)])
    assert [line.paragraph for line in letters_per_line(evenly)[0].lines] == [True, False, False, False]


def test_blank_page_and_too_many_marks():
    assert find_lines(np.zeros((100, 200), np.float32), 400).lines == []
    dots = np.zeros((400, 400), np.float32)
    dots[::8, ::8] = 1.0  # 2,500 separate marks
    with pytest.raises(TooManyLetters) as raised:
        find_lines(dots, 400)
    assert raised.value.limit == 400


def test_each_line_has_the_box_of_its_own_ink():
    image, _ = page_picture(PAGE)
    page, found = letters_per_line(image)
    for line, letters in zip(page.lines, found):
        rows, columns = np.nonzero(line.ink > INK_THRESHOLD * page.ink.max())
        assert line.box == (columns.min(), line.top + rows.min(), np.ptp(columns) + 1, np.ptp(rows) + 1)
        x, y, w, h = line.box
        assert all(x <= lx and y <= ly and lx + lw <= x + w and ly + lh <= y + h for lx, ly, lw, lh in letters)


def test_one_big_letter_drawn_thin_is_one_line():
    image = Image.new("L", (400, 300), 255)
    draw = ImageDraw.Draw(image)
    for stroke in [(50, 50, 350, 50), (50, 50, 50, 250), (50, 150, 300, 150), (50, 250, 350, 250)]:  # an E
        draw.line(stroke, fill=0, width=2)
    assert len(find_lines(grey_to_ink(to_grey(image))).lines) == 1
