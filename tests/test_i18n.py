"""English and Spanish (webapp/i18n.py): the catalogs, the language choice, every page in Spanish,
numbers by locale, the API's messages and the letters Spanish writers use."""

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_translations
from PIL import Image

from harness.pictures import draw_letter, encode
from pictures import MARKS, SMALL, data_url, draw_strokes
from handwriting.classifier import N_, Reason
from webapp import create_app, i18n

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
METRICS = json.loads((ROOT / "models" / "metrics.json").read_text(encoding="utf-8"))
A_PNG = encode(draw_letter("a"))
SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}
# Sentences of the templates that a Spanish page must not show (besides every catalog message).
ENGLISH = ["Which letter is it?", "Draw a letter", "Upload a picture", "Read a word", "Model stats",
           "Skip to the content", "Best guess", "What the model saw", "How the model learned",
           "Show the numbers", "Draw another letter", "How good is the model?", "Accuracy on test sets",
           "Which letters get mixed up", "Most confused pairs", "Architecture", "Model card",
           "Training data", "There is no such page", "Drop a picture here", "Shortcuts:", "parameters",
           "times", "Trained on"]


def spanish_catalog():
    with CATALOG.open("rb") as f:
        return read_po(f)


def texts(html):
    """What a person reads or hears of a page: its text, titles, labels and alternatives."""
    html = re.sub(r"<script\b[^>]*>.*?</script>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)  # "English" in the switcher
    attributes = re.findall(r'\b(?:alt|title|aria-label|aria-roledescription|placeholder|content)="([^"]*)"', html)
    return unescape(re.sub(r"\s+", " ", " ".join([re.sub(r"<[^>]+>", " ", html)] + attributes)))


def english_left(html):
    """The English sentences (catalog messages with a different translation, and ENGLISH) still in a page."""
    page = texts(html)
    messages = [m.id for m in spanish_catalog() if isinstance(m.id, str) and m.id and m.string != m.id
                and "%(" not in m.id and re.search(r"[A-Za-z]{3}", m.id)]
    return [text for text in ENGLISH + messages
            if re.search(r"(?<![\w-])" + re.escape(unescape(re.sub(r"<[^>]+>", "", text))) + r"(?![\w-])", page)]


def result_page(client, **headers):
    return client.post("/draw", data={"drawing": data_url(A_PNG)}, headers=headers, follow_redirects=True)


# ---------- The catalog ----------

def test_every_spanish_message_is_translated_and_not_fuzzy():
    catalog = spanish_catalog()
    assert len(catalog) > 100
    problems = [m.id for m in catalog if m.id and (m.fuzzy or not all(
        [m.string] if isinstance(m.string, str) else m.string))]
    assert problems == [], "empty or fuzzy msgstr in es: translate them (make i18n-update, then edit the .po)"


def test_translations_keep_every_placeholder():
    for message in spanish_catalog():
        if message.id:
            python_format(spanish_catalog(), message)  # raises TranslationError on a mismatch
            ids = [message.id] if isinstance(message.id, str) else message.id
            strings = [message.string] if isinstance(message.string, str) else message.string
            assert {p for s in strings for p in re.findall(r"%\(\w+\)", s)} == \
                {p for s in ids for p in re.findall(r"%\(\w+\)", s)}, message.id


def test_catalog_holds_every_string_of_the_code_and_templates():
    """A string wrapped in _() but not extracted (make i18n-update) would show in English."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    in_code = set()
    for folder in ("webapp", "templates"):
        for _filename, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map, options_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                                                  "_l": None, "lazy_gettext": None}):
            in_code.add(message if isinstance(message, str) else tuple(message))
    for _line, message, _comments, _context in extract_from_file(  # the model-loading messages
            "python", ROOT / "handwriting" / "classifier.py", keywords={"N_": None}):
        in_code.add(message)
    in_catalog = {m.id if isinstance(m.id, str) else tuple(m.id) for m in spanish_catalog() if m.id}
    assert sorted(map(str, in_code - in_catalog)) == [], "run make i18n-update and translate"


def test_compiled_catalog_is_the_one_served(app):
    """The app answers with the .po's translations: the .mo is built (make i18n-compile) and current."""
    with app.test_request_context(), force_locale("es"):
        translations = get_translations()
        for message in spanish_catalog():
            if isinstance(message.id, str) and message.id:
                assert translations.ugettext(message.id) == message.string, "run make i18n-compile"
            elif message.id:
                for n, form in ((1, 0), (2, 1)):
                    assert translations.ungettext(*message.id, n) == message.string[form], "run make i18n-compile"


# ---------- Choosing the language ----------

@pytest.mark.parametrize("headers, expected", [
    ({}, "en"),
    ({"Accept-Language": "es"}, "es"),
    ({"Accept-Language": "es-MX,es;q=0.8,en;q=0.5"}, "es"),
    ({"Accept-Language": "fr-FR,fr;q=0.9"}, "en"),
    ({"Accept-Language": "de, en-GB;q=0.7, es;q=0.5"}, "en"),
])
def test_accept_language_or_english(client, headers, expected):
    response = client.get("/", headers=headers)
    assert f'<html lang="{expected}">' in response.get_data(as_text=True)
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_lang_parameter_is_remembered_in_a_cookie(client):
    response = client.get("/stats?lang=es")
    assert '<html lang="es">' in response.get_data(as_text=True)
    cookie = client.get_cookie("lang")
    assert cookie.value == "es" and cookie.http_only and cookie.same_site == "Lax" and cookie.max_age > 0
    # Later pages without ?lang, even with an English browser, stay Spanish; ?lang=en switches back.
    assert '<html lang="es">' in client.get("/read", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert client.get_cookie("lang").value == "en"


def test_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx", headers=SPANISH)
    assert '<html lang="es">' in response.get_data(as_text=True)
    assert client.get_cookie("lang") is None
    client.set_cookie("lang", "<script>")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_switcher_on_every_page_links_to_the_same_page(client):
    for path in ["/", "/read", "/stats", "/nowhere"]:
        html = client.get(path).get_data(as_text=True)
        switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S)[0]
        links = dict(re.findall(r'href="([^"]+)"[^>]*lang="(\w+)"', switcher))
        assert set(links.values()) == {"en", "es"}, path
        assert f"{path}?lang=es" in {unescape(href) for href in links}, path
        assert ">Español<" in switcher and ">English<" in switcher and 'aria-current="true"' in switcher


def test_switcher_on_a_result_page_leads_to_a_page_that_can_be_fetched(client):
    html = result_page(client).get_data(as_text=True)
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S)[0]
    for href in re.findall(r'href="([^"]+)"', switcher):
        assert client.get(unescape(href)).status_code == 200, href


def test_choice_survives_the_result_page_and_the_error_pages(client):
    client.get("/?lang=es")
    html = result_page(client).get_data(as_text=True)
    assert '<html lang="es">' in html and "Opción más probable" in html
    for response in (client.get("/nowhere"),
                     client.post("/upload", data={"image": (io.BytesIO(b"hello"), "notes.txt")},
                                 content_type="multipart/form-data"),
                     client.post("/read/draw", data={"drawing": ""})):
        html = response.get_data(as_text=True)
        assert response.status_code >= 400 and '<html lang="es">' in html
        assert english_left(html) == []


def test_the_api_neither_reads_nor_sets_the_cookie(client):
    client.set_cookie("lang", "es")
    response = client.post("/api/predict", data=b"hello", content_type="text/plain")
    assert response.get_json()["error"].startswith("Send multipart/form-data")
    response = client.post("/api/predict?lang=es", data=b"hello", content_type="text/plain")
    assert response.get_json()["error"].startswith("Envía multipart/form-data")
    assert "Set-Cookie" not in response.headers and client.get_cookie("lang").value == "es"
    assert "Accept-Language" in response.vary


# ---------- Every page in Spanish ----------

@pytest.mark.parametrize("path", ["/", "/read", "/stats", "/nowhere"])
def test_pages_in_spanish_have_no_english_left(client, path):
    response = client.get(path, headers=SPANISH)
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert english_left(html) == []


def test_result_pages_in_spanish(client):
    html = result_page(client, **SPANISH).get_data(as_text=True)
    assert english_left(html) == [] and "Las 5 opciones más probables" in html
    blank = client.post("/draw", data={"drawing": data_url(encode(Image.new("L", (280, 280), 255)))},
                        headers=SPANISH, follow_redirects=True).get_data(as_text=True)
    assert english_left(blank) == [] and "No se encontró ninguna letra" in blank


def test_page_titles_are_translated(client):
    titles = {path: re.search(r"<title>(.*?)</title>", client.get(path, headers=SPANISH).get_data(as_text=True),
                              re.S)[1] for path in ["/", "/stats"]}
    assert titles["/"].strip() == "Escáner de letras"
    assert "Estadísticas del modelo" in titles["/stats"]


def test_script_messages_are_in_the_page_language(client):
    def messages(headers):
        html = client.get("/stats", headers=headers).get_data(as_text=True)
        return json.loads(re.search(r'<script type="application/json" id="js-messages">(.*?)</script>', html, re.S)[1])

    english, spanish = messages({}), messages(SPANISH)
    assert english.keys() == spanish.keys()
    assert english["chart_accuracy"] == "Accuracy" and spanish["chart_accuracy"] == "Acierto"
    for key in english:  # the placeholders the scripts fill are handed on, in both languages
        assert set(re.findall(r"%\(\w+\)s", english[key])) == set(re.findall(r"%\(\w+\)s", spanish[key])), key
    assert spanish["size_mb"] == "%(size)s\xa0MB"


def test_upload_formats_are_listed_the_spanish_way(client):
    html = client.get("/", headers=SPANISH).get_data(as_text=True)
    assert "PNG, JPEG, GIF, BMP, WebP, TIFF o HEIC, hasta 25\xa0MB." in html  # no line break inside "25 MB"


def test_model_card_follows_the_language(client):
    assert "Qué hace" in client.get("/stats", headers=SPANISH).get_data(as_text=True)
    english = client.get("/stats").get_data(as_text=True)
    assert "What it does" in english and "Qué hace" not in english


def test_model_card_falls_back_to_english(tmp_path):
    (tmp_path / "MODEL_CARD.md").write_text("# Card\n\n## What it does\nReads letters.\n", encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "MODEL_PATH": str(tmp_path / "letter_cnn.keras")})
    html = app.test_client().get("/stats", headers=SPANISH).get_data(as_text=True)
    assert "Reads letters." in html and '<html lang="es">' in html


# ---------- Numbers and dates ----------

@pytest.mark.parametrize("locale, expected", [
    ("en", {"percent": "94.1%", "number": "14,800", "megabytes": "7.2 MB", "decimal": "0.123",
            "significant": "0.00025", "duration": "35 min 24 s", "date": "Nov 23, 2026"}),
    ("es", {"percent": "94,1\xa0%", "number": "14.800", "megabytes": "7,2\xa0MB", "decimal": "0,123",
            "significant": "0,00025", "duration": "35\xa0min 24\xa0s", "date": "23 nov 2026"}),
])
def test_numbers_and_dates_follow_the_locale(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert i18n.percent(0.9406) == expected["percent"]
        assert i18n.number(14800) == expected["number"]
        assert i18n.megabytes(7_203_664) == expected["megabytes"]
        assert i18n.decimal(0.12345) == expected["decimal"]
        assert i18n.significant(0.000251) == expected["significant"]
        assert i18n.duration(2124) == expected["duration"]
        assert i18n.date_time("2026-11-23T21:15:56+00:00").startswith(expected["date"])
        assert i18n.percent(None) == i18n.number("x") == i18n.MISSING
        assert i18n.date_time("last week") == "last week"


def test_stats_tables_use_the_locale(client):
    top1 = METRICS["evaluation"]["emnist-letters"]["top1"]
    count = METRICS["evaluation"]["emnist-letters"]["count"]
    spanish = client.get("/stats", headers=SPANISH).get_data(as_text=True)
    english = client.get("/stats").get_data(as_text=True)
    assert f"{top1 * 100:.1f}".replace(".", ",") + "\xa0%" in spanish
    assert f"{top1 * 100:.1f}%" in english
    assert f"{count:,}".replace(",", ".") in spanish and f"{count:,}" in english


# ---------- The API ----------

@pytest.mark.parametrize("send, code, english, spanish", [
    (dict(data=b"hello", content_type="text/plain"), "unsupported_type", "Send multipart", "Envía multipart"),
    (dict(json={"image": "data:image/png;base64,"}), "empty", "The file is empty.", "El archivo está vacío."),
    (dict(json={"image": data_url(b"not a picture")}), "unsupported_type", "That is not a picture",
     "No es una imagen que podamos leer: envía un archivo PNG, JPEG, GIF, BMP, WebP, TIFF o HEIC."),
    (dict(json={"picture": 1}), "malformed", "Send JSON like", "Envía un JSON como"),
])
def test_api_errors_keep_their_code_and_speak_the_client_language(client, send, code, english, spanish):
    answers = {}
    for language, headers in (("en", {}), ("es", SPANISH)):
        response = client.post("/api/predict", headers=headers, **send)
        answers[language] = response.get_json()
        assert answers[language]["code"] == code and "Set-Cookie" not in response.headers
    assert answers["en"]["error"].startswith(english)
    assert answers["es"]["error"].startswith(spanish)


def test_api_unknown_url_in_spanish(client):
    answer = client.get("/api/nowhere", headers=SPANISH).get_json()
    assert answer == {"code": "not_found", "error": "Esa página no existe."}


# ---------- Letters Spanish writers use ----------

def top_guess(client, image):
    predictions = client.post("/api/predict", json={"image": data_url(encode(image))}).get_json()["predictions"]
    return predictions[0]["letter"]


@pytest.mark.parametrize("width", [10, 14, 20])
@pytest.mark.parametrize("letter, mark", [("n", "tilde"), ("a", "acute"), ("a", "grave")])
def test_accented_letters_read_as_their_base_letter(client, letter, mark, width):
    """ñ, á and à drawn on the canvas give n and a (without the mark dropped they read a, d, d)."""
    assert top_guess(client, draw_strokes(SMALL[letter], width)) == letter
    assert top_guess(client, draw_strokes(SMALL[letter] + MARKS[mark], width)) == letter


def test_pages_say_that_accents_are_not_read(client):
    assert "la Ñ como N" in client.get("/", headers=SPANISH).get_data(as_text=True)
    assert "Ñ as N" in client.get("/").get_data(as_text=True)


def test_a_refused_form_says_why_in_spanish(csrf_app):
    client = csrf_app.test_client()
    html = client.post("/draw", data={"drawing": data_url(A_PNG)}, headers=SPANISH).get_data(as_text=True)
    assert "falta el código de seguridad del formulario" in html and english_left(html) == []


def test_not_a_letter_notice_in_spanish(client):
    noise = Image.frombytes("1", (280, 280), bytes(range(256)) * 39)  # a fine pattern, not a letter
    html = client.post("/draw", data={"drawing": data_url(encode(noise.convert("L")))}, headers=SPANISH,
                       follow_redirects=True).get_data(as_text=True)
    notice = re.search(r'id="not-a-letter"[^>]*>(.*?)</div>', html, re.S)
    assert notice and english_left(html) == []
    assert re.search(r"No parece|Parece", notice[1])


# ---------- The models' reasons ----------

def test_a_reason_is_english_text_that_the_page_translates_with_its_parameters(app):
    inner = Reason(N_("%(file)s could not be loaded (%(problem)s)"), file="x.tflite", problem="bad header")
    reason = Reason(N_("LiteRT refused: %(reason)s"), reason=inner)
    assert reason == "LiteRT refused: x.tflite could not be loaded (bad header)"  # logs, JSON, the command line
    with app.test_request_context("/?lang=es"):
        assert i18n.translated(reason) == "LiteRT lo rechazó: no se pudo cargar x.tflite (bad header)"
        assert i18n.translated("as it is") == "as it is" and i18n.translated(None) is None
    with app.test_request_context("/?lang=en"):
        assert i18n.translated(reason) == reason


def test_spanish_stats_say_which_runtime_serves_in_spanish(client):
    html = unescape(client.get("/stats", headers=SPANISH).get_data(as_text=True))
    runtime = re.search(r'id="model-runtime">([^<]*)', html)[1]
    assert runtime == "Lo sirve LiteRT: letter_cnn.tflite coincide con la huella de letter_cnn.keras que guarda metrics.json."


def test_an_unavailable_model_is_explained_in_the_page_language(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "MODEL_PATH": str(tmp_path / "letter_cnn.keras"),
                      "MODEL_RUNTIME": "litert"})
    client = app.test_client()
    banner = unescape(client.get("/", headers=SPANISH).get_data(as_text=True)).split('id="model-error"')[1]
    assert "El modelo LiteRT no puede servir: falta letter_cnn.tflite" in banner and "is missing" not in banner
    answer = client.post("/api/predict", data={"image": (io.BytesIO(A_PNG), "a.png")}, headers=SPANISH)
    assert answer.status_code == 503 and "falta letter_cnn.tflite" in answer.get_json()["error"]
    health = client.get("/healthz").get_json()  # English unless asked for another language
    assert health["error"].startswith("The LiteRT model cannot serve: letter_cnn.tflite is missing")
    assert client.get("/healthz", headers=SPANISH).get_json()["error"].startswith(
        "El modelo LiteRT no puede servir: falta letter_cnn.tflite")


def test_healthz_says_why_a_runtime_serves_in_the_asked_language(client):
    assert client.get("/healthz").get_json()["runtime_reason"].endswith("matches the fingerprint of "
                                                                         "letter_cnn.keras in metrics.json")
    spanish = client.get("/healthz", headers=SPANISH).get_json()
    assert spanish["runtime_reason"] == "letter_cnn.tflite coincide con la huella de letter_cnn.keras que guarda metrics.json"
    assert "coincide con la huella" in spanish["line_model"]["runtime_reason"]
