"""handwriting.ink: the speed cuts in the preprocessing leave every frame as it was."""

import io
import struct

import numpy as np
import pytest
from PIL import Image, ImageDraw
from pictures import FIXTURES

from handwriting.ink import image_to_frame
from harness.pictures import STROKES, draw_letter, encode

# The frames of picture_set() as the preprocessing made them before its speed cuts (commit 5b8d685
# of handwriting/ink.py). A change that is meant to move frames regenerates the file:
#   .venv/bin/python -c "import sys; sys.path[:0] = ['.', 'tests']; import test_ink; test_ink.save_reference()"
REFERENCE = FIXTURES / "ink_reference_frames.npz"


def _lit_unevenly(image):
    """The picture as a photo under a lamp: a brightness ramp over cream paper."""
    ramp = np.linspace(0.55, 1.0, image.width)[None, :, None]
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32) * np.array([1.0, 0.96, 0.85]) * ramp
    return Image.fromarray(np.uint8(rgb))


def _with_specks(image):
    image = image.copy()
    draw = ImageDraw.Draw(image)
    for x, y in [(20, 20), (250, 30), (30, 250), (260, 260)]:
        draw.ellipse((x, y, x + 3, y + 3), fill=0)
    return image


def picture_set():
    """Named test pictures: every drawn letter as canvases, scans and photos would send it."""
    pictures = {}
    for letter in STROKES:
        plain = draw_letter(letter)
        pictures.update({
            f"{letter}-plain": plain,
            f"{letter}-small-thick-off-centre": draw_letter(letter, width=30, scale=0.5, offset=(60, 30)),
            f"{letter}-thin": draw_letter(letter, width=4),
            f"{letter}-canvas-rgba": draw_letter(letter, mode="RGBA", ink=(0, 0, 0, 255), paper=(255, 255, 255, 255)),
            f"{letter}-transparent": draw_letter(letter, mode="RGBA", ink=(20, 20, 20, 255), paper=(0, 0, 0, 0)),
            f"{letter}-white-on-black": draw_letter(letter, ink=255, paper=0),
            f"{letter}-lamp-lit": _lit_unevenly(plain),
            f"{letter}-specks": _with_specks(plain),
            f"{letter}-jpeg": Image.open(io.BytesIO(encode(_lit_unevenly(plain), "JPEG", quality=70))),
            f"{letter}-page": draw_letter(letter, size=900, offset=(500, 80)),
        })
    pictures["blank"] = Image.new("L", (280, 280), 255)
    return pictures


PICTURES = picture_set()


def save_reference():
    made = {name: image_to_frame(picture) for name, picture in PICTURES.items()}
    np.savez_compressed(REFERENCE, **{name: frame for name, frame in made.items() if frame is not None})


@pytest.fixture(scope="module")
def reference():
    return np.load(REFERENCE)


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_frames_are_as_before_the_speed_cuts(reference, name):
    frame = image_to_frame(PICTURES[name])
    if name not in reference.files:
        assert frame is None
    else:
        assert frame is not None and np.abs(frame - reference[name]).max() <= 1 / 255


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_damaged_exif_block_is_read_as_upright(fmt):
    """Found by the CI fuzz profile: a WebP whose EXIF block is not TIFF data raised SyntaxError."""
    letter = draw_letter("l").convert("RGB")
    damaged = Image.open(io.BytesIO(encode(letter, fmt, exif=b"MM\0\0\0\0\0\x08" + bytes(10))))
    with pytest.raises(SyntaxError):
        Image.open(io.BytesIO(encode(letter, fmt, exif=b"MM\0\0\0\0\0\x08" + bytes(10)))).getexif()
    assert np.abs(image_to_frame(damaged) - image_to_frame(letter)).max() < 0.05


def test_an_animation_damaged_after_its_first_frame_reads_its_first_frame():
    """Found by the CI fuzz profile: counting the frames of a GIF cut inside its second frame
    raised IndexError or struct.error."""
    first, second = draw_letter("l").convert("P"), draw_letter("x").convert("P")
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100)
    damaged = Image.open(io.BytesIO(data[:data.index(b"\x2c", len(data) // 3) + 3]))  # into frame 2's header
    damaged.load()
    with pytest.raises((IndexError, struct.error)):
        damaged.n_frames
    np.testing.assert_array_equal(image_to_frame(damaged), image_to_frame(first))
