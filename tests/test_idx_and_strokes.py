
import numpy as np
import pytest

from handwriting.frame import FRAME_SIZE
from training.idx import read_idx, write_idx
from training.strokes import read_strokes, render_strokes
from pictures import FIXTURES



def test_read_idx_fixture_images_and_labels():
    images = read_idx(FIXTURES / "images-idx3-ubyte.gz")
    labels = read_idx(FIXTURES / "labels-idx1-ubyte.gz")
    assert images.shape == (4, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [1, 2, 3, 5]
    assert images.max() == 255 and images[:, 0, :].max() < 64  # ink inside, dark border rows


def test_write_then_read_roundtrip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (3, 5, 7), dtype=np.uint8)
    write_idx(tmp_path / "x.gz", images)
    write_idx(tmp_path / "y.gz", np.array([7, 8, 9]))
    assert np.array_equal(read_idx(tmp_path / "x.gz"), images)
    assert read_idx(tmp_path / "y.gz").tolist() == [7, 8, 9]


def test_read_idx_rejects_other_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(ValueError, match="not an IDX"):
        read_idx(tmp_path / "bad")
    write_idx(tmp_path / "short.gz", np.zeros((2, 4, 4)))
    truncated = tmp_path / "short"
    import gzip

    truncated.write_bytes(gzip.decompress((tmp_path / "short.gz").read_bytes())[:-5])
    with pytest.raises(ValueError, match="expected 32 values"):
        read_idx(truncated)


def test_read_strokes_fixture():
    samples = read_strokes(FIXTURES / "strokes.txt")
    assert [char for char, _ in samples] == ["A", "o", "b", "x", "i", "j"]
    char, strokes = samples[0]
    assert len(strokes) == 3 and all(s.ndim == 2 and s.shape[1] == 2 for s in strokes)
    assert len(samples[4][1]) == 2  # the i and its dot


def _centre_of_ink(frame):
    rows = np.flatnonzero(frame.max(axis=1) > 0.25)
    cols = np.flatnonzero(frame.max(axis=0) > 0.25)
    return (rows[0] + rows[-1]) / 2, (cols[0] + cols[-1]) / 2


def test_render_strokes_gives_centred_frames():
    for char, strokes in read_strokes(FIXTURES / "strokes.txt"):
        frame = render_strokes(strokes)
        assert frame.shape == (FRAME_SIZE, FRAME_SIZE) and frame.dtype == np.float32
        assert frame.min() >= 0 and frame.max() == pytest.approx(1.0)
        cy, cx = _centre_of_ink(frame)
        assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0, char


def test_render_keeps_the_dot_of_i_above_its_stem():
    _, strokes = read_strokes(FIXTURES / "strokes.txt")[4]
    frame = render_strokes(strokes)
    ink_rows = np.flatnonzero(frame.max(axis=1) > 0.25)
    assert np.any(np.diff(ink_rows) > 1)  # a gap between dot and stem


def test_random_renders_vary_but_stay_the_same_letter():
    _, strokes = read_strokes(FIXTURES / "strokes.txt")[0]
    canonical = render_strokes(strokes)
    rng = np.random.default_rng(1)
    variants = [render_strokes(strokes, rng) for _ in range(5)]
    for variant in variants:
        assert not np.allclose(variant, canonical)
        assert np.corrcoef(variant.ravel(), canonical.ravel())[0, 1] > 0.5
    assert render_strokes([]) is None
