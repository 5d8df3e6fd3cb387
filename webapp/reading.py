"""The read page: read a handwritten page (lines of separate letters), drawn on a wide canvas or
uploaded, with a dictionary of the chosen language."""

import base64

import numpy as np
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw, ImageFont

from handwriting import output
from handwriting.language import LANGUAGES
from handwriting.reader import READ_SIDE, read_page
from handwriting.transcript import box_around
from webapp import errors, history, line_corrections, uploads
from webapp.forms import DrawForm, UploadForm, error_status
from webapp.images import decode_data_url, sent_pages
from webapp.model import letter_model, line_model, readers
from webapp.recognition import READING_LANGUAGES, png_data_url, reading_language

bp = Blueprint("reading", __name__)

BOXED_WIDTH = 960  # the boxed picture on the page is at most this wide and tall...
BOXED_MIN_WIDTH = 640  # ...and a small drawing is enlarged to this width, so that its labels fit
LETTER_COLOUR = (79, 70, 229)  # the accent colour of style.css
WORD_COLOUR = (217, 119, 6)
LINE_COLOUR = (22, 163, 74)
LANGUAGE_NAMES = {"en": _l("English"), "es": _l("Spanish"), "fr": _l("French"), "none": _l("None: as written")}
DOWNLOADS = {"txt": _l("Text (.txt)"), "hocr": _l("hOCR"), "alto": _l("ALTO XML"), "pdf": _l("Searchable PDF")}


def page_language():
    """The dictionary the page reads with unless told: the page's own language."""
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else LANGUAGES[0]


def render_read(error=None, status=200, upload_form=None, draw_form=None, transcripts=(), downloads=()):
    """The read page, with the transcripts of a document's pages (and its `downloads`), an error,
    or just the forms, answered with `status`.

    The forms are rebuilt from the request, so a drawing sent with an error comes back.
    """
    chosen = request.form.get("language")
    document_text = "\n\n".join(t.text for t in transcripts if not t.blank)
    page = render_template(
        "read.html",
        upload_form=upload_form or UploadForm(pages=True),
        draw_form=draw_form or DrawForm(),
        **errors.placed(error, letter_model().error),
        pages=[{"transcript": t, "boxed_url": None if t.blank else boxed_png_url(t)} for t in transcripts],
        document_text=document_text,
        kept=history.kept_reading(document_text),
        downloads=downloads,
        job_downloads=DOWNLOADS,  # what a background job (static/js/jobs.js) keeps and links
        line_corrections=line_corrections.page_lines(transcripts),
        dictionaries=[(code, LANGUAGE_NAMES[code]) for code in READING_LANGUAGES],
        dictionary=chosen if chosen in READING_LANGUAGES else page_language(),
        model_error=None if readers().available("auto") else letter_model().error,
        **uploads.page_context(pages=True),
    )
    return page, status


errors.register_page_errors(bp, render_read)


@bp.get("/read")
def read():
    return render_read()


@bp.get("/read/upload")
@bp.get("/read/draw")
def back_to_the_form():
    """A bookmarked reading URL, or one reloaded where the browser could not keep the reading (kept
    readings reopen at /history#<id>): nothing is stored on the server, so back to the form."""
    return redirect(url_for("reading.read"))


@bp.post("/read/upload")
def upload():
    form = UploadForm(pages=True)
    if not form.validate_on_submit():
        return render_read(status=error_status(form), upload_form=form)
    return _read_page(form.image.data.read(), form.image.data.filename)


@bp.post("/read/draw")
def draw():
    form = DrawForm()
    if not form.validate_on_submit():
        return render_read(_("Write on the canvas first."), error_status(form), draw_form=form)
    return _read_page(decode_data_url(form.drawing.data), None)


def _read_page(data, upload_name):
    available = readers()
    if not available.available("auto"):
        return render_read(letter_model().error or line_model().error, 503)
    language = reading_language(request.form.get("language"), page_language())
    with sent_pages(data, max_side=READ_SIDE) as pictures:
        transcripts = [read_page(picture, available, language) for picture in pictures]
        blank = all(t.blank for t in transcripts)
        downloads = [] if blank else download_links(list(zip(transcripts, pictures)), upload_name)
    return render_read(transcripts=transcripts, downloads=downloads)


def download_links(pages, upload_name):
    """[{"key", "label", "name", "url"}]: the transcript in every format, as data: URLs named after
    the upload (or "transcript" in the page's language)."""
    links = []
    for key, label in DOWNLOADS.items():
        mimetype, extension = output.FORMATS[key]
        body = base64.b64encode(output.write(key, pages, upload_name)).decode("ascii")
        links.append({"key": key, "label": label, "url": f"data:{mimetype};base64,{body}",
                      "name": output.download_name(upload_name, extension, _("transcript"))})
    return links


def boxed_png_url(transcript):
    """The written part of the analysed picture as a PNG data: URL, with a box around each line,
    word and letter, and the best guess over each letter."""
    left, top, width, height = _written_part(transcript)
    scale = min(BOXED_WIDTH / max(width, height), max(1.0, BOXED_MIN_WIDTH / width))
    picture = Image.fromarray(np.uint8(transcript.grey[top : top + height, left : left + width] * 255)).convert("RGB")
    picture = picture.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
    heights = [letter.box[3] * scale for letter in transcript.characters]
    size = int(np.clip(0.4 * np.median(heights), 12, 28))
    font = ImageFont.load_default(size=size)
    band = size + 6  # a band above the picture, so that every label of the first line fits
    page = Image.new("RGB", (picture.width, picture.height + band), "white")
    page.paste(picture, (0, band))
    draw = ImageDraw.Draw(page)

    def rectangle(box, colour, line_width, grow=0):
        x, y, w, h = transcript.analysed_box(box)
        x, y, w, h = (round(v * scale) for v in (x - left, y - top, w, h))
        draw.rectangle((x - grow, y + band - grow, x + w + grow, y + h + band + grow), outline=colour, width=line_width)
        return x, y + band

    for line in transcript.lines:
        rectangle(line.box, LINE_COLOUR, 1, grow=6)
        for word in line.words:
            rectangle(word.box, WORD_COLOUR, 2, grow=3)
    for letter in transcript.characters:
        x, y = rectangle(letter.box, LETTER_COLOUR, 2)
        draw.rectangle((x, y - band, x + size, y), fill=LETTER_COLOUR)
        draw.text((x + size / 2, y - band / 2), letter.text, fill="white", font=font, anchor="mm")
    return png_data_url(np.asarray(page) / 255.0)


def _written_part(transcript):
    """The (x, y, w, h) box of the analysed picture around its lines, with a margin of half a letter."""
    x, y, w, h = box_around([transcript.analysed_box(line.box) for line in transcript.lines])
    margin = round(0.5 * float(np.median([letter.box[3] for letter in transcript.characters])))
    rows, columns = transcript.grey.shape
    left, top = max(0, x - margin), max(0, y - margin)
    return left, top, min(columns, x + w + margin) - left, min(rows, y + h + margin) - top
