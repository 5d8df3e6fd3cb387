"""Search the letter CNN's hyper-parameters with KerasTuner's Hyperband.

    python -m training.tune                    # search, or resume the search kept in runs/tuning
    python -m training.tune --overwrite        # start again
    python -m training.tune --report           # the best so far, without training more
    python -m training.train --hparams runs/tuning/best-hparams.json   # train the winner in full

The objective is validation accuracy on the writers `training.train` holds out of the training
folders; evaluation-only folders are never read. Each trial stops after --trial-minutes, and a
model over the serving budget (MAX_SERVING_PARAMS) is skipped before it trains.
"""

import argparse
import json
from pathlib import Path

import keras
import keras_tuner

from training import sources
from training.callbacks import TimeLimit
from training.model import DEFAULT_HPARAMS, MAX_SERVING_PARAMS, build_model
from training.paths import DEFAULT_DATA_DIR, ROOT
from training.train import use_all_cores


def search_space(hp):
    """The seed's CNN family around the shipped recipe (the defaults)."""
    d = DEFAULT_HPARAMS
    return build_model({
        "blocks": hp.Int("blocks", 2, 3, default=d["blocks"]),
        "filters": hp.Choice("filters", [16, 24, 32, 40], default=d["filters"]),
        "dense": hp.Choice("dense", [128, 192, 256, 384], default=d["dense"]),
        "dropout": hp.Float("dropout", 0.1, 0.4, step=0.05, default=d["dropout"]),
        "learning_rate": hp.Float("learning_rate", 3e-4, 3e-3, sampling="log", default=d["learning_rate"]),
        "augmentation": hp.Float("augmentation", 0.5, 2.0, step=0.25, default=d["augmentation"]),
    })


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="../shared/data")
    parser.add_argument("--directory", type=Path, default=ROOT / "runs" / "tuning", help="the tuner's records")
    parser.add_argument("--overwrite", action="store_true", help="start a new search instead of resuming")
    parser.add_argument("--report", action="store_true", help="write the best trial kept on disk, train nothing")
    parser.add_argument("--best", type=Path, help="where to write the winner (default: DIRECTORY/best-hparams.json)")
    parser.add_argument("--max-epochs", type=int, default=9, help="epochs of the longest Hyperband trials")
    parser.add_argument("--factor", type=int, default=3, help="Hyperband's reduction factor")
    parser.add_argument("--trial-minutes", type=float, default=10.0)
    parser.add_argument("--samples-per-epoch", type=int, default=19_200)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, help="use at most this many samples per set (smoke runs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="threads rendering strokes")
    return parser.parse_args(argv)


def main(argv=None):
    """Run (or resume) the search; write and return the best hyper-parameters."""
    args = parse_args(argv)
    use_all_cores()
    keras.utils.set_random_seed(args.seed)
    letters = sources.LocalLetters(args.data_dir, args.limit)
    train = sources.RenderedLetters(letters, args.samples_per_epoch, args.batch_size, args.seed,
                                    workers=args.workers)

    tuner = keras_tuner.Hyperband(
        search_space,
        objective="val_accuracy",
        max_epochs=args.max_epochs,
        factor=args.factor,
        seed=args.seed,
        max_model_size=MAX_SERVING_PARAMS,
        max_consecutive_failed_trials=10,  # oversized models fail at once; a run of them is no fault
        directory=args.directory,
        project_name="letter_cnn",
        overwrite=args.overwrite,
    )
    tuner.search_space_summary()
    if not args.report:
        tuner.search(train, validation_data=letters.validation, callbacks=[TimeLimit(args.trial_minutes)],
                     verbose=2)
    tuner.results_summary(5)

    best = {name: value for name, value in tuner.get_best_hyperparameters(1)[0].values.items()
            if name in DEFAULT_HPARAMS}  # Hyperband adds its own tuner/* bookkeeping
    path = args.best or args.directory / "best-hparams.json"
    path.write_text(json.dumps(best, indent=1))
    print(f"Best hyper-parameters: {json.dumps(best)} -> {path}")
    return best


if __name__ == "__main__":
    main()
