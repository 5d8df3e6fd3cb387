"""artifact(): the training files beside the model, parsed, re-read when they change, None when unusable."""

import json
import os

from webapp import create_app
from webapp.artifacts import artifact


def app_with_artifacts(tmp_path):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "MODEL_PATH": str(tmp_path / "letter_cnn.keras")})


def test_json_and_text_are_parsed_and_missing_files_are_none(tmp_path):
    (tmp_path / "history.json").write_text(json.dumps([{"epoch": 1, "accuracy": 0.5}]))
    (tmp_path / "MODEL_CARD.md").write_text("# Card")
    with app_with_artifacts(tmp_path).app_context():
        assert artifact("history.json") == [{"epoch": 1, "accuracy": 0.5}]
        assert artifact("MODEL_CARD.md") == "# Card"
        assert artifact("metrics.json") is None


def test_a_broken_file_is_none_and_a_changed_one_is_read_again(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("{not json")
    with app_with_artifacts(tmp_path).app_context():
        assert artifact("metrics.json") is None
        path.write_text(json.dumps({"parameters": 1}))
        os.utime(path, ns=(1, 10**18))  # a new modification time, however fast the test runs
        assert artifact("metrics.json") == {"parameters": 1}
