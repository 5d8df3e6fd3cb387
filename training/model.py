"""The letter CNN, per the seed recipe: Conv2D, BatchNormalization, MaxPooling, Dropout, softmax.

Its hyper-parameters are a dict (a JSON file for `training.train --hparams`); the defaults are the
shipped recipe, and `training.tune` searches around them.
"""

import json
from pathlib import Path

import keras
from keras import layers

from handwriting.frame import FRAME_SIZE
from handwriting.labels import NUM_CLASSES

DEFAULT_HPARAMS = {
    "blocks": 3,  # convolution blocks, each halving the frame
    "filters": 32,  # filters of the first block, doubled by each next one
    "dense": 256,  # width of the hidden dense layer
    "dropout": 0.2,  # after every block and the dense layer
    "learning_rate": 1e-3,  # Adam
    "augmentation": 1.0,  # scales the rotation, translation and zoom ranges below
}
# The serving budget: about 10 MB as a .keras file (weights plus Adam's two moments, 12 bytes each).
MAX_SERVING_PARAMS = 800_000


def read_hparams(path):
    """Hyper-parameters from a JSON file, the defaults filling what it leaves out."""
    hparams = json.loads(Path(path).read_text()) if path else {}
    unknown = set(hparams) - set(DEFAULT_HPARAMS)
    if unknown:
        raise ValueError(f"{path}: unknown hyper-parameters {sorted(unknown)}")
    return {**DEFAULT_HPARAMS, **hparams}


def augmentation(strength=1.0):
    """Small geometric changes a writer or scanner makes; never flips (b/d, p/q would swap).

    Shear is left to the stroke renderer: Keras 3's RandomShear does not survive save/load.
    """
    return keras.Sequential(
        [
            layers.RandomRotation(0.03 * strength, fill_mode="constant"),
            layers.RandomTranslation(0.08 * strength, 0.08 * strength, fill_mode="constant"),
            layers.RandomZoom((-0.12 * strength, 0.08 * strength), fill_mode="constant"),
        ],
        name="augmentation",
    )


def conv_block(filters, dropout):
    return [
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Dropout(dropout),
    ]


def build_model(hparams=None):
    """Return the compiled CNN: 28x28x1 frames in [0, 1] -> probabilities over a..z."""
    hp = {**DEFAULT_HPARAMS, **(hparams or {})}
    blocks = [layer for i in range(hp["blocks"]) for layer in conv_block(hp["filters"] * 2**i, hp["dropout"])]
    model = keras.Sequential(
        [
            keras.Input(shape=(FRAME_SIZE, FRAME_SIZE, 1)),
            augmentation(hp["augmentation"]),
            *blocks,
            layers.Flatten(),
            layers.Dense(hp["dense"], use_bias=False),
            layers.BatchNormalization(momentum=0.9),
            layers.ReLU(),
            layers.Dropout(hp["dropout"]),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="letter_cnn",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(hp["learning_rate"]),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
