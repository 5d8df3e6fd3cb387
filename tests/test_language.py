"""Decoding words with a language, on synthetic probability tables."""

import math

import numpy as np
import pytest

from handwriting.labels import LETTERS
from handwriting.language import (PRIOR, VOCABULARY, Prior, base_letters, build_lexicon, decode, is_text, lexicon,
                                  shares)

WORDS = build_lexicon([("the", 5e-2), ("hello", 1e-4), ("help", 2e-4), ("do", 3e-3), ("in", 2e-2),
                       ("m", 1e-6), ("niño", 1e-4), ("nino", 2e-6)])


def table(*rows):
    """Log probabilities of candidates: each row {letter: probability}, the rest spread evenly."""
    out = np.zeros((len(rows), len(LETTERS)))
    for n, row in enumerate(rows):
        rest = (1 - sum(row.values())) / (len(LETTERS) - len(row))
        out[n] = [row.get(letter, rest) for letter in LETTERS]
    return np.log(out)


def sure(word, p=0.97):
    return table(*({c: p} for c in word))


def test_a_confidently_written_non_word_stays_letter_by_letter():
    for word in ["xqzt", "kdw", "zelma", "thx", "hellp"]:  # the last two: a letter away from a word
        best = decode([(tuple(range(len(word))), 0.0)], sure(word), WORDS)[0]
        assert best.text == word and not best.word


def test_an_ambiguous_letter_is_fixed_by_the_dictionary():
    letters = table({"h": 0.9}, {"c": 0.5, "e": 0.4}, {"l": 0.9}, {"l": 0.9}, {"o": 0.9})
    options = decode([(tuple(range(5)), 0.0)], letters, WORDS)
    assert options[0].text == "hello" and options[0].word
    assert "hcllo" in [o.text for o in options]  # the letters one by one were weighed too
    assert decode([(tuple(range(5)), 0.0)], letters, WORDS, Prior(0.0, PRIOR.out_of_vocabulary))[0].text == "hcllo"


def test_a_merge_the_segmenter_offered_wins_when_it_makes_a_word():
    # Pieces read "c", "l" alone (0, 1) or "d" together (2); then "o" (3).
    letters = table({"c": 0.6}, {"l": 0.6}, {"d": 0.5, "c": 0.2}, {"o": 0.95})
    paths = [((0, 1, 3), 2.25), ((2, 3), 1.5)]
    assert decode(paths, letters, build_lexicon([("hello", 1e-2)]))[0].text == "clo"  # no word: the letters
    best = decode(paths, letters, WORDS)[0]
    assert best.text == "do" and best.path == (2, 3)


def test_a_split_the_segmenter_offered_wins_when_it_makes_a_word():
    # One wide piece read "m" (0), or two pieces "i" (1) and "n" (2).
    letters = table({"m": 0.7}, {"i": 0.5, "l": 0.4}, {"n": 0.6, "h": 0.3})
    paths = [((0,), 0.75), ((1, 2), 1.5)]
    best = decode(paths, letters, WORDS)[0]
    assert best.text == "in" and best.path == (1, 2)


def test_spanish_accents_and_enye_come_back_from_the_dictionary():
    assert base_letters("niño") == "nino" and base_letters("acción") == "accion" and base_letters("l'eau") is None
    best = decode([(tuple(range(4)), 0.0)], sure("nino"), WORDS)[0]
    assert best.text == "niño"


def test_wordfreq_lists_ship_with_the_package():
    spanish, english = lexicon("es"), lexicon("en")
    codes, _, spellings = spanish.words(4)
    assert spellings[[list(map(LETTERS.index, "nino")) == list(row) for row in codes].index(True)] == "niño"
    assert decode([(tuple(range(6)), 0.0)], sure("camion", 0.8), spanish)[0].text == "camión"
    assert decode([(tuple(range(5)), 0.0)], table({"h": 0.9}, {"c": 0.5, "e": 0.4}, {"l": 0.9}, {"l": 0.9},
                                                 {"o": 0.9}), english)[0].text == "hello"
    assert sum(len(english.words(n)[2]) for n in range(1, 30)) > 0.9 * VOCABULARY  # few are not a-z words


def test_options_are_distinct_best_first_and_their_shares_sum_to_one():
    options = decode([(tuple(range(4)), 0.0)], table({"h": 0.6}, {"e": 0.5}, {"l": 0.5}, {"p": 0.4}), WORDS)
    texts = [o.text for o in options]
    assert len(texts) == len(set(texts)) and texts[0] == "help"
    assert [o.score for o in options] == sorted((o.score for o in options), reverse=True)
    assert math.isclose(sum(shares(options)), 1.0) and shares(options)[0] == max(shares(options))


@pytest.mark.parametrize("length", [1, 12])
def test_lengths_without_dictionary_words_still_decode(length):
    best = decode([(tuple(range(length)), 0.0)], sure("q" * length), build_lexicon([("the", 1e-2)]))[0]
    assert best.text == "q" * length


def test_a_page_is_text_when_enough_of_its_words_read_letter_by_letter_are_words():
    half = Prior(0.5, PRIOR.out_of_vocabulary, text_share=0.5)
    assert is_text(["the", "hcllo", "help", "x"], WORDS, half)  # 2 of 3 words of two letters or more
    assert not is_text(["xq", "zzt", "hcllo", "the"], WORDS, half)  # codes: read letter by letter
    assert is_text(["a", "i"], WORDS, half)  # single letters say nothing
    assert is_text(["xq", "zzt"], WORDS, Prior(0.5, PRIOR.out_of_vocabulary, text_share=0.0))


def test_a_surely_read_letter_is_never_changed_for_a_word():
    strong = Prior(5.0, math.log(1e-9), keep_above=0.95)
    assert decode([((0, 1, 2), 0.0)], sure("thx", 0.96), WORDS, strong)[0].text == "thx"
    unsure = table({"t": 0.97}, {"h": 0.97}, {"x": 0.6, "e": 0.3})
    assert decode([((0, 1, 2), 0.0)], unsure, WORDS, strong)[0].text == "the"
    assert decode([((0, 1, 2), 0.0)], sure("thx", 0.96), WORDS, Prior(5.0, math.log(1e-9)))[0].text == "the"
