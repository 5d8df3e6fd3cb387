"""Reading whole pages: lines of words composed from real handwritten letters of one writer.

    python -m benchmarks.words [--pages 400] [--seed 0]   # evaluation-only letters: the figures reported
    python -m benchmarks.words --tune [--pages 120]       # training letters: choose the language prior

Each page is three to eight lines of English sentences, Spanish sentences (their accents and ñ
kept in the truth; the letters are drawn from their base letters), random letter strings, or
English sentences with one word in five a random string (a code or a name the dictionary must not
"correct"), written with the letter pictures of one writer. The figures come from the evaluation-only sets
(never trained on, never tuned on): the lower-case canvas letters of lowercase-32px-vladislavus1
(one writer) and the canvas capitals of canvas-uppercase-24-kishieel (a few writers, as one pool:
each of its "client" folders holds only 8 of the letters; it has no Q or V, so words that need
them are left out of its pages). `--tune` composes the same
kind of pages from training folders instead (UniPen lower-case pen strokes rendered per writer,
the scanned capitals of uppercase-paper-mutikara) with texts sampled by word frequency, reads
them with each prior of a grid, and prints the one to ship.

Letters keep their place in their picture (so their baseline), vary in size by ±10 % and jitter
up and down; each line's baseline drifts by up to ±15 % of the letter height u from end to end;
gaps between letters are 0.05u..0.35u, between words 0.8u..1.5u, between lines (ink to ink)
0.3u..1.0u; lines are indented by up to 1u and the page is turned by up to ±3°. Each page is
read the way /api/read reads it (`read_page`), which also gives the letter-by-letter reading:
both are scored. A page's lines are found right when the reading has as many lines as the
page and every letter read lies on its own line.
"""

import argparse
import csv
import difflib
import gzip
import io
import math
import os
import tarfile
import time
from collections import defaultdict
from datetime import datetime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from benchmarks.common import print_table, save  # noqa: E402
from handwriting.classifier import load as load_letter_model  # noqa: E402
from handwriting.language import LANGUAGES, PRIOR, SURE, Prior, base_letters, lexicon  # noqa: E402
from handwriting.letter_recognizer import LetterRecognizer  # noqa: E402
from handwriting.line_recognizer import LINE_MODEL_FILE, LineRecognizer, load_line_model  # noqa: E402
from handwriting.reader import Readers, find_page_lines, read_page  # noqa: E402
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR  # noqa: E402
from training.strokes import read_strokes  # noqa: E402

MODEL = MODELS_DIR / MODEL_FILE
SENTENCES = {
    "en": """
the quick brown fox jumps over the lazy dog
please send me the letter before the end of the week
we walked along the river until the sun went down
my sister bought a new house near the old school
there is nothing better than a cup of tea in the morning
the children played in the garden all afternoon
she wrote her name at the top of the page
could you bring some bread and milk on your way home
the train was late again because of the heavy snow
he always reads the newspaper after breakfast
our meeting will start at ten in the small room
thank you for the lovely flowers and the kind words
the doctor said that everything looks fine
they are planning a long trip to the mountains this summer
remember to lock the door when you leave
the music was so loud that nobody could hear anything
i found an old photograph of my grandmother
the shop on the corner sells fresh fruit every day
write down your answer and give it to the teacher
it has been raining since last night
""",
    "es": """
el niño juega en el jardín con su perro
mañana vamos a visitar a mi abuela en el campo
la reunión empieza a las diez de la mañana
por favor cierra la puerta cuando salgas
mi hermana compró una casa cerca del río
el tren llegó tarde por la nieve
me gusta leer el periódico después del desayuno
la canción que escuchamos ayer era muy bonita
tenemos que terminar el trabajo antes del viernes
el médico dijo que todo está bien
los niños pintaron un árbol en la pared
gracias por las flores y por tus palabras
la tienda de la esquina vende fruta fresca
escribe tu nombre en la parte de arriba de la hoja
hace mucho frío en las montañas durante el invierno
mi padre cocina una sopa deliciosa los domingos
el camión azul está aparcado delante de la estación
ella aprendió a nadar cuando tenía seis años
la biblioteca abre todos los días menos el lunes
encontré una fotografía antigua de mi familia
""",
}
KINDS = ("en", "es", "random")  # the text of a page; random and mixed pages are read with the English prior
MIXED = "mixed"  # English sentences with codes (random strings) among the words: measured, not tuned on
CODE_SHARE = 0.2  # of the words of a mixed page
LINES = (3, 8)  # lines per page
LINE_WORDS = (2, 6)  # words per line
LETTER_GAP = (0.05, 0.35)  # gap between separately written letters, in median letter heights
WORD_GAP = (0.8, 1.5)  # gap between words
LINE_GAP = (0.3, 1.0)  # gap between the ink of two lines
INDENT = (0.0, 1.0)
X_HEIGHT = (30, 50)  # the writer's median letter height on the page, px
SIZE_JITTER = 0.1
BASELINE_JITTER = 0.05  # of the letter picture's height, up or down
DRIFT = 0.15  # a line's baseline rises or falls by up to this many letter heights end to end
SKEW = 3.0  # degrees either way
BIG_PAGE_LETTERS = 300  # the page timed for the speed target
TUNING_PRIORS = [Prior(w, math.log(f), 20_000, 0.35, keep) for keep in (0.9, SURE) for w in (0.5, 0.75, 1.0)
                 for f in (1e-6, 1e-7, 1e-8, 1e-9)]  # letters read at least SURE-ly are kept by design
TUNING_WORDS = 20_000  # tuning texts are sampled from this many most frequent words, by frequency
UNIPEN_WRITERS = 60  # writers rendered for tuning
UNIPEN_HEIGHT = 40  # px: a UniPen writer's median letter height when rendered
DESCENDERS = set("gjpqy")


def load_set(folder, writer_of, archive="original-png.tar"):
    """{writer: {letter: [grey picture cut to its ink's columns, paper = 1]}}."""
    with gzip.open(DEFAULT_DATA_DIR / folder / "index.csv.gz", "rt", encoding="utf-8") as f:
        letter_of = {r["original_file"]: r["char"].lower() for r in csv.DictReader(f)}
    writers = defaultdict(lambda: defaultdict(list))
    with tarfile.open(DEFAULT_DATA_DIR / folder / archive) as tar:
        for member in tar:
            name = member.name
            if not member.isfile() or name not in letter_of:
                continue
            grey = np.asarray(Image.open(io.BytesIO(tar.extractfile(member).read())).convert("L"), np.float32) / 255
            if np.median(grey) < 0.5:
                grey = 1.0 - grey  # light ink on a dark canvas
            columns = np.flatnonzero((grey < 0.5).any(axis=0))
            if columns.size:
                writers[writer_of(name)][letter_of[name]].append(grey[:, columns[0] : columns[-1] + 1])
    return writers


def unipen_set(writers=UNIPEN_WRITERS):
    """UniPen's lower-case pen strokes, drawn per writer at one scale with a baseline (training letters)."""
    folder = DEFAULT_DATA_DIR / "unipen-letters"
    with gzip.open(folder / "unipen-letters-meta.csv.gz", "rt", encoding="utf-8") as f:
        writer_of = [f"{r['contributor']}/{r['writer']}" for r in csv.DictReader(f)]
    samples = defaultdict(list)
    for (char, strokes), writer in zip(read_strokes(folder / "unipen-letters-strokes.txt.gz"), writer_of):
        if char.islower() and strokes and sum(map(len, strokes)) > 1:
            samples[writer].append((char, strokes))
    chosen = sorted(samples, key=lambda w: -len(samples[w]))[:writers]
    return {writer: _render_writer(samples[writer]) for writer in chosen}


def _render_writer(samples):
    """{letter: [grey pictures]} of one writer's stroke letters, sized and placed on a shared baseline."""
    heights = [np.ptp(np.concatenate(strokes)[:, 1]) for char, strokes in samples if char not in DESCENDERS]
    scale = UNIPEN_HEIGHT / max(float(np.median(heights)), 1e-6)
    letters = defaultdict(list)
    for char, strokes in samples:
        points = np.concatenate(strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        size = (high - low) * scale
        baseline = 1.6 * UNIPEN_HEIGHT + (0.45 * size[1] if char in DESCENDERS else 0)
        top = baseline - size[1]
        image = Image.new("L", (int(size[0]) + 8, int(2.4 * UNIPEN_HEIGHT)), 255)
        draw = ImageDraw.Draw(image)
        for stroke in strokes:
            xy = [(4 + (x - low[0]) * scale, top + (y - low[1]) * scale) for x, y in stroke]
            draw.line(xy if len(xy) > 1 else xy * 2, fill=0, width=4, joint="curve")
        grey = np.asarray(image, np.float32) / 255
        columns = np.flatnonzero((grey < 0.5).any(axis=0))
        if columns.size:
            letters[char].append(grey[:, columns[0] : columns[-1] + 1])
    return letters


EVALUATION_SETS = {  # name: () -> {writer: {letter: [pictures]}}
    "lowercase-32px-vladislavus1": lambda: load_set("lowercase-32px-vladislavus1", lambda name: "one writer"),
    # Its "client" folders (data/client-N/...) hold 8 letters each, so they cannot write text: one pool
    "canvas-uppercase-24-kishieel": lambda: load_set("canvas-uppercase-24-kishieel", lambda name: "all clients"),
}
TUNING_SETS = {
    "unipen-letters": unipen_set,
    "uppercase-paper-mutikara": lambda: load_set("uppercase-paper-mutikara", lambda name: "one pool",
                                                 "original-jpg.tar"),
}


def median_height(letters):
    """A writer's median letter height in its pictures, px."""
    return float(np.median([np.ptp(np.flatnonzero((g < 0.5).any(axis=1))) + 1
                            for pool in letters.values() for g in pool]))


def sentence_words(kind, alphabet, tuning):
    """A source of words for a page: sentences one after the other (without the words the writer
    lacks a letter of), or words sampled by frequency when tuning."""
    if tuning:
        import wordfreq  # noqa: PLC0415

        words = [w for w in wordfreq.top_n_list(kind, TUNING_WORDS) if set(base_letters(w) or "?") <= alphabet]
        weights = np.array([wordfreq.word_frequency(w, kind) for w in words])
        return lambda rng, n: list(rng.choice(words, n, p=weights / weights.sum()))
    sentences = [[w for w in s.split() if set(base_letters(w)) <= alphabet] for s in SENTENCES[kind].strip().splitlines()]

    def draw(rng, n):
        words = []
        while len(words) < n:
            words += sentences[rng.integers(len(sentences))]
        return words[:n]

    return draw


def page_text(kind, rng, alphabet, tuning=False):
    """Lines of words for one page. The codes among the words of a mixed page are in capitals, to
    tell them apart when scoring (the letters are drawn the same)."""
    counts = rng.integers(LINE_WORDS[0], LINE_WORDS[1] + 1, rng.integers(LINES[0], LINES[1] + 1))
    code = lambda: "".join(rng.choice(sorted(alphabet), rng.integers(2, 8)))  # noqa: E731
    if kind == "random":
        words = [code() for _ in range(counts.sum())]
    elif kind == MIXED:
        words = [code().upper() if rng.random() < CODE_SHARE else word
                 for word in sentence_words("en", alphabet, tuning)(rng, counts.sum())]
    else:
        words = sentence_words(kind, alphabet, tuning)(rng, counts.sum())
    ends = np.cumsum(counts)
    return [words[end - count : end] for count, end in zip(counts, ends)]


def compose_line(words, letters, height, unit, rng):
    """One line ("L" array, paper 1) of `words` in the writer's `letters`, and the truth:
    [(letter, (x, y, w, h))]. Letters are drawn from their base letters ("ñ" as "n")."""
    scale = unit / height
    drift = unit * rng.uniform(-DRIFT, DRIFT)
    chars = "".join(base_letters(word) for word in words)
    placed, x, n = [], unit * rng.uniform(*INDENT), 0
    for word in words:
        for i, char in enumerate(base_letters(word)):
            pool = letters[char]
            grey = pool[rng.integers(len(pool))]
            size = scale * rng.uniform(1 - SIZE_JITTER, 1 + SIZE_JITTER)
            shape = (max(1, round(grey.shape[1] * size)), max(1, round(grey.shape[0] * size)))
            picture = Image.fromarray(np.uint8(grey * 255)).resize(shape, Image.Resampling.BICUBIC)
            if placed:
                x += unit * rng.uniform(*(WORD_GAP if i == 0 else LETTER_GAP))
            y = unit + drift * n / max(1, len(chars) - 1) + picture.height * rng.uniform(-BASELINE_JITTER,
                                                                                         BASELINE_JITTER)
            placed.append((char, picture, round(x), round(y)))
            x += picture.width
            n += 1
    line = np.ones((round(max(y + p.height for _, p, _, y in placed) + unit), round(x + unit)), np.float32)
    truth = []
    for char, picture, px, py in placed:
        grey = np.asarray(picture, np.float32) / 255
        region = line[py : py + grey.shape[0], px : px + grey.shape[1]]
        np.minimum(region, grey, out=region)
        rows, cols = np.flatnonzero((grey < 0.5).any(axis=1)), np.flatnonzero((grey < 0.5).any(axis=0))
        truth.append((char, (px + cols[0], py + rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)))
    return line, truth


def compose_page(text, letters, height, rng):
    """A page picture ("L", dark ink on white, turned by up to SKEW degrees) of lines of words, and
    the centre (x, y) of every letter on it, per line."""
    unit = rng.uniform(*X_HEIGHT)
    made = [compose_line(words, letters, height, unit, rng) for words in text]
    inked = [np.flatnonzero((line < 0.5).any(axis=1)) for line, _ in made]
    page = np.ones((round(sum(r[-1] - r[0] + 1 for r in inked) + unit * (LINE_GAP[1] * len(made) + 2)),
                    max(line.shape[1] for line, _ in made)), np.float32)
    centres, y = [], unit
    for (line, truth), rows in zip(made, inked):
        top = round(y) - rows[0]
        region = page[top + rows[0] : top + rows[-1] + 1, : line.shape[1]]
        np.minimum(region, line[rows[0] : rows[-1] + 1], out=region)
        centres.append([(x + w / 2, top + ty + h / 2) for _, (x, ty, w, h) in truth])
        y += rows[-1] - rows[0] + 1 + unit * rng.uniform(*LINE_GAP)
    angle = rng.uniform(-SKEW, SKEW)
    image = Image.fromarray(np.uint8(page * 255))
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    a, (cx, cy), (tx, ty) = math.radians(angle), (image.width / 2, image.height / 2), (turned.width / 2, turned.height / 2)
    centres = [[(math.cos(a) * (x - cx) + math.sin(a) * (y - cy) + tx, -math.sin(a) * (x - cx) + math.cos(a) * (y - cy) + ty)
                for x, y in line] for line in centres]
    return turned, centres


def edit_distance(a, b):
    """Levenshtein distance between two sequences."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def lines_right(transcript, centres):
    """Whether the reading found the page's lines: as many, and every letter read on its own line."""
    if len(transcript.lines) != len(centres):
        return False
    truth = [(x, y, n) for n, line in enumerate(centres) for x, y in line]
    points = np.array([(x, y) for x, y, _ in truth])
    for n, line in enumerate(transcript.lines):
        for word in line.words:
            for character in word.characters:
                x, y, w, h = transcript.picture_box(character.box)
                nearest = int(np.argmin(np.hypot(*(points - (x + w / 2, y + h / 2)).T)))
                if truth[nearest][2] != n:
                    return False
    return True


def score_page(text, transcript, centres):
    """The tallies of one page: letters, character errors and words right with and without the
    prior, and of the codes among the words (capitals in `text`), how many were read right."""
    codes = [word.isupper() for line in text for word in line]
    truth_words = [word.lower() for line in text for word in line]
    tally = {"pages": 1, "letters": len("".join(truth_words)), "words": len(truth_words), "codes": sum(codes),
             "lines_right": int(lines_right(transcript, centres))}
    for name, key in (("prior", "text"), ("letters_only", "raw_text")):
        found = getattr(transcript, key).split()
        tally[f"{name}_char_errors"] = edit_distance("".join(truth_words), "".join(found))
        matcher = difflib.SequenceMatcher(None, truth_words, found, autojunk=False)
        right = {block.a + i for block in matcher.get_matching_blocks() for i in range(block.size)}
        tally[f"{name}_words_right"] = len(right)
        tally[f"{name}_codes_right"] = sum(codes[i] for i in right)
    return tally


def compose_pages(sets, pages, rng, tuning=False, kinds=KINDS):
    """[(set, kind, text, picture, letter centres)]: pages spread over the sets and kinds."""
    made = []
    for n in range(pages):
        name, kind = list(sets)[n % len(sets)], kinds[(n // len(sets)) % len(kinds)]
        writers = sets[name]
        letters = writers[sorted(writers)[rng.integers(len(writers))]]
        text = page_text(kind, rng, set(letters), tuning)
        made.append((name, kind, text, *compose_page(text, letters, median_height(letters), rng)))
    return made


def scan_pages(made, model):
    """Each page's lines found and cut into candidate letters read by the letter CNN, with the
    seconds it took."""
    scanned, letters = [], LetterRecognizer(model)
    for name, kind, text, image, centres in made:
        start = time.perf_counter()
        found = find_page_lines(image)
        scan = (found, letters.scan(found.lines))
        scanned.append((name, kind, text, centres, scan, time.perf_counter() - start))
    return scanned


def read_pages(scanned, model, prior=PRIOR):
    """Tallies per (set, kind) of decoding every scanned page with `prior`, and the seconds each page
    took in all (scan and decoding)."""
    tallies, seconds = defaultdict(lambda: defaultdict(int)), []
    for name, kind, text, centres, scan, scan_seconds in scanned:
        start = time.perf_counter()
        (found, scans), language = scan, "es" if kind == "es" else "en"
        words = LetterRecognizer(model).decode(scans, language, prior)
        transcript = found.transcript(words, ["letters"] * len(words), language)
        seconds.append(scan_seconds + time.perf_counter() - start)
        for key, value in score_page(text, transcript, centres).items():
            tallies[name, kind][key] += value
    return tallies, seconds


def read_pages_auto(made, readers):
    """Tallies per (set, kind) of reading every page as the app does (`reader=auto`: each line by
    the letter or the line recognizer), and the seconds each page took."""
    tallies, seconds = defaultdict(lambda: defaultdict(int)), []
    for name, kind, text, image, centres in made:
        start = time.perf_counter()
        transcript = read_page(image, readers, "es" if kind == "es" else "en", "auto")
        seconds.append(time.perf_counter() - start)
        for key, value in score_page(text, transcript, centres).items():
            tallies[name, kind][key] += value
        tallies[name, kind]["lines_by_letters"] += sum(line.reader == "letters" for line in transcript.lines)
        tallies[name, kind]["lines_read"] += len(transcript.lines)
    return tallies, seconds


def shares(tally):
    """The reported shares of one group's tallies."""
    return {
        "pages": tally["pages"], "letters": tally["letters"], "words": tally["words"],
        "lines_found": tally["lines_right"] / tally["pages"],
        "character_accuracy": 1 - tally["prior_char_errors"] / tally["letters"],
        "character_accuracy_letters_only": 1 - tally["letters_only_char_errors"] / tally["letters"],
        "word_accuracy": tally["prior_words_right"] / tally["words"],
        "word_accuracy_letters_only": tally["letters_only_words_right"] / tally["words"],
        "codes": tally["codes"],
        "code_accuracy": tally["prior_codes_right"] / tally["codes"] if tally["codes"] else None,
        "code_accuracy_letters_only": tally["letters_only_codes_right"] / tally["codes"] if tally["codes"] else None,
    }


def merged(tallies, keep):
    total = defaultdict(int)
    for key, tally in tallies.items():
        if keep(key):
            for name, value in tally.items():
                total[name] += value
    return total


def time_big_page(sets, model, rng, runs=5):
    """Seconds to read a page of about BIG_PAGE_LETTERS letters of English (median of `runs`)."""
    letters = sets["lowercase-32px-vladislavus1"]["one writer"]
    words = sentence_words("en", set(letters), False)(rng, 200)
    text, line, count = [], [], 0
    for word in words:
        if count >= BIG_PAGE_LETTERS:
            break
        line.append(word)
        count += len(word)
        if sum(map(len, line)) >= BIG_PAGE_LETTERS / 8:
            text.append(line)
            line = []
    text += [line] if line else []
    image, _ = compose_page(text, letters, median_height(letters), rng)
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        transcript = read_page(image, Readers(letters=LetterRecognizer(model)), "en", "letters")
        durations.append(time.perf_counter() - start)
    return {"letters": count, "lines": len(text), "size": list(image.size), "letters_read": len(transcript.characters),
            "seconds_median": float(np.median(durations)), "seconds": durations}


def run(pages=400, seed=0, reader="letters"):
    """Compose and read `pages` pages of evaluation-only letters with the letter recognizer (or,
    with `reader` "auto", as the app reads them); save and return the scores."""
    model = _model()
    rng = np.random.default_rng(seed)
    load_before = os.getloadavg()[0]
    sets = {name: load() for name, load in EVALUATION_SETS.items()}
    for language in LANGUAGES:
        lexicon(language, PRIOR.vocabulary)  # loaded once, as in a running app
    made = compose_pages(sets, pages, rng, kinds=(*KINDS, MIXED))
    if reader == "auto":
        lines = load_line_model(MODELS_DIR / LINE_MODEL_FILE)
        if not lines.available:
            raise SystemExit(lines.error)
        tallies, seconds = read_pages_auto(made, Readers(LetterRecognizer(model), LineRecognizer(lines)))
    else:
        tallies, seconds = read_pages(scan_pages(made, model), model)
    groups = {f"{name} / {kind}": shares(t) for (name, kind), t in sorted(tallies.items())}
    for kind in (*KINDS, MIXED):
        groups[f"all / {kind}"] = shares(merged(tallies, lambda key: key[1] == kind))
    groups["all / dictionary text"] = shares(merged(tallies, lambda key: key[1] in LANGUAGES))
    everything = merged(tallies, lambda key: True)
    result = {"pages": pages, "seed": seed, "reader": reader, "prior": vars(PRIOR), "model": str(MODEL),
              "lines_by_the_letter_recognizer": everything["lines_by_letters"] / everything["lines_read"]
              if reader == "auto" else 1.0,
              "model_modified": datetime.fromtimestamp(MODEL.stat().st_mtime).isoformat(timespec="seconds"),
              "seconds_per_page": {"median": float(np.median(seconds)), "max": float(np.max(seconds))},
              "big_page": time_big_page(sets, model, rng), "groups": groups,
              "load_average": {"before": load_before, "after": os.getloadavg()[0]}}
    save("words" if reader == "letters" else f"words_{reader}", result)
    return result


def tune(pages=120, seed=1):
    """Read pages of training letters with each prior of TUNING_PRIORS: the prior with the best word
    accuracy on text (dictionary text, and text with codes among its words) among those within half a
    point of the letter-by-letter character accuracy on random strings."""
    model = _model()
    rng = np.random.default_rng(seed)
    made = compose_pages({name: load() for name, load in TUNING_SETS.items()}, pages, rng, tuning=True,
                         kinds=(*KINDS, MIXED))
    scanned = scan_pages(made, model)
    rows = []
    for prior in TUNING_PRIORS:
        tallies, _ = read_pages(scanned, model, prior)
        words = shares(merged(tallies, lambda key: key[1] in LANGUAGES))
        text = shares(merged(tallies, lambda key: key[1] != "random"))
        strings = shares(merged(tallies, lambda key: key[1] == "random"))
        mixed = shares(merged(tallies, lambda key: key[1] == MIXED))
        rows.append({"prior": vars(prior), "dictionary": words, "text": text, "mixed": mixed, "random": strings})
    fair = [r for r in rows if r["random"]["character_accuracy"]
            >= r["random"]["character_accuracy_letters_only"] - 0.005] or rows
    best = max(fair, key=lambda r: r["text"]["word_accuracy"])
    result = {"pages": pages, "seed": seed, "sets": list(TUNING_SETS), "rows": rows, "chosen": best["prior"]}
    save("words_tuning", result)
    return result


def _model():
    model = load_letter_model(MODEL)
    if not model.available:
        raise SystemExit(model.error)
    return model


def report(result):
    rows = [(name, g["pages"], g["letters"], f"{g['lines_found']:.1%}",
             f"{g['character_accuracy']:.1%} / {g['character_accuracy_letters_only']:.1%}",
             f"{g['word_accuracy']:.1%} / {g['word_accuracy_letters_only']:.1%}",
             f"{g['code_accuracy']:.1%} / {g['code_accuracy_letters_only']:.1%} of {g['codes']}" if g["codes"] else "")
            for name, g in result["groups"].items()]
    print_table(rows, ["set / text", "pages", "letters", "lines found", "chars: prior / letters only",
                       "words: prior / letters only", "codes in text: prior / letters only"])
    print(f"lines read by the letter recognizer: {result['lines_by_the_letter_recognizer']:.1%}")
    big = result["big_page"]
    print(f"seconds per page: median {result['seconds_per_page']['median']:.2f}, max "
          f"{result['seconds_per_page']['max']:.2f}; a {big['letters']}-letter page of {big['lines']} lines "
          f"({big['size'][0]}x{big['size'][1]} px): {big['seconds_median']:.2f} s (seed {result['seed']}, "
          f"prior {result['prior']}, model of {result['model_modified']}; load average "
          f"{result['load_average']['before']:.1f} before, {result['load_average']['after']:.1f} after)")


def report_tuning(result):
    rows = [(r["prior"]["vocabulary"], f"{r['prior']['text_share']:g}", f"{r['prior']['keep_above']:g}",
             f"{r['prior']['weight']:g}", f"{math.exp(r['prior']['out_of_vocabulary']):.0e}",
             f"{r['dictionary']['word_accuracy']:.1%} / {r['dictionary']['word_accuracy_letters_only']:.1%}",
             f"{r['dictionary']['character_accuracy']:.1%} / {r['dictionary']['character_accuracy_letters_only']:.1%}",
             f"{r['mixed']['code_accuracy']:.1%} / {r['mixed']['code_accuracy_letters_only']:.1%}",
             f"{r['text']['word_accuracy']:.1%} / {r['text']['word_accuracy_letters_only']:.1%}",
             f"{r['random']['character_accuracy']:.1%} / {r['random']['character_accuracy_letters_only']:.1%}")
            for r in result["rows"]]
    print_table(rows, ["words", "text share", "keep above", "weight", "unknown word", "dictionary words",
                       "dictionary chars", "codes in text", "all text words", "random chars"])
    print(f"chosen: {result['chosen']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, help="pages to compose (default 400; 120 with --tune)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tune", action="store_true", help="choose the prior on pages of training letters")
    parser.add_argument("--reader", choices=["letters", "auto"], default="letters",
                        help="letters: the letter recognizer alone; auto: each line as the app chooses")
    args = parser.parse_args(argv)
    if args.tune:
        report_tuning(tune(args.pages or 120, args.seed + 1))
    else:
        report(run(args.pages or 400, args.seed, args.reader))


if __name__ == "__main__":
    main()
