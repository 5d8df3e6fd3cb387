"""Reading real handwriting with the line recognizer, on writers held out of its training.

    python -m benchmarks.lines            # held-out lines, whole pages, joined pages; README table
    python -m benchmarks.lines --tune     # choose the decoder's weights on the VALIDATION writers
    python -m benchmarks.lines --route    # choose reader=auto's rule on training data

- Held-out lines: the test writers of `training.line_data` (Copiste: the 23 writers of its whole
  pages; Poilus: 15 writers), preprocessed as in training; character and word error rates without a
  dictionary (greedy) and with the French one (beam search), and the model's time per line.
- Whole pages: Copiste's 24 pages (the same held-out writers), read by `read_page` as the app reads
  them: lines found (a true line is found when one found line covers most of its polygon's height
  and width, and no other found line is mostly inside it), page CER against the page's text, seconds.
- Joined and touching pages: lines of English and Spanish words drawn from the evaluation-only
  UJI pen strokes (`training.synthetic_lines.stroke_page`), pen kept down between letters or letters
  touching; letters right (case and accents folded, as the letter reader reads them).
"""

import argparse
import gzip
import io
import itertools
import json
import os
import statistics
import tarfile
import time
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.common import print_table, save, summary
from handwriting import ctc_decode
from handwriting.classifier import load as load_letter_model
from handwriting.letter_recognizer import LetterRecognizer
from handwriting.line_recognizer import (
    LINE_MODEL_FILE,
    LineRecognizer,
    greedy_text,
    load_line_model,
)
from handwriting.reader import LETTERS_CONFIDENCE, Readers, find_page_lines, read_page, sure_letter_scans
from handwriting.text_errors import character_error_rate, word_error_rate
from training.line_data import LINE_SETS, cached_lines, read_index, split_of
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR, ROOT
from training.synthetic_lines import (
    stroke_letters,
    stroke_page,
    strokes_can_write,
    texts,
)

CACHE = ROOT / "runs" / "line-cache"
PAGES_SET = "htr-lines-copiste"
EVALUATION_STROKES = "uji-penchars-v1-letters"  # evaluation only: never trained on
STROKE_PAGES = 12  # per language and kind (joined, touching)
LINES_PER_PAGE = 4
# The decoder's weights tried on the validation writers (`--tune`).
TUNING_GRID = {"weight": (0.2, 0.3, 0.5, 0.8), "unknown": tuple(np.log([1e-6, 1e-8, 1e-10, 1e-12, 1e-14])),
               "bonus": (0.5, 1.5, 3.0)}


def models():
    lines = load_line_model(MODELS_DIR / LINE_MODEL_FILE)
    if not lines.available:
        raise SystemExit(lines.error)
    return lines, load_letter_model(MODELS_DIR / MODEL_FILE)


def line_scores(model, lines):
    """Log-probabilities of every line and the seconds the model took for each."""
    scores, seconds = [], []
    for line in lines:
        start = time.perf_counter()
        scores.append(model.log_probabilities(line.pixels / np.float32(255)))
        seconds.append(time.perf_counter() - start)
    return scores, seconds


def decoded(scores, words=None, **decoder):
    """The text of each line's scores, greedy without a dictionary, else by beam search."""
    if words is None:
        return [greedy_text(s) for s in scores]
    return [ctc_decode.beam_search(s, words, **decoder)[0].text for s in scores]


def held_out_lines(model, lines):
    """Error rates per set on the test writers, without and with the French dictionary."""
    out, timing = {}, []
    french = ctc_decode.dictionary("fr")
    for source in sorted({line.source for line in lines}):
        chosen = [line for line in lines if line.source == source]
        truths = [line.text for line in chosen]
        scores, seconds = line_scores(model, chosen)
        timing += seconds
        start = time.perf_counter()
        with_dictionary = decoded(scores, french)
        decode_ms = 1000 * (time.perf_counter() - start) / len(chosen)
        plain = decoded(scores)
        out[source] = {"lines": len(chosen), "writers": len({line.writer for line in chosen}),
                       "cer": character_error_rate(truths, plain), "wer": word_error_rate(truths, plain),
                       "cer_dictionary": character_error_rate(truths, with_dictionary),
                       "wer_dictionary": word_error_rate(truths, with_dictionary),
                       "beam_ms_per_line": decode_ms}
    return out, summary(timing)


def page_rows(data_dir):
    with gzip.open(data_dir / PAGES_SET / "index.jsonl.gz", "rt", encoding="utf-8") as file:
        return [row for row in map(json.loads, file) if row["kind"] == "page"]


def matched_lines(transcript, truth_lines):
    """For each true line (polygon), the found lines that cover it: most of their height inside
    its box, and a fair part of its width."""
    boxes = [transcript.picture_box(line.box) for line in transcript.lines]
    out = []
    for line in truth_lines:
        xs, ys = [p[0] for p in line["polygon"]], [p[1] for p in line["polygon"]]
        top, bottom, left, right = min(ys), max(ys), min(xs), max(xs)
        out.append([n for n, b in enumerate(boxes) if _overlap(b[1], b[1] + b[3], top, bottom) > 0.5 * b[3]
                    and _overlap(b[0], b[0] + b[2], left, right) > 0.3 * (right - left)])
    return out


def _overlap(a0, a1, b0, b1):
    return max(0, min(a1, b1) - max(a0, b0))


def whole_pages(data_dir, readers, language, reader):
    """On Copiste's whole pages: true lines found (one found line alone covers it), found lines
    that match no transcribed line (the printed consent note, mostly), page CER over the
    transcribed lines (each against the text of the found lines covering it) and seconds a page."""
    found = true_lines = extra = 0
    truths, readings, seconds = [], [], []
    with tarfile.open(data_dir / PAGES_SET / "pages.tar") as tar:
        for row in page_rows(data_dir):
            image = Image.open(io.BytesIO(tar.extractfile(row["page_image"]).read()))
            image.load()
            start = time.perf_counter()
            transcript = read_page(image, readers, language, reader)
            seconds.append(time.perf_counter() - start)
            matches = matched_lines(transcript, row["lines"])
            true_lines += len(row["lines"])
            found += sum(len(m) == 1 for m in matches)
            extra += len(transcript.lines) - len({n for m in matches for n in m})
            truths.append("\n".join(line["text"] for line in row["lines"]))
            readings.append("\n".join(" ".join(transcript.lines[n].text for n in m) for m in matches))
    return {"pages": len(seconds), "lines_found": found / true_lines, "extra_lines": extra,
            "page_cer": character_error_rate(truths, readings),
            "seconds_median": statistics.median(seconds), "seconds_max": max(seconds)}


def folded_letters(text):
    """The letters of a text, case and accents folded, as the letter reader reads them."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if c.isalpha() and c.isascii())


def stroke_pages(data_dir, readers, seed=0):
    """Letters right on pages of English and Spanish lines written with the evaluation-only pen
    strokes, joined and touching, read by `auto` and by the letter recognizer alone."""
    letters = stroke_letters(data_dir, EVALUATION_STROKES)
    rng = np.random.default_rng(seed)
    out = {}
    for language, joined in itertools.product(("en", "es"), (True, False)):
        truths, read = [], {"auto": [], "letters": []}
        for _ in range(STROKE_PAGES):
            lines = [t for t in texts(language, rng, 40, numbers=False) if strokes_can_write(t, letters)][:LINES_PER_PAGE]
            grey, lines = stroke_page(lines, letters, rng, joined)
            image = Image.fromarray(np.uint8(np.clip(grey, 0, 1) * 255))
            truths.append(folded_letters("".join(lines)))
            for reader in read:
                read[reader].append(folded_letters(read_page(image, readers, language, reader).text))
        out[f"{language} / {'joined' if joined else 'touching'}"] = {
            "pages": STROKE_PAGES, "letters": sum(map(len, truths)),
            **{f"letters_right_{reader}": 1 - character_error_rate(truths, texts_read) for reader, texts_read in read.items()}}
    return out


def route(data_dir, pages=60, lines_per_set=150, seed=5):
    """How reader=auto's rule (`sure_letter_scans`) routes lines of TRAINING data: pages of separate
    training letters (`benchmarks.words`' tuning sets) and real joined lines of the validation
    writers, for several thresholds of the letter CNN's mean confidence."""
    from benchmarks import words

    letters = LetterRecognizer(models()[1])
    thresholds = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9)

    def counts(image):
        """(lines, [lines the letter recognizer takes at each threshold])."""
        lines = find_page_lines(image).lines
        return len(lines), [len(sure_letter_scans(letters, lines, t)) for t in thresholds]

    made = words.compose_pages({name: load() for name, load in words.TUNING_SETS.items()}, pages,
                               np.random.default_rng(seed), tuning=True, kinds=(*words.KINDS, words.MIXED))
    separate = [counts(page[3]) for page in made]
    joined = []
    for name in LINE_SETS:
        rows = read_index(data_dir, name)
        splits = split_of(rows, name)
        chosen = [row for row in rows if row["kind"] == "line" and splits[row["writer"]] == "validation"]
        with tarfile.open(data_dir / name / "lines.tar") as tar:
            joined += [counts(Image.open(io.BytesIO(tar.extractfile(row["image"]).read())))
                       for row in chosen[:lines_per_set]]

    def share(found, n):
        return sum(taken[n] for _, taken in found) / sum(total for total, _ in found)

    rows = [{"threshold": t, "separate_to_letters": share(separate, n), "joined_to_lines": 1 - share(joined, n)}
            for n, t in enumerate(thresholds)]
    save("lines_routing", {"separate_lines": sum(t for t, _ in separate), "joined_lines": sum(t for t, _ in joined),
                           "rows": rows, "chosen": LETTERS_CONFIDENCE})
    print_table([(r["threshold"], f"{r['separate_to_letters']:.1%}", f"{r['joined_to_lines']:.1%}") for r in rows],
                ["threshold", "separate letters → letter recognizer", "joined lines → line recognizer"])


def tune(data_dir):
    """The decoder's weights with the lowest CER on the validation writers' lines (French)."""
    model, _ = models()
    lines = cached_lines(data_dir, CACHE)["validation"]
    scores, _ = line_scores(model, lines)
    truths = [line.text for line in lines]
    french = ctc_decode.dictionary("fr")
    rows = [{"greedy": True, "cer": character_error_rate(truths, decoded(scores)),
             "wer": word_error_rate(truths, decoded(scores))}]
    for weight, unknown, bonus in itertools.product(*TUNING_GRID.values()):
        texts = decoded(scores, french, weight=weight, unknown=unknown, bonus=bonus)
        rows.append({"weight": weight, "unknown": float(unknown), "bonus": bonus,
                     "cer": character_error_rate(truths, texts), "wer": word_error_rate(truths, texts)})
    best = min(rows[1:], key=lambda r: (r["cer"], r["wer"]))
    result = {"lines": len(lines), "rows": rows, "chosen": best}
    save("lines_tuning", result)
    print_table([(r.get("weight", "greedy"), f"{np.exp(r['unknown']):.0e}" if "unknown" in r else "", r.get("bonus", ""),
                  f"{r['cer']:.2%}", f"{r['wer']:.2%}") for r in rows], ["weight", "unknown", "bonus", "CER", "WER"])
    print("chosen:", best)
    return result


def run(data_dir):
    model, letter_model = models()
    load_before = os.getloadavg()[0]
    test = cached_lines(data_dir, CACHE)["test"]
    sets, timing = held_out_lines(model, test)
    readers = Readers(LetterRecognizer(letter_model), LineRecognizer(model))
    pages = {f"{reader} / {language}": whole_pages(data_dir, readers, language, reader)
             for reader, language in (("lines", "none"), ("lines", "fr"), ("auto", "fr"))}
    size = (MODELS_DIR / "line_crnn.tflite").stat().st_size
    result = {"held_out_lines": sets, "model_ms_per_line": timing, "pages": pages, "tflite_bytes": size,
              "stroke_pages": stroke_pages(data_dir, readers),
              "runtime": model.runtime, "load_average": {"before": load_before, "after": os.getloadavg()[0]}}
    save("lines", result)
    return result


def report(result):
    rows = [(name, s["writers"], s["lines"], f"{s['cer']:.1%}", f"{s['wer']:.1%}", f"{s['cer_dictionary']:.1%}",
             f"{s['wer_dictionary']:.1%}", f"{s['beam_ms_per_line']:.1f}") for name, s in result["held_out_lines"].items()]
    print_table(rows, ["held-out lines", "writers", "lines", "CER", "WER", "CER fr dict.", "WER fr dict.",
                       "beam ms/line"])
    rows = [(name, p["pages"], f"{p['lines_found']:.1%}", p["extra_lines"], f"{p['page_cer']:.1%}",
             f"{p['seconds_median']:.2f}", f"{p['seconds_max']:.2f}") for name, p in result["pages"].items()]
    print_table(rows, ["pages: reader / dictionary", "pages", "lines found", "extra lines", "page CER",
                       "s median", "s max"])
    rows = [(name, p["pages"], p["letters"], f"{p['letters_right_auto']:.1%}", f"{p['letters_right_letters']:.1%}")
            for name, p in result["stroke_pages"].items()]
    print_table(rows, ["UJI stroke pages", "pages", "letters", "letters right: auto", "letter reader alone"])
    timing = result["model_ms_per_line"]
    print(f"line model ({result['runtime']}): {result['tflite_bytes'] / 1e6:.1f} MB, per line p50 "
          f"{timing['p50_ms']:.1f} ms, p95 {timing['p95_ms']:.1f} ms; load average "
          f"{result['load_average']['before']:.1f} before, {result['load_average']['after']:.1f} after")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--tune", action="store_true", help="choose the decoder's weights on validation writers")
    parser.add_argument("--route", action="store_true", help="measure reader=auto's rule on training data")
    args = parser.parse_args(argv)
    if args.tune:
        tune(args.data_dir)
    elif args.route:
        route(args.data_dir)
    else:
        report(run(args.data_dir))


if __name__ == "__main__":
    main()
