"""Line corrections: what the read page carries for them, what POST /corrections/line keeps and
refuses, the limits shared with letter corrections, the review page, the export read back by the
line-training reader, and the migration on SQLite and PostgreSQL."""

import base64
import gzip
import html
import io
import json
import re
import tarfile
from datetime import timedelta

import numpy as np
import pytest
from PIL import Image
from pictures import data_url, page_picture
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from conftest import csrf_token, database_url
from harness.pictures import encode
from harness.servers import Postgres
from handwriting.alphabet import normalize
from handwriting.line_image import line_input
from handwriting.reader import find_page_lines
from training.line_data import crop_ink, folder_lines
from webapp import correction_store, create_app, db as database
from webapp.correction_store import MAX_LINE_PICTURE_BYTES, MAX_LINE_PICTURE_SIDE, MAX_LINE_TEXT, LineCorrection
from webapp.corrections import model_version
from webapp.db import db
from webapp.line_corrections import line_model_version

# Two lines: "tall" and "lax".
PAGE, _ = page_picture([(20, [("t", 0), ("a", 90), ("l", 180), ("l", 270)]),
                        (230, [("l", 40), ("a", 130), ("x", 220)])])
DATA = re.compile(r'<script type="application/json" id="line-correction-data">(.*?)</script>', re.S)


def make_app(url, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "DATABASE_URL": url,
                       **config})


def read(client, language="en", picture=PAGE, **fields):
    """The read page of `picture`, and the line-correction data it carries."""
    response = client.post("/read/upload", data={"image": (io.BytesIO(encode(picture)), "page.png"),
                                                  "language": language, **fields})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page, json.loads(html.unescape(DATA.search(page)[1]))


def form(data, key="1-1", text="tall", **changes):
    line = data["lines"][key]
    return {"picture": line["picture"], "text": text, "reading": line["reading"], "reader": line["reader"],
            "language": line["language"], **changes}


def stored(app):
    with app.app_context():
        return db.session.scalars(db.select(LineCorrection).order_by(LineCorrection.id)).all()


def png(pixels, mode="L"):
    return data_url(encode(Image.fromarray(np.asarray(pixels, np.uint8)).convert(mode)))


def line_pixels(width=300, height=60):
    """A grey line picture: paper with a dark stroke."""
    pixels = np.full((height, width), 255, np.uint8)
    pixels[height // 3 : height // 2, 10 : width - 10] = 0
    return pixels


@pytest.fixture
def line_app(tmp_path):
    return make_app(database_url(tmp_path))


@pytest.fixture
def read_data(line_app):
    return read(line_app.test_client())[1]


def test_the_read_page_carries_each_lines_picture_and_nothing_is_kept_before_a_click(line_app):
    page, data = read(line_app.test_client())
    assert sorted(data["lines"]) == ["1-1", "1-2"]
    assert re.findall(r'class="read-line[^"]*" data-line="([^"]+)"', page) == ["1-1", "1-2"]
    assert 'id="line-correction-send"' in page and "Send correction" in page
    readings = [data["lines"][key]["reading"] for key in ("1-1", "1-2")]
    shown = json.loads(html.unescape(re.search(r'id="read-data">(.*?)</script>', page, re.S)[1]))["text"]
    assert readings == [line for line in shown.split("\n") if line]  # the text the page shows, line by line
    for line in data["lines"].values():
        assert line["language"] == "en" and line["reader"] in ("letters", "lines")
        picture = Image.open(io.BytesIO(base64.b64decode(line["picture"].split(",", 1)[1])))
        pixels = np.asarray(picture)
        assert picture.format == "PNG" and picture.mode == "L"
        assert pixels.min() < 50 and np.median(pixels) > 200  # dark ink on white paper
        assert 20 < picture.height < 160 and picture.width > picture.height  # one line, not the page
    assert stored(line_app) == []


def test_an_edited_line_is_kept_with_its_picture_text_reading_reader_and_model(line_app, read_data):
    client = line_app.test_client()
    sent = form(read_data, "1-2", text="  lax  ")
    response = client.post("/corrections/line", data=sent)
    assert response.status_code == 201
    assert response.get_json() == {"message": "Thank you: 1 corrected line is kept to train the line reader."}
    (row,) = stored(line_app)
    assert row.picture == base64.b64decode(sent["picture"].split(",", 1)[1])
    assert (row.text, row.reading, row.reader, row.language) == ("lax", sent["reading"], sent["reader"], "en")
    with line_app.test_request_context():
        assert row.model_version == line_model_version(row.reader) != "unknown"
        assert line_model_version("lines") != model_version()  # the line model's, not the letter model's
    assert abs(row.created_at - correction_store.now()) < timedelta(minutes=1)
    with line_app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("line_corrections")}
    assert columns == {"id", "created_at", "picture", "text", "reading", "reader", "language", "model_version"}


def test_the_answer_is_in_the_pages_language(line_app, read_data):
    client = line_app.test_client()
    ok = client.post("/corrections/line?lang=es", data=form(read_data))
    assert ok.status_code == 201 and ok.get_json()["message"].startswith("Gracias")
    refused = client.post("/corrections/line?lang=es", data=form(read_data, text=" "))
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "El texto corregido está vacío: escribe lo que dice la línea.",
                                  "code": "invalid"}


@pytest.mark.parametrize(("change", "message"), [
    ({"picture": ""}, "This field is required."),
    ({"picture": "data:image/png;base64,!!!"}, "must be a grey PNG"),
    ({"picture": data_url(encode(Image.new("L", (300, 60)), "JPEG"), "image/jpeg")}, "must be a grey PNG"),
    ({"picture": png(line_pixels(), "RGB")}, "must be a grey PNG"),
    ({"picture": png(line_pixels(width=MAX_LINE_PICTURE_SIDE + 1))}, "must be a grey PNG"),
    ({"picture": png(np.full((60, 300), 255))}, "blank: there is no writing to keep"),
    ({"text": ""}, "The corrected text is empty"),
    ({"text": " \t "}, "The corrected text is empty"),
    ({"text": "a" * (MAX_LINE_TEXT + 1)}, f"at most {MAX_LINE_TEXT} characters"),
    ({"reader": "camera"}, "Invalid value"),
    ({"language": "de"}, "Invalid value"),
])
def test_bad_input_answers_400_with_a_clear_message_and_keeps_nothing(line_app, change, message):
    sent = {**form({"lines": {"1-1": {"picture": png(line_pixels()), "reading": "tal", "reader": "lines",
                                       "language": "en"}}}), **change}
    response = line_app.test_client().post("/corrections/line", data=sent)
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid" and message in response.get_json()["error"]
    assert stored(line_app) == []


def test_a_picture_over_the_byte_limit_is_refused(line_app):
    noise = np.random.default_rng(0).integers(0, 256, (1200, 1200), dtype=np.uint8)  # incompressible
    assert len(encode(Image.fromarray(noise))) > MAX_LINE_PICTURE_BYTES
    response = line_app.test_client().post("/corrections/line", data={
        "picture": png(noise), "text": "x", "reading": "", "reader": "lines", "language": "none"})
    assert response.status_code == 400 and "256 KB" in response.get_json()["error"]


def test_without_the_csrf_token_nothing_is_kept(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url(tmp_path)})
    client = app.test_client()
    _, data = read(client, csrf_token=csrf_token(client, "/read"))
    refused = client.post("/corrections/line", data=form(data))
    assert refused.status_code == 400 and refused.get_json() == {
        "error": "The page has expired or was not sent from this site (The CSRF token is missing.): read the page "
                 "again to send a correction.", "code": "csrf"}
    assert stored(app) == []
    ok = client.post("/corrections/line", data={**form(data), "csrf_token": data["csrf_token"]})
    assert ok.status_code == 201 and len(stored(app)) == 1


def test_letter_and_line_corrections_share_the_clients_rate_limit(tmp_path):
    app = make_app(database_url(tmp_path), CORRECTIONS_RATE_LIMIT="2 per minute")
    client = app.test_client()
    _, data = read(client)
    letter = {"frame": png(np.pad(np.full((8, 4), 255), ((10, 10), (12, 12)))), "guesses": "abc",
              "source": "canvas", "verdict": "right"}
    assert client.post("/corrections", data=letter).status_code == 201
    assert client.post("/corrections/line", data=form(data)).status_code == 201
    third = client.post("/corrections/line", data=form(data))
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    assert third.get_json() == {"error": "You are sending corrections faster than we can take them: "
                                         "please try again later.", "code": "too_many_requests"}
    assert client.post("/corrections", data=letter).status_code == 429
    other = client.post("/corrections/line", data=form(data), environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 201 and len(stored(app)) == 2


def test_the_daily_cap_counts_letters_and_lines_together(tmp_path):
    app = make_app(database_url(tmp_path), CORRECTIONS_PER_DAY=3)
    client = app.test_client()
    _, data = read(client)
    with app.app_context():
        correction_store.add(np.full((28, 28), 255), "a", "ab", "canvas", "v", "en", cap=3)
    statuses = [client.post("/corrections/line", data=form(data)).status_code for _ in range(3)]
    assert statuses == [201, 201, 503]
    full = client.post("/corrections/line", data=form(data))
    assert "kept all the corrections we take in a day" in full.get_json()["error"]
    assert 0 < int(full.headers["Retry-After"]) <= 86_401
    assert len(stored(app)) == 2


def test_a_database_that_cannot_be_written_answers_503(tmp_path, read_data):
    make_app(database_url(tmp_path))  # created and migrated
    app = make_app(f"sqlite:///file:{tmp_path / 'corrections.sqlite3'}?mode=ro&uri=true")
    response = app.test_client().post("/corrections/line", data=form(read_data))
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"
    assert "the database is unavailable, so nothing was stored" in response.get_json()["error"]


def test_review_lists_line_corrections_and_deletes_them(tmp_path):
    app = make_app(database_url(tmp_path), ADMIN_TOKEN="owner-token")
    picture = encode(Image.fromarray(line_pixels()))
    with app.app_context():
        correction_store.add(np.full((28, 28), 255), "a", "ab", "canvas", "v", "en", cap=10)
        for n in range(3):
            correction_store.add_line(picture, f"line {n}", f"lime {n}", "lines", "fr", "v2", cap=10)
    client = app.test_client()
    admin = {"X-Admin-Token": "owner-token"}
    page = client.get("/review", headers=admin).get_data(as_text=True)
    assert "3 line corrections kept" in page
    assert re.findall(r'class="review-line-text">([^<]+)<', page) == ["line 2", "line 1", "line 0"]
    assert "Read as: lime 2" in page and page.count(f'src="data:image/png;base64,{base64.b64encode(picture).decode()}"') == 3
    assert client.post("/review/lines/1/delete", headers=admin).status_code == 303
    assert [c.text for c in stored(app)] == ["line 1", "line 2"]
    with app.app_context():
        assert correction_store.count(correction_store.Correction) == 1  # the letter with id 1 stays
    assert client.post("/review/lines/2/delete").status_code == 400  # no token, no CSRF token
    assert len(stored(app)) == 2
    assert client.get("/review", headers={"X-Admin-Token": "owner-token", "Accept-Language": "es"}).get_data(
        as_text=True).count("correcciones de líneas guardadas") == 1


def test_export_writes_a_line_set_that_the_line_training_reader_reads(line_app, read_data, tmp_path):
    client = line_app.test_client()
    texts = {"1-1": "tall ’tis", "1-2": "lax €"}  # "’" is read as "'"; "€" is no character of the recognizer
    for key, corrected in texts.items():
        assert client.post("/corrections/line", data=form(read_data, key, corrected)).status_code == 201
    out = tmp_path / "out"
    result = line_app.test_cli_runner().invoke(args=["corrections", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 0 corrections" in result.output and "Wrote 2 line corrections" in result.output
    with gzip.open(out / "lines" / "index.jsonl.gz", "rt", encoding="utf-8") as file:
        rows = [json.loads(row) for row in file]
    assert [row["text"] for row in rows] == list(texts.values())
    with tarfile.open(out / "lines" / "lines.tar") as tar:
        assert tar.getnames() == [row["image"] for row in rows]
        first = np.asarray(Image.open(tar.extractfile(rows[0]["image"])), np.float32) / 255
    assert rows[0]["polygon"] == [[0, 0], [first.shape[1], 0], [first.shape[1], first.shape[0]], [0, first.shape[0]]]
    assert {"kind", "image", "writer", "page", "reading", "reader", "language", "model_version",
            "created_at"} <= set(rows[0])

    (line,) = folder_lines(out / "lines")  # the line with "€" is left out, as in the real sets
    assert line.text == normalize(texts["1-1"]) == "tall 'tis"
    # The trainer sees the line as the recognizer saw it on the page.
    seen = np.uint8(np.rint(line_input(find_page_lines(PAGE).lines[0].ink).pixels * 255))
    assert line.pixels.shape == seen.shape
    assert np.abs(line.pixels.astype(int) - seen).mean() < 1  # out of 255
    assert np.array_equal(line.pixels, np.uint8(np.rint(line_input(crop_ink(first, rows[0]["polygon"])).pixels * 255)))


def test_the_migration_adds_and_removes_the_table_on_sqlite(tmp_path):
    url = database_url(tmp_path)
    old = make_app(url, DATABASE_MIGRATE_ON_START=False)
    with old.app_context():
        database.upgrade("0002")
        assert not inspect(db.engine).has_table("line_corrections")
    app = make_app(url)
    with app.app_context():
        assert database.current_revision() == database.head_revision()
        assert "ix_line_corrections_created_at" in {i["name"] for i in inspect(db.engine).get_indexes("line_corrections")}
        assert_the_database_refuses_bad_rows()
        database.downgrade("0002")
        assert not inspect(db.engine).has_table("line_corrections")
        assert inspect(db.engine).has_table("corrections")


def assert_the_database_refuses_bad_rows():
    good = {"created_at": "2026-12-04 10:00:00", "picture": b"png", "text": "a line", "reading": "a lime",
            "reader": "lines", "language": "en", "model_version": "v"}
    insert = text("INSERT INTO line_corrections (created_at, picture, text, reading, reader, language, model_version) "
                  "VALUES (:created_at, :picture, :text, :reading, :reader, :language, :model_version)")
    for column, value in [("reader", "camera"), ("text", ""), ("text", "a" * (MAX_LINE_TEXT + 1)),
                          ("picture", bytes(MAX_LINE_PICTURE_BYTES + 1))]:
        with pytest.raises(DBAPIError, match="(?i)check constraint|value too long"), db.engine.begin() as connection:
            connection.execute(insert, {**good, column: value})
    with db.engine.begin() as connection:
        connection.execute(insert, good)


def test_postgresql_migrates_keeps_exports_and_downgrades(tmp_path):
    with Postgres() as server:
        url = server.new_database()
        old = make_app(url, DATABASE_MIGRATE_ON_START=False)
        with old.app_context():
            database.upgrade("0002")
        app = make_app(url)
        with app.app_context():
            assert db.engine.dialect.name == "postgresql"
            assert database.current_revision() == database.head_revision()
        client = app.test_client()
        _, data = read(client)
        assert client.post("/corrections/line", data=form(data, "1-2", "lax")).status_code == 201
        (row,) = stored(app)
        assert row.text == "lax" and Image.open(io.BytesIO(row.picture)).mode == "L"
        result = app.test_cli_runner().invoke(args=["corrections", "export", str(tmp_path / "out")])
        assert result.exit_code == 0 and "Wrote 1 line corrections" in result.output
        assert [line.text for line in folder_lines(tmp_path / "out" / "lines")] == ["lax"]
        with app.app_context():
            assert_the_database_refuses_bad_rows()
            database.downgrade("0002")
            assert not inspect(db.engine).has_table("line_corrections")


def test_a_blank_page_offers_nothing_to_send(line_app):
    response = line_app.test_client().post("/read/upload", data={
        "image": (io.BytesIO(encode(Image.new("L", (400, 200), 255))), "blank.png")})
    page = response.get_data(as_text=True)
    assert "No letters found" in page and "line-correction" not in page
