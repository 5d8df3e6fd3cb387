"""handwriting.output: two read pages written as text, hOCR, ALTO and searchable PDF, and the
names their downloads get. The transcripts are built by hand, with boxes whose place in the
picture is known."""

import xml.etree.ElementTree as ET

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from handwriting.alphabet import CHARACTERS
from handwriting.output import ALTO_NAMESPACE, FORMATS, XHTML_NAMESPACE, alto, download_name, hocr, pdf, text
from handwriting.transcript import Character, TextLine, Transcript, Word

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
SIZES = [(1240, 1750), (400, 300)]


def word(text, box, probabilities=(0.9,), share=None):
    """A Word of `text` over `box`, its letters side by side with `probabilities` in turn."""
    x, y, w, h = box
    step = w / len(text)
    characters = [Character((x + n * step, y, step, h),
                            [{"letter": letter, "probability": probabilities[n % len(probabilities)]}])
                  for n, letter in enumerate(text)]
    return Word(characters, text, [] if share is None else [{"text": text, "share": share, "word": True}], box)


def transcripts():
    # Page 1 was analysed at half the sent picture's size: its boxes double in the picture.
    first = Transcript([
        TextLine([word("Señor", (50, 100, 150, 40), (0.9, 0.5, 0.9, 0.5, 0.7)),
                  word("García,", (220, 100, 180, 45), share=0.8)], True, "lines"),
        TextLine([word("¿Cómo", (50, 170, 160, 40)), word("está?", (230, 170, 120, 40))], False, "lines"),
        TextLine([word("œuvre", (60, 260, 160, 40)), word("ça", (240, 260, 60, 40)),
                  word("¡Olé!", (320, 260, 120, 40))], True, "letters"),
    ], np.ones((875, 620), np.float32), (2.0, 2.0), "es")
    # Page 2's last word runs past the picture's edge: it is cut at the edge.
    second = Transcript([
        TextLine([word('"Adiós"', (40, 100, 150, 50), (1.0,)), word("&", (210, 100, 40, 50), (0.25,)),
                  word("Zoë", (330, 250, 90, 60))], True, "letters"),
    ], np.ones((300, 400), np.float32), (1.0, 1.0), "none")
    return [(first, SIZES[0]), (second, SIZES[1])]


# (page, text, (left, top, right, bottom) in the sent picture, confidence in %), in reading order.
WORDS = [(1, "Señor", (100, 200, 400, 280), 70), (1, "García,", (440, 200, 800, 290), 80),
         (1, "¿Cómo", (100, 340, 420, 420), 90), (1, "está?", (460, 340, 700, 420), 90),
         (1, "œuvre", (120, 520, 440, 600), 90), (1, "ça", (480, 520, 600, 600), 90),
         (1, "¡Olé!", (640, 520, 880, 600), 90),
         (2, '"Adiós"', (40, 100, 190, 150), 100), (2, "&", (210, 100, 250, 150), 25),
         (2, "Zoë", (330, 250, 400, 300), 90)]
LINES = [(1, (100, 200, 800, 290)), (1, (100, 340, 700, 420)), (1, (120, 520, 880, 600)), (2, (40, 100, 400, 300))]
# (page, corners, number of lines)
PARAGRAPHS = [(1, (100, 200, 800, 420), 2), (1, (120, 520, 880, 600), 1), (2, (40, 100, 400, 300), 1)]


def properties(title):
    """An hOCR title's properties by name."""
    return dict(part.split(" ", 1) for part in title.split("; "))


def numbers(value):
    return tuple(int(n) for n in value.split())


def test_text_is_each_page_text_with_pages_apart_by_form_feeds():
    assert text(transcripts()) == 'Señor García,\n¿Cómo está?\n\nœuvre ça ¡Olé!\f"Adiós" & Zoë'


def test_hocr_has_pages_paragraphs_lines_and_words_with_their_boxes_and_confidence():
    document = hocr(transcripts(), title="Letter <1>", image_name="scan.jpg")
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html')
    assert "&amp;" in document and "&lt;1&gt;" in document
    html = ET.fromstring(document)
    ns = {"h": XHTML_NAMESPACE}
    assert html.tag == f"{{{XHTML_NAMESPACE}}}html"
    assert html.find("h:head/h:title", ns).text == "Letter <1>"
    meta = {m.get("name"): m.get("content") for m in html.iterfind("h:head/h:meta[@name]", ns)}
    assert meta["ocr-system"] == "Letter Scanner"
    assert set(meta["ocr-capabilities"].split()) >= {"ocr_page", "ocr_par", "ocr_line", "ocrx_word", "ocrp_wconf"}

    pages = html.findall("h:body/h:div", ns)
    assert [page.get("class") for page in pages] == ["ocr_page", "ocr_page"]
    for n, (page, (width, height)) in enumerate(zip(pages, SIZES)):
        assert properties(page.get("title")) == {"image": '"scan.jpg"', "bbox": f"0 0 {width} {height}",
                                                 "ppageno": str(n)}
    paragraphs = [(n, p) for n, page in enumerate(pages, 1) for p in page.findall("h:p", ns)]
    assert [p.get("class") for _, p in paragraphs] == ["ocr_par"] * 3
    assert [(n, numbers(properties(p.get("title"))["bbox"]), len(p)) for n, p in paragraphs] == PARAGRAPHS
    assert [p.get("lang") for _, p in paragraphs] == ["es", "es", None]  # page 2 was read without a dictionary
    lines = [(n, line) for n, p in paragraphs for line in p]
    assert {line.get("class") for _, line in lines} == {"ocr_line"}
    assert [(n, numbers(properties(line.get("title"))["bbox"])) for n, line in lines] == LINES
    words = [(n, w) for n, line in lines for w in line]
    assert {w.get("class") for _, w in words} == {"ocrx_word"}
    assert [(n, w.text, numbers(properties(w.get("title"))["bbox"]), int(properties(w.get("title"))["x_wconf"]))
            for n, w in words] == WORDS
    ids = [element.get("id") for element in html.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) == 2 + len(PARAGRAPHS) + len(LINES) + len(WORDS)


def test_alto_has_pages_blocks_lines_and_strings_with_their_positions_and_confidence():
    document = alto(transcripts(), image_name="scan.jpg")
    root = ET.fromstring(document)
    ns = {"a": ALTO_NAMESPACE}
    assert root.tag == f"{{{ALTO_NAMESPACE}}}alto"
    namespace, schema = root.get(f"{XSI}schemaLocation").split()
    assert namespace == ALTO_NAMESPACE and schema.startswith("http://www.loc.gov/standards/alto/v4/alto-4-")
    assert root.find("a:Description/a:MeasurementUnit", ns).text == "pixel"
    assert root.find("a:Description/a:sourceImageInformation/a:fileName", ns).text == "scan.jpg"

    def corners(element):
        left, top, width, height = (int(element.get(name)) for name in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
        return (left, top, left + width, top + height)

    pages = root.findall("a:Layout/a:Page", ns)
    assert [(p.get("PHYSICAL_IMG_NR"), int(p.get("WIDTH")), int(p.get("HEIGHT"))) for p in pages] == [
        ("1", *SIZES[0]), ("2", *SIZES[1])]
    assert [corners(p.find("a:PrintSpace", ns)) for p in pages] == [(0, 0, *size) for size in SIZES]
    blocks = [(n, b) for n, p in enumerate(pages, 1) for b in p.findall("a:PrintSpace/a:TextBlock", ns)]
    assert [(n, corners(b), len(b)) for n, b in blocks] == PARAGRAPHS
    lines = [(n, line) for n, b in blocks for line in b.findall("a:TextLine", ns)]
    assert [(n, corners(line)) for n, line in lines] == LINES
    strings = [(n, s) for n, line in lines for s in line.findall("a:String", ns)]
    assert [(n, s.get("CONTENT"), corners(s), round(100 * float(s.get("WC")))) for n, s in strings] == WORDS
    for _, line in lines:  # String, SP, String, ...: each SP spans the gap between its neighbours
        children = list(line)
        assert [c.tag.split("}")[1] for c in children] == ["String", "SP"] * (len(children) // 2) + ["String"]
        for before, space, after in zip(children[::2], children[1::2], children[2::2]):
            assert int(space.get("HPOS")) == corners(before)[2]
            assert int(space.get("HPOS")) + int(space.get("WIDTH")) == corners(after)[0]
    ids = [element.get("ID") for element in root.iter() if element.get("ID")]
    assert len(ids) == len(set(ids))


def pictures():
    """A picture for each page: white, with a black square in its top left corner; page 2's at
    twice the size the boxes are in (the picture need not be the size that was read)."""
    first = Image.new("RGB", SIZES[0], "white")
    ImageDraw.Draw(first).rectangle([0, 0, 59, 59], fill="black")
    second = Image.new("L", (800, 600), 255)
    ImageDraw.Draw(second).rectangle([0, 0, 119, 119], fill=0)
    return [first, second]


def test_pdf_has_a_page_per_page_with_each_word_findable_over_its_ink():
    pages = [(transcript, size, picture) for (transcript, size), picture in zip(transcripts(), pictures())]
    document = pdfium.PdfDocument(pdf(pages, title="Letter"))
    assert len(document) == 2
    assert document.get_metadata_dict()["Title"] == "Letter"
    for n, (page, (width, height)) in enumerate(zip(document, SIZES), 1):
        page_width, page_height = page.get_size()
        scale = page_width / width  # points per pixel
        assert page_height == pytest.approx(height * scale, abs=0.01)
        assert max(page_width, page_height) <= 842
        text_page = page.get_textpage()
        words = [(w, box) for p, w, box, _ in WORDS if p == n]
        assert text_page.get_text_range().split() == [w for w, _ in words]
        for w, (left, top, right, bottom) in words:
            margin = 3  # pixels
            found = text_page.get_text_bounded(
                left=(left - margin) * scale, bottom=page_height - (bottom + margin) * scale,
                right=(right + margin) * scale, top=page_height - (top - margin) * scale)
            assert found.split() == [w]

        # The text is invisible: the rendered page is the picture, black square and white paper.
        rendered = np.asarray(page.render(scale=1 / scale).to_pil().convert("L"), dtype=np.float32)
        assert rendered[5:50, 5:50].max() < 40
        assert np.percentile(rendered[:, 70:], 0.1) > 245


def test_pdf_text_layer_holds_every_character_the_readers_write():
    letters = CHARACTERS.replace(" ", "")
    transcript = Transcript([TextLine([word(letters, (10, 10, 1000, 40))], True, "lines")],
                            np.ones((100, 1100), np.float32), (1.0, 1.0), "none")
    document = pdfium.PdfDocument(pdf([(transcript, (1100, 100), Image.new("L", (1100, 100), 255))]))
    assert document[0].get_textpage().get_text_range() == letters


@pytest.mark.parametrize(("upload", "extension", "expected"), [
    ("scan.jpg", "txt", "scan.txt"),
    ("scan.jpg", FORMATS["alto"].extension, "scan.alto.xml"),
    ("scan.JPEG", "pdf", "scan.pdf"),
    ("photo.2024.png", "hocr", "photo.2024.hocr"),
    ("scan", "txt", "scan.txt"),
    ("C:\\Users\\ana\\carta de mamá.png", "pdf", "carta_de_mama.pdf"),
    ("../../etc/passwd", "txt", "passwd.txt"),
    ("письмо.jpg", "txt", "transcript.txt"),
    ("..", "txt", "transcript.txt"),
    ("", "pdf", "transcript.pdf"),
    (None, "pdf", "transcript.pdf"),
])
def test_download_is_named_after_the_upload(upload, extension, expected):
    assert download_name(upload, extension) == expected


def test_download_name_falls_back_to_the_default_given():
    assert download_name("", "json", default="letter") == "letter.json"


def test_every_format_has_a_mimetype_and_an_extension():
    assert set(FORMATS) == {"txt", "hocr", "alto", "pdf", "json"}
    assert FORMATS["pdf"].mimetype == "application/pdf"
    assert all("/" in f.mimetype and f.extension and not f.extension.startswith(".") for f in FORMATS.values())
