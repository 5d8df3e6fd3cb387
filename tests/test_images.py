"""webapp.images: large pictures take turns per worker, and nothing of them outlives the request."""

import threading

import pytest
from PIL import Image

from harness.pictures import draw_letter, encode
from webapp.images import LARGE_PICTURES, PixelBudget, sent_image

WAIT_S = 5  # every wait in these tests is bounded


def hold_in_thread(budget, pixels, release):
    """Start a thread that holds `pixels` of `budget` until `release` is set; returns (thread, held)."""
    held = threading.Event()

    def run():
        with budget.hold(pixels):
            held.set()
            release.wait(WAIT_S)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, held


def test_large_pictures_take_turns_and_small_ones_never_wait():
    budget = PixelBudget(budget=100, large=10)
    release_first, release_second = threading.Event(), threading.Event()
    first, first_held = hold_in_thread(budget, 80, release_first)
    assert first_held.wait(WAIT_S)
    second, second_held = hold_in_thread(budget, 50, release_second)
    assert not second_held.wait(0.3)  # 80 + 50 is over the budget: the second waits
    with budget.hold(9):  # a small picture goes through meanwhile
        assert budget.free == 20
    release_first.set()
    assert second_held.wait(WAIT_S)
    release_second.set()
    first.join(WAIT_S), second.join(WAIT_S)
    assert budget.free == 100


def test_a_picture_over_the_whole_budget_runs_alone():
    budget = PixelBudget(budget=100, large=10)
    with budget.hold(1000):
        assert budget.free == 0
    assert budget.free == 100


def test_the_budget_is_returned_when_the_request_fails():
    budget = PixelBudget(budget=100, large=10)
    with pytest.raises(RuntimeError), budget.hold(60):
        raise RuntimeError("the view failed")
    assert budget.free == 100


def test_the_sent_picture_is_freed_when_the_block_ends(app):
    with app.test_request_context():
        with sent_image(encode(draw_letter())) as image:
            assert image.getpixel((0, 0)) == 255
        with pytest.raises(ValueError):
            image.getpixel((0, 0))  # its pixels are gone, whoever still holds it


def test_a_big_jpeg_holds_the_budget_for_the_pixels_it_is_decoded_to(app):
    data = encode(Image.new("L", (7200, 5000), 255), "JPEG", quality=50)  # 36 MP, a small file
    with app.test_request_context():
        with sent_image(data, max_side=1600) as image:
            assert image.size == (3600, 2500)  # 1/2: the smallest scale still covering 1600 px
            assert LARGE_PICTURES.budget - LARGE_PICTURES.free == 3600 * 2500
        with sent_image(data) as image:
            assert image.size == (7200, 5000)  # within the full-size limit: decoded as it is
            assert LARGE_PICTURES.budget - LARGE_PICTURES.free == 7200 * 5000
    assert LARGE_PICTURES.free == LARGE_PICTURES.budget
