"""How well "this is not a letter" works: non-letters rejected, letters wrongly rejected.

    python -m benchmarks.letterness [--per-kind 200] [--data-dir ../shared/data] [--limit 30000]

Every picture takes the app's path (to_grey, grey_to_ink, the frame, the shipped model) and
then the detector of handwriting/letterness.py (models/letterness.npz). Non-letters come from
benchmarks/non_letters.py with seed 2, which training.letterness never sees; letters are the
held-out validation writers of the training sets and, for measurement only, every
evaluation-only set through training/evaluate.py's loaders (their 28x28 pictures sent as they
are). Saved as results/letterness.json.
"""

import argparse
import collections
from pathlib import Path

import numpy as np

from benchmarks.common import print_table, save
from benchmarks.non_letters import KINDS, non_letters
from handwriting import classifier, letterness
from training.evaluate import EVALUATION_SETS
from training.letterness import features_of, picture
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR
from training.sources import LocalLetters

MEASURED_SEED = 2


def rejected(detector, model, images):
    """(pictures read, share the detector rejects)."""
    scores = detector.scores(features_of(model, images))
    return len(scores), float(np.mean(scores < detector.threshold))


def run(data_dir, per_kind, limit):
    model = classifier.load(MODELS_DIR / MODEL_FILE)
    detector = letterness.Detector.load(MODELS_DIR / letterness.DETECTOR_FILE)
    by_kind = collections.defaultdict(list)
    for kind, image in non_letters(MEASURED_SEED, per_kind):
        by_kind[kind].append(image)
    result = {"non_letters": {}, "letters": {}}
    for kind in KINDS:
        count, share = rejected(detector, model, by_kind[kind])
        result["non_letters"][kind] = {"count": count, "rejected": share}
    kinds = list(result["non_letters"].values())
    count = sum(v["count"] for v in kinds)
    result["non_letters"]["all"] = {"count": count, "rejected": sum(v["count"] * v["rejected"] for v in kinds) / count}
    validation = LocalLetters(data_dir, limit=limit).validation[0]
    sets = {"validation writers": validation}
    sets.update({name: load(Path(data_dir))[0] for name, load in EVALUATION_SETS.items()
                 if (Path(data_dir) / name).is_dir()})
    total = []
    for name, frames in sets.items():
        count, share = rejected(detector, model, [picture(frame) for frame in frames])
        result["letters"][name] = {"count": count, "rejected": share}
        if name != "validation writers":
            total.append((count, share))
    count = sum(c for c, _ in total)
    result["letters"]["all evaluation sets"] = {"count": count, "rejected": sum(c * s for c, s in total) / count}
    save("letterness", result)
    return result


def report(result):
    print(f"non-letters (seed {MEASURED_SEED}) rejected:")
    print_table([(k, v["count"], f"{v['rejected']:.1%}") for k, v in result["non_letters"].items()],
                ["kind", "pictures", "rejected"])
    print("letters wrongly rejected:")
    print_table([(k, v["count"], f"{v['rejected']:.2%}") for k, v in result["letters"].items()],
                ["set", "pictures", "rejected"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=200, help="non-letters of each kind")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--limit", type=int, default=30000, help="samples read per training set")
    args = parser.parse_args(argv)
    report(run(args.data_dir, args.per_kind, args.limit))


if __name__ == "__main__":
    main()
