"""How well the single-letter page tells a word from one letter (handwriting.letterness.several_letters).

    python -m benchmarks.several_letters [--count 1000] [--data-dir ../shared/data]

Training data only. Single letters: pen-stroke letters of the training stroke sets written as a
one-letter picture by training/synthetic_lines.py (a random writer's size, slant, pen, paper and
photograph), and every picture of the training image sets (28x28, sent as they are). Words: 2 to
5 random letters of the same strokes in one writer's hand, side by side with a gap of up to
0.2-0.8 x-heights, touching or overlapping by a few pixels, or joined in cursive. Every picture
takes the app's path (to_grey, letter_ink, single_letter.recognize with the shipped model and
detector): "flagged" is the answer "several_marks". Saved as results/several_letters.json.
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.common import print_table, save
from handwriting import classifier, letterness
from handwriting.single_letter import recognize
from training.idx import read_idx
from training.letterness import picture
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR
from training.sources import IMAGE_SETS, STROKE_SETS
from training.synthetic_lines import stroke_letters, stroke_word_line

SEED = 0
WORD_KINDS = ("side by side", "touching", "joined")


def _letters(data_dir):
    letters = {}
    for name in STROKE_SETS:
        for character, samples in stroke_letters(data_dir, name).items():
            if character.isascii() and character.isalpha():
                letters.setdefault(character, []).extend(samples)
    return letters


def _written(text, letters, rng, kind):
    """A grey picture of `text` in one random writer's hand, as a picture someone could send."""
    if kind == "side by side":
        grey = stroke_word_line(text, letters, rng, joined=False, overlap=-rng.uniform(0.2, 0.8))
    else:
        grey = stroke_word_line(text, letters, rng, joined=kind == "joined")
    return Image.fromarray(np.uint8(np.clip(grey, 0, 1) * 255))


def _pictures(letters, rng, count, kind):
    """`count` (letters written, picture) of one letter (kind "letter") or of a word of that kind."""
    characters = sorted(letters)
    made = 0
    while made < count:
        text = "".join(rng.choice(characters, 1 if kind == "letter" else int(rng.integers(2, 6))))
        try:
            image = _written(text, letters, rng, kind)
        except ValueError:  # a degenerate stroke sample (all its points in one place)
            continue
        made += 1
        yield len(text), image


def flagged(model, detector, images):
    """Whether each picture is answered "several_marks"."""
    return np.array([recognize(image, model, detector).several_letters for image in images])


def _share(flags):
    return {"count": len(flags), "flagged": float(np.mean(flags))}


def run(data_dir, count):
    data_dir = Path(data_dir)
    model = classifier.load(MODELS_DIR / MODEL_FILE)
    detector = letterness.Detector.load(MODELS_DIR / letterness.DETECTOR_FILE)
    rng = np.random.default_rng(SEED)
    letters = _letters(data_dir)
    result = {"letters": {}, "words": {}}
    sets = {"pen-stroke letters": (image for _, image in _pictures(letters, rng, 3 * count, "letter"))}
    for name, (image_file, _, _) in IMAGE_SETS.items():
        frames = read_idx(data_dir / name / image_file).astype(np.float32) / 255.0
        sets[name] = (picture(frame) for frame in frames)
    for name, images in sets.items():
        result["letters"][name] = _share(flagged(model, detector, images))
    result["words by length"] = {}
    for kind in WORD_KINDS:
        lengths, images = zip(*_pictures(letters, rng, count, kind))
        flags, lengths = flagged(model, detector, images), np.array(lengths)
        result["words"][kind] = _share(flags)
        result["words by length"].update({f"{kind}, {n} letters": _share(flags[lengths == n])
                                          for n in sorted(set(lengths.tolist()))})
    for group in (result["letters"], result["words"]):
        n = sum(v["count"] for v in group.values())
        group["all"] = {"count": n, "flagged": sum(v["count"] * v["flagged"] for v in group.values()) / n}
    save("several_letters", result)
    return result


def report(result):
    for group, values in result.items():
        print(f"{group} answered several_marks:")
        print_table([(k, v["count"], f"{v['flagged']:.2%}") for k, v in values.items()],
                    ["set", "pictures", "flagged"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="words of each kind (three times as many letters)")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    report(run(args.data_dir, args.count))


if __name__ == "__main__":
    main()
