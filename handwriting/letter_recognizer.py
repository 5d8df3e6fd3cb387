"""The letter recognizer: a line cut into separate letters (`handwriting.segment`), each letter
read by the letter CNN, the words decoded with a dictionary (`handwriting.language`).

It reads print-style letters written apart; joined writing is the line recognizer's.
"""

from dataclasses import dataclass, replace

import numpy as np

from handwriting.diacritics import drop_diacritics
from handwriting.frame import ink_to_frame
from handwriting.labels import LETTERS
from handwriting.language import NONE, PRIOR, decode, is_text, lexicon, shares
from handwriting.segment import MAX_LETTERS, TooManyLetters, segment
from handwriting.transcript import Character, Word

TOP = 3  # guesses kept per letter
MIN_SHARE = 0.01  # a decoder's option less likely than this is not shown, unless it is the raw reading


@dataclass
class LetterScan:
    """A found line (handwriting.lines.PageLine) cut into candidate letters (handwriting.segment.Line),
    with the letter probabilities of every candidate."""

    line: object
    cut: object
    probabilities: np.ndarray  # (candidates, 26)

    def confidence(self):
        """How sure the letter CNN is of the letters of the line's most likely reading: the mean of
        each letter's top probability (0 for a line with no letter)."""
        chosen = [k for word in self.cut.read(self.probabilities.max(axis=1)) for k in word]
        return float(self.probabilities[chosen].max(axis=1).mean()) if chosen else 0.0


class LetterRecognizer:
    name = "letters"

    def __init__(self, model, max_letters=MAX_LETTERS):
        self.model = model  # a handwriting.classifier.LetterModel
        self.max_letters = max_letters

    def scan(self, lines):
        """LetterScans of found lines; every candidate letter is recognised in one model call.
        Raises TooManyLetters past `max_letters` letters in all."""
        cuts = [segment(line.ink, self.max_letters) for line in lines]
        count = sum(len(cut.cuts) for cut in cuts)
        if count > self.max_letters:
            raise TooManyLetters(f"{count} letters", self.max_letters)
        candidates = [candidate for cut in cuts for candidate in cut.candidates]
        if not candidates:
            return [LetterScan(line, cut, np.zeros((0, len(LETTERS)), np.float32)) for line, cut in zip(lines, cuts)]
        probabilities = self.model.probabilities(
            np.stack([ink_to_frame(drop_diacritics(candidate.ink)) for candidate in candidates]))
        ends = np.cumsum([len(cut.candidates) for cut in cuts])
        return [LetterScan(*row) for row in zip(lines, cuts, np.split(probabilities, ends[:-1]))]

    def decode(self, scans, language=NONE, prior=PRIOR):
        """The Words of each scanned line, decoded with the dictionary of `language` weighed by
        `prior` (or by nothing, when the lines do not read as text of that language)."""
        chosen = [scan.cut.read(scan.probabilities.max(axis=1)) for scan in scans]
        words = lexicon(language, prior.vocabulary) if language != NONE else None
        raw = [_letters(scan.probabilities, word) for scan, line in zip(scans, chosen) for word in line]
        if words is not None and not is_text(raw, words, prior):
            prior = replace(prior, weight=0.0)
        return [self._words(scan, line, words, prior) for scan, line in zip(scans, chosen)]

    def read(self, lines, language=NONE):
        """The Words of each found line."""
        return self.decode(self.scan(lines), language)

    def _words(self, scan, chosen, words_of_language, prior):
        """The words of one line read as `chosen` letter by letter, decoded with `words_of_language`
        (a Lexicon, or None for letter by letter)."""
        cut, probabilities, top = scan.cut, scan.probabilities, scan.line.top
        confidence = probabilities.max(axis=1)
        log_probabilities = np.log(np.maximum(probabilities, 1e-12))
        words = []
        for word in chosen:
            raw = _letters(probabilities, word)
            options, path = [], word
            if words_of_language is not None:
                first, end = cut.spans[word[0]][0], cut.spans[word[-1]][1]
                decoded = decode(cut.paths(first, end, confidence), log_probabilities, words_of_language, prior)
                options = [{"text": o.text, "share": float(share), "word": o.word}
                           for o, share in zip(decoded, shares(decoded)) if share >= MIN_SHARE or o.text == raw]
                path = decoded[0].path
            characters = [Character(_shifted(cut.candidates[k].box, top), self.model.top(probabilities[k], TOP))
                          for k in path]
            words.append(Word(characters, raw, options))
        return words


def _letters(probabilities, word):
    return "".join(LETTERS[int(np.argmax(probabilities[k]))] for k in word)


def _shifted(box, top):
    x, y, w, h = box
    return (x, y + top, w, h)
