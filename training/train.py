"""Train the letter CNN and write every artifact the web app reads.

    python -m training.train                       # local handwriting in ../shared/data
    python -m training.train --source tfds         # the seed: tfds.load("emnist/letters")
    python -m training.train --source emnist-dir --emnist-dir ~/emnist/gzip
    python -m training.train --hparams runs/tuning/best-hparams.json   # a recipe found by training.tune
    python -m training.train --extra-data corrections/            # also people's corrections (README)
    python -m training.train --distribute mirrored                # every GPU of this machine
    TF_CONFIG='{...}' python -m training.train --distribute multi-worker   # several machines
"""

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from handwriting.frame import FRAME_SIZE
from training import evaluate, export, sources
from training.callbacks import TimeLimit
from training.model import build_model, read_hparams
from training.paths import DEFAULT_DATA_DIR, MODEL_FILE, MODELS_DIR


def arguments(description=__doc__):
    """The options of a training run (training.distill adds its own)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--source", choices=["local", "tfds", "emnist-dir"], default="local")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="../shared/data")
    parser.add_argument("--emnist-dir", type=Path, help="folder with NIST's EMNIST IDX files")
    parser.add_argument("--tfds-data-dir", help="tensorflow-datasets data_dir")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--max-minutes", type=float, help="stop after the epoch under way at this time")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--samples-per-epoch", type=int, default=38_400,
                        help="local source: class-balanced letters drawn per epoch")
    parser.add_argument("--limit", type=int, help="use at most this many samples per set (smoke runs)")
    parser.add_argument("--output", type=Path, default=MODELS_DIR)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="threads rendering strokes")
    parser.add_argument("--no-evaluate", action="store_true", help="skip the evaluation sets")
    parser.add_argument("--hparams", type=Path, help="JSON of model hyper-parameters (models/hparams.json)")
    parser.add_argument("--extra-data", type=Path, action="append", default=[], metavar="DIR",
                        help="local source: also train on this image folder (e.g. `flask corrections export`); repeatable")
    parser.add_argument("--extra-share", type=float, default=0.1,
                        help="the share of every batch drawn from the --extra-data folders")
    parser.add_argument("--distribute", choices=["none", "mirrored", "multi-worker"], default="none",
                        help="tf.distribute: every GPU here (or every logical CPU), or TF_CONFIG's workers")
    return parser


def parse_args(argv=None):
    return arguments().parse_args(argv)


def load_source(args):
    if args.extra_data and args.source != "local":
        raise SystemExit("--extra-data works with the local source")
    if args.source == "tfds":
        return sources.tfds_source(args.batch_size, args.seed, args.limit, args.tfds_data_dir)
    if args.source == "emnist-dir":
        return sources.emnist_dir_source(args.emnist_dir, args.batch_size, args.seed, args.limit)
    letters = sources.LocalLetters(args.data_dir, args.limit)
    extra, extra_counts = sources.extra_frames(args.extra_data)
    train = sources.RenderedLetters(
        letters, args.samples_per_epoch, args.batch_size, args.seed, extra, args.extra_share, workers=args.workers
    )
    return train, letters.validation, {**letters.counts, **extra_counts}


def use_all_cores():
    """Give TensorFlow's op pools every core this process may run on.

    TensorFlow sizes them from physical cores, which on a 2-vCPU machine means one thread:
    training ran 1.65x slower.
    """
    cores = len(os.sched_getaffinity(0))
    try:
        tf.config.threading.set_intra_op_parallelism_threads(cores)
        tf.config.threading.set_inter_op_parallelism_threads(cores)
    except RuntimeError:  # the runtime already started (a test run): keep its pools
        pass


def schedule(args):
    """The callbacks that decide how long a run trains and at what rate (training.distill uses them too)."""
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=10, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5, min_lr=1e-5),
    ]
    if args.max_minutes is not None:
        callbacks.append(TimeLimit(args.max_minutes))
    return callbacks


def distribution(name):
    """The tf.distribute strategy for --distribute."""
    if name == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    return tf.distribute.get_strategy()


def is_chief(strategy):
    """Whether this worker writes the artifacts (the others write to a scratch folder)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type is None:
        return True
    return resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0)


def sharded(train, callbacks):
    """The training batches as a tf.data pipeline every worker shards by DATA.

    Keras feeds a PyDataset through a generator, which has no files to shard by; its batches are
    rendered here by a parallel map instead, and the epoch's new draw is made by a callback. Each
    batch stays the global batch: the strategy splits it between the replicas.
    """
    if isinstance(train, keras.utils.PyDataset):
        rendered = train
        shape = (None, FRAME_SIZE, FRAME_SIZE, 1)
        train = tf.data.Dataset.range(len(rendered)).map(
            lambda i: tf.numpy_function(rendered.__getitem__, [i], (tf.float32, tf.int64)),
            num_parallel_calls=rendered.workers,
        ).map(lambda x, y: (tf.ensure_shape(x, shape), tf.ensure_shape(y, (None,))))
        callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: rendered.on_epoch_end()))
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return train.with_options(options).prefetch(tf.data.AUTOTUNE)


def main(argv=None):
    """Train, save the artifacts under --output, evaluate; return the trained model."""
    args = parse_args(argv)
    use_all_cores()
    strategy = distribution(args.distribute)
    keras.utils.set_random_seed(args.seed)
    if not is_chief(strategy):
        args.output, args.no_evaluate = Path(tempfile.mkdtemp()), True
    args.output.mkdir(parents=True, exist_ok=True)
    hparams = read_hparams(args.hparams)
    started = time.time()

    train, validation, counts = load_source(args)
    print("Training data:", json.dumps(counts))
    with strategy.scope():
        model = build_model(hparams)
    model.summary()

    callbacks = [*schedule(args), keras.callbacks.ModelCheckpoint(
        args.output / MODEL_FILE, monitor="val_accuracy", save_best_only=True)]
    if args.distribute != "none":
        train = sharded(train, callbacks)
    history = model.fit(train, validation_data=validation, epochs=args.epochs, callbacks=callbacks)
    save_artifacts(args, model, hparams, history, counts, time.time() - started, strategy.num_replicas_in_sync)
    return model


def save_artifacts(args, model, hparams, history, counts, wall, replicas=1, **extra):
    """Write history, hyper-parameters and metrics beside the saved model; export and evaluate it."""
    checkpoint = args.output / MODEL_FILE
    epochs = [
        {key: float(values[i]) for key, values in history.history.items()}
        for i in range(len(history.history["loss"]))
    ]
    for number, epoch in enumerate(epochs, 1):
        epoch["epoch"] = number
    (args.output / "history.json").write_text(json.dumps(epochs, indent=1))
    (args.output / "hparams.json").write_text(json.dumps(hparams, indent=1))
    best = max(epochs, key=lambda e: e["val_accuracy"])
    metrics = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": args.source,
        "parameters": model.count_params(),
        "model_file_bytes": checkpoint.stat().st_size,
        "training": {
            "data": counts,
            "epochs_run": len(epochs),
            "best_epoch": best["epoch"],
            "best_val_accuracy": best["val_accuracy"],
            "batch_size": args.batch_size,
            "samples_per_epoch": args.samples_per_epoch if args.source == "local" else None,
            "seed": args.seed,
            "distribute": args.distribute,
            "replicas": replicas,
            "wall_seconds": round(wall, 1),
            "machine": {"architecture": platform.machine(), "cpu_cores": os.cpu_count(), "system": platform.system()},
        },
        "versions": {
            "python": platform.python_version(),
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "numpy": np.__version__,
        },
        **extra,
    }
    (args.output / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"\nTrained {len(epochs)} epochs in {wall / 60:.1f} min; "
          f"best val_accuracy {best['val_accuracy']:.4f} (epoch {best['epoch']}); "
          f"{model.count_params():,} parameters; model {checkpoint} "
          f"({checkpoint.stat().st_size / 1e6:.1f} MB)")
    print(f"LiteRT model for serving: {export.export(checkpoint)}")

    if not args.no_evaluate:
        evaluate.main(["--model", str(checkpoint), "--data-dir", str(args.data_dir)])


if __name__ == "__main__":
    main()
