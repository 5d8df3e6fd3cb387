"""`flask read`: pictures, folders and PDFs read from the command line, as /api/read reads them."""

import io
import multiprocessing
import sys
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest
from pictures import page_picture, pdf_of

from harness.pictures import encode
from webapp import cli_read, create_app

PAGE, _ = page_picture([(20, [("a", 0), ("t", 90), ("x", 360), ("a", 450)]),
                        (230, [("t", 40), ("a", 130), ("x", 220)])])
OTHER, _ = page_picture([(20, [("x", 0), ("a", 90), ("t", 200)])])
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


@pytest.fixture
def files(tmp_path):
    """A folder holding a picture, another picture, a PDF of two pages and a file that is no picture."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.png").write_bytes(encode(PAGE))
    (folder / "other.PNG").write_bytes(encode(OTHER))
    (folder / "both.pdf").write_bytes(pdf_of([PAGE, OTHER]))
    (folder / "notes.txt").write_text("not a picture")
    return folder


def api_text(client, picture, language="none"):
    """The text /api/read answers for a Pillow picture."""
    response = client.post("/api/read", query_string={"format": "txt", "language": language},
                           data={"image": (io.BytesIO(encode(picture)), "x.png")})
    return response.get_data(as_text=True)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["read", *map(str, args)])


def test_one_picture_is_written_to_standard_output_as_the_api_reads_it(app, client, files):
    result = run(app, files / "page.png")
    assert result.exit_code == 0, result.output
    assert result.stdout == api_text(client, PAGE) and "\n" in result.stdout


def test_a_pdf_gives_its_pages_separated_by_form_feeds(app, client, files):
    result = run(app, files / "both.pdf", "--language", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\f") == [api_text(client, picture, "en") for picture in (PAGE, OTHER)]


def test_a_folder_gives_one_file_per_picture_and_pdf_in_it(app, client, files, tmp_path):
    out = tmp_path / "out"
    result = run(app, files, "--out", out)
    assert result.exit_code == 0, result.output  # notes.txt is no picture by its name: not taken
    assert sorted(p.name for p in out.iterdir()) == ["both.txt", "other.txt", "page.txt"]
    assert (out / "page.txt").read_text() == api_text(client, PAGE)
    assert (out / "both.txt").read_text() == (out / "page.txt").read_text() + "\f" + (out / "other.txt").read_text()


@pytest.mark.parametrize("key", ["hocr", "alto", "pdf"])
def test_each_format_is_written_in_out(app, files, tmp_path, key):
    out = tmp_path / "out"
    result = run(app, files / "both.pdf", files / "page.png", "--format", key, "--out", out)
    assert result.exit_code == 0, result.output
    extension = {"hocr": "hocr", "alto": "alto.xml", "pdf": "pdf"}[key]
    both, page = (out / f"both.{extension}").read_bytes(), (out / f"page.{extension}").read_bytes()
    if key == "hocr":
        pages = [e for e in ET.fromstring(both).iter() if e.get("class") == "ocr_page"]
        words = [e.text for e in ET.fromstring(page).iter() if e.get("class") == "ocrx_word"]
        assert len(pages) == 2 and words
    elif key == "alto":
        assert len(list(ET.fromstring(both).iter(f"{ALTO}Page"))) == 2
        assert [e.get("CONTENT") for e in ET.fromstring(page).iter(f"{ALTO}String")]
    else:
        assert len(pdfium.PdfDocument(both)) == 2
        assert pdfium.PdfDocument(page)[0].get_textpage().get_text_range().split()


def test_a_file_that_is_no_picture_is_named_and_the_others_still_read(app, files, tmp_path):
    out = tmp_path / "out"
    result = run(app, files / "notes.txt", files / "page.png", "--out", out)
    assert result.exit_code == 1
    assert "notes.txt" in result.stderr and "not a picture" in result.stderr
    assert "page.png" not in result.stderr and (out / "page.txt").read_text()


def test_several_files_without_out_and_bad_options_are_usage_errors(app, files):
    assert run(app, files / "page.png", files / "other.PNG").exit_code == 2
    assert run(app, files / "page.png", "--format", "docx").exit_code == 2
    assert run(app, files / "page.png", "--jobs", "0").exit_code == 2
    assert run(app, files / "missing.png").exit_code == 2


def test_two_worker_processes_write_what_one_process_writes(app, files, tmp_path):
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = run(app, files, "--format", "hocr", "--out", out, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        outputs[jobs] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(outputs[1]) == 3 and outputs[2] == outputs[1]


def tensorflow_is_loaded(_):
    return "tensorflow" in sys.modules


def test_a_worker_process_reads_without_tensorflow(app):
    with app.app_context(), multiprocessing.get_context("spawn").Pool(
            1, cli_read.start_worker, (cli_read.worker_config(app),)) as pool:
        assert pool.map(tensorflow_is_loaded, [0]) == [False]


def test_a_recognizer_that_is_not_loaded_is_said_before_reading(tmp_path, files):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
                      "MODEL_PATH": str(tmp_path / "missing.keras"), "MODEL_RUNTIME": "litert"})
    result = run(app, files / "page.png", "--reader", "letters")
    assert result.exit_code == 1 and "The recognizer is not available" in result.stderr and not result.stdout
