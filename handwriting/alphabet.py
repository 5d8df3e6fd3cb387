"""The characters the line recognizer reads, and how a transcription is written in them.

Code 0 is CTC's blank; the characters are codes 1..len(CHARACTERS), in this order.
"""

import re
import string
import unicodedata

ACCENTED = "áéíóúüñàèùâêîôûëïçœ"  # Spanish and French letters beyond a-z
PUNCTUATION = ".,;:!?'\"-()/&¿¡"
CHARACTERS = (" " + string.ascii_lowercase + string.ascii_uppercase + string.digits
              + ACCENTED + ACCENTED.upper() + PUNCTUATION)
BLANK = 0
NUM_CODES = len(CHARACTERS) + 1  # the blank and the characters
CODE = {character: n + 1 for n, character in enumerate(CHARACTERS)}  # each character's code

# Typographic variants written the way the recognizer reads them. "^" marks a superscript in
# the Poilus transcriptions ("M^r"), so it is dropped; "ſ" is the long s.
_SAME = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "–": "-", "—": "-",
                       "\u00a0": " ", "ſ": "s", "^": None})


def normalize(text):
    """A transcription in the recognizer's characters (NFC, variants unified, spaces collapsed),
    or None when it holds a character the recognizer does not read."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(_SAME)).strip()
    return text if text and all(character in CODE for character in text) else None


def encode(text):
    """The codes of a normalized text."""
    return [CODE[character] for character in text]


def decode(codes):
    """The text of codes (blanks skipped)."""
    return "".join(CHARACTERS[code - 1] for code in codes if code != BLANK)
