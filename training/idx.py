"""Read and write gzip'd IDX files (the MNIST/EMNIST format)."""

import gzip
import struct

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
# The files of an image folder: ../shared/data's image sets, exported corrections.
IMAGES_FILE = "images-idx3-ubyte.gz"
LABELS_FILE = "labels-idx1-ubyte.gz"
INDEX_FILE = "index.csv.gz"


def read_idx(path):
    """Return the array stored in a (gzip'd) IDX images or labels file."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == IMAGES_MAGIC:
        rows, cols = struct.unpack(">II", data[8:16])
        shape, offset = (count, rows, cols), 16
    elif magic == LABELS_MAGIC:
        shape, offset = (count,), 8
    else:
        raise ValueError(f"{path}: not an IDX images/labels file (magic {magic})")
    array = np.frombuffer(data, dtype=np.uint8, offset=offset)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {np.prod(shape)} values, found {array.size}")
    return array.reshape(shape)


def upright(images):
    """EMNIST files (and tfds) store letters transposed; swap height and width."""
    return np.transpose(images, (0, 2, 1))


def write_idx(path, array):
    """Write a uint8 array of shape (n,) or (n, rows, cols) as a gzip'd IDX file."""
    array = np.asarray(array, dtype=np.uint8)
    if array.ndim == 3:
        header = struct.pack(">IIII", IMAGES_MAGIC, *array.shape)
    elif array.ndim == 1:
        header = struct.pack(">II", LABELS_MAGIC, array.shape[0])
    else:
        raise ValueError("IDX arrays here are (n,) labels or (n, rows, cols) images")
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())
