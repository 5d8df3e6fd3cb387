"""Training callbacks shared by train and tune."""

import time

import keras


class TimeLimit(keras.callbacks.Callback):
    """Stop training once it has run `minutes`; the epoch under way is still validated."""

    def __init__(self, minutes):
        super().__init__()
        self.seconds = 60 * minutes

    def on_train_begin(self, logs=None):
        self.started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() - self.started > self.seconds:
            self.model.stop_training = True
