"""Synthetic handwritten lines (training.synthetic_lines): fonts and pen-stroke letters, made into
recognizer inputs exactly like real lines, from training stroke sets only."""

import re

import numpy as np
import pytest
from fake_data import make_data_dir

from handwriting.alphabet import normalize
from handwriting.ink import grey_to_ink, label_components
from handwriting.line_image import LINE_HEIGHT, WIDTH_STEP
from training import synthetic_lines as synthetic
from training.line_data import SPECK_FRACTION

_ARC = np.linspace(-np.pi / 2, 1.5 * np.pi, 30)
# Hand-made one-stroke letters (y down): a word of them written with the pen kept down is one
# piece of ink.
LETTERS = {
    "o": [[np.column_stack([0.5 + 0.5 * np.cos(_ARC), 0.5 + 0.5 * np.sin(_ARC)])]],
    "n": [[np.array([(0, 1), (0, 0), (0, 0.25), (0.3, 0), (0.6, 0.25), (0.6, 1)], float)]],
    "u": [[np.array([(0, 0), (0, 0.8), (0.3, 1), (0.6, 0.8), (0.6, 0), (0.6, 1)], float)]],
}


def ink_pieces(grey):
    """The number of pieces of ink the reader's preprocessing finds in a grey picture."""
    ink = grey_to_ink(grey, SPECK_FRACTION)
    return len(label_components(ink > 0.35 * ink.max())[1]) - 1


def ink_columns(grey):
    ink = grey_to_ink(grey, SPECK_FRACTION)
    return np.flatnonzero((ink > 0.35 * ink.max()).any(axis=0))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return make_data_dir(tmp_path_factory.mktemp("data"))


def test_every_font_is_installed_and_writes_the_letters_and_digits():
    for package, (path, licence) in synthetic.FONTS.items():
        assert licence
        lacking = synthetic.missing_characters(path)
        assert not lacking & set("abcxyzABCXYZ0123456789.,"), package


def test_a_font_without_a_glyph_is_not_used_for_a_text_that_needs_it():
    rufscript = synthetic.FONTS["fonts-rufscript"][0]
    assert "é" in synthetic.missing_characters(rufscript)
    with pytest.raises(ValueError):
        synthetic.font_line("été", rufscript, np.random.default_rng(0))
    assert "fonts-rufscript" not in synthetic.fonts_for("été")
    assert "fonts-kristi" not in synthetic.fonts_for("cœur")  # Kristi has no œ
    assert "fonts-dancingscript" in synthetic.fonts_for("cœur, ¿qué? ¡sí!")


def test_font_line_ink_lies_where_the_text_is():
    for seed in range(3):
        path = synthetic.FONTS["fonts-sjfonts"][0]
        grey = synthetic.font_line("mm" + " " * 24 + "mm", path, np.random.default_rng(seed))
        assert np.median(grey) > 0.7  # paper
        columns = ink_columns(grey)
        left, right = columns[0], columns[-1]
        middle = columns[(columns > left + (right - left) / 4) & (columns < right - (right - left) / 4)]
        assert middle.size == 0  # the spaces hold no ink, both ends do


def test_font_line_grows_with_its_text():
    path = synthetic.FONTS["fonts-dancingscript"][0]
    for seed in range(3):
        short = ink_columns(synthetic.font_line("mm", path, np.random.default_rng(seed)))
        long = ink_columns(synthetic.font_line("mm mm mm mm", path, np.random.default_rng(seed)))
        assert long[-1] - long[0] > 2.5 * (short[-1] - short[0])


def test_a_joined_word_is_one_piece_of_ink_and_words_are_apart():
    for seed in range(4):
        assert ink_pieces(synthetic.stroke_word_line("noun", LETTERS, np.random.default_rng(seed))) == 1
        assert ink_pieces(synthetic.stroke_word_line("no un", LETTERS, np.random.default_rng(seed))) == 2
        spaced = synthetic.stroke_word_line("o n u", LETTERS, np.random.default_rng(seed), joined=False)
        assert ink_pieces(spaced) == 3


def test_stroke_lines_draw_accents_and_punctuation_but_refuse_digits():
    letters = {**LETTERS, "N": LETTERS["n"]}
    assert not synthetic.strokes_can_write("¿Ñu, ôn?", LETTERS)  # no N
    assert synthetic.strokes_can_write("¿Ñu, ôn?", letters)
    for seed in range(3):
        grey = synthetic.stroke_word_line("¿Ñu, ôn?", letters, np.random.default_rng(seed))
        assert ink_pieces(grey) >= 7  # two words, ¿ and ? (2 each), a tilde, a comma, a circumflex
    assert not synthetic.strokes_can_write("noun 2", LETTERS)
    with pytest.raises(ValueError):
        synthetic.stroke_word_line("noun 2", LETTERS, np.random.default_rng(0))


def test_stroke_page_stacks_its_lines():
    lines = ["noun on", "no", "un nu"]
    grey, texts = synthetic.stroke_page(lines, LETTERS, np.random.default_rng(1), joined=True)
    assert texts == lines
    ink = grey_to_ink(grey, SPECK_FRACTION)
    rows = (ink > 0.35 * ink.max()).any(axis=1)
    bands = np.count_nonzero(np.diff(rows.astype(int)) == 1) + rows[0]
    assert bands == 3


def test_texts_are_normalized_lines_of_a_few_words():
    rng = np.random.default_rng(0)
    for language in synthetic.LANGUAGES:
        lines = synthetic.texts(language, rng, 60)
        assert all(normalize(text) == text for text in lines)
        assert all(2 <= len(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)) <= 8 for text in lines)
        assert any(any(c.isdigit() for c in text) for text in lines)
        assert not any(any(c.isdigit() for c in text) for text in synthetic.texts(language, rng, 30, numbers=False))
    spanish = "".join(synthetic.texts("es", rng, 200))
    assert set("áéíóñ¿¡") <= set(spanish)
    assert set("éèàç'") <= set("".join(synthetic.texts("fr", rng, 200)))


def test_stroke_letters_keep_their_case(data_dir):
    letters = synthetic.stroke_letters(data_dir, "unipen-letters")
    assert {"a", "A", "z", "Z"} <= set(letters)
    assert sum(map(len, letters.values())) == 130
    sample = letters["a"][0]
    assert all(stroke.ndim == 2 and stroke.shape[1] == 2 for stroke in sample)


def test_synthetic_lines_are_made_like_real_lines(data_dir):
    lines = synthetic.synthetic_lines(12, np.random.default_rng(0), data_dir)
    assert len(lines) == 12
    assert {line.source for line in lines} >= {"synthetic-font", "synthetic-strokes-joined"}
    for line in lines:
        assert line.pixels.dtype == np.uint8 and line.pixels.shape[0] == LINE_HEIGHT
        assert line.pixels.shape[1] % WIDTH_STEP == 0 and line.pixels.max() > 200
        assert normalize(line.text) == line.text


def test_evaluation_only_strokes_are_never_used_for_training(data_dir):
    assert (data_dir / "uji-penchars-v1-letters").exists()
    for sources in (("uji-penchars-v1-letters",), ("unipen-letters", "uji-penchars-v1-letters")):
        with pytest.raises(ValueError):
            synthetic.synthetic_lines(1, np.random.default_rng(0), data_dir, sources=sources)
