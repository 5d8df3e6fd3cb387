"""Cutting a line into letters and words: composed lines with known boxes."""

import numpy as np
import pytest
from PIL import ImageDraw

from handwriting.ink import grey_to_ink, to_grey
from handwriting.segment import LETTER_BONUS, Line, TooManyLetters, segment
from pictures import assert_boxes, line_picture


def read_geometry(image):
    """Words of letter boxes, every piece taken as a letter (no recognizer)."""
    line = segment(grey_to_ink(to_grey(image, max_side=1600)))
    return [[line.candidates[k].box for k in word] for word in line.read([1.0] * len(line.candidates))]


def test_letters_come_out_left_to_right_with_their_own_boxes():
    image, boxes = line_picture([("t", 20), ("a", 110), ("x", 200), ("a", 290)])
    words = read_geometry(image)
    assert len(words) == 1
    assert_boxes(words[0], boxes)


def test_dots_of_i_and_j_and_broken_strokes_stay_with_their_letter():
    image, boxes = line_picture([("i", 0), ("j", 80), ("l", 180), ("t", 250)])
    words = read_geometry(image)
    assert_boxes([box for word in words for box in word], boxes)
    assert words[0][0][1] < 50 and words[0][1][1] < 50  # up to the dots: the stems start at y = 70


def test_word_gaps_become_spaces_and_letter_gaps_do_not():
    image, boxes = line_picture([("a", 0), ("t", 90), ("x", 180), ("a", 360), ("x", 450), ("t", 540)])
    words = read_geometry(image)
    assert [len(word) for word in words] == [3, 3]
    assert_boxes(words[0] + words[1], boxes)
    evenly, _ = line_picture([("a", 0), ("t", 100), ("a", 200), ("x", 300), ("t", 400)])
    assert [len(word) for word in read_geometry(evenly)] == [5]


def test_few_letters_are_spaced_by_letter_height_alone():
    assert [len(w) for w in read_geometry(line_picture([("a", 0), ("x", 90)])[0])] == [2]
    assert [len(w) for w in read_geometry(line_picture([("a", 0), ("x", 220)])[0])] == [1, 1]


def test_joined_letters_much_wider_than_the_others_are_cut_at_the_thin_join():
    image, boxes = line_picture([("a", 0), ("t", 100), ("a", 200), ("x", 300), ("a", 385)])
    ImageDraw.Draw(image).line([(364, 130), (393, 130)], fill=0, width=3)  # x and a joined up
    found = read_geometry(image)[0]
    assert_boxes(found[:4], boxes[:4])
    (x, y, w, h), (tx, ty, tw, th) = found[4], boxes[4]
    assert tx - 20 <= x <= tx and abs(x + w - tx - tw) <= 3 and abs(y - ty) <= 3 and abs(h - th) <= 3


def test_a_letter_in_two_strokes_side_by_side_is_read_as_one_when_the_recognizer_says_so():
    image, boxes = line_picture([("a", 0), ("k", 100)])
    line = segment(grey_to_ink(to_grey(image)))
    assert line.spans[:3] == [(0, 1), (1, 2), (2, 3)] and (1, 3) in line.spans
    joined = line.spans.index((1, 3))
    sure = [0.9 if k == joined else 0.3 for k in range(len(line.spans))]
    sure[0] = 0.9
    assert [[line.spans[k] for k in word] for word in line.read(sure)] == [[(0, 1), (1, 3)]]
    scale = image.width / to_grey(image).shape[1]
    assert_boxes([np.multiply(line.candidates[joined].box, scale)], boxes[1:], tolerance=4)
    assert len(line.read([1.0] * len(line.spans))[0]) == 3  # every piece, when all are sure


def test_paths_offer_the_ways_to_cut_a_word_best_first_with_their_bonuses():
    image, _ = line_picture([("a", 0), ("k", 100)])
    line = segment(grey_to_ink(to_grey(image)))
    joined = line.spans.index((1, 3))
    sure = [0.9 if k == joined else 0.3 for k in range(len(line.spans))]
    sure[0] = 0.9
    paths = line.paths(0, 3, sure)
    assert paths[0] == ((0, joined), 2 * LETTER_BONUS)  # what read() picks comes first
    assert ((0, 1, 2), 3 * LETTER_BONUS) in paths
    assert len(set(p for p, _ in paths)) == len(paths)
    assert line.paths(0, 3, sure, limit=1) == paths[:1]
    assert line.paths(1, 3, sure)[0][0] == (joined,)  # a word's own pieces only


def test_blank_and_too_many_marks():
    assert segment(np.zeros((50, 200), np.float32)) == Line([], [], [])
    assert Line([], [], []).read([]) == []
    bars = np.zeros((60, 65 * 20), np.float32)
    for n in range(65):
        bars[10:50, n * 20 : n * 20 + 6] = 1.0
    assert len(segment(bars, max_letters=65).candidates) >= 65
    with pytest.raises(TooManyLetters) as raised:
        segment(bars, max_letters=64)
    assert raised.value.limit == 64
