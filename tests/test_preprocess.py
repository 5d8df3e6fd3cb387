"""One preprocessing path: the same letter in many guises gives (nearly) the same frame."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from handwriting.ink import WORK_SIDE, image_to_frame
from harness.pictures import draw_letter, encode
from webapp.images import open_image
from webapp.uploads import DEFAULT_LIMITS as LIMITS

REFERENCE = image_to_frame(draw_letter("a"))


def _transparent_canvas():
    """What a browser canvas exports: dark strokes on fully transparent pixels."""
    return draw_letter("a", mode="RGBA", ink=(0, 0, 0, 255), paper=(0, 0, 0, 0))


def _off_centre_on_big_page():
    page = Image.new("L", (1600, 1200), 235)
    page.paste(draw_letter("a", paper=235, ink=30), (1150, 800))
    return page


def _jpeg_photo():
    """Blue ink on yellowish paper, lit unevenly, blurred and JPEG-compressed."""
    letter = draw_letter("a", size=560, width=24, scale=2.0).filter(ImageFilter.GaussianBlur(2))
    x = np.linspace(0.75, 1.0, 560)[None, :] * np.linspace(0.85, 1.0, 560)[:, None]
    ink = np.asarray(letter, np.float32) / 255.0  # 1 = paper, 0 = ink
    paper = np.array([250, 240, 200], np.float32)
    pen = np.array([30, 40, 140], np.float32)
    rgb = (ink[..., None] * paper + (1 - ink[..., None]) * pen) * x[..., None]
    rng = np.random.default_rng(0)
    rgb += rng.normal(0, 4, rgb.shape)
    photo = Image.fromarray(np.uint8(np.clip(rgb, 0, 255)), "RGB")
    return Image.open(io.BytesIO(encode(photo, "JPEG", quality=70)))


def _with_specks():
    image = draw_letter("a")
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(3)
    for x, y in rng.integers(5, 275, (12, 2)):
        draw.ellipse((x, y, x + 2, y + 2), fill=0)
    return image


@pytest.mark.parametrize(
    "make, tolerance",
    [
        (lambda: draw_letter("a", ink=255, paper=0), 0.01),
        (_transparent_canvas, 0.01),
        (lambda: draw_letter("a", mode="RGB", ink=(200, 30, 30), paper=(255, 255, 255)), 0.03),
        (lambda: draw_letter("a", mode="RGB", ink=(20, 20, 120), paper=(255, 255, 240))
         .convert("P", palette=Image.Palette.ADAPTIVE, colors=4), 0.03),
        (_off_centre_on_big_page, 0.06),
        (_jpeg_photo, 0.08),
        (_with_specks, 0.03),
    ],
    ids=["white-on-black", "transparent-png", "red-pen", "palette", "off-centre-page",
         "jpeg-photo", "specks"],
)
def test_same_letter_gives_nearly_the_same_frame(make, tolerance):
    frame = image_to_frame(make())
    assert frame is not None
    assert np.abs(frame - REFERENCE).mean() < tolerance
    assert np.corrcoef(frame.ravel(), REFERENCE.ravel())[0, 1] > 0.8


def test_exif_orientation_is_applied():
    rotated = draw_letter("l").rotate(90, expand=True)  # stored sideways...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...with "rotate 90° clockwise to view"
    photo = Image.open(io.BytesIO(encode(rotated.convert("RGB"), "JPEG", exif=exif, quality=95)))
    assert np.abs(image_to_frame(photo) - image_to_frame(draw_letter("l"))).mean() < 0.03


def test_big_jpeg_is_decoded_small_and_reads_the_same():
    letter = draw_letter("l", size=2800, width=140, scale=10.0).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, like a phone photo
    data = encode(letter.convert("RGB"), "JPEG", exif=exif, quality=90)

    drafted = open_image(data, LIMITS, max_side=WORK_SIDE)
    assert WORK_SIDE <= min(drafted.size) <= 2800 // 4  # decoded at 1/4 or 1/8 scale, in grey
    assert drafted.mode == "L"
    full = open_image(data, LIMITS)
    assert full.size == (2800, 2800)
    assert np.abs(image_to_frame(drafted) - image_to_frame(full)).mean() < 0.01
    assert np.abs(image_to_frame(drafted) - image_to_frame(draw_letter("l"))).mean() < 0.03


def test_white_ink_on_transparent_background_is_not_lost():
    image = draw_letter("a", mode="RGBA", ink=(255, 255, 255, 255), paper=(255, 255, 255, 0))
    frame = image_to_frame(image)
    assert frame is not None and np.abs(frame - REFERENCE).mean() < 0.01


@pytest.mark.parametrize(
    "image",
    [
        Image.new("L", (280, 280), 255),
        Image.new("L", (280, 280), 0),
        Image.new("RGBA", (280, 280), (0, 0, 0, 0)),
        Image.new("RGB", (640, 480), (250, 240, 200)),
        Image.fromarray(np.uint8(np.random.default_rng(0).normal(200, 3, (300, 300)).clip(0, 255))),
    ],
    ids=["white", "black", "transparent", "coloured-paper", "paper-texture"],
)
def test_blank_pictures_are_reported_blank(image):
    assert image_to_frame(image) is None
