"""Train the "is this one handwritten letter?" detector that handwriting/letterness.py applies.

    python -m training.letterness [--data-dir ../shared/data] [--limit 30000]

Letters are the training folders' letters (stroke letters rendered with random pens, paper
capitals); non-letters are generated (benchmarks/non_letters.py, seeds 1, 3-6 and 8). Everything
takes the app's path to its 28x28 frame and is read by the shipped model. A small perceptron
learns letter / not a letter from the frame (pooled 2x2) and the model's certainty. Its size is
chosen, and its threshold set, on the held-out validation writers (the threshold lets 99.9 % of
them through) and on generated non-letters of seed 9; evaluation-only sets are never looked at.
Writes models/letterness.npz.
"""

import argparse

import keras
import numpy as np
from PIL import Image

from benchmarks.non_letters import non_letters
from handwriting import classifier, letterness
from handwriting.frame import ink_to_frame
from handwriting.ink import grey_to_ink, to_grey
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR
from training.sources import LocalLetters
from training.strokes import render_strokes

TRAINING_SEEDS = (1, 3, 4, 5, 6, 8)
CHOICE_SEED = 9
LETTERS_KEPT = 0.999  # the share of validation letters the threshold lets through
CANDIDATES = [(64, 0.5), (64, 0.2), (32, 0.5)]  # hidden units, dropout


def picture(frame):
    """A 28x28 letter (white on black) as a picture someone could send."""
    return Image.fromarray(np.uint8(np.clip(frame.squeeze(), 0, 1) * 255))


def features_of(model, images):
    """Detector features of every non-blank picture, through the app's path."""
    frames = np.stack([f for f in (ink_to_frame(grey_to_ink(to_grey(image))) for image in images) if f is not None])
    probabilities = np.concatenate([model.probabilities(frames[i : i + 512]) for i in range(0, len(frames), 512)])
    return letterness.features(frames, probabilities)


def train(x, y, hidden, dropout, seed=0):
    keras.utils.set_random_seed(seed)
    net = keras.Sequential([
        keras.Input((x.shape[1],)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    net.compile(optimizer="adam", loss="binary_crossentropy")
    weights = {0: len(y) / (2 * (y == 0).sum()), 1: len(y) / (2 * (y == 1).sum())}
    net.fit(x, y, epochs=30, batch_size=128, class_weight=weights, verbose=0)
    return net


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--limit", type=int, default=30000, help="samples read per training set")
    parser.add_argument("--output", default=MODELS_DIR / letterness.DETECTOR_FILE)
    args = parser.parse_args(argv)
    model = classifier.load(MODELS_DIR / MODEL_FILE)
    rng = np.random.default_rng(7)

    data = LocalLetters(args.data_dir, limit=args.limit)
    strokes = rng.choice(len(data.strokes), 12000, replace=False)
    images = rng.choice(len(data.images), 3000, replace=False)
    letters = [picture(render_strokes(data.strokes[i], rng)) for i in strokes] + [picture(data.images[i]) for i in images]
    positives = features_of(model, letters)
    negatives = features_of(model, [image for seed in TRAINING_SEEDS for _, image in non_letters(seed)])
    validation = features_of(model, [picture(frame) for frame in data.validation[0]])
    held_out = features_of(model, [image for _, image in non_letters(CHOICE_SEED)])
    x = np.concatenate([positives, negatives])
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))]).astype(np.float32)
    print(f"{len(positives)} letters, {len(negatives)} non-letters; {len(validation)} validation letters")

    best = None
    for hidden, dropout in CANDIDATES:
        net = train(x, y, hidden, dropout)
        threshold = float(np.quantile(net.predict(validation, verbose=0), 1 - LETTERS_KEPT))
        rejected = float(np.mean(net.predict(held_out, verbose=0) < threshold))
        print(f"hidden {hidden}, dropout {dropout}: threshold {threshold:.3f}, "
              f"seed-{CHOICE_SEED} non-letters rejected {rejected:.1%}")
        if best is None or rejected > best[0]:
            best = (rejected, net, threshold)
    _, net, threshold = best
    (w1, b1), (w2, b2) = (layer.get_weights() for layer in net.layers if layer.get_weights())
    np.savez(args.output, w1=w1, b1=b1, w2=w2, b2=b2, threshold=np.float32(threshold))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
