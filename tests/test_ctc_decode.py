"""CTC beam search with a word-frequency prior, on synthetic column probabilities."""

import math

import numpy as np
import pytest

from handwriting.alphabet import CHARACTERS, NUM_CODES, encode
from handwriting.ctc_decode import BONUS, UNKNOWN, WEIGHT, beam_search, build_dictionary, dictionary
from handwriting.line_recognizer import greedy_codes, greedy_text


def columns(*rows):
    """Log probabilities of columns: each row {character: probability} ("" the blank), the rest
    (at least 1e-4) spread evenly over the other codes."""
    out = np.zeros((len(rows), NUM_CODES))
    for n, row in enumerate(rows):
        codes = {0 if c == "" else encode(c)[0]: p for c, p in row.items()}
        out[n] = max(1 - sum(codes.values()), 1e-4) / (NUM_CODES - len(codes))
        out[n, list(codes)] = list(codes.values())
    return np.log(out).astype(np.float32)


def written(*characters, p=0.99):
    """The columns of a line: each character (a string, or a {character: probability} row) read in one
    column at `p`, with a blank column at `p` before and after each."""
    rows = [{"": p}]
    for character in characters:
        rows += [character if isinstance(character, dict) else {character: p}, {"": p}]
    return columns(*rows)


def noisy(text, seed):
    """A sharp line of `text`: 1-3 columns per character at 0.8-0.99, blanks between, random noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for code in [0, *(c for code in encode(text) for c in (code, 0))]:
        for _ in range(rng.integers(1, 4)):
            row = rng.dirichlet(np.ones(NUM_CODES)) * 0.2
            row[code] = rng.uniform(0.8, 0.99)
            rows.append(row / row.sum())
    return np.log(np.array(rows, dtype=np.float32))


def best(log_probs, words=None, **options):
    return beam_search(log_probs, words, **options)[0]


def test_without_a_dictionary_a_sharp_line_reads_as_best_path_decoding():
    for seed, text in enumerate(["Hello, World 42!", "niño à l'été", "a-b (c) ¿qué? 3/4"]):
        log_probs = noisy(text, seed)
        hypothesis = best(log_probs)
        assert hypothesis.text == greedy_text(log_probs) == text
        assert hypothesis.spans == tuple((first, last) for _, first, last in greedy_codes(log_probs))


def test_a_repeated_character_needs_a_blank_between():
    assert best(columns({"l": 0.9}, {"l": 0.9}, {"": 0.9})).text == "l"
    assert best(columns({"l": 0.9}, {"": 0.9}, {"l": 0.9})).text == "ll"
    assert best(written(*"hello")).text == "hello"


def test_the_alignments_of_a_text_add_up():
    """"a" read in either of two columns (the other blank) or in both: all three count for "a"."""
    hypotheses = beam_search(columns({"a": 0.4, "": 0.3}, {"a": 0.4, "": 0.3}))
    assert hypotheses[0].text == "a"
    assert hypotheses[0].score == pytest.approx(math.log(0.4 * 0.3 + 0.3 * 0.4 + 0.4 * 0.4), abs=1e-5)
    assert len({h.text for h in hypotheses}) == len(hypotheses)
    assert [h.score for h in hypotheses] == sorted((h.score for h in hypotheses), reverse=True)


def test_a_hesitation_is_settled_by_the_dictionary():
    log_probs = written(*"hell", {"a": 0.55, "o": 0.45})
    assert best(log_probs).text == "hella"
    hypothesis = best(log_probs, dictionary("en"))
    assert hypothesis.text == "hello"
    assert hypothesis.spans[-1] == (9, 9)  # the column the "o" was read in


def test_a_confidently_read_name_code_or_number_is_kept():
    english = dictionary("en")
    for text in ["Xq7 zorblat", "Zelma 14.30", "hellp", "thx"]:
        assert best(written(*text), english).text == text


def test_a_letter_is_not_read_as_a_digit_or_dropped_to_make_a_shorter_word():
    english = dictionary("en")
    assert best(written(*"jump", {"s": 0.5, "5": 0.5}), english).text == "jumps"
    assert best(written(*"of", {" ": 0.5, "2": 0.5}, *"you"), english).text == "of you"
    assert best(written({"I": 0.75, "": 0.25}, " ", *"am"), english).text == "I am"


def test_a_word_pays_its_prior_once():
    acoustic = best(written(*"Hello zorblat l'été 12")).score
    words = build_dictionary([("hello", 1e-4), ("l", 1e-2), ("été", 1e-3)])
    expected = acoustic + WEIGHT * (math.log(1e-4) + UNKNOWN + math.log(1e-2) + math.log(1e-3)) + 3 * BONUS
    assert best(written(*"Hello zorblat l'été 12"), words).score == pytest.approx(expected, abs=1e-4)


def test_spanish_and_french_words_are_read_with_their_accents():
    spanish, french = dictionary("es"), dictionary("fr")
    assert {"niño", "también"} <= spanish.log_p.keys() and {"été", "déjà", "aujourd'hui"} <= french.log_p.keys()
    assert best(written(*"ni", {"n": 0.55, "ñ": 0.45}, "o"), spanish).text == "niño"
    assert best(written(*"l'", {"e": 0.55, "é": 0.45}, "t", {"e": 0.55, "é": 0.45}), french).text == "l'été"
    assert best(written(*"aujourd'hui"), french).text == "aujourd'hui"


def test_dictionary_words_are_case_folded_and_written_in_the_recognizer_characters():
    words = build_dictionary([("Hello", 1e-3), ("u.s", 1e-3), ("1st", 1e-4), ("42", 1e-4), ("мир", 1e-4),
                              ("hello", 1e-5), ("don't", 1e-4), ("'tis", 1e-6)])
    assert words.log_p == {"hello": math.log(1e-3), "1st": math.log(1e-4), "don't": math.log(1e-4)}
    assert {"", "h", "hell", "hello", "don'", "1"} <= words.prefixes
    assert set(CHARACTERS) >= set("".join(dictionary("fr").log_p))


def test_an_empty_line_reads_as_nothing():
    assert [(h.text, h.spans) for h in beam_search(np.zeros((0, NUM_CODES), np.float32), dictionary("en"))] == [
        ("", ())]
