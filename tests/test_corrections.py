"""Corrections: the result page's form, what POST /corrections keeps and refuses, abuse limits,
the review page, and `flask corrections export`."""

import base64
import csv
import gzip
import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image

from conftest import csrf_token, database_url
from handwriting.frame import FRAME_SIZE
from handwriting.labels import LETTERS
from pictures import data_url
from harness.pictures import draw_letter, encode
from training.idx import IMAGES_FILE, INDEX_FILE, LABELS_FILE, read_idx
from webapp import correction_store, create_app
from webapp.artifacts import artifact
from webapp.correction_store import Correction
from webapp.db import db

X_PNG = encode(draw_letter("x"))
FIELDS = re.compile(r'<input id="feedback-(frame|guesses|source)" name="\w+" type="hidden" value="([^"]*)"')


def make_app(tmp_path, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "DATABASE_URL": database_url(tmp_path), **config})


def stored(app):
    with app.app_context():
        return db.session.scalars(db.select(Correction).order_by(Correction.id)).all()


def feedback_fields(response):
    """What the result page's feedback form posts besides the button pressed."""
    return dict(FIELDS.findall(response.get_data(as_text=True)))


def drawn(client, letter="x"):
    return feedback_fields(client.post("/draw", data={"drawing": data_url(encode(draw_letter(letter)))}))


def sent_frame(fields):
    """The frame the feedback form carries, as pixels."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(fields["frame"].split(",", 1)[1]))))


def frame_url(pixels, mode="L"):
    return data_url(encode(Image.fromarray(np.asarray(pixels, dtype=np.uint8)).convert(mode)))


def test_result_page_carries_the_frame_guesses_and_source_and_nothing_is_kept_before_a_click(client, app):
    fields = drawn(client)
    frame = sent_frame(fields)
    assert frame.shape == (FRAME_SIZE, FRAME_SIZE) and frame.dtype == np.uint8 and frame.max() > 200
    assert frame[0, 0] == 0  # white ink on black, as the model saw it
    assert fields["guesses"][0] == "x" and len(set(fields["guesses"])) == len(fields["guesses"]) == 5
    assert fields["source"] == "canvas"
    upload = client.post("/upload", data={"image": (io.BytesIO(X_PNG), "x.png")})
    assert feedback_fields(upload)["source"] == "upload"
    page = upload.get_data(as_text=True)
    assert "Never your picture, your IP address or a cookie" in page
    assert page.count('type="radio" name="letter"') == 25  # every letter but the model's own guess
    assert stored(app) == []


def test_blank_result_has_no_feedback_form(client):
    blank = encode(Image.new("L", (280, 280), 255))
    page = client.post("/draw", data={"drawing": data_url(blank)}).get_data(as_text=True)
    assert 'id="feedback"' not in page


def test_right_and_wrong_keep_what_the_page_says(client, app):
    fields = drawn(client)
    right = client.post("/corrections", data={**fields, "verdict": "right"})
    assert right.status_code == 201 and "the model was right, it was X" in right.get_data(as_text=True)
    wrong = client.post("/corrections?lang=es", data={**fields, "verdict": "wrong", "letter": "k"})
    assert wrong.status_code == 201
    first, second = stored(app)
    assert (first.label, second.label) == ("x", "k")
    assert first.model_was_right and not second.model_was_right
    assert first.guesses == fields["guesses"] and first.source == "canvas"
    assert (first.language, second.language) == ("en", "es")
    with app.test_request_context():
        metrics = artifact("metrics.json")
    assert first.model_version == f"{metrics['date']} {metrics['export']['keras_sha256'][:12]}"
    assert np.array_equal(first.pixels, sent_frame(fields))
    assert set(vars(first)) - {"_sa_instance_state"} == {
        "id", "created_at", "frame", "label", "guesses", "source", "model_version", "language"}


BAD = [
    ({"verdict": "wrong"}, "Choose the letter it was"),
    ({"verdict": "wrong", "letter": "A"}, "Choose the letter it was"),
    ({"verdict": "wrong", "letter": "ab"}, "Choose the letter it was"),
    ({"verdict": "wrong", "letter": "ä"}, "Choose the letter it was"),
    ({"verdict": "maybe"}, "Invalid value"),
    ({"verdict": "right", "guesses": "x1"}, "one to 5 different letters"),
    ({"verdict": "right", "guesses": "xx"}, "one to 5 different letters"),
    ({"verdict": "right", "guesses": "abcdef"}, "one to 5 different letters"),
    ({"verdict": "right", "guesses": "XYZ"}, "one to 5 different letters"),
    ({"verdict": "right", "source": "camera"}, "Invalid value"),
    ({"verdict": "right", "frame": "hello"}, "28×28 grey PNG"),
    ({"verdict": "right", "frame": frame_url(np.full((27, 28), 255))}, "28×28 grey PNG"),
    ({"verdict": "right", "frame": frame_url(np.full((28, 28), 255), "RGB")}, "28×28 grey PNG"),
    ({"verdict": "right", "frame": data_url(encode(Image.new("L", (28, 28), 255), "GIF"), "image/gif")},
     "28×28 grey PNG"),
    ({"verdict": "right", "frame": frame_url(np.zeros((28, 28)))}, "blank"),
    ({"verdict": "right", "frame": "data:image/png;base64," + "A" * 5000}, "Field cannot be longer"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_corrections_are_refused_with_a_message_and_kept_nowhere(client, app, change, message):
    response = client.post("/corrections", data={**drawn(client), **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app) == []


def test_the_form_needs_its_csrf_token(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client)
    page = client.post("/draw", data={"drawing": data_url(X_PNG), "csrf_token": token})
    fields = feedback_fields(page)
    assert client.post("/corrections", data={**fields, "verdict": "right"}).status_code == 400
    assert stored(csrf_app) == []
    form_token = re.search(r'id="feedback".*?name="csrf_token" type="hidden" value="([^"]+)"',
                           page.get_data(as_text=True), re.S)[1]
    ok = client.post("/corrections", data={**fields, "verdict": "right", "csrf_token": form_token})
    assert ok.status_code == 201 and len(stored(csrf_app)) == 1


def test_posts_are_rate_limited_per_client(tmp_path):
    app = make_app(tmp_path, CORRECTIONS_RATE_LIMIT="2 per minute")
    client = app.test_client()
    fields = drawn(client)
    assert [client.post("/corrections", data={**fields, "verdict": "right"}).status_code
            for _ in range(2)] == [201, 201]
    third = client.post("/corrections", data={**fields, "verdict": "right"})
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    assert "faster than we can take them" in third.get_data(as_text=True)
    other = client.post("/corrections", data={**fields, "verdict": "right"},
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 201
    assert len(stored(app)) == 3


def test_past_the_daily_cap_posts_answer_503_until_tomorrow(tmp_path):
    app = make_app(tmp_path, CORRECTIONS_PER_DAY=3)
    client = app.test_client()
    fields = drawn(client)
    statuses = [client.post("/corrections", data={**fields, "verdict": "right"}).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 503, 503]
    full = client.post("/corrections", data={**fields, "verdict": "right"})
    assert "kept all the corrections we take in a day" in full.get_data(as_text=True)
    assert 0 < int(full.headers["Retry-After"]) <= 86_401
    assert len(stored(app)) == 3


def test_usage_counts_how_often_the_model_was_right_per_letter(client, app):
    fields = drawn(client)
    second, sixth = fields["guesses"][1], next(letter for letter in LETTERS if letter not in fields["guesses"])
    for verdict, letter in [("right", ""), ("right", ""), ("wrong", second), ("wrong", sixth), ("wrong", "x")]:
        assert client.post("/corrections", data={**fields, "verdict": verdict, "letter": letter}).status_code == 201
    with app.app_context():
        usage = correction_store.usage()
    assert (usage.count, usage.right, usage.top3) == (5, 3, 4)
    assert usage.per_letter == {"x": (3, 3), second: (1, 0), sixth: (1, 0)}


def picker_letters(page):
    return re.findall(r'<input type="radio" name="letter" value="([a-z])"', page)


def test_the_picker_lists_the_other_guesses_first_then_the_rest_of_a_to_z(client):
    page = client.post("/draw", data={"drawing": data_url(X_PNG)}).get_data(as_text=True)
    guesses = feedback_fields(client.post("/draw", data={"drawing": data_url(X_PNG)}))["guesses"]
    assert picker_letters(page) == [*guesses[1:], *(letter for letter in LETTERS if letter not in guesses)]
    assert "The model's other guesses" in page and "Other letters" in page


UNDO_TOKEN = re.compile(r'id="undo-token" name="token" type="hidden" value="([^"]+)"')


def sent(client, **change):
    """Send a "wrong, it was k" correction; the thank-you page."""
    response = client.post("/corrections", data={**drawn(client), "verdict": "wrong", "letter": "k", **change})
    assert response.status_code == 201
    return response.get_data(as_text=True)


def test_a_correction_can_be_undone_from_its_thank_you_page(client, app):
    page = sent(client)
    assert "You can take it back within 5 minutes" in page
    kept_too = sent(client)
    assert len(stored(app)) == 2
    undone = client.post("/corrections/undo", data={"token": UNDO_TOKEN.search(page)[1]})
    assert undone.status_code == 200 and "The correction was taken back" in undone.get_data(as_text=True)
    assert [row.id for row in stored(app)] == [2]  # the other correction stays
    again = client.post("/corrections/undo", data={"token": UNDO_TOKEN.search(page)[1]})
    assert again.status_code == 200 and "already taken back" in again.get_data(as_text=True)
    assert client.post("/corrections/undo?lang=es", data={"token": UNDO_TOKEN.search(kept_too)[1]}).status_code == 200
    assert stored(app) == []


def test_after_the_undo_time_the_correction_is_kept(client, app, monkeypatch):
    token = UNDO_TOKEN.search(sent(client))[1]
    later = time.time() + app.config["CORRECTIONS_UNDO_SECONDS"] + 2
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    late = client.post("/corrections/undo", data={"token": token})
    assert late.status_code == 403 and "Too late to undo" in late.get_data(as_text=True)
    assert len(stored(app)) == 1


@pytest.mark.parametrize("token", ["", "1", "forged"], ids=["missing", "unsigned", "tampered"])
def test_undo_refuses_a_token_it_did_not_sign(client, app, token):
    signed = UNDO_TOKEN.search(sent(client))[1]
    token = signed[:-2] + ("AA" if signed[-2:] != "AA" else "BB") if token == "forged" else token
    refused = client.post("/corrections/undo", data={"token": token})
    assert refused.status_code == 400 and 'id="error"' in refused.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_a_token_signed_with_another_secret_undoes_nothing(tmp_path):
    first = make_app(tmp_path)
    token = UNDO_TOKEN.search(sent(first.test_client()))[1]
    other = make_app(tmp_path, SECRET_KEY="another secret")
    assert other.test_client().post("/corrections/undo", data={"token": token}).status_code == 400
    assert len(stored(first)) == 1


def test_undo_needs_the_csrf_token_of_the_page(csrf_app):
    client = csrf_app.test_client()
    page = client.post("/draw", data={"drawing": data_url(X_PNG), "csrf_token": csrf_token(client)})
    form_token = re.search(r'id="feedback".*?name="csrf_token" type="hidden" value="([^"]+)"',
                           page.get_data(as_text=True), re.S)[1]
    thanks = client.post("/corrections", data={**feedback_fields(page), "verdict": "right", "csrf_token": form_token})
    text = thanks.get_data(as_text=True)
    undo_token = UNDO_TOKEN.search(text)[1]
    assert client.post("/corrections/undo", data={"token": undo_token}).status_code == 400
    assert len(stored(csrf_app)) == 1
    csrf = re.search(r'id="undo-form".*?name="csrf_token" type="hidden" value="([^"]+)"', text, re.S)[1]
    assert client.post("/corrections/undo", data={"token": undo_token, "csrf_token": csrf}).status_code == 200
    assert stored(csrf_app) == []


# The review page.

def admin_app(tmp_path, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url(tmp_path),
                       "ADMIN_TOKEN": "owner-token", **config})


def add_corrections(app, labels):
    with app.app_context():
        for label in labels:
            frame = np.zeros((FRAME_SIZE, FRAME_SIZE), np.uint8)
            frame[8:20, 12:16] = 255
            correction_store.add(frame, label, "xyz", "upload", "v1", "en", cap=10_000)


@pytest.mark.parametrize(("method", "path"), [("GET", "/review"), ("POST", "/review/login"),
                                              ("POST", "/review/logout"), ("POST", "/review/1/delete")])
def test_review_is_off_without_an_admin_token(client, method, path):
    response = client.open(path, method=method, headers={"X-Admin-Token": ""})
    assert response.status_code == 404


def test_review_asks_for_the_token_and_lists_corrections_as_pictures(tmp_path):
    app = admin_app(tmp_path)
    add_corrections(app, "abc")
    client = app.test_client()
    login_page = client.get("/review").get_data(as_text=True)
    assert 'name="token"' in login_page and "review-item" not in login_page
    wrong = client.post("/review/login", data={"token": "guess", "csrf_token": csrf_token(client, "/review")})
    assert wrong.status_code == 403 and "not the admin token" in wrong.get_data(as_text=True)
    assert client.post("/review/login", data={"token": "owner-token"}).status_code == 400  # no CSRF token
    ok = client.post("/review/login", data={"token": "owner-token", "csrf_token": csrf_token(client, "/review")})
    assert ok.status_code == 303
    page = client.get("/review").get_data(as_text=True)
    assert page.count('class="review-item"') == 3
    assert page.count('src="data:image/png;base64,') == 3
    assert page.index('data-id="3"') < page.index('data-id="1"')  # newest first
    header_client = app.test_client()
    assert header_client.get("/review", headers={"X-Admin-Token": "owner-token"}).get_data(
        as_text=True).count('class="review-item"') == 3
    assert "review-item" not in header_client.get("/review", headers={"X-Admin-Token": "owner-tokeN"}).get_data(
        as_text=True)


def test_review_pages_through_older_corrections(tmp_path):
    app = admin_app(tmp_path, REVIEW_PAGE_SIZE=2)
    add_corrections(app, "abcde")
    client = app.test_client()
    headers = {"X-Admin-Token": "owner-token"}
    first = client.get("/review", headers=headers).get_data(as_text=True)
    assert re.findall(r'data-id="(\d+)"', first) == ["5", "4"]
    older = re.search(r'id="older" href="([^"]+)"', first)[1]
    assert re.findall(r'data-id="(\d+)"', client.get(older, headers=headers).get_data(as_text=True)) == ["3", "2"]


def test_review_deletes_with_a_csrf_protected_post(tmp_path):
    app = admin_app(tmp_path)
    add_corrections(app, "ab")
    client = app.test_client()
    client.post("/review/login", data={"token": "owner-token", "csrf_token": csrf_token(client, "/review")})
    assert client.post("/review/1/delete").status_code == 400  # no CSRF token
    assert [c.label for c in stored(app)] == ["a", "b"]
    token = csrf_token(client, "/review")
    assert client.post("/review/1/delete", data={"csrf_token": token}).status_code == 303
    assert [c.label for c in stored(app)] == ["b"]
    stranger = app.test_client()
    assert stranger.post("/review/2/delete", data={"csrf_token": csrf_token(stranger, "/review")}).status_code == 403
    # A script with the token in a header (which another site cannot make a browser send).
    assert app.test_client().post("/review/2/delete", headers={"X-Admin-Token": "owner-token"}).status_code == 303
    assert stored(app) == []
    client.post("/review/logout", data={"csrf_token": token})
    assert "review-list" not in client.get("/review").get_data(as_text=True)


def test_a_new_token_logs_everyone_out(tmp_path):
    app = admin_app(tmp_path)
    client = app.test_client()
    client.post("/review/login", data={"token": "owner-token", "csrf_token": csrf_token(client, "/review")})
    assert 'id="review-heading"' in client.get("/review").get_data(as_text=True)
    app.config["ADMIN_TOKEN"] = "a-new-token"
    assert 'name="token"' in client.get("/review").get_data(as_text=True)


# Export.

def test_export_writes_a_training_folder_like_the_shared_data(tmp_path, app):
    add_corrections(app, "azm")
    out = tmp_path / "exported"
    result = app.test_cli_runner().invoke(args=["corrections", "export", str(out)])
    assert result.exit_code == 0 and "Wrote 3 corrections" in result.output
    with gzip.open(out / IMAGES_FILE, "rb") as f:
        assert int.from_bytes(f.read(4), "big") == 2051
    with gzip.open(out / LABELS_FILE, "rb") as f:
        assert int.from_bytes(f.read(4), "big") == 2049
    images, labels = read_idx(out / IMAGES_FILE), read_idx(out / LABELS_FILE)
    assert images.shape == (3, 28, 28) and images.dtype == np.uint8
    assert images[0, 0, 0] == 0 and images[0, 10, 13] == 255  # white ink on black
    assert labels.tolist() == [1, 26, 13]
    with gzip.open(out / INDEX_FILE, "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["label"], r["char"], r["source"], r["model_version"]) for r in rows] == [
        ("1", "a", "upload", "v1"), ("26", "z", "upload", "v1"), ("13", "m", "upload", "v1")]
    assert rows[0]["created_at"].endswith("Z") and rows[0]["language"] == "en"
    assert LETTERS[labels[2] - 1] == "m"


def test_exported_corrections_train_a_model_that_learns_them(tmp_path, app):
    """Export -> train round trip: shapes no base letter looks like, corrected to "m" and "t",
    fill half of every batch of a smoke run, and the model reads them afterwards."""
    import keras

    from fake_data import make_data_dir
    from training import train

    rng = np.random.default_rng(0)
    with app.app_context():
        for i in range(40):
            frame = np.zeros((FRAME_SIZE, FRAME_SIZE), np.uint8)
            top, left = rng.integers(4, 9, size=2)
            if i % 2:
                frame[top : top + 14, left : left + 14] = 255  # a filled square, said to be an m
            else:
                frame[12:16, left : left + 16] = 255  # a flat bar, said to be a t
            correction_store.add(frame, "tm"[i % 2], "ol", "canvas", "v1", "en", cap=1000)
    out = tmp_path / "exported"
    assert app.test_cli_runner().invoke(args=["corrections", "export", str(out)]).exit_code == 0

    models = tmp_path / "models"
    train.main(["--data-dir", str(make_data_dir(tmp_path / "data")), "--output", str(models),
                "--epochs", "3", "--samples-per-epoch", "416", "--batch-size", "32", "--workers", "1",
                "--no-evaluate", "--extra-data", str(out), "--extra-share", "0.5"])

    data = json.loads((models / "metrics.json").read_text())["training"]["data"]
    assert data["extra: exported"] == {"train": 40, "validation": 0}
    model = keras.models.load_model(models / train.MODEL_FILE)
    frames, labels = read_idx(out / IMAGES_FILE), read_idx(out / LABELS_FILE) - 1
    predicted = model.predict(frames[..., None].astype("float32") / 255.0, verbose=0).argmax(axis=1)
    assert (predicted == labels).mean() >= 0.9


IN_USE = "In use: people’s corrections"


def test_stats_show_accuracy_in_use_next_to_the_evaluation_sets(client):
    fields = drawn(client)  # guesses x, y, z, k, t
    for verdict, letter in [("right", ""), ("right", ""), ("wrong", "k")]:
        assert client.post("/corrections", data={**fields, "verdict": verdict, "letter": letter}).status_code == 201
    page = client.get("/stats").get_data(as_text=True)
    row = re.search(rf'<th scope="row">{IN_USE}</th>(.*?)</tr>', page, re.S)[1]
    assert [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] == ["3", "66.7%", "66.7%"]
    per_letter = json.loads(re.search(r'id="per-letter-data">(.*?)</script>', page, re.S)[1])
    in_use = per_letter["sets"][IN_USE]
    assert in_use["x"] == 1.0 and in_use["k"] == 0.0 and in_use["a"] is None
    assert "EMNIST letters" in per_letter["sets"]  # beside the evaluation sets (by their plain names)
    assert "3 corrections" in page


def test_stats_without_corrections_or_without_a_database(client, tmp_path):
    page = client.get("/stats").get_data(as_text=True)
    row = re.search(rf'<th scope="row">{IN_USE}</th>(.*?)</tr>', page, re.S)[1]
    assert re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0].strip() == "0"
    assert IN_USE not in re.search(r'id="per-letter-data">(.*?)</script>', page, re.S)[1]
    (tmp_path / "gone.sqlite3").mkdir()
    broken = make_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'gone.sqlite3'}").test_client()
    response = broken.get("/stats")
    assert response.status_code == 200 and IN_USE not in response.get_data(as_text=True)
