"""handwriting/diacritics.py: an accent or tilde standing above a letter is dropped, nothing else.

(That a drawn ñ or á is then read as n or a, through the API, is in test_i18n.py.)
"""

import io

import numpy as np
import pytest

from handwriting.diacritics import drop_diacritics
from handwriting.ink import grey_to_ink, to_grey
from harness.pictures import encode
from pictures import MARKS, PARTS, SMALL, arc, draw_strokes


def ink_of(strokes):
    return grey_to_ink(to_grey(draw_strokes(strokes)))


@pytest.mark.parametrize("letter, mark", [("n", "tilde"), ("a", "acute"), ("a", "grave")])
def test_the_mark_above_the_letter_goes_and_the_letter_stays(letter, mark):
    plain = ink_of(SMALL[letter])
    marked = ink_of(SMALL[letter] + MARKS[mark])
    cleaned = drop_diacritics(marked)
    assert marked[:115].max() > 0.5  # the mark is above y = 115, the letter below
    assert cleaned[:115].max() == 0
    np.testing.assert_array_equal(cleaned[115:], marked[115:])
    assert np.abs(cleaned - plain).max() < 0.05  # what is left is the plain letter


@pytest.mark.parametrize("strokes", [
    PARTS["i"],  # a dot over a stem
    PARTS["j"],
    [[(140, 120), (140, 235)], [(130, 60), (150, 100)]],  # an i whose dot is a tick
    [[(70, 55), (210, 55)], [(140, 75), (140, 235)]],  # a T whose bar does not touch the stem
    [[(90, 50), (190, 50)], [(90, 70), (90, 230), (190, 230)], [(90, 140), (170, 140)]],  # an E, top bar apart
], ids=["i", "j", "i-tick", "T-apart", "E-apart"])
def test_what_stands_above_a_stem_is_kept(strokes):
    ink = ink_of(strokes)
    assert drop_diacritics(ink) is ink


@pytest.mark.parametrize("letter", ["a", "l", "t", "x"])
def test_letters_in_one_piece_are_untouched(letter):
    ink = ink_of(PARTS[letter])
    assert drop_diacritics(ink) is ink


def test_a_blank_map_is_returned_as_it_is():
    blank = np.zeros((40, 40), dtype=np.float32)
    assert drop_diacritics(blank) is blank




def test_a_tilde_over_a_letter_of_a_page_is_dropped_too(client):
    """/api/read frames each letter with the small marks that sit on it (the dots of i and j): a
    tilde among them is dropped there too (ñ read "a" without it)."""
    tilde = [arc(122, 100, 16, 9, 180, 360, 10) + arc(154, 100, 16, 9, 180, 0, 10)]
    picture = draw_strokes(SMALL["n"] + tilde, width=9)
    answer = client.post("/api/read", data={"image": (io.BytesIO(encode(picture)), "letter.png")}).get_json()
    assert answer["raw_text"] == "n"
