"""A read page written out the ways OCR tools exchange it: plain text, hOCR, ALTO and searchable PDF.

Each writer takes the pages of one document in order, each page a pair (transcript, size): a
`handwriting.transcript.Transcript` and the (width, height) of the picture that was sent, upright,
whose pixels all coordinates are in. The PDF also needs each page's picture.
"""

import functools
import io
import itertools
import os
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

import numpy as np
import reportlab
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from werkzeug.utils import secure_filename

from handwriting.ink import to_grey
from handwriting.language import NONE as NO_LANGUAGE

SOFTWARE = "Letter Scanner"


class Format(NamedTuple):
    mimetype: str
    extension: str


# Every way a transcript can be downloaded, by the name asked for (?format=...).
FORMATS = {
    "txt": Format("text/plain", "txt"),
    "hocr": Format("application/xhtml+xml", "hocr"),
    "alto": Format("application/xml", "alto.xml"),
    "pdf": Format("application/pdf", "pdf"),
    "json": Format("application/json", "json"),
}

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
ALTO_NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
_XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                  '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')

PDF_DPI = 150  # a page's pixels per inch on the PDF page...
PDF_MAX_SIDE = 842  # ...shrunk so that its long side is at most A4's (points), as a photo would print
BACKGROUND_DPI = 300  # the picture behind the text is stored at most this sharp
JPEG_QUALITY = 75
_PDF_FONT = "LetterScannerVera"

rl_config.useA85 = 0  # reportlab's default wraps binary streams in ASCII85, a quarter bigger for nothing


def text(pages):
    """The text of each page, pages separated by a form feed."""
    return "\f".join(transcript.text for transcript, _ in pages)


def confidence(word):
    """How sure the reader is of a word, 0 to 1: the share of its reading among those the
    dictionary decoder weighed, or without a dictionary its letters' mean top probability."""
    if word.options:
        value = word.options[0]["share"]
    else:
        value = statistics.fmean(character.predictions[0]["probability"] for character in word.characters)
    return min(1.0, max(0.0, float(value)))


def hocr(pages, title="Transcript", image_name=None):
    """hOCR 1.2 (XHTML): ocr_page > ocr_par > ocr_line > ocrx_word, with bboxes in the picture's
    pixels and each word's confidence as x_wconf (0-100). `image_name` is the picture's file name."""
    html = ET.Element("html", {"xmlns": XHTML_NAMESPACE, "xml:lang": "en", "lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    ET.SubElement(head, "meta", {"name": "ocr-system", "content": SOFTWARE})
    ET.SubElement(head, "meta", {"name": "ocr-capabilities",
                                 "content": "ocr_page ocr_par ocr_line ocrx_word ocrp_wconf ocrp_lang"})
    body = ET.SubElement(html, "body")
    # hOCR readers split a title at semicolons and end a value at a quote: keep the name plain.
    image = f'image "{secure_filename(image_name)}"; ' if image_name else ""
    for p, (transcript, (width, height)) in enumerate(pages, 1):
        page = ET.SubElement(body, "div", {"class": "ocr_page", "id": f"page_{p}",
                                           "title": f"{image}bbox 0 0 {width} {height}; ppageno {p - 1}"})
        language = {} if transcript.language == NO_LANGUAGE else {"lang": transcript.language}
        line_ids, word_ids = itertools.count(1), itertools.count(1)
        for b, (corners, lines) in enumerate(_layout(transcript, (width, height)), 1):
            paragraph = ET.SubElement(page, "p", {"class": "ocr_par", "id": f"par_{p}_{b}", **language,
                                                  "title": _bbox(corners)})
            for corners, words in lines:
                line = ET.SubElement(paragraph, "span", {"class": "ocr_line", "id": f"line_{p}_{next(line_ids)}",
                                                         "title": _bbox(corners)})
                for word, corners in words:
                    title = f"{_bbox(corners)}; x_wconf {round(100 * confidence(word))}"
                    ET.SubElement(line, "span", {"class": "ocrx_word", "id": f"word_{p}_{next(word_ids)}",
                                                 "title": title}).text = word.text
    ET.indent(html)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _XHTML_DOCTYPE + "\n"
            + ET.tostring(html, encoding="unicode") + "\n")


def alto(pages, image_name=None):
    """ALTO v4 XML in pixels: Page > PrintSpace > TextBlock (a paragraph) > TextLine > String, SP
    between Strings, each String's confidence as WC (0-1). `image_name` is the picture's file name."""
    root = ET.Element("alto", {"xmlns": ALTO_NAMESPACE, "xmlns:xsi": XSI_NAMESPACE,
                               "xsi:schemaLocation": f"{ALTO_NAMESPACE} {ALTO_SCHEMA}", "SCHEMAVERSION": "4.4"})
    description = ET.SubElement(root, "Description")
    ET.SubElement(description, "MeasurementUnit").text = "pixel"
    source = ET.SubElement(description, "sourceImageInformation")
    if image_name:
        ET.SubElement(source, "fileName").text = image_name
    processing = ET.SubElement(description, "Processing", {"ID": "reading"})
    ET.SubElement(processing, "processingCategory").text = "contentGeneration"
    ET.SubElement(ET.SubElement(processing, "processingSoftware"), "softwareName").text = SOFTWARE
    layout = ET.SubElement(root, "Layout")
    for p, (transcript, (width, height)) in enumerate(pages, 1):
        language = {} if transcript.language == NO_LANGUAGE else {"LANG": transcript.language}
        page = ET.SubElement(layout, "Page", {"ID": f"page_{p}", "PHYSICAL_IMG_NR": str(p), "WIDTH": str(width),
                                              "HEIGHT": str(height), "PROCESSINGREFS": "reading", **language})
        space = ET.SubElement(page, "PrintSpace", _alto_box((0, 0, width, height)))
        line_ids, word_ids = itertools.count(1), itertools.count(1)
        for b, (corners, lines) in enumerate(_layout(transcript, (width, height)), 1):
            block = ET.SubElement(space, "TextBlock", {"ID": f"p{p}_b{b}", **_alto_box(corners)})
            for corners, words in lines:
                line = ET.SubElement(block, "TextLine", {"ID": f"p{p}_l{next(line_ids)}", **_alto_box(corners)})
                for n, (word, corners) in enumerate(words):
                    if n:
                        after = words[n - 1][1][2]  # the previous word's right edge
                        ET.SubElement(line, "SP", {"WIDTH": str(max(0, corners[0] - after)), "HPOS": str(after),
                                                   "VPOS": str(corners[1])})
                    ET.SubElement(line, "String", {"ID": f"p{p}_w{next(word_ids)}", "CONTENT": word.text,
                                                   **_alto_box(corners), "WC": f"{confidence(word):.2f}"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def pdf(pages, title="Transcript"):
    """A searchable PDF of (transcript, size, picture) pages: each picture fills its page (JPEG, in
    grey as it was read), under an invisible text layer (render mode 3, as OCRmyPDF and tesseract
    make) where each word lies over its ink, stretched to the ink's width, for finding and copying."""
    font = _pdf_font()
    ascent, descent = font.face.ascent / 1000, font.face.descent / 1000  # per point of font size
    buffer = io.BytesIO()
    document = Canvas(buffer, pageCompression=1)
    document.setTitle(title)
    document.setCreator(SOFTWARE)
    for transcript, (width, height), picture in pages:
        scale = min(72 / PDF_DPI, PDF_MAX_SIDE / max(width, height))  # points per pixel
        page_width, page_height = width * scale, height * scale
        document.setPageSize((page_width, page_height))
        background = _background(picture, round(max(page_width, page_height) / 72 * BACKGROUND_DPI))
        document.drawImage(ImageReader(background), 0, 0, page_width, page_height)
        layer = document.beginText()
        layer.setTextRenderMode(3)
        for _, lines in _layout(transcript, (width, height)):
            for _, words in lines:
                for n, (word, (left, top, right, bottom)) in enumerate(words):
                    # The font's full height, ascent to descent, spans the ink's, so a selection covers it.
                    size = max(bottom - top, 1) * scale / (ascent - descent)
                    baseline = page_height - bottom * scale - descent * size
                    _place(layer, word.text, left * scale, baseline, max(right - left, 1) * scale, size)
                    if n + 1 < len(words):  # a space over the gap, so that copied words stay apart
                        gap = max(words[n + 1][1][0] - right, 1) * scale
                        _place(layer, " ", right * scale, baseline, gap, size)
        document.drawText(layer)
        document.showPage()
    document.save()
    return buffer.getvalue()


def write(key, pages, image_name=None, title="Transcript"):
    """The document in format `key` ("txt", "hocr", "alto" or "pdf") as bytes; `pages` are
    (transcript, picture) pairs, the picture the one that was sent, opened upright or not (a photo's
    flattened page stands for it)."""
    pages = [(transcript, transcript.flattened or picture) for transcript, picture in pages]
    sized = [(transcript, transcript.picture_size) for transcript, _ in pages]
    if key == "txt":
        return text(sized).encode("utf-8")
    if key == "hocr":
        return hocr(sized, title, image_name).encode("utf-8")
    if key == "alto":
        return alto(sized, image_name).encode("utf-8")
    if key == "pdf":
        return pdf([(transcript, size, picture) for (transcript, size), (_, picture) in zip(sized, pages)], title)
    raise ValueError(f"no writer for {key!r}")


def download_name(upload_name, extension, default="transcript"):
    """The download's file name: the upload's name with `extension` ("scan.jpg" -> "scan.pdf"), or
    `default` when the upload had no name or none that is safe in ASCII."""
    stem = os.path.splitext((upload_name or "").replace("\\", "/").rsplit("/", 1)[-1])[0]
    return f"{secure_filename(stem) or default}.{extension}"


def _layout(transcript, size):
    """The transcript's paragraphs as [(corners, lines)], each line (corners, [(word, corners)]),
    corners (left, top, right, bottom) in the pixels of the sent picture of `size`."""
    width, height = size

    def in_picture(box):  # picture_box rounds outwards: keep the corners on the picture
        x, y, w, h = transcript.picture_box(box)
        return (min(x, width), min(y, height), min(x + w, width), min(y + h, height))

    paragraphs = []
    for line in transcript.lines:
        if line.paragraph or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append((in_picture(line.box), [(word, in_picture(word.box)) for word in line.words]))
    return [(_around([box for box, _ in lines]), lines) for lines in paragraphs]


def _around(corners):
    left, top, right, bottom = zip(*corners)
    return (min(left), min(top), max(right), max(bottom))


def _bbox(corners):
    return "bbox {} {} {} {}".format(*corners)


def _alto_box(corners):
    left, top, right, bottom = corners
    return {"HPOS": str(left), "VPOS": str(top), "WIDTH": str(right - left), "HEIGHT": str(bottom - top)}


@functools.cache
def _pdf_font():
    """Bitstream Vera, which reportlab's wheel ships: it has every character the readers and their
    dictionaries write (Latin-1 and œ). One it lacks would be left out of the text layer."""
    font = TTFont(_PDF_FONT, Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
    pdfmetrics.registerFont(font)
    return font


def _place(layer, word, x, baseline, width, size):
    """Write `word` from (x, baseline) in points, stretched to `width`."""
    layer.setFont(_PDF_FONT, size)
    layer.setHorizScale(100 * width / pdfmetrics.stringWidth(word, _PDF_FONT, size))
    layer.setTextOrigin(x, baseline)
    layer.textOut(word)


def _background(picture, max_side):
    """The picture as JPEG bytes: upright and grey as it was read (`to_grey`, so it lies exactly
    under the boxes), at most `max_side` pixels on a side."""
    grey = Image.fromarray(np.uint8(np.rint(to_grey(picture, max_side) * 255)))
    buffer = io.BytesIO()
    grey.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    buffer.seek(0)
    return buffer
