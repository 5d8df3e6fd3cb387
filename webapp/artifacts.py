"""The training artifacts shown next to predictions: history, metrics, model card."""

import json
from functools import lru_cache
from pathlib import Path

from flask import current_app


@lru_cache(maxsize=16)
def _read(path, mtime):
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text) if path.endswith(".json") else text


def artifact(name):
    """The parsed file `name` beside the model (JSON or text), or None if absent or unreadable."""
    path = Path(current_app.config["MODEL_PATH"]).parent / name
    try:
        return _read(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return None
