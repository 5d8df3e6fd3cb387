"""The HTML pages: draw or upload, the result, the model stats."""

import markdown
from flask import Blueprint, redirect, render_template, render_template_string, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from handwriting import classifier
from handwriting.ink import WORK_SIDE
from handwriting.single_letter import recognize
from webapp import errors, history, uploads
from webapp.artifacts import artifact
from webapp.corrections import feedback_form, usage_for_stats
from webapp.forms import DrawForm, UploadForm, error_status
from webapp.i18n import current_language
from webapp.images import decode_data_url, sent_image
from webapp.model import letter_detector, letter_model
from webapp.model_stats import stats_page
from webapp.recognition import PREVIEW_SIDE, png_data_url

bp = Blueprint("pages", __name__)


def render_home(error=None, status=200, upload_form=None, draw_form=None):
    """The home page, optionally with an error message, answered with `status`.

    The forms are rebuilt from the request, so a drawing sent with an error comes back.
    """
    page = render_template(
        "index.html",
        upload_form=upload_form or UploadForm(),
        draw_form=draw_form or DrawForm(),
        **errors.placed(error, letter_model().error),
        model_error=letter_model().error,
        **uploads.page_context(),
    )
    return page, status


errors.register_page_errors(bp, render_home)


@bp.get("/")
def index():
    return render_home()


@bp.get("/upload")
@bp.get("/draw")
def back_to_the_form():
    """A bookmarked result URL, or one reloaded where the browser could not keep the result (kept
    results reopen at /history#<id>): nothing is stored on the server, so back to the form."""
    return redirect(url_for("pages.index"))


@bp.post("/upload")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_home(status=error_status(form), upload_form=form)
    return _recognize_page(form.image.data.read(), "upload")


@bp.post("/draw")
def draw():
    form = DrawForm()
    if not form.validate_on_submit():
        return render_home(form.drawing.errors[0] if form.drawing.errors else None, error_status(form),
                           draw_form=form)
    return _recognize_page(decode_data_url(form.drawing.data), "canvas")


def _recognize_page(data, source):
    model = letter_model()
    if not model.available:
        return render_home(model.error, 503)
    with sent_image(data, max_side=WORK_SIDE) as image:
        result = recognize(image, model, letter_detector())
    frame_url = None if result.blank else png_data_url(result.frame)
    note = not_a_letter_message(result.not_a_letter)
    return render_template(
        "result.html",
        predictions=result.predictions,
        blank=result.blank,
        not_a_letter=note,
        kept=history.kept_letter(result, frame_url, note),
        input_url=png_data_url(result.grey, PREVIEW_SIDE),
        frame_url=frame_url,
        feedback=None if result.several_letters else feedback_form(frame_url, result.predictions, source),
        read_instead=DrawForm(formdata=None, drawing=png_data_url(result.grey)) if result.several_letters else None,
        history=artifact("history.json"),
        model_error=None,
    )


@bp.get("/stats")
def stats():
    model = letter_model()
    return render_template(
        "stats.html",
        stats=stats_page(artifact("metrics.json"), artifact("history.json"), model.layers(),
                         usage=usage_for_stats()),
        model_card=_model_card_html(),
        model_error=model.error,
        runtime=classifier.RUNTIME_NAMES.get(model.runtime),
        runtime_reason=model.runtime_reason,
    )


def _model_card_html():
    """The model card in the page's language (MODEL_CARD.es.md), else the English one (our own
    files, so trusted), as HTML; or None. A card is a Jinja template (its numbers go through the
    page's number filters) written in Markdown."""
    text = artifact(f"MODEL_CARD.{current_language()}.md") or artifact("MODEL_CARD.md")
    if text is None:
        return None
    return Markup(markdown.markdown(render_template_string(text), extensions=["tables"]))


def not_a_letter_message(reason):
    """What the result page says about a picture that is not one letter (None: it is one)."""
    messages = {
        "several_marks": _("This looks like several letters or marks, not one letter: write one letter at a time."),
        "filled": _("This looks like a filled area or a photo, not a letter written in strokes."),
        "not_like_a_letter": _("This does not look like a handwritten letter (a digit, a drawing, a scribble?)."),
    }
    return messages.get(reason)
