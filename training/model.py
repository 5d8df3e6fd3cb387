"""The letter CNN, per the seed recipe: Conv2D, BatchNormalization, MaxPooling, Dropout, softmax."""

import keras
from keras import layers

from handwriting.frame import FRAME_SIZE
from handwriting.labels import NUM_CLASSES


def augmentation():
    """Small geometric changes a writer or scanner makes; never flips (b/d, p/q would swap).

    Shear is left to the stroke renderer: Keras 3's RandomShear does not survive save/load.
    """
    return keras.Sequential(
        [
            layers.RandomRotation(0.03, fill_mode="constant"),
            layers.RandomTranslation(0.08, 0.08, fill_mode="constant"),
            layers.RandomZoom((-0.12, 0.08), fill_mode="constant"),
        ],
        name="augmentation",
    )


def conv_block(filters):
    return [
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Dropout(0.2),
    ]


def build_model(learning_rate=1e-3):
    """Return the compiled CNN: 28x28x1 frames in [0, 1] -> probabilities over a..z."""
    model = keras.Sequential(
        [
            keras.Input(shape=(FRAME_SIZE, FRAME_SIZE, 1)),
            augmentation(),
            *conv_block(32),
            *conv_block(64),
            *conv_block(128),
            layers.Flatten(),
            layers.Dense(256, use_bias=False),
            layers.BatchNormalization(momentum=0.9),
            layers.ReLU(),
            layers.Dropout(0.2),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="letter_cnn",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
