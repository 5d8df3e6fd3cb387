import keras
import numpy as np

from training.callbacks import TimeLimit


def test_time_limit_stops_training_after_the_epoch_under_way():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = np.zeros((64, 4), "float32"), np.zeros(64, "int64")
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[TimeLimit(0)])
    assert len(history.history["loss"]) == 1
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[TimeLimit(10)])
    assert len(history.history["loss"]) == 5
