import json

import keras
import pytest

from training.model import DEFAULT_HPARAMS, MAX_SERVING_PARAMS, build_model, read_hparams
from training.paths import MODEL_FILE, MODELS_DIR


def layer_configs(model):
    """Every layer's config, JSON-normalised, without the names Keras numbers per session."""

    def unnamed(value):
        if isinstance(value, dict):
            return {k: unnamed(v) for k, v in value.items() if k != "name"}
        if isinstance(value, list):
            return [unnamed(v) for v in value]
        return value

    return unnamed(json.loads(json.dumps([[type(l).__name__, l.get_config()] for l in model.layers])))


def test_committed_hparams_rebuild_the_shipped_model_exactly():
    shipped = keras.models.load_model(MODELS_DIR / MODEL_FILE)
    hparams = read_hparams(MODELS_DIR / "hparams.json")
    model = build_model(hparams)
    assert layer_configs(model) == layer_configs(shipped)
    assert model.count_params() == shipped.count_params() == 590_394
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(hparams["learning_rate"])
    assert read_hparams(None) == DEFAULT_HPARAMS == hparams  # the defaults are the shipped recipe


def test_hparams_shape_the_network():
    small = build_model({"blocks": 2, "filters": 16, "dense": 128, "dropout": 0.3, "augmentation": 2.0})
    convs = [l for l in small.layers if isinstance(l, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [16, 16, 32, 32]
    assert [d.units for d in small.layers if isinstance(d, keras.layers.Dense)] == [128, 26]
    assert {d.rate for d in small.layers if isinstance(d, keras.layers.Dropout)} == {0.3}
    zoom = small.layers[0].layers[-1]
    assert tuple(zoom.height_factor) == pytest.approx((-0.24, 0.16))  # twice the shipped ranges
    assert small.count_params() < MAX_SERVING_PARAMS < build_model({"filters": 48}).count_params()


def test_read_hparams_fills_defaults_and_refuses_unknown_names(tmp_path):
    path = tmp_path / "hp.json"
    path.write_text(json.dumps({"dense": 384}))
    assert read_hparams(path) == {**DEFAULT_HPARAMS, "dense": 384}
    path.write_text(json.dumps({"dense": 384, "width": 3}))
    with pytest.raises(ValueError, match="width"):
        read_hparams(path)
