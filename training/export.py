"""Export a trained .keras model to the LiteRT flatbuffer the web app serves with.

    python -m training.export [--model models/letter_cnn.keras]

Writes letter_cnn.tflite beside the model (float32, converted from the model's inference
function, training=False) and records in metrics.json the fingerprints of both files and the
architecture rows /stats shows, so the web app needs neither TensorFlow nor Keras to serve or
to describe the model. `training.train` runs it at the end; run it by hand for older models.
"""

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path

import keras
import tensorflow as tf

from handwriting.classifier import ARCHITECTURE_KEY, EXPORT_KEY, INPUT_SHAPE, METRICS_FILE, fingerprint, tflite_path
from training.paths import MODEL_FILE, MODELS_DIR


def architecture(model):
    """One row per layer: name, type, output shape and parameter count."""
    return [
        {"name": layer.name, "type": type(layer).__name__, "output_shape": str(tuple(layer.output.shape)),
         "params": layer.count_params()}
        for layer in model.layers
    ]


def to_tflite(model):
    """The model's inference function (any batch size) as a float32 LiteRT flatbuffer."""
    call = tf.function(lambda x: model(x, training=False),
                       input_signature=[tf.TensorSpec([None, *INPUT_SHAPE], tf.float32)])
    return tf.lite.TFLiteConverter.from_concrete_functions([call.get_concrete_function()], model).convert()


def export(keras_path):
    """Write the .tflite beside keras_path and its record in metrics.json; return the .tflite path."""
    keras_path = Path(keras_path)
    model = keras.models.load_model(keras_path, compile=False)
    return write_export(keras_path, model, to_tflite(model), keras_path.parent / METRICS_FILE)


def write_export(keras_path, model, flatbuffer, metrics_path, **extra):
    """Write `flatbuffer` beside keras_path, and in metrics_path the fingerprints of both files, the
    architecture rows and `extra` entries; return the .tflite path."""
    out = tflite_path(keras_path)
    out.write_bytes(flatbuffer)
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
    metrics[ARCHITECTURE_KEY] = architecture(model)
    metrics[EXPORT_KEY] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "keras_file": keras_path.name,
        "keras_sha256": fingerprint(keras_path),
        "tflite_file": out.name,
        "tflite_sha256": fingerprint(out),
        "tflite_bytes": out.stat().st_size,
        "tensorflow": tf.__version__,
    }
    metrics.update(extra)
    metrics_path.write_text(json.dumps(metrics, indent=1))
    return out


def command(argv, description, export_model, default_model, metrics_file):
    """An export CLI: `--model` (default `default_model`) exported by `export_model`."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--model", type=Path, default=default_model)
    out = export_model(parser.parse_args(argv).model)
    print(f"Wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and its fingerprint in {metrics_file}")


def main(argv=None):
    command(argv, __doc__, export, MODELS_DIR / MODEL_FILE, METRICS_FILE)


if __name__ == "__main__":
    main()
