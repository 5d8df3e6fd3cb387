"""What the model stats page shows, shaped from metrics.json, history.json and the model's layers.

Every part is optional: a missing file, a missing key or a value of the wrong type leaves that
part out (None or an empty list), so the page always renders. Table rows are {"head": the row's
header, "cells": [values]}, in the order of the columns stats.html names; a data set's row header
is a DataSet (its plain name and what it is).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from handwriting.labels import LETTERS

CONFUSION_SET = "emnist-letters"  # the evaluation set whose confusion matrix metrics.json keeps


@dataclass(frozen=True)
class DataSet:
    """A data set as people see it: a plain name and one line on what it is (None: not known)."""

    name: str
    about: str | None = None


# The data sets metrics.json names by their folder (../shared/data), as the pages name them.
DATA_SETS = {
    "emnist-letters": DataSet(_l("EMNIST letters"), _l(
        "Letters written on paper forms and scanned: the standard test, here only the letters a to s.")),
    "emnist-letters-test-spotcheck-26": DataSet(_l("EMNIST spot check"), _l(
        "One EMNIST picture of each letter: a quick check, too small to compare.")),
    "uji-penchars-v1-letters": DataSet(_l("UJI Pen Characters"), _l(
        "Capitals and small letters written with a pen on a tablet by 11 people.")),
    "canvas-uppercase-24-kishieel": DataSet(_l("Capitals drawn on a screen"), _l(
        "Capitals drawn in a web page, as on this site, by a few people (no Q or V).")),
    "lowercase-32px-vladislavus1": DataSet(_l("Small letters drawn on a screen"), _l(
        "Small letters drawn in a web page by one person.")),
    "unipen-letters": DataSet(_l("UNIPEN"), _l("Letters written with a pen on a tablet by about 300 people.")),
    "crohme-letters-online": DataSet(_l("CROHME"), _l("Letters cut from handwritten formulas written on tablets.")),
    "uppercase-paper-mutikara": DataSet(_l("Capitals on paper"), _l("Capitals written on paper and scanned.")),
    "uppercase-28px-mingyanying": DataSet(_l("Small canvas capitals"), _l("Capitals drawn on a small canvas.")),
}


def data_set(folder):
    """The DataSet a folder name stands for; an unknown one under its own name."""
    return DATA_SETS.get(folder) or DataSet(str(folder))


@dataclass(frozen=True)
class StatsPage:
    has_metrics: bool
    parameters: int | None
    model_file_bytes: int | None
    best_val_accuracy: float | None
    date: str | None
    evaluation: list  # rows: set name; pictures, top-1, top-3
    per_letter: dict | None  # {"letters": [...], "sets": {set name: {letter: share}}}, for the chart
    per_letter_rows: list  # rows: letter; the share right in each set of per_letter
    confusion: dict | None  # {"letters": [...], "matrix": n × n counts}, for the heat map
    confusion_rows: list  # rows: true letter; counts per answer, or None when it has no picture
    confusion_coverage: str | None  # "a–s" when the test pictures cover only some letters
    most_confused: list  # {"true", "predicted", "count"}
    layers: list  # rows: layer name; type, output shape, parameters
    total_parameters: int | None
    training_data: list  # rows: source; training pictures, validation pictures
    facts: list  # {"label", "value", "kind"}, kind one of: text, number, percent, megabytes, duration, date
    versions: list  # {"name", "version"}
    history: list | None  # one mapping per epoch
    corrections: int | None  # how many corrections people sent (None: the database is unavailable)


def stats_page(metrics, history, layers, letters=LETTERS, usage=None):
    """Everything /stats shows, from the parsed artifacts (any of them may be None or malformed) and
    the corrections' usage (webapp.correction_store.Usage), shown as one more set: "in use"."""
    metrics = _mapping(metrics)
    evaluation = {name: result for name, result in _mapping(metrics.get("evaluation")).items()
                  if isinstance(result, Mapping)}
    training = _mapping(metrics.get("training"))
    per_letter = {str(data_set(name).name): shares for name, shares in _per_letter(evaluation, letters).items()}
    in_use = []
    if usage is not None and evaluation:  # beside the evaluation sets, when there are some
        in_use, per_letter = _in_use(usage, letters, per_letter)
    matrix = _confusion_matrix(_mapping(evaluation.get(CONFUSION_SET)).get("confusion"), len(letters))
    layer_rows = [_layer(layer) for layer in layers or [] if isinstance(layer, Mapping)]
    parameters = _number(metrics.get("parameters"))
    if parameters is None and layer_rows:
        parameters = sum(row["cells"][2] or 0 for row in layer_rows)
    return StatsPage(
        has_metrics=bool(metrics),
        parameters=_number(metrics.get("parameters")),
        model_file_bytes=_number(metrics.get("model_file_bytes")),
        best_val_accuracy=_number(training.get("best_val_accuracy")),
        date=_text(metrics.get("date")),
        evaluation=[
            _row(data_set(name), *(_number(result.get(key)) for key in ("count", "top1", "top3")))
            for name, result in evaluation.items()
        ] + in_use,
        per_letter={"letters": list(letters), "sets": per_letter} if per_letter else None,
        per_letter_rows=[
            _row(letter, *(shares[letter] for shares in per_letter.values())) for letter in letters
        ] if per_letter else [],
        confusion={"letters": list(letters), "matrix": matrix} if matrix else None,
        confusion_rows=[
            {"head": letter, "cells": row if sum(row) else None} for letter, row in zip(letters, matrix)
        ] if matrix else [],
        confusion_coverage=_coverage(matrix, letters),
        most_confused=_most_confused(_mapping(evaluation.get(CONFUSION_SET)).get("most_confused")),
        layers=layer_rows,
        total_parameters=parameters,
        training_data=_training_data(training.get("data")),
        facts=_facts(metrics, training),
        versions=[{"name": str(name), "version": str(version)}
                  for name, version in _mapping(metrics.get("versions")).items()],
        history=_history(history),
        corrections=None if usage is None else usage.count,
    )


def _in_use(usage, letters, per_letter):
    """The corrections as an evaluation row (count, first guess right, among the first three) and,
    once there are some, a per-letter set beside the evaluation sets."""
    name = _("In use: people’s corrections")
    head = DataSet(name)  # stats.html says what it is under the table
    if not usage.count:
        return [_row(head, 0, None, None)], per_letter
    shares = {letter: (right / n if n else None)
              for letter in letters for n, right in [usage.per_letter.get(letter, (0, 0))]}
    return [_row(head, usage.count, usage.right / usage.count, usage.top3 / usage.count)], {**per_letter, name: shares}


def _row(head, *cells):
    return {"head": head, "cells": list(cells)}


def _mapping(value):
    return value if isinstance(value, Mapping) else {}


def _number(value):
    """A finite int or float, else None (JSON may hold NaN, strings or booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _text(value):
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _history(history):
    """The epochs that are mappings, or None when there is none."""
    rows = [row for row in history if isinstance(row, Mapping)] if isinstance(history, list) else []
    return rows or None


def _per_letter(evaluation, letters):
    """{set name: {letter: share or None}} for the sets that have per-letter accuracy."""
    return {
        name: {letter: _number(result["per_letter"].get(letter)) for letter in letters}
        for name, result in evaluation.items()
        if isinstance(result.get("per_letter"), Mapping)
    }


def _confusion_matrix(confusion, n):
    """The matrix as n × n non-negative counts (missing cells 0), or None if it holds no count."""
    if not isinstance(confusion, list):
        return None
    matrix = []
    for i in range(n):
        row = confusion[i] if i < len(confusion) and isinstance(confusion[i], list) else []
        matrix.append([_count(row[j]) if j < len(row) else 0 for j in range(n)])
    return matrix if any(map(any, matrix)) else None


def _count(value):
    number = _number(value)
    return int(number) if number is not None and number > 0 else 0


def _coverage(matrix, letters):
    """The letters with test pictures ("a–s" for a run), or None when all have some."""
    if not matrix:
        return None
    covered = [letter for letter, row in zip(letters, matrix) if sum(row)]
    if len(covered) == len(letters):
        return None
    first = letters.index(covered[0])
    if len(covered) > 2 and tuple(letters[first:first + len(covered)]) == tuple(covered):
        return f"{covered[0]}–{covered[-1]}"
    return ", ".join(covered)


def _most_confused(pairs):
    if not isinstance(pairs, list):
        return []
    return [
        {"true": _text(pair.get("true")) or "?", "predicted": _text(pair.get("predicted")) or "?",
         "count": _number(pair.get("count"))}
        for pair in pairs if isinstance(pair, Mapping) and _number(pair.get("count")) is not None
    ]


def _layer(layer):
    return _row(_text(layer.get("name")) or "", _text(layer.get("type")) or "",
                _text(layer.get("output_shape")) or "", _number(layer.get("params")))


def _training_data(data):
    """One row per training source; a bare count is the training count."""
    rows = []
    for name, counts in _mapping(data).items():
        counts = counts if isinstance(counts, Mapping) else {"train": counts}
        rows.append(_row(data_set(name), _number(counts.get("train")), _number(counts.get("validation"))))
    return rows


def _machine(machine):
    """What the model was trained on, in the page's language ("x86_64, 2 CPU cores, Linux"); an
    older metrics.json's text as it is."""
    if not isinstance(machine, Mapping):
        return _text(machine)
    parts = {key: _text(machine.get(key)) for key in ("architecture", "cpu_cores", "system")}
    if None in parts.values():
        return None
    return _l("%(architecture)s, %(cores)s CPU cores, %(system)s", architecture=parts["architecture"],
             cores=parts["cpu_cores"], system=parts["system"])


def _facts(metrics, training):
    """The training facts that are present, in the order shown."""
    facts = [
        (_l("Epochs run"), _text(training.get("epochs_run")), "text"),
        (_l("Best epoch"), _text(training.get("best_epoch")), "text"),
        (_l("Best validation accuracy"), _number(training.get("best_val_accuracy")), "percent"),
        (_l("Batch size"), _number(training.get("batch_size")), "number"),
        (_l("Pictures per epoch"), _number(training.get("samples_per_epoch")), "number"),
        (_l("Random seed"), _text(training.get("seed")), "text"),
        (_l("Training time"), _number(training.get("wall_seconds")), "duration"),
        (_l("Machine"), _machine(training.get("machine")), "text"),
        (_l("Date"), _text(metrics.get("date")), "date"),
        (_l("Source"), _text(metrics.get("source")), "text"),
        (_l("Parameters"), _number(metrics.get("parameters")), "number"),
        (_l("Model file"), _number(metrics.get("model_file_bytes")), "megabytes"),
    ]
    return [{"label": label, "value": value, "kind": kind}
            for label, value, kind in facts if value is not None and value != ""]
