"""The line recognizer: a CNN-BiLSTM trained with CTC, from a line image to per-column characters.

Input: (LINE_HEIGHT, width, 1) line images (`handwriting.line_image`), any width that is a
multiple of WIDTH_STEP. Output: (width / WIDTH_STEP, NUM_CODES) logits; code 0 is CTC's blank.
"""

import keras
from keras import layers

from handwriting.alphabet import NUM_CODES
from handwriting.line_image import LINE_HEIGHT, WIDTH_STEP

FILTERS = (32, 64, 96, 128)  # one convolution block each
POOLS = ((2, 2), (2, 2), (2, 1), (2, 1))  # (height, width): the width shrinks by WIDTH_STEP in all
LSTM_UNITS = 128
LSTM_LAYERS = 2
DROPOUT = 0.2
LEARNING_RATE = 1e-3

assert WIDTH_STEP == 2 * 2  # the width pools above


def conv_block(x, filters, pool):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D(pool)(x)
    return x


def build_line_model(learning_rate=LEARNING_RATE):
    """Return the compiled line recognizer (CTC loss on logits)."""
    inputs = keras.Input((LINE_HEIGHT, None, 1), name="line")
    x = inputs
    for filters, pool in zip(FILTERS, POOLS):
        x = conv_block(x, filters, pool)
    height = LINE_HEIGHT // 16
    x = layers.Permute((2, 1, 3))(x)  # (columns, rows, channels)
    x = layers.Reshape((-1, height * FILTERS[-1]))(x)
    x = layers.Dropout(DROPOUT)(x)
    for _ in range(LSTM_LAYERS):
        x = layers.Bidirectional(layers.LSTM(LSTM_UNITS, return_sequences=True))(x)
        x = layers.Dropout(DROPOUT)(x)
    logits = layers.Dense(NUM_CODES, name="logits")(x)
    model = keras.Model(inputs, logits, name="line_crnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0), loss=keras.losses.CTC())
    return model
