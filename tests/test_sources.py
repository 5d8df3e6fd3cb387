
import numpy as np
import tensorflow_datasets as tfds

from handwriting.labels import NUM_CLASSES
from training import sources, train
from training.idx import read_idx
from fake_data import make_data_dir
from pictures import FIXTURES



def test_tfds_path_with_mock_data_gives_upright_frames_and_labels_0_to_25():
    with tfds.testing.mock_data(num_examples=60, policy=tfds.testing.MockPolicy.USE_CODE):
        raw = list(tfds.load("emnist/letters", split="train", as_supervised=True).as_numpy_iterator())
        frames = list(sources.tfds_letters("train").as_numpy_iterator())
    valid = [(image, label) for image, label in raw if 1 <= label <= 26]
    assert len(valid) < len(raw)  # mock labels span 0..36: the others must be dropped
    assert len(frames) == len(valid)
    for (image, label), (frame, target) in zip(valid, frames):
        assert frame.shape == (28, 28, 1) and frame.dtype == np.float32
        assert target == label - 1 and 0 <= target < NUM_CLASSES
        assert np.allclose(frame[..., 0], image[..., 0].T / 255.0)  # stored transposed


def test_tfds_source_batches_and_counts():
    with tfds.testing.mock_data(num_examples=60, policy=tfds.testing.MockPolicy.USE_CODE):
        train, val, counts = sources.tfds_source(batch_size=8)
        x, y = next(iter(train))
    assert x.shape[1:] == (28, 28, 1) and x.shape[0] <= 8
    assert counts["emnist/letters (tfds)"]["train"] > 0


def test_emnist_dir_reads_nist_files_upright():
    train, (val_x, val_y), counts = sources.emnist_dir_source(FIXTURES / "emnist", batch_size=2)
    upright = read_idx(FIXTURES / "images-idx3-ubyte.gz").astype(np.float32) / 255.0
    seen = np.concatenate([x.numpy() for x, _ in train] + [val_x])[..., 0]
    assert sum(c["train"] + c["validation"] for c in counts.values()) == 4
    for frame in seen:  # every frame is one of the upright originals
        assert min(np.abs(frame - u).max() for u in upright) < 1e-6


def test_writer_split_never_puts_a_writer_on_both_sides():
    rng = np.random.default_rng(0)
    groups = [f"w{i % 40}" for i in range(2000)]
    held = sources.writer_split(groups, rng, fraction=0.1)
    assert 0.08 <= held.mean() <= 0.15
    val_writers = {g for g, h in zip(groups, held) if h}
    train_writers = {g for g, h in zip(groups, held) if not h}
    assert val_writers and not val_writers & train_writers


def test_local_letters_and_balanced_rendered_batches(tmp_path):
    letters = sources.LocalLetters(make_data_dir(tmp_path))
    assert set(letters.counts) == set(sources.STROKE_SETS) | set(sources.IMAGE_SETS)
    val_x, val_y = letters.validation
    assert val_x.shape[1:] == (28, 28, 1) and len(val_x) == len(val_y) > 0
    dataset = sources.RenderedLetters(letters, samples_per_epoch=26 * 10, batch_size=26)
    x, y = dataset[0]
    assert x.shape == (26, 28, 28, 1) and 0.0 <= x.min() and x.max() <= 1.0
    labels = np.concatenate([dataset[i][1] for i in range(len(dataset))])
    assert np.bincount(labels, minlength=26).tolist() == [10] * 26  # class-balanced epoch
    upper = letters.upper[dataset.order]
    assert upper.mean() == 0.5  # and case-balanced: half capitals, half small letters
    first = dataset[0][0]
    dataset.on_epoch_end()
    assert not np.array_equal(first, dataset[0][0])  # new draws and renders every epoch


def test_training_seed_changes_the_batches_but_not_the_validation_letters(tmp_path):
    data_dir = make_data_dir(tmp_path)
    runs = [train.load_source(train.parse_args(["--data-dir", str(data_dir), "--seed", seed,
                                                "--samples-per-epoch", "260"]))
            for seed in ("0", "1")]
    (batches_0, (val_x0, val_y0), _), (batches_1, (val_x1, val_y1), _) = runs
    assert np.array_equal(val_x0, val_x1) and np.array_equal(val_y0, val_y1)
    assert not np.array_equal(batches_0.order, batches_1.order)
