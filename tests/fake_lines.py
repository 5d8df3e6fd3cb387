"""Tiny line sets in the layout of ../shared/data/htr-lines-* (JPEG crops in lines.tar and an
index.jsonl.gz), with text printed by Pillow's own font."""

import gzip
import io
import json
import tarfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WORDS = ("ab", "ba", "cab", "dé", "Oui", "12", "bac", "abc")


def printed_line(text, size=28):
    """A grey picture (paper 1.0, ink dark) of `text`, as float32."""
    font = ImageFont.load_default(size=size)
    width = int(font.getlength(text)) + 20
    image = Image.new("L", (width, size + 20), 255)
    ImageDraw.Draw(image).text((10, 8), text, fill=0, font=font)
    return np.asarray(image, np.float32) / 255


def make_line_set(folder, writers=30, lines_per_writer=2, seed=0):
    """Write a line set of `writers` writers into `folder`; return its texts."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows, texts = [], []
    with tarfile.open(folder / "lines.tar", "w") as tar:
        for w in range(writers):
            for n in range(lines_per_writer):
                text = " ".join(rng.choice(WORDS, 2))
                grey = printed_line(text)
                buffer = io.BytesIO()
                Image.fromarray(np.uint8(grey * 255)).save(buffer, format="JPEG", quality=90)
                name = f"w{w}-{n}.jpg"
                info = tarfile.TarInfo(name)
                info.size = buffer.tell()
                buffer.seek(0)
                tar.addfile(info, buffer)
                height, width = grey.shape
                rows.append({"kind": "line", "image": name, "text": text, "writer": f"w{w}", "page": f"p{w}.jpg",
                             "polygon": [[0, 0], [width, 0], [width, height], [0, height]]})
                texts.append(text)
    with gzip.open(folder / "index.jsonl.gz", "wt", encoding="utf-8") as file:
        file.writelines(json.dumps(row) + "\n" for row in rows)
    return texts
