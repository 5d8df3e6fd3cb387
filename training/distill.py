"""Distil an ensemble of teacher models into one student of serving size.

    python -m training.distill --teachers runs/a/letter_cnn.keras runs/b/letter_cnn.keras \\
        --output runs/student [--temperature 4] [--alpha 0.1] [any training.train option]
    python -m training.distill --teachers ... --init models/letter_cnn.keras --learning-rate 3e-4

As in the Keras example "Knowledge Distillation": the student learns from the hard labels and from
the teachers' averaged probabilities softened at a temperature. The student is the model of
--hparams (the shipped architecture by default) and must fit the serving budget; --init starts it
from a trained model of that architecture (fine-tuning it towards the ensemble). Its artifacts
are those of training.train, with teachers, ensemble and student scored side by side on the
validation writers in metrics.json ("distillation"). Sources with an in-memory validation split:
local (the default) and emnist-dir.
"""

import json
import time
from pathlib import Path

import keras
import numpy as np
from keras import ops

from training import train
from training.model import MAX_SERVING_PARAMS, build_model, read_hparams
from training.paths import MODEL_FILE


class Distiller(keras.Model):
    """Trains `student` on hard labels and on the teacher's softened probabilities."""

    def __init__(self, student, teacher):
        super().__init__()
        self.student = student
        self.teacher = teacher
        self.teacher.trainable = False  # only the student learns

    def compile(self, optimizer, metrics, alpha=0.1, temperature=4.0):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = keras.losses.SparseCategoricalCrossentropy()
        self.distillation_loss_fn = keras.losses.KLDivergence()
        self.alpha = alpha
        self.temperature = temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        # Both models end in a softmax: log-probabilities serve as logits (softmax is shift-invariant).
        teacher_logits = ops.log(ops.clip(self.teacher(x, training=False), 1e-7, 1.0))
        student_logits = ops.log(ops.clip(y_pred, 1e-7, 1.0))
        distillation_loss = self.distillation_loss_fn(
            ops.softmax(teacher_logits / self.temperature, axis=1),
            ops.softmax(student_logits / self.temperature, axis=1),
        ) * self.temperature**2
        student_loss = self.student_loss_fn(y, y_pred)
        return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

    def call(self, x, training=False):
        return self.student(x, training=training)  # Keras does not pass `training` on by itself here


class Ensemble(keras.Model):
    """The teachers' probabilities, averaged."""

    def __init__(self, teachers):
        super().__init__(name="ensemble")
        self.teachers = teachers

    def call(self, x, training=False):
        return ops.mean(ops.stack([teacher(x, training=False) for teacher in self.teachers]), axis=0)


def accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, batch_size=512, verbose=0), axis=1) == y))


def parse_args(argv=None):
    parser = train.arguments(__doc__)
    parser.add_argument("--teachers", type=Path, nargs="+", required=True, help=".keras teacher models")
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--alpha", type=float, default=0.1, help="weight of the hard labels' loss")
    parser.add_argument("--init", type=Path, help=".keras model of the student's architecture to start from")
    parser.add_argument("--learning-rate", type=float, help="Adam's rate (default: the --hparams rate)")
    return parser.parse_args(argv)


def main(argv=None):
    """Distil, save the student's artifacts under --output, evaluate; return the student."""
    args = parse_args(argv)
    train.use_all_cores()
    keras.utils.set_random_seed(args.seed)
    args.output.mkdir(parents=True, exist_ok=True)
    hparams = read_hparams(args.hparams)
    started = time.time()

    batches, (val_x, val_y), counts = train.load_source(args)
    teachers = [keras.models.load_model(path) for path in args.teachers]
    teacher = Ensemble(teachers)
    student = build_model(hparams)
    if student.count_params() > MAX_SERVING_PARAMS:
        raise SystemExit(f"The student has {student.count_params():,} parameters, over the serving "
                         f"budget of {MAX_SERVING_PARAMS:,}: choose smaller --hparams")
    if args.init:
        student.set_weights(keras.models.load_model(args.init).get_weights())  # raises on another architecture

    learning_rate = args.learning_rate or hparams["learning_rate"]
    distiller = Distiller(student, teacher)
    distiller.compile(keras.optimizers.Adam(learning_rate), metrics=["accuracy"],
                      alpha=args.alpha, temperature=args.temperature)
    history = distiller.fit(batches, validation_data=(val_x, val_y), epochs=args.epochs,
                            callbacks=train.schedule(args))
    student.save(args.output / MODEL_FILE)

    scores = {str(path): accuracy(model, val_x, val_y) for path, model in zip(args.teachers, teachers)}
    report = {
        "temperature": args.temperature,
        "alpha": args.alpha,
        "init": str(args.init) if args.init else None,
        "learning_rate": learning_rate,
        "val_accuracy": {"teachers": scores, "ensemble": accuracy(teacher, val_x, val_y),
                         "student": accuracy(student, val_x, val_y)},
    }
    print("Validation accuracy:", json.dumps(report["val_accuracy"], indent=1))
    train.save_artifacts(args, student, hparams, history, counts, time.time() - started, distillation=report)
    return student


if __name__ == "__main__":
    main()
