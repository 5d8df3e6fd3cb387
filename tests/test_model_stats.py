import json
import math
from pathlib import Path

import pytest

from handwriting.labels import LETTERS
from webapp import create_app
from webapp.model_stats import CONFUSION_SET, DATA_SETS, DataSet, data_set, stats_page

MODELS = Path(__file__).resolve().parent.parent / "models"
METRICS = json.loads((MODELS / "metrics.json").read_text(encoding="utf-8"))
HISTORY = json.loads((MODELS / "history.json").read_text(encoding="utf-8"))
LAYERS = [{"name": "conv", "type": "Conv2D", "output_shape": "(None, 28, 28, 32)", "params": 320},
          {"name": "dense", "type": "Dense", "output_shape": "(None, 26)", "params": 3354}]


def test_shipped_metrics_are_all_shown():
    page = stats_page(METRICS, HISTORY, LAYERS)
    evaluation = METRICS["evaluation"]
    assert page.has_metrics
    assert [row["head"] for row in page.evaluation] == [DATA_SETS[name] for name in evaluation]
    for row, result in zip(page.evaluation, evaluation.values()):
        assert row["cells"] == [result[key] for key in ("count", "top1", "top3")]
    with_letters = [name for name, result in evaluation.items() if "per_letter" in result]
    assert list(page.per_letter["sets"]) == [DATA_SETS[name].name for name in with_letters]
    assert page.per_letter["letters"] == list(LETTERS)
    assert [row["head"] for row in page.per_letter_rows] == list(LETTERS)
    assert page.per_letter_rows[6]["cells"] == [evaluation[name]["per_letter"]["g"] for name in with_letters]
    assert page.confusion["matrix"] == evaluation[CONFUSION_SET]["confusion"]
    assert page.most_confused == evaluation[CONFUSION_SET]["most_confused"]
    source, counts = next(iter(METRICS["training"]["data"].items()))
    assert page.training_data[0] == {"head": DATA_SETS[source], "cells": [counts["train"], counts["validation"]]}
    assert page.parameters == page.total_parameters == METRICS["parameters"]
    assert {"label": "Epochs run", "value": str(METRICS["training"]["epochs_run"]), "kind": "text"} in page.facts
    assert [row["name"] for row in page.versions] == list(METRICS["versions"])
    assert page.history == HISTORY
    assert page.layers == [{"head": layer["name"], "cells": [layer["type"], layer["output_shape"], layer["params"]]}
                           for layer in LAYERS]


def test_rows_without_test_pictures_are_named():
    matrix = METRICS["evaluation"][CONFUSION_SET]["confusion"]
    covered = [letter for letter, row in zip(LETTERS, matrix) if sum(row)]
    page = stats_page(METRICS, HISTORY, LAYERS)
    assert [row["head"] for row in page.confusion_rows if row["cells"] is not None] == covered
    if len(covered) < len(LETTERS):
        assert page.confusion_coverage == f"{covered[0]}–{covered[-1]}"


@pytest.mark.parametrize("metrics", [None, {}, [], "not a mapping", {"evaluation": "x", "training": 3}])
def test_missing_metrics_give_an_empty_page(metrics):
    page = stats_page(metrics, None, None)
    assert page.evaluation == [] and page.per_letter is None and page.confusion is None
    assert page.confusion_rows == [] and page.most_confused == [] and page.training_data == []
    assert page.layers == [] and page.total_parameters is None and page.history is None
    assert page.has_metrics == (isinstance(metrics, dict) and bool(metrics)) and page.facts == [] and page.versions == []


def test_partial_and_malformed_metrics_are_cleaned():
    metrics = {
        "parameters": "many",
        "evaluation": {
            "set-a": {"count": 10, "top1": math.nan, "per_letter": {"a": 0.5, "b": "x"}},
            "set-b": "not a result",
            CONFUSION_SET: {"confusion": [[3, 1], "bad row", [0, 0, 2.0, -4, None]],
                            "most_confused": [{"true": "a", "predicted": "b", "count": 1}, 7, {"true": "c"}]},
        },
        "training": {"data": {"pen": 100, "scans": {"validation": 5}}, "epochs_run": 4, "seed": True},
    }
    page = stats_page(metrics, [{"epoch": 1}, "junk"], LAYERS + ["junk", {"name": "odd", "params": "?"}])
    assert page.evaluation == [{"head": DataSet("set-a"), "cells": [10, None, None]},
                               {"head": DATA_SETS[CONFUSION_SET], "cells": [None, None, None]}]
    assert page.per_letter["sets"] == {"set-a": {letter: 0.5 if letter == "a" else None for letter in LETTERS}}
    matrix = page.confusion["matrix"]
    assert len(matrix) == len(LETTERS) and all(len(row) == len(LETTERS) for row in matrix)
    assert matrix[0][:3] == [3, 1, 0] and matrix[2][:5] == [0, 0, 2, 0, 0] and sum(map(sum, matrix)) == 6
    assert page.confusion_coverage == "a, c"
    assert page.most_confused == [{"true": "a", "predicted": "b", "count": 1}]
    assert page.training_data == [{"head": DataSet("pen"), "cells": [100, None]},
                                  {"head": DataSet("scans"), "cells": [None, 5]}]
    assert page.parameters is None and page.total_parameters == 320 + 3354
    assert page.layers[-1] == {"head": "odd", "cells": ["", "", None]}
    assert page.facts == [{"label": "Epochs run", "value": "4", "kind": "text"}]
    assert page.history == [{"epoch": 1}]


def test_a_confusion_matrix_without_counts_is_left_out():
    page = stats_page({"evaluation": {CONFUSION_SET: {"confusion": [[0, 0], [0]]}}}, None, None)
    assert page.confusion is None and page.confusion_rows == [] and page.confusion_coverage is None


def _stats_html(model_dir, files):
    for name, text in files.items():
        (model_dir / name).write_text(text, encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "MODEL_PATH": str(model_dir / "none.keras")})
    response = app.test_client().get("/stats")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_stats_page_without_metrics_says_so(tmp_path):
    html = _stats_html(tmp_path, {})
    assert 'id="metrics-missing"' in html and 'id="history-missing"' in html
    assert 'id="evaluation-table"' not in html and 'id="confusion-chart"' not in html


def test_stats_page_with_partial_metrics(tmp_path):
    metrics = '{"evaluation": {"only-set": {"count": 7, "top1": NaN}}, "training": {"epochs_run": 3}}'
    html = _stats_html(tmp_path, {"metrics.json": metrics,
                                  "history.json": '[{"epoch": 1, "accuracy": 0.5}, 3]'})
    assert "only-set" in html and 'id="metrics-missing"' not in html
    assert 'id="per-letter-chart"' not in html and 'id="confusion-chart"' not in html
    assert "<dt>Epochs run</dt><dd>3</dd>" in html and 'id="history-data"' in html


def test_every_shipped_set_has_a_plain_name_and_a_line_on_what_it_is():
    """No folder name reaches the page: each set metrics.json names is in DATA_SETS, in both languages."""
    folders = [*METRICS["evaluation"], *METRICS["training"]["data"]]
    app = create_app({"TESTING": True, "SECRET_KEY": "t"})
    for language in ("en", "es"):
        with app.test_request_context(f"/stats?lang={language}"):
            names = [str(data_set(folder).name) for folder in folders]
            abouts = [str(data_set(folder).about) for folder in folders]
            assert len(set(names)) == len(folders) and all(about.endswith(".") for about in abouts)
            assert not set(names) & set(folders)
            if language == "es":
                assert "Mayúsculas dibujadas en pantalla" in names and all("(no Q or V)" not in a for a in abouts)
    assert data_set("new-folder") == DataSet("new-folder")


def test_per_letter_figures_cover_all_26_letters():
    """EMNIST's copy has only a–s; the other test sets give every letter, T to Z too, a figure."""
    page = stats_page(METRICS, HISTORY, LAYERS)
    for row in page.per_letter_rows:
        assert any(share is not None for share in row["cells"]), row["head"]
    assert len(page.per_letter["sets"]) >= 2


def test_stats_page_names_sets_plainly_and_explains_validation(client):
    html = client.get("/stats").get_data(as_text=True)
    assert "UJI Pen Characters<span class=\"set-about\">" in html and "uji-penchars-v1-letters" not in html
    assert 'id="validation-note"' in html and "Top-1" not in html
    spanish = client.get("/stats?lang=es").get_data(as_text=True)
    assert "Mayúsculas dibujadas en pantalla" in spanish and "Capitals drawn on a screen" not in spanish


def test_model_card_numbers_follow_the_language(client):
    """The card's numbers go through Babel: "1,144" and "90.5%" in English, "1.144" and "90,5 %" in Spanish."""
    english = client.get("/stats").get_data(as_text=True).split('id="model-card"')[1]
    spanish = client.get("/stats?lang=es").get_data(as_text=True).split('id="model-card"')[1]
    assert "<td>1,144</td>\n<td>90.5%</td>" in english and "590,394 parameters" in english
    assert "<td>1.144</td>\n<td>90,5\xa0%</td>" in spanish and "590.394 parámetros" in spanish
    for card in (english, spanish):
        assert "{{" not in card and "1144" not in card


def test_model_card_holds_facts_about_the_model_only(client):
    for language in ("en", "es"):
        card = client.get(f"/stats?lang={language}").get_data(as_text=True).split('id="model-card"')[1]
        for note in ("No GPU was lent", "teammates", "None is met", "ninguna GPU", "No se cumple ninguno"):
            assert note not in card


def test_the_machine_is_said_in_the_page_language(client):
    """metrics.json records the machine's parts; the page words them (an older text shows as it is)."""
    training = METRICS["training"]["machine"]
    english = client.get("/stats").get_data(as_text=True)
    spanish = client.get("/stats?lang=es").get_data(as_text=True)
    assert f"<dd>{training['architecture']}, {training['cpu_cores']} CPU cores, {training['system']}</dd>" in english
    assert f"<dd>{training['architecture']}, {training['cpu_cores']} núcleos de CPU, {training['system']}</dd>" in spanish
    old = stats_page({"training": {"machine": "arm64, 8 CPU cores, Darwin"}}, None, None)
    assert {"label": "Machine", "value": "arm64, 8 CPU cores, Darwin", "kind": "text"} in old.facts
    broken = stats_page({"training": {"machine": {"architecture": "x86_64"}}}, None, None)
    assert [fact for fact in broken.facts if fact["label"] == "Machine"] == []
