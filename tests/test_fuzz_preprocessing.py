"""Property-based fuzzing of the picture -> frame path: any picture gives a frame or "blank",
any bytes give a picture or a clean 4xx InputError, never anything else."""

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_profiles import FUZZ
from PIL import Image, ImageDraw
from pillow_modes import HIGH_DEPTH, MODES, WRITABLE

from handwriting.frame import FRAME_SIZE
from handwriting.ink import image_to_frame
from harness.pictures import draw_letter, encode
from webapp.errors import describe
from webapp.images import open_image
from webapp.input_errors import InputError
from webapp.uploads import DEFAULT_LIMITS as LIMITS
from webapp.uploads import PICTURE_FORMATS

MAX_SIDE = 300  # small pictures keep thousands of examples fast
CONTENTS = ("noise", "constant", "lines")
# File signatures, so that random bytes also reach each format's decoder.
MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"RIFF\0\0\0\0WEBPVP8 ", b"II*\0", b"MM\0*"]
SPECIAL_FLOATS = (np.nan, np.inf, -np.inf, 3e38, -3e38)
# Pillow warns while it reads the damaged files these tests make on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:(Corrupt EXIF data|Truncated File Read):UserWarning")


def _rgba(content, size, rng):
    """An RGBA picture: random noise, one colour, or random lines (letter-like strokes) on paper."""
    width, height = size
    if content == "noise":
        return Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), "RGBA")
    image = Image.new("RGBA", size, tuple(rng.integers(0, 256, 4).tolist()))
    if content == "lines":
        draw = ImageDraw.Draw(image)
        for _ in range(rng.integers(1, 6)):
            points = rng.integers(0, max(size), 4).tolist()
            draw.line(points, fill=tuple(rng.integers(0, 256, 4).tolist()), width=int(rng.integers(1, 30)))
    return image


def _high_depth(grey, mode, rng, special):
    """`grey` (0..1) at a random scale and offset in a 16-bit, 32-bit or float mode."""
    dtype = HIGH_DEPTH[mode]
    if dtype is np.float32:
        scale, offset = 10.0 ** rng.uniform(-3, 38), rng.uniform(-1e6, 1e6)
        values = (grey * scale + offset).astype(np.float32)
        if special:  # NaN, infinities and extremes scattered over the picture
            values.ravel()[rng.integers(0, values.size, 5)] = rng.choice(SPECIAL_FLOATS, 5)
    else:
        info = np.iinfo(dtype)
        low = int(rng.integers(info.min, info.max))
        values = (low + grey * (info.max - low)).astype(dtype)
    image = Image.fromarray(values)
    return image.convert(mode) if image.mode != mode else image


def render(mode, content, size, seed, special=False):
    """A deterministic picture for Hypothesis' choices (Hypothesis shrinks the choices, numpy fills pixels)."""
    rng = np.random.default_rng(seed)
    rgba = _rgba(content, size, rng)
    if mode in HIGH_DEPTH:
        return _high_depth(np.asarray(rgba.convert("L"), np.float64) / 255.0, mode, rng, special)
    image = rgba.convert(mode)
    if mode == "P" and rng.random() < 0.5:
        image.info["transparency"] = int(rng.integers(0, 256))
    return image


sizes = st.tuples(st.integers(1, MAX_SIDE), st.integers(1, MAX_SIDE))
seeds = st.integers(0, 2**32 - 1)
pictures = st.builds(render, st.sampled_from(MODES), st.sampled_from(CONTENTS), sizes, seeds, st.booleans())


@st.composite
def encoded_pictures(draw):
    """A picture saved by Pillow, sometimes animated or carrying an EXIF rotation."""
    fmt = draw(st.sampled_from(sorted(WRITABLE)))
    mode = draw(st.sampled_from(WRITABLE[fmt]))
    image = render(mode, draw(st.sampled_from(CONTENTS)), draw(sizes), draw(seeds))
    params = {}
    if fmt in ("PNG", "JPEG", "WEBP", "TIFF") and draw(st.booleans()):
        exif = Image.Exif()
        exif[0x0112] = draw(st.integers(0, 10))  # Orientation; 1..8 are valid
        params["exif"] = exif.tobytes()
    if fmt in ("GIF", "PNG", "WEBP") and draw(st.booleans()):
        params.update(save_all=True, append_images=[render(mode, "noise", image.size, draw(seeds))])
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def damage(data, how, where, byte):
    """The bytes cut short, with one byte changed, or intact."""
    cut = int(where * len(data))
    if how == "truncate":
        return data[:cut]
    if how == "flip" and data:
        cut = min(cut, len(data) - 1)
        return data[:cut] + bytes([byte]) + data[cut + 1 :]
    return data


def assert_frame_or_blank(frame):
    if frame is None:
        return
    assert frame.dtype == np.float32
    assert frame.shape == (FRAME_SIZE, FRAME_SIZE)
    assert np.isfinite(frame).all()
    assert frame.min() >= 0.0 and frame.max() <= 1.0


def open_and_preprocess(data):
    """The server's path for uploaded bytes: a frame, None (blank), or a 4xx InputError."""
    try:
        image = open_image(data, LIMITS)
    except InputError as error:
        status, code, message = describe(error)
        assert 400 <= status < 500 and code and message
        return None
    assert image.format in PICTURE_FORMATS
    return image_to_frame(image)


@FUZZ
@given(pictures)
def test_any_picture_becomes_a_frame_or_blank(image):
    assert_frame_or_blank(image_to_frame(image))


@FUZZ
@given(encoded_pictures(), st.sampled_from(("intact", "truncate", "flip")), st.floats(0, 1), st.integers(0, 255))
def test_any_saved_picture_opens_cleanly(data, how, where, byte):
    assert_frame_or_blank(open_and_preprocess(damage(data, how, where, byte)))


@FUZZ
@given(st.sampled_from(MAGIC), st.binary(max_size=2000))
def test_arbitrary_bytes_open_cleanly(magic, payload):
    assert_frame_or_blank(open_and_preprocess(magic + payload))


@pytest.mark.parametrize("fmt", sorted(WRITABLE))
def test_a_letter_survives_every_fuzzed_format(fmt):
    """Keeps the properties above from passing vacuously: each format really reads a letter."""
    letter = draw_letter("a", mode="RGB", ink=(0, 0, 0), paper=(255, 255, 255))
    assert open_and_preprocess(encode(letter, fmt)) is not None


@pytest.mark.parametrize("sample", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_do_not_hide_a_letter(sample):
    """A float picture with a NaN or infinite sample still shows its letter (the sample is paper)."""
    values = np.asarray(draw_letter("l"), dtype=np.float32)
    values[0, 0] = sample
    assert image_to_frame(Image.fromarray(values, "F")) is not None
