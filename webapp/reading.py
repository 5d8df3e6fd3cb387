"""The read page: read a whole word or line, drawn on a wide canvas or uploaded."""

import numpy as np
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from webapp import errors, uploads
from webapp.forms import DrawForm, UploadForm, error_status
from webapp.images import decode_data_url, sent_image
from webapp.model import letter_model
from webapp.recognition import png_data_url, read_line

bp = Blueprint("reading", __name__)

BOXED_WIDTH = 960  # the boxed picture on the page is at most this wide
BOX_COLOUR = (79, 70, 229)  # the accent colour of style.css


def render_read(error=None, status=200, upload_form=None, draw_form=None, reading=None):
    """The read page, with a reading, an error, or just the forms, answered with `status`.

    The forms are rebuilt from the request, so a drawing sent with an error comes back.
    """
    page = render_template(
        "read.html",
        upload_form=upload_form or UploadForm(),
        draw_form=draw_form or DrawForm(),
        error=error,
        reading=reading,
        boxed_url=None if reading is None or reading.blank else boxed_png_url(reading),
        model_error=letter_model().error,
        **uploads.page_context(),
    )
    return page, status


errors.register_page_errors(bp, render_read)


@bp.get("/read")
def read():
    return render_read()


@bp.get("/read/upload")
@bp.get("/read/draw")
def back_to_the_form():
    """A reloaded or bookmarked reading URL: readings are never stored, so back to the form."""
    return redirect(url_for("reading.read"))


@bp.post("/read/upload")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_read(status=error_status(form), upload_form=form)
    return _read_page(form.image.data.read())


@bp.post("/read/draw")
def draw():
    form = DrawForm()
    if not form.validate_on_submit():
        return render_read(_("Write a word on the canvas first."), error_status(form), draw_form=form)
    return _read_page(decode_data_url(form.drawing.data))


def _read_page(data):
    model = letter_model()
    if not model.available:
        return render_read(model.error, 503)
    with sent_image(data) as image:
        reading = read_line(image, model)
    return render_read(reading=reading)


def boxed_png_url(reading):
    """The analysed picture as a PNG data: URL with a box and the best guess over each letter."""
    picture = Image.fromarray(np.uint8(reading.grey * 255)).convert("RGB")
    picture.thumbnail((BOXED_WIDTH, BOXED_WIDTH))
    scale = picture.width / reading.grey.shape[1]
    heights = [letter.box[3] * scale for letter in reading.letters]
    size = int(np.clip(0.4 * np.median(heights), 12, 28))
    font = ImageFont.load_default(size=size)
    band = size + 6  # a band above the picture, so that every label fits above its box
    page = Image.new("RGB", (picture.width, picture.height + band), "white")
    page.paste(picture, (0, band))
    draw = ImageDraw.Draw(page)
    for letter in reading.letters:
        x, y, w, h = (round(v * scale) for v in letter.box)
        y += band
        draw.rectangle((x, y, x + w, y + h), outline=BOX_COLOUR, width=2)
        draw.rectangle((x, y - band, x + size, y), fill=BOX_COLOUR)
        draw.text((x + size / 2, y - band / 2), letter.letter, fill="white", font=font, anchor="mm")
    return png_data_url(np.asarray(page) / 255.0)
