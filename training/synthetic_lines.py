"""Synthetic handwritten text lines for the line recognizer: handwriting fonts and pen-stroke letters.

Every picture is grey paper (about 1.0) with dark ink, made the way a phone photographs a page
(ink colour, ruled or squared paper, slant, rotation, blur, noise, JPEG), and a `Line` goes
through the reader's own preprocessing (`grey_to_ink`, then `line_input`) like the real lines of
`training.line_data`. `synthetic_lines` uses the TRAINING stroke sets only
(`training.sources.STROKE_SETS`); `stroke_word_line` and `stroke_page` take any letters, so a
benchmark can build pages from the evaluation-only UJI letters.
"""

import functools
import io
import unicodedata
from pathlib import Path

import numpy as np
import wordfreq
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from handwriting.alphabet import CHARACTERS, normalize
from handwriting.ink import grey_to_ink
from handwriting.line_image import line_input
from training.line_data import SPECK_FRACTION, Line
from training.sources import STROKE_SETS
from training.strokes import read_strokes

# Debian package: (font file, licence). Only fonts whose letters keep their case (no all-capitals
# fonts) and that look handwritten; `missing_characters` says which characters each one lacks.
FONTS = {
    "fonts-dancingscript": ("/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf", "OFL-1.1"),
    "fonts-kaushanscript": ("/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf", "OFL-1.1"),
    "fonts-kristi": ("/usr/share/fonts/truetype/kristi/Kristi.ttf", "OFL-1.1"),
    "fonts-ecolier-court": ("/usr/share/fonts/truetype/ecolier-court/Ecolier-court.ttf", "OFL-1.1"),
    "fonts-breip": ("/usr/share/fonts/truetype/breip/Breip.ttf", "OFL-1.0"),
    "fonts-dkg-handwriting": ("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", "GPL-3+ (font source OFL-1.1)"),
    "fonts-rufscript": ("/usr/share/fonts/truetype/rufscript/Rufscript010.ttf", "GPL-3+ with font exception"),
    "fonts-sjfonts": ("/usr/share/fonts/truetype/sjfonts/SteveHand.ttf", "GPL-2 with font exception"),
    "fonts-comic-neue": ("/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", "OFL-1.1"),
}
# Fonts whose thin strokes are finer than a pen's: always drawn with a wider pen.
_HAIRLINE_FONTS = {FONTS["fonts-ecolier-court"][0]}
LANGUAGES = ("en", "es", "fr")
VOCABULARY_SIZE = 30_000
TRAINING_STROKE_SETS = tuple(STROKE_SETS)
SUPERSAMPLE = 2  # strokes are drawn this many times larger, then shrunk: smooth edges

_SINGLE_LETTER_WORDS = {"en": {"a", "i"}, "es": {"a", "e", "o", "u", "y"}, "fr": {"a", "à", "y"}}
_ELIDED = {"c", "d", "j", "l", "m", "n", "qu", "s", "t"}  # French: l'homme, qu'il
_VOWELS = set("aeiouyhàâéèêîôûAEIOUYH")
_SEPARATORS = (" ", ", ", "; ", ": ", "-", " - ", "/", " & ")
_SEPARATOR_ODDS = (0.83, 0.1, 0.01, 0.01, 0.02, 0.015, 0.01, 0.005)


# ---- texts -------------------------------------------------------------------------------------

@functools.cache
def _words(language):
    """The language's commonest words that the recognizer can write, commonest first."""
    words = []
    for word in wordfreq.top_n_list(language, VOCABULARY_SIZE):
        if normalize(word) != word or not word.replace("'", "").isalpha() or word[0] == "'" or word[-1] == "'":
            continue
        if len(word) == 1 and word not in _SINGLE_LETTER_WORDS[language] and not (language == "fr" and word in _ELIDED):
            continue
        words.append(word)
    return words


def _word(language, rng):
    """A word drawn log-uniformly by frequency rank: common and rare words alike."""
    words = _words(language)
    return words[int(len(words) ** rng.random()) - 1]


def _number(language, rng):
    kind = rng.integers(6)
    if kind == 0:
        return str(rng.integers(1890, 2031))  # a year
    if kind == 1:
        return f"{rng.integers(0, 24)}{'h' if language == 'fr' else ':'}{rng.integers(0, 60):02d}"
    if kind == 2:
        year = f"/{rng.integers(1950, 2031)}" if rng.random() < 0.5 else ""
        return f"{rng.integers(1, 32)}/{rng.integers(1, 13):02d}{year}"
    if kind == 3:
        return f"{rng.integers(0, 100)}{'.' if language == 'en' else ','}{rng.integers(0, 100)}"
    return str(rng.integers(0, 10 ** rng.integers(1, 5)))


def _sentence_words(language, rng, count):
    words = []
    while len(words) < count:
        word = _word(language, rng)
        if language == "fr" and word in _ELIDED:
            following = _word(language, rng)
            if following[0] not in _VOWELS or following in _ELIDED:
                continue
            word = f"{word}'{following}"
        if language == "en" and (word == "i" or word.startswith("i'")):
            word = "I" + word[1:]
        words.append(word)
    return words


def _capitalised(word):
    return word[0].upper() + word[1:]


def _text(language, rng, numbers):
    words = _sentence_words(language, rng, int(rng.integers(2, 9)))
    if rng.random() < 0.7:
        words[0] = _capitalised(words[0])
    for i in range(1, len(words)):
        if rng.random() < 0.08:
            words[i] = _capitalised(words[i])
    if rng.random() < 0.03:
        i = rng.integers(len(words))
        words[i] = words[i].upper()
    if numbers and rng.random() < 0.3:
        words.insert(int(rng.integers(len(words) + 1)), _number(language, rng))
    if rng.random() < 0.04 and len(words) > 2:  # a quoted word or a couple in brackets
        i = rng.integers(len(words) - 1)
        if rng.random() < 0.5:
            words[i] = f'"{words[i]}"'
        else:
            words[i], words[i + 1] = f"({words[i]}", f"{words[i + 1]})"
    separators = rng.choice(_SEPARATORS, len(words) - 1, p=_SEPARATOR_ODDS)
    text = words[0] + "".join(separator + word for separator, word in zip(separators, words[1:]))
    end = rng.random()
    if end < 0.45:
        text += "."
    elif end < 0.52:
        text = ("¡" if language == "es" else "") + text + "!"
    elif end < 0.6:
        text = ("¿" if language == "es" else "") + text + "?"
    elif end < 0.62:
        text += "..."
    return text


def texts(language, rng, n, numbers=True):
    """`n` text lines of 2 to 8 words of `language` ("en", "es" or "fr") from wordfreq's 30,000
    commonest words (drawn log-uniformly by rank), with capitals, punctuation and, if `numbers`,
    sometimes a number; every line is already `normalize`d."""
    out = []
    while len(out) < n:
        text = normalize(_text(language, rng, numbers))
        if text is not None:
            out.append(text)
    return out


# ---- fonts -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _font(path, size):
    try:
        return ImageFont.truetype(path, size)
    except OSError as error:
        package = next((name for name, (file, _) in FONTS.items() if file == path), "its package")
        raise OSError(f"{path}: apt-get install {package} (`make test` does it)") from error


@functools.cache
def missing_characters(font_path):
    """The recognizer's characters `font_path` has no glyph for (those it would draw as its
    empty box, or as nothing)."""
    font = _font(font_path, 48)
    box = bytes(font.getmask("\ue000"))  # a private-use code point: the font's missing-glyph box
    missing = set()
    for character in CHARACTERS.replace(" ", ""):
        mask = bytes(font.getmask(character))
        if mask == box or not any(mask):
            missing.add(character)
    return frozenset(missing)


def fonts_for(text):
    """The FONTS packages that can write every character of `text`."""
    return [package for package, (path, _) in FONTS.items() if not missing_characters(path) & set(text)]


def font_line(text, font_path, rng):
    """A grey picture (paper about 1.0, ink dark) of `text` written in a handwriting font:
    random size, letter spacing and baseline wobble, pen width, slant, then `_photograph`'s ink,
    paper, rotation, blur, noise and JPEG. Raises ValueError when the font lacks a character."""
    lacking = missing_characters(font_path) & set(text)
    if lacking:
        raise ValueError(f"{Path(font_path).name} has no glyph for {''.join(sorted(lacking))!r}")
    font = _font(font_path, int(rng.integers(36, 64)))
    ascent, descent = font.getmetrics()
    x_height = max(4.0, -font.getbbox("x", anchor="ls")[1])
    margin = int(ascent // 2)
    spread = rng.uniform(-0.04, 0.1) * x_height  # extra space after each character
    wobble = rng.uniform(0, 0.06) * x_height
    thicker = rng.random() < 0.3 or font_path in _HAIRLINE_FONTS
    width = int(font.getlength(text) + max(spread, 0) * len(text) + 0.1 * x_height * len(text) ** 0.5) + 2 * margin
    canvas = Image.new("L", (width, ascent + descent + 2 * margin), 0)
    draw = ImageDraw.Draw(canvas)
    baseline = margin + ascent
    if rng.random() < 0.4:  # whole text at once: the font's own joins and kerning
        draw.text((margin, baseline), text, font=font, fill=255, anchor="ls")
    else:
        drift = np.cumsum(rng.normal(0, 0.03 * x_height, len(text)))  # spacing wanders along the line
        for i, character in enumerate(text):
            x = margin + font.getlength(text[:i]) + i * spread + drift[i]
            y = baseline + rng.normal(0, wobble)
            draw.text((x, y), character, font=font, fill=255, anchor="ls")
    if thicker:  # a wider pen: the glyphs' edges spread by about a pixel (their counters stay open)
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))
    canvas = _slant(canvas, rng.uniform(-0.25, 0.3))
    coverage = np.asarray(canvas, np.float32) / 255
    if thicker:
        coverage = np.clip(coverage * (3 if font_path in _HAIRLINE_FONTS else 2), 0, 1)
    elif rng.random() < 0.3:  # a thinner pen: the glyphs' soft edges dropped...
        thinner = np.clip((coverage - 0.4) / 0.6, 0, 1)
        if thinner.sum() > 0.6 * coverage.sum():  # ...unless they are most of a hairline font
            coverage = thinner
    return _photograph(coverage, rng, [baseline], x_height)


def _slant(image, shear):
    """The image sheared: tops `shear` pixels per row to the right (italic) or left."""
    spread = int(abs(shear) * image.height) + 1
    return image.transform((image.width + spread, image.height), Image.Transform.AFFINE,
                           (1, shear, -spread if shear > 0 else 0, 0, 1, 0), Image.Resampling.BILINEAR)


# ---- paper -------------------------------------------------------------------------------------

def _luminance(rgb):
    """Pillow's grey of an RGB colour in [0, 1]."""
    return (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255


def _ink(rng):
    """(grey of the ink, pencil?): a black pen, blue ink, or pencil."""
    kind = rng.random()
    if kind < 0.45:
        return _luminance(rng.uniform(0, 60, 3)), False
    if kind < 0.85:
        return _luminance((rng.uniform(0, 80), rng.uniform(20, 110), rng.uniform(110, 230))), False
    return rng.uniform(0.3, 0.55), True


def _rules(shape, rng, baselines, x_height):
    """The paper's printed lines (a [0, 1] map) under text whose baselines are at these rows:
    none, ruled lines, a squared grid or French Seyès ruling."""
    rules = np.zeros(shape, np.float32)
    kind = rng.random()
    if kind < 0.45:
        return rules
    height = shape[0]
    offset = rng.uniform(-0.1, 0.3) * x_height  # writing sits on the line, a little above or below

    def horizontal(rows, strength=1.0):
        for row in rows:
            if 0 <= row < height - 1:
                low = int(row)
                rules[low] = np.maximum(rules[low], strength * (1 - (row - low)))
                rules[low + 1] = np.maximum(rules[low + 1], strength * (row - low))

    if kind < 0.75:  # ruled: a line under every line of text, and between the lines of a page
        spacing = baselines[1] - baselines[0] if len(baselines) > 1 else rng.uniform(2.6, 3.6) * x_height
        start = baselines[0] + offset
        horizontal(start + spacing * np.arange(-(start // spacing) - 1, (height - start) // spacing + 2))
        return rules
    step = rng.uniform(0.9, 1.4) * x_height if kind < 0.9 else rng.uniform(0.45, 0.6) * x_height
    start = baselines[0] + offset
    k = np.arange(-(start // step) - 1, (height - start) // step + 2)
    if kind < 0.9:  # squared paper
        horizontal(start + step * k)
        rules[:, int(rng.uniform(0, step)) :: max(2, round(step))] = 1
    else:  # Seyès: strong lines every four thin ones
        horizontal(start + step * k, 0.5)
        horizontal(start + step * k[k % 4 == 0])
        rules[:, int(rng.uniform(0, 4 * step)) :: max(2, round(4 * step))] = 0.5
    return rules


def _photograph(coverage, rng, baselines, x_height):
    """Grey paper (about 1.0) with ink where `coverage` ([0, 1]) is, as a phone photographs it:
    ink colour, printed rules, uneven light, rotation, blur, resolution, noise and JPEG."""
    height, width = coverage.shape
    paper = _luminance((rng.uniform(225, 255), rng.uniform(220, 255), rng.uniform(200, 255)))
    ink, pencil = _ink(rng)
    contrast = paper - ink
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    light = rng.uniform(-0.06, 0.06, 2)
    grey = paper + light[0] * (columns / width - 0.5) + light[1] * (rows / height - 0.5)
    grey -= _rules(coverage.shape, rng, baselines, x_height) * contrast * rng.uniform(0.08, 0.3)
    if pencil:  # graphite leaves grains of ink
        coverage = coverage * rng.uniform(0.5, 1.0, coverage.shape).astype(np.float32)
    grey = grey * (1 - coverage) + ink * coverage
    image = Image.fromarray(np.uint8(np.clip(grey, 0, 1) * 255))
    if rng.random() < 0.5:
        image = image.rotate(rng.uniform(-2, 2), Image.Resampling.BILINEAR, expand=True, fillcolor=int(paper * 255))
    scale = rng.uniform(0.6, 1.0)
    if scale < 0.95:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.BILINEAR)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.0)))
    grey = np.asarray(image, np.float32) + rng.normal(0, rng.uniform(0.5, 6), (image.height, image.width))
    buffer = io.BytesIO()
    Image.fromarray(np.uint8(np.clip(grey, 0, 255))).save(buffer, "JPEG", quality=int(rng.integers(35, 90)))
    return np.asarray(Image.open(buffer), np.float32) / 255


# ---- pen-stroke letters ------------------------------------------------------------------------

def stroke_letters(data_dir, set_name):
    """{character, with its case: [sample: [stroke (k, 2) float32 points, y down]]} of the stroke
    set `data_dir/set_name` (any set, evaluation-only ones included: the caller decides)."""
    (path,) = sorted((Path(data_dir) / set_name).glob("*strokes.txt.gz"))
    letters = {}
    for character, strokes in read_strokes(path):
        strokes = [stroke for stroke in strokes if len(stroke)]
        if strokes and np.ptp(np.concatenate(strokes), axis=0).max() > 0:
            letters.setdefault(character, []).append(strokes)
    return letters


@functools.lru_cache(maxsize=4)
def _training_letters(data_dir, sets):
    letters = {}
    for name in sets:
        for character, samples in stroke_letters(data_dir, name).items():
            letters.setdefault(character, []).extend(samples)
    return letters


# Pen marks for what the stroke sets lack, in x-heights (y down). Accents: from the top centre of
# their letter (cedilla: from its bottom centre). Punctuation: from its left end on the baseline.
_ACCENTS = {
    "\u0301": [[(-0.1, -0.25), (0.15, -0.6)]],
    "\u0300": [[(-0.15, -0.6), (0.1, -0.25)]],
    "\u0302": [[(-0.22, -0.25), (0.0, -0.55), (0.22, -0.25)]],
    "\u0308": [[(-0.17, -0.35)], [(0.17, -0.35)]],
    "\u0303": [[(-0.25, -0.3), (-0.12, -0.44), (0.0, -0.38), (0.12, -0.3), (0.25, -0.44)]],
    "\u0327": [[(0.0, 0.0), (0.03, 0.2), (0.15, 0.3), (0.06, 0.45), (-0.1, 0.42)]],
}
_QUESTION = [[(0.0, -1.35), (0.12, -1.65), (0.4, -1.7), (0.6, -1.5), (0.55, -1.2), (0.35, -0.95), (0.28, -0.7),
              (0.28, -0.45)], [(0.28, 0.0)]]
_COMMA = [(0.08, 0.0), (0.05, 0.15), (-0.03, 0.32)]
_BRACKET = [(0.3, -1.8), (0.08, -1.3), (0.0, -0.6), (0.08, 0.1), (0.3, 0.55)]
_PUNCTUATION = {
    ".": [[(0.0, 0.0)]],
    ",": [_COMMA],
    ";": [[(0.05, -0.7)], _COMMA],
    ":": [[(0.03, -0.7)], [(0.03, 0.0)]],
    "!": [[(0.1, -1.7), (0.04, -0.45)], [(0.03, 0.0)]],
    "¡": [[(0.08, -1.0)], [(0.06, -0.55), (0.0, 0.7)]],
    "?": _QUESTION,
    "¿": [[(0.6 - x, -1.0 - y) for x, y in stroke] for stroke in _QUESTION],
    "'": [[(0.08, -1.75), (0.0, -1.35)]],
    '"': [[(0.08, -1.75), (0.02, -1.35)], [(0.28, -1.75), (0.22, -1.35)]],
    "-": [[(0.0, -0.5), (0.55, -0.52)]],
    "(": [_BRACKET],
    ")": [[(0.3 - x, y) for x, y in _BRACKET]],
    "/": [[(0.0, 0.35), (0.7, -1.8)]],
}


def _base(character):
    """(letter, combining accent or None) of a character."""
    decomposed = unicodedata.normalize("NFD", character)
    return decomposed[0], (decomposed[1] if len(decomposed) > 1 else None)


def strokes_can_write(text, letters_by_char):
    """Whether `stroke_word_line` can write every character of `text` with these letters."""
    for character in set(text) - {" "}:
        letter, accent = _base(character)
        if character not in _PUNCTUATION and (letter not in letters_by_char or (accent and accent not in _ACCENTS)):
            return False
    return True


def _hand(rng):
    """One writer's habits: size of ascenders, capitals and descenders, slant, pen, spacing."""
    return {
        "ascender": rng.uniform(1.5, 1.95), "capital": rng.uniform(1.45, 1.9), "descender": rng.uniform(0.5, 0.9),
        "slant": rng.uniform(-0.15, 0.35), "pen": rng.uniform(0.08, 0.16), "x_height": rng.uniform(20, 34),
        "gap": rng.uniform(0.05, 0.35), "space": rng.uniform(0.55, 0.85) + np.array([0, 0.3]), "samples": {},
    }


def _letter_box(letter, strokes, hand):
    """(top, bottom) of a letter in x-heights, baseline at 0, y down."""
    dotted = len(strokes) > 1
    if letter.isupper():
        return -hand["capital"], 0.0
    if letter in "bdfhkl":
        return -hand["ascender"], 0.0
    if letter == "t":
        return -0.75 * hand["ascender"], 0.0
    if letter in "ij":
        return -1.4 if dotted else -1.0, hand["descender"] if letter == "j" else 0.0
    if letter in "gpqy":
        return -1.0, hand["descender"]
    return -1.0, 0.0


def _sample(letter, letters_by_char, hand, rng):
    """A stroke sample of a letter: mostly one of the two this hand picked for it."""
    samples = letters_by_char[letter]
    picked = hand["samples"].setdefault(letter, rng.integers(len(samples), size=2))
    return samples[picked[rng.integers(2)] if rng.random() < 0.8 else rng.integers(len(samples))]


def _undotted(strokes):
    """The strokes of an i or j without its dot (the accent takes its place)."""
    heights = [np.ptp(stroke[:, 1]) for stroke in strokes]
    return [stroke for stroke, h in zip(strokes, heights) if h >= 0.4 * max(heights)]


def _unstepped(strokes):
    """A sample's strokes smoothed over about 3 units of its tablet's coordinate grid (at most a
    fifth of its height): a small letter written on a coarse tablet is a staircase otherwise."""
    points = np.concatenate(strokes)
    steps = np.abs(np.diff(points, axis=0))
    steps = steps[steps > 0]
    height = np.ptp(points[:, 1])
    length = min(3 * np.median(steps), 0.2 * height) if steps.size else 0
    if length < 0.03 * height:  # fine enough already
        return strokes
    return [_smoothed(_resampled(stroke, length / 6), 6) for stroke in strokes]


def _place_letter(letter, strokes, hand, rng, left):
    """The strokes of a letter scaled to its box, with its left side at x = `left` (x-heights)."""
    top, bottom = _letter_box(letter, strokes, hand)
    top, bottom = top * rng.uniform(0.93, 1.07), bottom + rng.normal(0, 0.04)
    strokes = _unstepped(strokes)
    points = np.concatenate(strokes)
    low, span = points.min(axis=0), np.ptp(points, axis=0)
    scale = (bottom - top) / max(span[1], 1e-6 * span[0])
    x_scale = min(scale, 2.2 / max(span[0], 1e-9))  # a very wide sample is squeezed, not enlarged
    x_scale *= rng.uniform(0.9, 1.1)
    return [np.column_stack([left + (stroke[:, 0] - low[0]) * x_scale, top + (stroke[:, 1] - low[1]) * scale])
            for stroke in strokes]


def _mark(strokes, rng, at):
    """Pen marks jittered and moved to `at`."""
    size = rng.uniform(0.85, 1.15)
    return [np.asarray(stroke, np.float64) * size + at + rng.normal(0, 0.025, (len(stroke), 2)) for stroke in strokes]


def _longest(strokes):
    return max(strokes, key=lambda stroke: np.hypot(*np.diff(stroke, axis=0).T).sum() if len(stroke) > 1 else 0)


def _connector(start, end):
    """A cursive join from `start` to `end`: a curve that sags towards the baseline."""
    control = ((start[0] + end[0]) / 2, min(max(start[1], end[1]) + 0.25, 0.05))
    t = np.linspace(0, 1, 12)[:, None]
    return (1 - t) ** 2 * start + 2 * t * (1 - t) * np.asarray(control) + t**2 * end


def _line_strokes(text, letters_by_char, hand, rng, joined, overlap):
    """The strokes of a text line in x-heights (baseline y = 0, first ink at x near 0)."""
    strokes, cursor, previous = [], 0.0, None  # previous: the last letter's strokes, to join from
    for character in text:
        if character == " ":
            cursor += rng.uniform(*hand["space"])
            previous = None
            continue
        if character in _PUNCTUATION:
            marks = _mark(_PUNCTUATION[character], rng, (cursor + 0.12, rng.normal(0, 0.03)))
            strokes += marks
            cursor = max(stroke[:, 0].max() for stroke in marks) + 0.15
            previous = None
            continue
        letter, accent = _base(character)
        sample = _sample(letter, letters_by_char, hand, rng)
        if accent and letter in "ij":
            sample = _undotted(sample)
        if joined and previous is not None:
            left = cursor + hand["gap"] * rng.uniform(0.6, 1.4)
        else:
            left = cursor - (overlap * rng.random() if previous is not None else 0)
        placed = _place_letter(letter, sample, hand, rng, left)
        if joined and previous is not None:
            strokes.append(_connector(_longest(previous)[-1], _longest(placed)[0]))
        strokes += placed
        cursor = max(stroke[:, 0].max() for stroke in placed)
        if accent:
            points = np.concatenate(placed)
            centre = (points[:, 0].min() + cursor) / 2 + 0.05
            at = (centre, points[:, 1].max()) if accent == "\u0327" else (centre, points[:, 1].min())
            strokes += _mark(_ACCENTS[accent], rng, at)
        previous = placed
    return strokes


def _resampled(stroke, step):
    """Points along a stroke every `step` (its first and last kept)."""
    if len(stroke) < 2:
        return stroke
    along = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    if along[-1] <= step:
        return stroke[[0, -1]]
    at = np.append(np.arange(0, along[-1], step), along[-1])
    return np.column_stack([np.interp(at, along, stroke[:, 0]), np.interp(at, along, stroke[:, 1])])


def _smoothed(stroke, window):
    """A stroke's points averaged over `window` neighbours (ends kept): the staircase of a
    coarse tablet's coordinates becomes a smooth line."""
    if window < 2 or len(stroke) < 3:
        return stroke
    kernel = np.ones(window) / window
    padded = np.pad(stroke, ((window // 2, window - 1 - window // 2), (0, 0)), mode="edge")
    return np.column_stack([np.convolve(padded[:, axis], kernel, mode="valid") for axis in (0, 1)])


def _draw(strokes, hand, rng):
    """Ink coverage ([0, 1]) of strokes in x-heights, and the pixel row of each x-height's y = 0
    (as an offset function): (coverage, to_row)."""
    x_height = hand["x_height"] * SUPERSAMPLE
    pen = max(1.0, hand["pen"] * x_height * rng.uniform(0.9, 1.1))
    slant = hand["slant"]
    wave = rng.uniform(0, 0.08), rng.uniform(8, 25), rng.uniform(0, 2 * np.pi)  # the baseline drifts
    pixels = []
    for stroke in strokes:
        x, y = stroke[:, 0], stroke[:, 1] + wave[0] * np.sin(stroke[:, 0] / wave[1] * 2 * np.pi + wave[2])
        pixels.append(np.column_stack([x - slant * y, y]) * x_height)
    everything = np.concatenate(pixels)
    margin = 2 * pen + 4 * SUPERSAMPLE
    low = everything.min(axis=0) - margin
    size = np.ceil(everything.max(axis=0) - low + margin).astype(int)
    size += (-size) % SUPERSAMPLE
    canvas = Image.new("L", (int(size[0]), int(size[1])), 0)
    draw = ImageDraw.Draw(canvas)
    step = max(1.0, pen / 2)
    for stroke in pixels:
        stroke = _resampled(stroke - low, step)
        radius = pen / 2 if len(stroke) > 1 else 0.8 * pen  # a dot is pressed: a little wider than the pen
        if len(stroke) > 1:
            draw.line(stroke.ravel().tolist(), fill=255, width=max(1, round(pen)))
        for x, y in stroke.tolist():  # a round nib: round joints and ends
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    canvas = canvas.resize((canvas.width // SUPERSAMPLE, canvas.height // SUPERSAMPLE), Image.Resampling.BOX)
    return np.asarray(canvas, np.float32) / 255, lambda y: (y * x_height - low[1]) / SUPERSAMPLE


def stroke_word_line(text, letters_by_char, rng, joined=True, overlap=None):
    """A grey picture (paper about 1.0, ink dark) of `text` written with pen-stroke letters:
    letters on a common baseline, scaled to one x-height (capitals and ascenders taller,
    descenders below), slanted, with a round pen, then photographed like `font_line`.

    `joined`: the pen stays down from one letter to the next of a word (a curved cursive join);
    otherwise letters touch or overlap by 0 to `overlap` x-heights (default: 0-5 pixels).
    Letters a-z, A-Z come from `letters_by_char` ({character: [strokes]}, `stroke_letters`).
    Accents (´ ` ^ ¨ ~ ¸) and punctuation (. , ; : ! ? ¡ ¿ ' " - ( ) /) are drawn as simple pen
    marks; digits, & and œ have no strokes: choose texts with `strokes_can_write`, others raise
    ValueError.
    """
    if not strokes_can_write(text, letters_by_char):
        raise ValueError(f"no strokes for some characters of {text!r}")
    hand = _hand(rng)
    if overlap is None:
        overlap = 5 / hand["x_height"]
    strokes = _line_strokes(text, letters_by_char, hand, rng, joined, overlap)
    coverage, to_row = _draw(strokes, hand, rng)
    return _photograph(coverage, rng, [to_row(0.0)], hand["x_height"])


def stroke_page(lines_text, letters_by_char, rng, joined):
    """A grey picture of a page of stroke lines, one writer's hand (letters, size, slant, pen)
    throughout, and the texts of its lines top to bottom. Lines are 3 to 3.6 x-heights apart."""
    for text in lines_text:
        if not strokes_can_write(text, letters_by_char):
            raise ValueError(f"no strokes for some characters of {text!r}")
    hand = _hand(rng)
    spacing = rng.uniform(3.0, 3.6)
    strokes = []
    for row, text in enumerate(lines_text):
        indent = rng.uniform(0, 0.5)
        for stroke in _line_strokes(text, letters_by_char, hand, rng, joined, 5 / hand["x_height"]):
            strokes.append(stroke + (indent, row * spacing))
    coverage, to_row = _draw(strokes, hand, rng)
    baselines = [to_row(row * spacing) for row in range(len(lines_text))]
    return _photograph(coverage, rng, baselines, hand["x_height"]), list(lines_text)


# ---- lines for training ------------------------------------------------------------------------

def _stroke_text(language, rng, letters_by_char):
    for _ in range(100):
        (text,) = texts(language, rng, 1, numbers=False)
        if strokes_can_write(text, letters_by_char):
            return text
    raise ValueError("these stroke letters cannot write the texts drawn")


def synthetic_lines(n, rng, stroke_dir, sources=TRAINING_STROKE_SETS, font_share=0.5, languages=LANGUAGES):
    """`n` synthetic `Line`s, about `font_share` in handwriting fonts and the rest in pen-stroke
    letters of the `sources` stroke sets of `stroke_dir` (joined or touching), each made exactly
    like a real line: `grey_to_ink`, `line_input`, uint8 pixels. Only training stroke sets may be
    used: any other (an evaluation-only set) raises ValueError."""
    refused = [name for name in sources if name not in STROKE_SETS]
    if refused:
        raise ValueError(f"{refused} are not training stroke sets ({list(STROKE_SETS)}): never train on them")
    letters = _training_letters(str(stroke_dir), tuple(sources)) if font_share < 1 else {}
    out = []
    while len(out) < n:
        language = languages[rng.integers(len(languages))]
        if rng.random() < font_share:
            (text,) = texts(language, rng, 1)
            packages = fonts_for(text)
            if not packages:
                continue
            package = packages[rng.integers(len(packages))]
            grey, writer, source = font_line(text, FONTS[package][0], rng), package, "synthetic-font"
        else:
            text = _stroke_text(language, rng, letters)
            joined = rng.random() < 0.6
            grey = stroke_word_line(text, letters, rng, joined)
            writer, source = "+".join(sources), "synthetic-strokes-" + ("joined" if joined else "touching")
        line = line_input(grey_to_ink(grey, SPECK_FRACTION))
        if line is not None:
            out.append(Line(np.uint8(np.rint(line.pixels * 255)), text, writer, source))
    return out
