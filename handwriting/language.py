"""Words decoded with a language: the letters a word was cut into, weighed with word frequencies.

For one word the segmenter offers a few ways to cut it into letters (`Line.paths`), and the
recognizer a probability for each letter of each candidate. Every dictionary word as long as a
way of cutting scores

    log P(its letters) + the cutting's letter bonuses + weight · log frequency(word),

and the letters read one by one (the most likely letter of each candidate) score the same with
the log frequency of an unknown word (`Prior.out_of_vocabulary`). A dictionary word pays for every
letter it changes, and may not change a letter read surely (`Prior.keep_above`): a clearly
written name, code or random string keeps its letters.
A page too few of whose words read letter by letter are words (`is_text`) is a list of codes,
names or random strings, and keeps its letters. The dictionary is wordfreq's list for the
language (English or Spanish). The model reads base
letters only, so a dictionary word is matched by its letters without accents and written with
them: "nino" read in Spanish comes out "niño".
"""

import functools
import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from handwriting.labels import LETTERS

LANGUAGES = ("en", "es", "fr")  # the dictionaries; "none" reads without one
NONE = "none"
VOCABULARY = 20_000  # words of each language to choose from (more gained nothing when tuning)
ALTERNATIVES = 5  # options kept per word
SURE = 0.97  # a letter read this surely is clearly written: no dictionary word may change it
_CODE = {letter: n for n, letter in enumerate(LETTERS)}


@dataclass(frozen=True)
class Prior:
    """How much the word frequencies weigh against the letters."""

    weight: float  # of the log frequency
    out_of_vocabulary: float  # the log frequency of a string that is no word
    vocabulary: int = VOCABULARY  # the most frequent words of the language that count as words
    text_share: float = 0.0  # a page with fewer of its words in the dictionary is no text: letters only
    keep_above: float = 1.0  # a letter read at least this surely is never changed for a word


# Chosen on pages of training letters (python -m benchmarks.words --tune), never on evaluation-only ones.
PRIOR = Prior(weight=0.75, out_of_vocabulary=math.log(1e-9), text_share=0.35, keep_above=SURE)


@dataclass(frozen=True)
class Option:
    text: str
    path: tuple  # the candidate letters it was read from, left to right
    score: float
    word: bool  # a dictionary word (else the letters one by one)


@dataclass(frozen=True)
class Lexicon:
    """Words by length: {length: (letter codes (words × length), log frequencies, spellings)}."""

    by_length: dict
    known: frozenset  # every word, by its base letters

    def words(self, length):
        return self.by_length.get(length, (np.zeros((0, length), int), np.zeros(0), []))


def base_letters(word):
    """A word's letters without accents ("niño" -> "nino"), or None if it holds other characters."""
    base = word.lower()
    if not base.isascii():
        base = "".join(c for c in unicodedata.normalize("NFD", base) if not unicodedata.combining(c))
    return base if base.isascii() and base.isalpha() else None


def build_lexicon(ranked):
    """A Lexicon of (word, frequency) pairs, most frequent first: each base spelling once, written as
    its most frequent form."""
    seen, rows = set(), {}
    for word, frequency in ranked:
        base = base_letters(word)
        if base is None or base in seen:
            continue
        seen.add(base)
        rows.setdefault(len(base), []).append(([_CODE[c] for c in base], math.log(frequency), word))
    return Lexicon({n: (np.array([r[0] for r in group]), np.array([r[1] for r in group]), [r[2] for r in group])
                    for n, group in rows.items()}, frozenset(seen))


@functools.cache
def lexicon(language, size=VOCABULARY):
    """The `size` most frequent words of `language` ("en" or "es") from wordfreq's frequency lists,
    as a Lexicon (loaded once)."""
    import wordfreq  # noqa: PLC0415 - a second to import: only when a dictionary is wanted

    ranked = []
    for centibel, words in enumerate(wordfreq.get_frequency_list(language)):
        ranked += [(word, 10 ** (-centibel / 100)) for word in words]
        if len(ranked) >= size:
            break
    return build_lexicon(ranked[:size])


def is_text(words, lexicon, prior=PRIOR):
    """Whether a page whose words read letter by letter are `words` is text in the lexicon's language:
    at least `prior.text_share` of its words of two letters or more are in it. Codes, names and
    random strings are not, and are best read letter by letter."""
    long_words = [word for word in words if len(word) >= 2]
    return not long_words or sum(word in lexicon.known for word in long_words) >= prior.text_share * len(long_words)


def decode(paths, log_probabilities, lexicon, prior=PRIOR):
    """The options for one word, best first (at most ALTERNATIVES, one per text).

    `paths`: [(candidate indices, sum of their bonuses)], the ways to cut the word;
    `log_probabilities`: (candidates × 26) log probabilities of the letters.
    """
    options = []
    for path, bonuses in paths:
        table = log_probabilities[list(path)]
        letters = table.argmax(axis=1)
        options.append(Option("".join(LETTERS[c] for c in letters), tuple(path),
                              float(table.max(axis=1).sum()) + bonuses + prior.weight * prior.out_of_vocabulary, False))
        options += _dictionary_options(table, path, bonuses, lexicon, prior)
    best = {}
    for option in sorted(options, key=lambda o: -o.score):
        best.setdefault(option.text, option)
    return list(best.values())[:ALTERNATIVES]


def _dictionary_options(table, path, bonuses, lexicon, prior):
    """The best ALTERNATIVES dictionary words as long as the path that keep its sure letters."""
    codes, log_frequencies, spellings = lexicon.words(len(path))
    if not spellings:
        return []
    best = table.argmax(axis=1)
    sure = table.max(axis=1) >= math.log(prior.keep_above)
    keeps = ((codes == best) | ~sure).all(axis=1)
    scores = np.where(keeps, table[np.arange(len(path)), codes].sum(axis=1) + bonuses + prior.weight * log_frequencies,
                      -np.inf)
    count = min(ALTERNATIVES, int(keeps.sum()))
    top = np.argpartition(-scores, count - 1)[:count] if count else []
    return [Option(spellings[i], tuple(path), float(scores[i]), True) for i in top]


def shares(options):
    """How the options' scores compare, as shares summing to 1 (best first)."""
    scores = np.array([o.score for o in options])
    weights = np.exp(scores - scores.max())
    return list(weights / weights.sum())
