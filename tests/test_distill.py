import json

import keras
import numpy as np
import pytest

from fake_data import make_data_dir
from training import distill, sources
from training.model import MAX_SERVING_PARAMS, build_model
from training.paths import MODEL_FILE

SMALL = {"blocks": 2, "filters": 16, "dense": 128}


def test_distiller_trains_the_student_and_leaves_the_teacher_alone():
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 26, 64)
    teacher, student = build_model(SMALL), build_model(SMALL)
    before = [w.copy() for w in teacher.get_weights()]
    student_before = [w.copy() for w in student.get_weights()]
    distiller = distill.Distiller(student, teacher)
    distiller.compile(keras.optimizers.Adam(1e-3), metrics=["accuracy"], alpha=0.5, temperature=3.0)
    history = distiller.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(np.array_equal(a, b) for a, b in zip(before, teacher.get_weights()))
    assert not all(np.array_equal(a, b) for a, b in zip(student_before, student.get_weights()))


def test_validation_runs_the_student_in_inference_mode():
    """No augmentation, dropout or batch statistics while validating (they once were, leaking the
    validation set into BatchNormalization's moving statistics)."""
    rng = np.random.default_rng(1)
    x = rng.random((96, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 26, 96)
    student = build_model(SMALL)
    student.fit(x, y, epochs=1, verbose=0)  # moving statistics away from their initial values
    before = [w.copy() for w in student.get_weights()]
    distiller = distill.Distiller(student, build_model(SMALL))
    distiller.compile(keras.optimizers.Adam(1e-3), metrics=["accuracy"])
    first, second = distiller.evaluate(x, y, verbose=0), distiller.evaluate(x, y, verbose=0)
    assert first == second
    assert all(np.array_equal(a, b) for a, b in zip(before, student.get_weights()))
    assert first[1] == pytest.approx(distill.accuracy(student, x, y))


def test_distil_two_teachers_into_a_serving_size_student(tmp_path):
    data_dir = make_data_dir(tmp_path / "data", true_labels=True)  # 8 letters a model can learn
    letters = sources.LocalLetters(data_dir)
    teachers = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        teacher = build_model()
        teacher.fit(sources.RenderedLetters(letters, 2600, 32, seed), epochs=3, verbose=0)
        teachers.append(tmp_path / f"teacher{seed}.keras")
        teacher.save(teachers[-1])

    out = tmp_path / "student"
    student = distill.main(["--data-dir", str(data_dir), "--output", str(out), "--epochs", "3",
                            "--samples-per-epoch", "2600", "--batch-size", "32", "--workers", "1",
                            "--teachers", *map(str, teachers)])

    assert student.count_params() == 590_394 <= MAX_SERVING_PARAMS  # the shipped architecture
    assert (out / MODEL_FILE).stat().st_size <= 10_000_000
    assert {"history.json", "hparams.json", "metrics.json"} <= {p.name for p in out.iterdir()}
    scores = json.loads((out / "metrics.json").read_text())["distillation"]["val_accuracy"]
    assert set(scores["teachers"]) == set(map(str, teachers))
    assert scores["student"] > 0.5 and scores["ensemble"] > 0.5  # 8 classes: chance is 1/8 at best
    reloaded = keras.models.load_model(out / MODEL_FILE)
    x = letters.validation[0][:8]
    assert np.allclose(reloaded.predict(x, verbose=0), student.predict(x, verbose=0), atol=1e-5)


def test_init_starts_the_student_from_a_trained_model(tmp_path):
    data_dir = make_data_dir(tmp_path / "data", true_labels=True)
    keras.utils.set_random_seed(3)
    start = tmp_path / "start.keras"
    build_model().save(start)
    options = ["--data-dir", str(data_dir), "--epochs", "1", "--samples-per-epoch", "256",
               "--batch-size", "32", "--workers", "1", "--no-evaluate", "--teachers", str(start)]

    student = distill.main([*options, "--output", str(tmp_path / "a"), "--init", str(start), "--learning-rate", "1e-9"])
    pairs = [(a, b) for a, b in zip(student.weights, keras.models.load_model(start).weights) if "kernel" in a.path]
    assert len(pairs) == 8  # six convolutions, two dense layers
    assert all(np.allclose(a.numpy(), b.numpy(), atol=1e-6) for a, b in pairs)
    report = json.loads((tmp_path / "a" / "metrics.json").read_text())["distillation"]
    assert report["init"] == str(start) and report["learning_rate"] == 1e-9

    small = tmp_path / "small.keras"
    build_model(SMALL).save(small)
    with pytest.raises(ValueError):
        distill.main([*options, "--output", str(tmp_path / "b"), "--init", str(small)])
