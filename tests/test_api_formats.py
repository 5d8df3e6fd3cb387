"""/api/read?format=…: the text, hOCR, ALTO and a searchable PDF, and PDFs of several pages in."""

import io
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
from pictures import page_picture, pdf_of

from harness.pictures import encode

PAGE, _ = page_picture([(20, [("a", 0), ("t", 90), ("x", 360), ("a", 450)]),
                        (230, [("t", 40), ("a", 130), ("x", 220)])])


def post(client, data, name="scan.png", **query):
    return client.post("/api/read", query_string=query, data={"image": (io.BytesIO(data), name)})


def three_page_pdf():
    return pdf_of([PAGE] * 3)


def test_every_format_comes_out_named_after_the_upload(client):
    text = post(client, encode(PAGE)).get_json()["text"]
    txt = post(client, encode(PAGE), format="txt")
    assert txt.mimetype == "text/plain" and txt.get_data(as_text=True) == text
    assert 'filename=scan.txt' in txt.headers["Content-Disposition"]

    hocr = post(client, encode(PAGE), format="hocr")
    tree = ET.fromstring(hocr.get_data())
    words = [e for e in tree.iter() if e.get("class") == "ocrx_word"]
    assert " ".join(w.text for w in words) == text.replace("\n", " ") and "x_wconf" in words[0].get("title")
    assert 'filename=scan.hocr' in hocr.headers["Content-Disposition"]

    alto = ET.fromstring(post(client, encode(PAGE), format="alto").get_data())
    strings = [e.get("CONTENT") for e in alto.iter("{http://www.loc.gov/standards/alto/ns-v4#}String")]
    assert " ".join(strings) == text.replace("\n", " ")

    pdf = post(client, encode(PAGE), format="pdf")
    assert pdf.mimetype == "application/pdf" and 'filename=scan.pdf' in pdf.headers["Content-Disposition"]
    document = pdfium.PdfDocument(pdf.get_data())
    layer = document[0].get_textpage().get_text_range()
    assert all(word in layer for word in text.split())


def test_an_unknown_format_is_refused(client):
    response = post(client, encode(PAGE), format="docx")
    assert response.status_code == 400 and response.get_json()["code"] == "malformed"
    assert "docx" in response.get_json()["error"] and "hocr, alto, pdf" in response.get_json()["error"]


def test_a_pdf_of_three_pages_is_read_page_by_page(client):
    body = post(client, three_page_pdf(), "letters.pdf").get_json()
    assert len(body["pages"]) == 3 and body["text"].count("\f") == 2
    assert body["text"] == "\f".join(page["text"] for page in body["pages"])
    assert all(page["lines"] for page in body["pages"])
    pdf = pdfium.PdfDocument(post(client, three_page_pdf(), "letters.pdf", format="pdf").get_data())
    assert len(pdf) == 3
    hocr = ET.fromstring(post(client, three_page_pdf(), "letters.pdf", format="hocr").get_data())
    assert len([e for e in hocr.iter() if e.get("class") == "ocr_page"]) == 3
