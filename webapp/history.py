"""The private history (/history): the last letters and pages read, kept by the browser alone.

Nothing of it reaches the server. A result page hands the browser what it may keep (a JSON block,
templates/_kept.html); static/js/kept.js stores it in localStorage and gives it an address,
/history#<id>, that survives a reload and Back; static/js/history.js lists and reopens the entries.
"""

from flask import Blueprint, render_template
from flask_babel import gettext as _

from handwriting import output

HISTORY_SIZE = 50  # entries kept in the browser; the oldest goes first

bp = Blueprint("history", __name__)


def init_app(app):
    app.register_blueprint(bp)
    app.context_processor(lambda: {"history_size": HISTORY_SIZE})


def kept_letter(recognition, frame_url, note):
    """What the browser keeps of a letter's result (None when no letter was found): the 28×28
    frame, the guesses and the note on a picture that may not be a letter."""
    if recognition.blank:
        return None
    guesses = [{"letter": p["letter"], "probability": round(float(p["probability"]), 4)}
               for p in recognition.predictions]
    return {"kind": "letter", "frame": frame_url, "predictions": guesses, "note": note}


def kept_reading(text):
    """What the browser keeps of a page reading (None when nothing was read): its text only."""
    return {"kind": "page", "text": text} if text else None


@bp.get("/history")
def history():
    return render_template("history.html", text_name=output.download_name(None, output.FORMATS["txt"][1], _("transcript")))
