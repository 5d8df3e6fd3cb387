"""Export the line recognizer to LiteRT: log-probabilities per column, any line width.

    python -m training.line_export [--model models/line_crnn.keras]

The LSTMs' variables are frozen into constants first: LiteRT cannot run the while loop that
reads them as resource variables.
"""

import csv
from pathlib import Path

import keras
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from handwriting.line_image import LINE_HEIGHT
from handwriting.line_recognizer import LINE_METRICS_FILE, LINE_MODEL_FILE
from training.export import command, write_export
from training.paths import MODELS_DIR


def to_tflite(model):
    """One line (batch 1, any width) -> (1, columns, codes) log-probabilities, as a LiteRT flatbuffer."""
    call = tf.function(lambda x: tf.nn.log_softmax(model(x, training=False)),
                       input_signature=[tf.TensorSpec([1, LINE_HEIGHT, None, 1], tf.float32)])
    frozen = convert_variables_to_constants_v2(call.get_concrete_function())
    return tf.lite.TFLiteConverter.from_concrete_functions([frozen]).convert()


def export(keras_path, history=None, counts=None):
    """Write line_crnn.tflite beside keras_path and its record (with the training history and line
    counts, when given) in line_metrics.json; return the .tflite path."""
    keras_path = Path(keras_path)
    model = keras.models.load_model(keras_path, compile=False)
    extra = {}
    if history and Path(history).exists():
        with open(history, newline="") as file:
            extra["history"] = [{key: float(value) for key, value in row.items()} for row in csv.DictReader(file)
                                if row.get("epoch") not in (None, "epoch")]
    if counts:
        extra["lines"] = counts
    return write_export(keras_path, model, to_tflite(model), keras_path.parent / LINE_METRICS_FILE, **extra)


def main(argv=None):
    command(argv, __doc__, export, MODELS_DIR / LINE_MODEL_FILE, LINE_METRICS_FILE)


if __name__ == "__main__":
    main()
