"""Where training letters come from: tfds, NIST's EMNIST files, or the local handwriting folders.

Every source yields upright, white-on-black 28x28 float32 frames in [0, 1] with labels 0..25
(a..z) and a validation split held out of its training data (never from evaluation sets).
"""

import csv
import gzip
from pathlib import Path

import keras
import numpy as np

from handwriting.frame import FRAME_SIZE
from handwriting.labels import NUM_CLASSES
from training.idx import IMAGES_FILE, LABELS_FILE, read_idx, upright
from training.strokes import read_strokes, render_strokes

# Training folders of ../shared/data: pen-stroke sets (re-rendered every epoch) and image sets.
STROKE_SETS = {
    "unipen-letters": (
        "unipen-letters-strokes.txt.gz",
        "unipen-letters-meta.csv.gz",
        ("contributor", "writer"),
    ),
    "crohme-letters-online": ("crohme-letters-strokes.txt.gz", "meta.csv.gz", ("writer",)),
}
IMAGE_SETS = {
    "uppercase-paper-mutikara": ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz", "index.csv.gz"),
    "uppercase-28px-mingyanying": ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz", "index.csv.gz"),
}
VALIDATION_FRACTION = 0.05
# The validation split does not follow the training seed: runs with different seeds are compared
# on the same held-out writers.
SPLIT_SEED = 0


def writer_split(groups, rng, fraction=VALIDATION_FRACTION):
    """Boolean mask of samples held out for validation, whole writers at a time."""
    groups = np.asarray(groups)
    names, counts = np.unique(groups, return_counts=True)
    order = rng.permutation(len(names))
    held, total = [], 0
    for i in order:
        if total >= fraction * len(groups):
            break
        held.append(names[i])
        total += counts[i]
    return np.isin(groups, held)


def _read_csv(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _read_meta(path, writer_columns):
    rows = _read_csv(path)
    labels = np.array([int(r["label"]) - 1 for r in rows], dtype=np.int64)
    groups = [
        "/".join(r[c] for c in writer_columns) if all(r[c] for c in writer_columns) else f"#{i}"
        for i, r in enumerate(rows)
    ]
    return labels, groups


class LocalLetters:
    """The training folders of a data directory, split by writer into train and validation."""

    def __init__(self, data_dir, limit=None):
        data_dir = Path(data_dir)
        rng = np.random.default_rng(SPLIT_SEED)
        self.strokes, self.stroke_labels = [], []
        self.images, self.image_labels = [], []
        stroke_upper, image_upper = [], []  # the letter's case, for case balance
        val_x, val_y = [], []
        self.counts = {}
        for name, (stroke_file, meta_file, writer_columns) in STROKE_SETS.items():
            samples = read_strokes(data_dir / name / stroke_file)[:limit]
            labels, groups = _read_meta(data_dir / name / meta_file, writer_columns)
            labels, groups = labels[: len(samples)], groups[: len(samples)]
            held = writer_split(groups, rng)
            for (char, strokes), label, is_val in zip(samples, labels, held):
                if is_val:
                    val_x.append(render_strokes(strokes))
                    val_y.append(label)
                else:
                    self.strokes.append(strokes)
                    self.stroke_labels.append(label)
                    stroke_upper.append(char.isupper())
            self.counts[name] = {"train": int((~held).sum()), "validation": int(held.sum())}
        for name, (image_file, label_file, index_file) in IMAGE_SETS.items():
            images = read_idx(data_dir / name / image_file)[:limit].astype(np.float32) / 255.0
            labels = read_idx(data_dir / name / label_file)[:limit].astype(np.int64) - 1
            upper = np.array([r["char"].isupper() for r in _read_csv(data_dir / name / index_file)])
            held = rng.random(len(labels)) < VALIDATION_FRACTION  # no writer ids: per image
            self.images.extend(images[~held])
            self.image_labels.extend(labels[~held])
            image_upper.extend(upper[: len(labels)][~held])
            val_x.extend(images[held])
            val_y.extend(labels[held])
            self.counts[name] = {"train": int((~held).sum()), "validation": int(held.sum())}
        keep = [i for i, x in enumerate(val_x) if x is not None]
        self.validation = (
            np.stack([val_x[i] for i in keep])[..., None],
            np.array([val_y[i] for i in keep], dtype=np.int64),
        )
        self.labels = np.concatenate(
            [np.array(self.stroke_labels, dtype=np.int64), np.array(self.image_labels, dtype=np.int64)]
        )
        self.upper = np.array(stroke_upper + image_upper, dtype=bool)


def extra_frames(folders):
    """The frames of --extra-data folders (image folders such as exported corrections), pooled:
    ((frames, labels 0..25), counts). They are only ever trained on: no validation, no evaluation."""
    frames, labels, counts = [], [], {}
    for folder in map(Path, folders):
        images, folder_labels = read_idx(folder / IMAGES_FILE), read_idx(folder / LABELS_FILE).astype(np.int64) - 1
        if len(images) != len(folder_labels) or not np.isin(folder_labels, range(NUM_CLASSES)).all():
            raise ValueError(f"{folder}: images and labels 1..{NUM_CLASSES} do not match")
        frames.append(images.astype(np.float32) / 255.0)
        labels.append(folder_labels)
        counts[f"extra: {folder.name}"] = {"train": len(folder_labels), "validation": 0}
    if not sum(map(len, labels)):
        return None, counts
    return (np.concatenate(frames), np.concatenate(labels)), counts


class RenderedLetters(keras.utils.PyDataset):
    """Class- and case-balanced batches, stroke letters re-rendered with fresh randomness each epoch.

    Each class is drawn half from capitals and half from small letters (where it has both), as
    EMNIST's merged classes are: the sets here lean to lower case, which would teach the model
    that a plain bar is an l rather than an I.
    """

    def __init__(self, letters, samples_per_epoch, batch_size=128, seed=0, extra=None, extra_share=0.0, **kwargs):
        super().__init__(**kwargs)
        self.letters = letters
        self.batch_size = batch_size
        # `extra` (frames, labels), e.g. people's corrections, fill `extra_share` of every batch.
        self.extra = extra
        self.extra_rows = round(batch_size * extra_share) if extra is not None else 0
        self.samples_per_epoch = samples_per_epoch
        self.seed = seed
        self.epoch = 0
        self.pools = []  # per class: the non-empty [capitals, small letters] index pools
        for c in range(NUM_CLASSES):
            in_class = letters.labels == c
            cases = [np.flatnonzero(in_class & letters.upper), np.flatnonzero(in_class & ~letters.upper)]
            self.pools.append([pool for pool in cases if len(pool)])
        self._draw()

    def _draw(self):
        rng = np.random.default_rng((self.seed, self.epoch))
        per_class = self.samples_per_epoch // NUM_CLASSES
        picks = []
        for pools in self.pools:
            for k, pool in enumerate(pools):
                n = per_class // len(pools) + (k < per_class % len(pools))
                picks.append(rng.choice(pool, n, replace=len(pool) < n))
        self.order = rng.permutation(np.concatenate(picks))

    def __len__(self):
        return len(self.order) // (self.batch_size - self.extra_rows)

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, self.epoch, index))
        rows = self.batch_size - self.extra_rows
        batch = self.order[index * rows : (index + 1) * rows]
        n_strokes = len(self.letters.strokes)
        frames = np.zeros((len(batch), FRAME_SIZE, FRAME_SIZE), dtype=np.float32)
        for row, i in enumerate(batch):
            if i < n_strokes:
                frame = render_strokes(self.letters.strokes[i], rng)
                if frame is not None:
                    frames[row] = frame
            else:
                frames[row] = self.letters.images[i - n_strokes]
        labels = self.letters.labels[batch]
        if self.extra_rows:
            picks = rng.integers(len(self.extra[1]), size=self.extra_rows)
            frames = np.concatenate([frames, self.extra[0][picks]])
            labels = np.concatenate([labels, self.extra[1][picks]])
        return frames[..., None], labels

    def on_epoch_end(self):
        self.epoch += 1
        self._draw()


def _array_source(images, labels, batch_size, seed):
    """Shuffle-split ready-made frames (no writer ids there) into tf.data pipelines."""
    import tensorflow as tf

    held = np.random.default_rng(SPLIT_SEED).random(len(labels)) < VALIDATION_FRACTION
    x = images.astype(np.float32)[..., None] / 255.0
    train = tf.data.Dataset.from_tensor_slices((x[~held], labels[~held]))
    train = train.shuffle(20_000, seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)
    return train, (x[held], labels[held]), {"train": int((~held).sum()), "validation": int(held.sum())}


def emnist_dir_source(emnist_dir, batch_size=128, seed=0, limit=None):
    """NIST's EMNIST letters IDX files (the full 124,800 training images)."""
    emnist_dir = Path(emnist_dir)
    images = upright(read_idx(emnist_dir / "emnist-letters-train-images-idx3-ubyte.gz"))[:limit]
    labels = read_idx(emnist_dir / "emnist-letters-train-labels-idx1-ubyte.gz")[:limit]
    train, val, counts = _array_source(images, labels.astype(np.int64) - 1, batch_size, seed)
    return train, val, {"emnist-letters (NIST files)": counts}


def tfds_letters(split, data_dir=None):
    """`tfds.load("emnist/letters")` as upright float frames with labels 0..25.

    tfds declares 37 classes but real labels are 1..26 (and its splits hold only the first
    88,800 train / 14,800 test images of NIST's 124,800 / 20,800); anything else is dropped.
    """
    import tensorflow as tf
    import tensorflow_datasets as tfds

    ds = tfds.load("emnist/letters", split=split, as_supervised=True, data_dir=data_dir)
    ds = ds.filter(lambda image, label: (label >= 1) & (label <= NUM_CLASSES))
    return ds.map(
        lambda image, label: (
            tf.cast(tf.transpose(image, (1, 0, 2)), tf.float32) / 255.0,
            tf.cast(label, tf.int64) - 1,
        )
    )


def tfds_source(batch_size=128, seed=0, limit=None, data_dir=None):
    """The seed's path: tfds emnist/letters train split, VALIDATION_FRACTION held out."""
    import tensorflow as tf

    cut = round(100 * (1 - VALIDATION_FRACTION))
    train = tfds_letters(f"train[:{cut}%]", data_dir)
    val = tfds_letters(f"train[{cut}%:]", data_dir)
    if limit:
        train, val = train.take(limit), val.take(limit)
    train_count = int(train.reduce(0, lambda n, _: n + 1))
    val_count = int(val.reduce(0, lambda n, _: n + 1))
    train = train.shuffle(20_000, seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)
    val = val.batch(batch_size).cache()
    return train, val, {"emnist/letters (tfds)": {"train": train_count, "validation": val_count}}
