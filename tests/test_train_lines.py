"""training.train_lines, training.line_model, training.line_data: the CTC line recognizer learns,
batches are padded right, writers are held out, runs resume and export."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from fake_data import make_data_dir
from fake_lines import make_line_set, printed_line

from handwriting import classifier
from handwriting.alphabet import encode
from handwriting.ink import grey_to_ink
from handwriting.line_image import LINE_HEIGHT, line_input
from handwriting.line_recognizer import LINE_METRICS_FILE, greedy_text
from training import line_data, train_lines
from training.line_data import Line
from training.line_model import build_line_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def tiny_batch(texts):
    images = [line_input(grey_to_ink(printed_line(text))).pixels for text in texts]
    x = np.zeros((len(images), LINE_HEIGHT, max(i.shape[1] for i in images), 1), np.float32)
    for n, image in enumerate(images):
        x[n, :, : image.shape[1], 0] = image
    codes = [encode(text) for text in texts]
    y = np.zeros((len(codes), max(map(len, codes))), np.int32)
    for n, code in enumerate(codes):
        y[n, : len(code)] = code
    return x, y


def test_the_line_model_learns_a_few_lines_with_ctc():
    texts = ["ab ba", "cab", "Oui 12", "dé"]
    x, y = tiny_batch(texts)
    keras.utils.set_random_seed(0)
    model = build_line_model(learning_rate=3e-3)
    for _ in range(8):
        model.fit(x, y, epochs=50, batch_size=len(texts), verbose=0)
        read = [greedy_text(row) for row in model(x, training=False).numpy()]
        if read == texts:
            break
    assert read == texts


def test_line_batches_pad_images_with_black_and_labels_with_the_blank():
    rng = np.random.default_rng(0)
    lines = [Line(np.uint8(rng.integers(1, 255, (LINE_HEIGHT, width))), text, "w", "s")
             for width, text in ((40, "a"), (120, "abc"), (80, "ab"), (200, "hola"))]
    batches = train_lines.LineBatches(lines, batch_size=2, augmented=False)
    assert len(batches) == 2
    seen = []
    for index in range(len(batches)):
        x, y = batches[index]
        for n, k in enumerate(batches.batches[index]):
            width = lines[k].pixels.shape[1]
            np.testing.assert_allclose(x[n, :, :width, 0], lines[k].pixels / 255)
            assert not x[n, :, width:].any()
            assert list(y[n][y[n] != 0]) == encode(lines[k].text) and not y[n][len(lines[k].text):].any()
            seen.append(k)
    assert sorted(seen) == [0, 1, 2, 3]
    assert [sorted(b) for b in batches.batches] == [[0, 2], [1, 3]]  # lines of similar width together


def test_augmented_batches_change_every_epoch_but_keep_the_height():
    lines = [Line(np.uint8(line_input(grey_to_ink(printed_line("hola"))).pixels * 255), "hola", "w", "s")] * 2
    batches = train_lines.LineBatches(lines, batch_size=2)
    first = batches[0][0]
    batches.on_epoch_end()
    second = batches[0][0]
    assert first.shape[1] == second.shape[1] == LINE_HEIGHT
    assert first.shape != second.shape or not np.allclose(first, second)


def test_writers_are_held_out_whole_and_copiste_s_page_writers_are_the_test_set():
    for name in line_data.LINE_SETS:
        rows = line_data.read_index(DATA, name)
        splits = line_data.split_of(rows, name)
        assert set(splits.values()) == set(line_data.SPLITS)
        assert sum(split == "validation" for split in splits.values()) == line_data.VALIDATION_WRITERS
    rows = line_data.read_index(DATA, "htr-lines-copiste")
    pages = {row["page_image"] for row in rows if row["kind"] == "page"}
    page_writers = {row["writer"] for row in rows if row["kind"] == "line" and row["page"] in pages}
    splits = line_data.split_of(rows, "htr-lines-copiste")
    assert len(page_writers) >= 20
    assert {writer for writer, split in splits.items() if split == "test"} == page_writers


def test_a_run_trains_exports_and_the_next_run_resumes(tmp_path):
    data = tmp_path / "data"
    make_data_dir(data, per_set=40)  # pen-stroke letters for the synthetic lines
    for name in line_data.LINE_SETS:
        make_line_set(data / name, seed=len(name))
    run, models = tmp_path / "runs" / "lines", tmp_path / "models"
    arguments = ["--data-dir", str(data), "--run-dir", str(run), "--output", str(models), "--batch-size", "8",
                 "--synthetic", "8"]
    make_line_set(tmp_path / "corrections" / "lines", writers=2)  # in the layout `flask corrections export` writes
    train_lines.main([*arguments, "--epochs", "1", "--extra-lines", str(tmp_path / "corrections" / "lines")])
    metrics = json.loads((models / LINE_METRICS_FILE).read_text())
    assert metrics["export"]["keras_sha256"] == classifier.fingerprint(models / "line_crnn.keras")
    assert metrics["export"]["tflite_sha256"] == classifier.fingerprint(models / "line_crnn.tflite")
    assert [row["epoch"] for row in metrics["history"]] == [0]
    assert metrics["lines"]["train"] > 0 and metrics["lines"]["validation"] > 0 and metrics["lines"]["synthetic"] == 8
    assert metrics["lines"]["extra"] == 4  # 2 writers of 2 lines, all of them trained on

    train_lines.main([*arguments, "--epochs", "2", "--decay-after", "1"])  # resumes: one more epoch, not two
    history = json.loads((models / LINE_METRICS_FILE).read_text())["history"]
    assert [row["epoch"] for row in history] == [0, 1]
    assert history[1]["learning_rate"] == pytest.approx(history[0]["learning_rate"] / 2)
    assert all(0 <= row["val_cer"] for row in history)
