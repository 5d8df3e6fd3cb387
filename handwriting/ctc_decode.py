"""CTC prefix beam search over the line recognizer's columns, with a word-frequency prior (NumPy only).

A hypothesis scores

    log P(columns | text) + Σ over its words (weight · log P(word) + bonus),

where P(columns | text) sums over every CTC alignment of the text (blank and non-blank
probabilities per prefix) and P(word) is the word's wordfreq frequency, or e^unknown for a word
not in the dictionary. A word is a maximal run of letters, digits and apostrophes inside it that
holds a letter, case-folded: a number and punctuation are no words and cost nothing, while a digit
inside a word ("jump5", "of2you") makes it a non-word, so that no letter is read as a digit merely
to shorten a word. A word joined by apostrophes ("l'été") that is no dictionary word scores as its
parts ("l", "été"), as wordfreq counts them.

While a word is partial it costs nothing as long as it can still become a dictionary word; the
moment it cannot, it pays `weight · unknown`, and its end settles the difference, so nothing is
counted twice and a dictionary word is not pruned before it is complete.

A column whose best code has probability `sure` or more allows that code only: a character read
that surely is never changed for a word, and a blank column costs no search. Other columns allow
their codes within `cutoff` of their best, at most TOP of them.
"""

import functools
import heapq
import math
import string
from dataclasses import dataclass

import numpy as np

from handwriting.alphabet import CHARACTERS

SIZE = 50_000  # words of each dictionary: ~19 MB and 0.1 s to build per language (plus wordfreq's list)
# Chosen on the validation writers' lines (French; `python -m benchmarks.lines --tune`): CER 17.7 %
# against 19.8 % greedy, word error 44.3 % against 53.8 %.
WEIGHT = 0.2  # of a word's natural log frequency
UNKNOWN = math.log(1e-12)  # the log frequency of a word not in the dictionary
BONUS = 1.5  # per word, so that a letter is not dropped, or read as punctuation, only to save a word's cost
BEAM = 8
SURE = 0.97  # a column this sure of its best code allows no other
CUTOFF = 1e-3  # codes less likely than this share of their column's best are skipped
TOP = 6  # codes kept per column at most

_NONE = -math.inf
_CHARACTER = ("", *CHARACTERS)  # by code; code 0 is the blank
_LOWER = tuple(c.lower() for c in _CHARACTER)
_LETTERS = frozenset(c for c in CHARACTERS if c.isalpha())
_LETTERS_AND_DIGITS = _LETTERS | frozenset(string.digits)
_IN_WORD = tuple(c.isalnum() or c == "'" for c in _CHARACTER)
_APOSTROPHE = _CHARACTER.index("'")


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # acoustic log probability plus the words' prior (see the module's docstring)
    spans: tuple  # per character of text, the (first, last) column it was emitted in on its most likely
    #               alignment (chosen column by column)


@dataclass(frozen=True, eq=False)
class Dictionary:
    """The words of one language, case-folded."""

    log_p: dict  # word -> natural log of its frequency
    prefixes: frozenset  # every prefix of every word: "", the words and all between

    def viable(self, partial):
        """Whether a partial word can still end as a word (or as words joined by apostrophes)."""
        if partial in self.prefixes:
            return True
        head, apostrophe, tail = partial.partition("'")
        return bool(apostrophe) and head in self.log_p and self.viable(tail)

    def known(self, text):
        """Whether a written word (any case, punctuation around it) is a dictionary word."""
        return text.strip(string.punctuation + "¿¡").lower() in self.log_p

    def log_frequency(self, word, unknown):
        """The log frequency of a complete word; `unknown` for one that is no word."""
        if word in self.log_p:
            return self.log_p[word]
        head, apostrophe, tail = word.partition("'")
        if apostrophe and head in self.log_p:
            return self.log_p[head] + self.log_frequency(tail, unknown)
        return unknown


def _is_number(word):
    """Whether a word (digits, letters and apostrophes) holds no letter."""
    return word.replace("'", "").isdigit()


def _is_word(word):
    """Whether a case-folded word is written in the recognizer's letters and digits, holds a letter,
    and has apostrophes inside only."""
    return (word[:1] in _LETTERS_AND_DIGITS and word[-1:] in _LETTERS_AND_DIGITS and not _is_number(word)
            and all(c in _LETTERS_AND_DIGITS or c == "'" for c in word))


def build_dictionary(frequencies, size=None):
    """A Dictionary of (word, frequency) pairs, most frequent first: the first `size` words (all when
    None) that are written in the recognizer's letters, each case-folded spelling once."""
    log_p = {}
    for word, frequency in frequencies:
        word = word.lower()
        if size is not None and len(log_p) >= size:
            break
        if frequency > 0 and word not in log_p and _is_word(word):
            log_p[word] = math.log(frequency)
    return Dictionary(log_p, frozenset(word[:n] for word in log_p for n in range(len(word) + 1)))


@functools.cache
def dictionary(language, size=SIZE):
    """The `size` most frequent words of `language` ("en", "es" or "fr") in wordfreq (built once)."""
    import wordfreq  # noqa: PLC0415 - slow to import: only when a dictionary is wanted

    # The ranked buckets word_frequency reads (bucket n: 10^(-n/100)), without its per-word cache.
    ranked = ((word, 10 ** (-centibels / 100))
              for centibels, bucket in enumerate(wordfreq.get_frequency_list(language)) for word in bucket)
    return build_dictionary(ranked, size)


def _allowed(log_probs, sure, cutoff):
    """Per column, (the blank's log probability, {character code: log probability}) of the codes
    the search tries there; -inf for a blank it does not."""
    best = log_probs.max(axis=1, keepdims=True)
    keep = log_probs >= best + math.log(cutoff)
    if log_probs.shape[1] > TOP:
        keep &= log_probs >= np.partition(log_probs, -TOP, axis=1)[:, -TOP:-TOP + 1]
    certain = best[:, 0] >= math.log(sure)
    keep[certain] = log_probs[certain] == best[certain]
    columns = [{} for _ in range(len(log_probs))]
    rows, codes = np.nonzero(keep)
    for row, code, value in zip(rows.tolist(), codes.tolist(), log_probs[rows, codes].tolist(), strict=True):
        columns[row][code] = value
    return [(codes.pop(0, _NONE), codes) for codes in columns]


def _add(a, b):
    """log(e^a + e^b)."""
    if a < b:
        a, b = b, a
    return a if b == _NONE else a + math.log1p(math.exp(b - a))


def _spans(node):
    """The (first, last) columns of a linked list of characters (last character first) in text order."""
    out = []
    while node is not None:
        out.append(node[:2])
        node = node[2]
    return tuple(reversed(out))


def beam_search(log_probs, words=None, *, weight=WEIGHT, unknown=UNKNOWN, bonus=BONUS, beam=BEAM,
                sure=SURE, cutoff=CUTOFF):
    """The best texts of a line, best first (at most `beam`), from its (columns, codes) CTC log
    probabilities (log softmax; code 0 the blank), weighed with `words` (a Dictionary) when given."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or log_probs.shape[1] != len(_CHARACTER):
        raise ValueError(f"log_probs must be (columns, {len(_CHARACTER)}), not {log_probs.shape}")

    def close(word, out):
        """The prior of a word that ends, less what it paid on the way (a number: nothing)."""
        word = word.rstrip("'")
        if _is_number(word):
            return 0.0
        return weight * (words.log_frequency(word, unknown) - (unknown if out else 0.0)) + bonus

    def extend(word, out, language, code):
        """(word, out, language) after the character `code`: `out` once the word can be no dictionary
        word (a number never is), `language` the prior paid so far."""
        if _IN_WORD[code] and (word or code != _APOSTROPHE):
            word += _LOWER[code]
            if not out and not words.viable(word) and not _is_number(word):
                return word, True, language + weight * unknown
            return word, out, language
        if word:
            return "", False, language + close(word, out)
        return word, out, language

    # text -> [log P(ends in blank), log P(ends in its last character), prior, partial word, out,
    #          last code, spans (linked: (first, last, previous)), log P of the alignment spans follows]
    beams = {"": [0.0, _NONE, 0.0, "", False, 0, None, 0.0]}
    for column, (blank, codes) in enumerate(_allowed(log_probs, sure, cutoff)):
        grown = {}
        for text, (p_blank, p_last, language, word, out, last, spans, _) in beams.items():
            total = _add(p_blank, p_last)
            stay_blank = total + blank
            stay_last = p_last + codes[last] if last in codes else _NONE
            if stay_blank > _NONE or stay_last > _NONE:
                best, node = ((stay_last, (spans[0], column, spans[2])) if stay_last > stay_blank
                              else (stay_blank, spans))
                entry = grown.get(text)
                if entry is None:
                    grown[text] = [stay_blank, stay_last, language, word, out, last, node, best]
                else:
                    entry[0] = _add(entry[0], stay_blank)
                    entry[1] = _add(entry[1], stay_last)
                    if best > entry[7]:
                        entry[6], entry[7] = node, best
            for code, value in codes.items():
                p = (p_blank if code == last else total) + value
                if p == _NONE:
                    continue
                longer = text + _CHARACTER[code]
                entry = grown.get(longer)
                if entry is None:
                    state = extend(word, out, language, code) if words is not None else (word, out, language)
                    grown[longer] = [_NONE, p, state[2], state[0], state[1], code, (column, column, spans), p]
                else:
                    entry[1] = _add(entry[1], p)
                    if p > entry[7]:
                        entry[6], entry[7] = (column, column, spans), p
        beams = dict(heapq.nlargest(beam, grown.items(), key=lambda item: _add(item[1][0], item[1][1]) + item[1][2]))

    hypotheses = []
    for text, (p_blank, p_last, language, word, out, _, spans, _) in beams.items():
        if words is not None and word:
            language += close(word, out)
        hypotheses.append(Hypothesis(text, _add(p_blank, p_last) + language, _spans(spans)))
    return sorted(hypotheses, key=lambda hypothesis: -hypothesis.score)
