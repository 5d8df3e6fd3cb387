"""recognize(): one picture -> the model's top guesses, the picture as analysed and the frame."""

import base64
import io

import numpy as np
from PIL import Image

from handwriting.frame import FRAME_SIZE
from handwriting.ink import image_to_frame
from harness.pictures import draw_letter
from handwriting.single_letter import recognize
from webapp.recognition import png_data_url


def test_a_letter_gives_five_ranked_guesses_and_the_frame_the_model_saw(app):
    model = app.extensions["letter_model"]
    result = recognize(draw_letter("x"), model)
    assert not result.blank
    assert [p["letter"] for p in result.predictions][0] == "x"
    probabilities = [p["probability"] for p in result.predictions]
    assert len(probabilities) == 5 and probabilities == sorted(probabilities, reverse=True)
    assert result.frame.shape == (FRAME_SIZE, FRAME_SIZE)
    np.testing.assert_array_equal(result.frame, image_to_frame(draw_letter("x")))  # the one preprocessing path
    assert result.grey.shape == (280, 280)


def test_a_blank_picture_is_not_guessed_at(app):
    result = recognize(Image.new("L", (280, 280), 255), app.extensions["letter_model"])
    assert result.blank and result.predictions == [] and result.frame is None


def test_png_data_url_round_trips_and_shrinks():
    grey = np.linspace(0, 1, 600 * 300).reshape(300, 600)
    url = png_data_url(grey, max_side=200)
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert image.size == (200, 100) and image.mode == "L"
