"""Train the line recognizer with CTC on real handwritten lines (writers held out), resuming.

    python -m training.train_lines --max-minutes 110      # a run on this machine; run it again to resume
    python -m training.train_lines --limit 64 --epochs 1   # a smoke run
    python -m training.train_lines --init models/line_crnn.keras --run-dir runs/lines-2 --learning-rate 5e-4
                                                            # a warm restart from a trained model
    python -m training.train_lines --extra-lines corrections/lines   # also the lines people corrected

Each run resumes from runs/lines/backup (model, optimizer, epoch) and stops after --max-minutes;
the best epoch by validation character error (greedy decoding) is kept in runs/lines/best.keras
and, at the end of every run, copied to models/line_crnn.keras and exported to LiteRT. On a GPU
the same script runs unchanged.
"""

import argparse
import json
from pathlib import Path

import keras
import numpy as np

from handwriting.alphabet import encode
from handwriting.line_recognizer import LINE_MODEL_FILE, greedy_text
from handwriting.text_errors import character_error_rate
from training import line_export
from training.callbacks import TimeLimit
from training.line_augment import augment
from training.line_data import cached_lines, folder_lines
from training.line_model import build_line_model
from training.synthetic_lines import synthetic_lines
from training.paths import DEFAULT_DATA_DIR, MODELS_DIR, ROOT

RUN_DIR = ROOT / "runs" / "lines"
MIN_LEARNING_RATE = 1e-5
SHUFFLE_WINDOW = 32  # batches whose lines are sorted by width together, so little is padding


class LineBatches(keras.utils.PyDataset):
    """Batches of lines of similar width, padded with black; labels padded with the blank (0)."""

    def __init__(self, lines, batch_size, seed=0, augmented=True, **kwargs):
        super().__init__(**kwargs)
        self.lines, self.batch_size, self.seed, self.augmented = lines, batch_size, seed, augmented
        self.epoch = 0
        self._plan()

    def _plan(self):
        rng = np.random.default_rng((self.seed, self.epoch))
        order = rng.permutation(len(self.lines)) if self.augmented else np.arange(len(self.lines))
        window = self.batch_size * SHUFFLE_WINDOW
        order = np.concatenate([sorted(order[i : i + window], key=lambda k: self.lines[k].pixels.shape[1])
                                for i in range(0, len(order), window)])
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        self.batches = [batches[i] for i in rng.permutation(len(batches))] if self.augmented else batches

    def __len__(self):
        return len(self.batches)

    def on_epoch_end(self):
        self.epoch += 1
        self._plan()

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, self.epoch, index))
        lines = [self.lines[k] for k in self.batches[index]]
        images = [augment(line.pixels, rng) if self.augmented else line.pixels / np.float32(255) for line in lines]
        width = max(image.shape[1] for image in images)
        x = np.zeros((len(images), images[0].shape[0], width, 1), np.float32)
        for n, image in enumerate(images):
            x[n, :, : image.shape[1], 0] = image
        codes = [encode(line.text) for line in lines]
        y = np.zeros((len(codes), max(map(len, codes))), np.int32)
        for n, code in enumerate(codes):
            y[n, : len(code)] = code
        return x, y


class ValidationCER(keras.callbacks.Callback):
    """Logs `val_cer`, the validation lines' character error rate with greedy decoding."""

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def on_epoch_end(self, epoch, logs=None):
        truths, readings = [], []
        for index in range(len(self.batches)):
            x, _ = self.batches[index]
            logits = self.model(x, training=False).numpy()
            readings += [greedy_text(row) for row in logits]
            truths += [self.batches.lines[k].text for k in self.batches.batches[index]]
        logs["val_cer"] = character_error_rate(truths, readings)
        print(f" — val_cer {logs['val_cer']:.4f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--run-dir", type=Path, default=RUN_DIR)
    parser.add_argument("--output", type=Path, default=MODELS_DIR)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--max-minutes", type=float, default=110)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--limit", type=int, help="at most this many lines per split (smoke runs)")
    parser.add_argument("--synthetic", type=int, default=2500,
                        help="synthetic lines (fonts, joined and touching pen strokes) added to the training lines, "
                             "made afresh by every run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", type=Path, metavar="MODEL",
                        help="start from this model's weights with a fresh optimizer (use a new --run-dir)")
    parser.add_argument("--learning-rate", type=float, help="Adam's starting rate (default: line_model's)")
    parser.add_argument("--extra-lines", type=Path, action="append", default=[], metavar="DIR",
                        help="a folder of lines in the layout of the htr-lines sets, e.g. the lines of `flask "
                             "corrections export OUT/` (OUT/lines), added to the training lines; repeatable")
    parser.add_argument("--decay-after", type=int, metavar="EPOCH",
                        help="from this epoch on, halve the learning rate every epoch (down to 1e-5): the last "
                             "epochs of a budget")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)

    lines = cached_lines(args.data_dir, args.run_dir.parent / "line-cache")
    extra = [line for folder in args.extra_lines for line in folder_lines(folder)]
    train, validation = lines["train"][: args.limit] + extra, lines["validation"][: args.limit]
    history = args.run_dir / "history.csv"
    epochs_done = len(_column(history, "epoch")) if history.exists() else 0
    synthetic = synthetic_lines(args.synthetic, np.random.default_rng((args.seed, epochs_done)), args.data_dir)
    print(f"{len(train)} training lines ({len(extra)} from --extra-lines) and {len(synthetic)} synthetic ones, "
          f"{len(validation)} validation lines")
    train = train + synthetic
    train_batches = LineBatches(train, args.batch_size, args.seed)
    validation_batches = LineBatches(validation, args.batch_size, augmented=False)

    args.run_dir.mkdir(parents=True, exist_ok=True)
    best = args.run_dir / "best.keras"
    model = build_line_model(*([args.learning_rate] if args.learning_rate else []))
    if args.init:
        model.set_weights(keras.models.load_model(args.init, compile=False).get_weights())
    model.fit(
        train_batches,
        validation_data=validation_batches,
        epochs=args.epochs,
        callbacks=[
            ValidationCER(validation_batches),
            keras.callbacks.BackupAndRestore(args.run_dir / "backup", delete_checkpoint=False),  # kept: the next run resumes
            keras.callbacks.ModelCheckpoint(best, monitor="val_cer", mode="min", save_best_only=True),
            keras.callbacks.ReduceLROnPlateau(monitor="val_cer", mode="min", factor=0.5, patience=3,
                                              min_lr=MIN_LEARNING_RATE),
            keras.callbacks.EarlyStopping(monitor="val_cer", mode="min", patience=8),
            keras.callbacks.CSVLogger(args.run_dir / "history.csv", append=True),
            TimeLimit(args.max_minutes),
            *([keras.callbacks.LearningRateScheduler(
                lambda epoch, rate: max(rate / 2, MIN_LEARNING_RATE) if epoch >= args.decay_after else rate)]
              if args.decay_after is not None else []),
        ],
        verbose=2,
    )
    if best.exists():
        args.output.mkdir(parents=True, exist_ok=True)
        keras.models.load_model(best, compile=False).save(args.output / LINE_MODEL_FILE)  # without Adam's state
        out = line_export.export(args.output / LINE_MODEL_FILE, history=history,
                                 counts={"train": len(train) - len(synthetic), "synthetic": len(synthetic),
                                         "extra": len(extra), "validation": len(validation)})
        print(f"Wrote {args.output / LINE_MODEL_FILE} and {out}")
        print(json.dumps({"best_val_cer": min(float(r) for r in _column(history, "val_cer"))}))


def _column(csv_path, name):
    rows = Path(csv_path).read_text().splitlines()
    header = rows[0].split(",")
    return [row.split(",")[header.index(name)] for row in rows[1:] if row and not row.startswith("epoch")]


if __name__ == "__main__":
    main()
