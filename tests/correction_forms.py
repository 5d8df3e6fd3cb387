"""The app on a given database, and the correction forms the database tests post, each frame
marked so that a test can tell which rows were kept (test_db.py, test_postgres.py)."""

import numpy as np
from PIL import Image
from pictures import data_url

from harness.pictures import encode
from webapp import create_app


def make_app(url, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "DATABASE_URL": url, "CORRECTIONS_RATE_LIMIT": "100000 per minute", **config})


def marked_frame(*marks):
    """A 28x28 frame with some ink whose first pixels carry `marks` (each 0..254), as a PNG data URL."""
    frame = np.zeros((28, 28), np.uint8)
    frame[10:18, 12:16] = 255
    frame[0, : len(marks)] = np.array(marks) + 1
    return data_url(encode(Image.fromarray(frame)))


def correction(*marks):
    return {"frame": marked_frame(*marks), "guesses": "abc", "source": "canvas", "verdict": "right"}
