"""Background reading: POST /api/jobs takes what /api/read takes and answers at once; the pages are
read away from the request, and GET /api/jobs/<id> tells the progress and, once read, the result.

Jobs live in the app's database (webapp.job_store), which every process and host shares, with or
without Celery (so Celery keeps no results). They are read by Celery workers (`make worker`) with
Redis as broker when FLASK_REDIS_URL is set (Flask's pattern: `celery_init_app`, tasks run in an
app context), else by a small pool of threads in the process that took them. A Celery task is
acknowledged only when it is finished, so a worker killed mid-job loses nothing: the message comes
back after the visibility timeout and the job is read again from its first page.
"""

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from PIL import Image
from werkzeug.exceptions import ServiceUnavailable

from handwriting import output
from handwriting.ink import to_grey
from handwriting.language import NONE
from handwriting.reader import READ_SIDE, read_page
from webapp import api, corrections, errors, job_store, uploads
from webapp.db import DatabaseUnavailable, db
from webapp.images import page_count, sent_pages
from webapp.input_errors import MalformedRequest, PictureTooLarge, UnsupportedPicture
from webapp.model import reader_model, readers
from webapp.recognition import FailedPage, document_json, output_format, reader_choice, reading_language

DEFAULTS = {
    "JOB_TTL_S": 24 * 60 * 60,  # a job and its result are deleted a day after they were sent
    "JOB_THREADS": 1,  # without Redis: jobs read at once by each serving process
    # With Redis: a job not finished this long after a worker took it is handed out again (a worker
    # was lost). It must be longer than the longest job (50 pages, ~2 s each).
    "JOB_VISIBILITY_TIMEOUT_S": 60 * 60,
    "JOBS_RATE_LIMIT": "30 per minute;500 per day",  # jobs sent per client address (Flask-Limiter)
}
QUEUE = "letter-scanner-jobs"
TASK = "letter_scanner.read_job"
PDF = "pdf"

bp = Blueprint("jobs", __name__)
errors.register_json_errors(bp)
log = logging.getLogger(__name__)


@bp.errorhandler(DatabaseUnavailable)
def _no_database(_error):
    return jsonify(error=_("Jobs cannot be kept or followed now: the database is unavailable."),
                   code=errors.CODE_OF_STATUS[503]), 503


def _too_fast():
    return _("You are sending jobs faster than we can take them: please try again later.")


@bp.post(api.PREFIX + "jobs")
@corrections.limiter.limit(lambda: current_app.config["JOBS_RATE_LIMIT"], error_message=_too_fast)
def submit():
    """202 {"id", "url"}: the document is queued. The fields of /api/read, and `downloads`: other
    formats (txt, hocr, alto, pdf, by commas) to keep beside the result."""
    language = reading_language(request.values.get("language"), NONE)
    reader = reader_choice(request.values.get("reader"))
    downloads = [output_format(key) for key in (request.values.get("downloads") or "").split(",") if key]
    if "json" in downloads:
        raise MalformedRequest(_("The result is always JSON: list only file formats in downloads."))
    formats = list(dict.fromkeys([output_format(request.values.get("format")), *downloads]))
    if not readers().available(reader):
        return api.unavailable(reader_model(reader))
    sent = api.sent_pictures()
    if len(sent) > 1 and any(uploads.is_pdf(data) for data in sent):
        raise UnsupportedPicture(_("Send one PDF, or pictures only."))
    total = sum(page_count(data) for data in sent)
    if total > uploads.MAX_PDF_PAGES:
        raise PictureTooLarge(_("%(count)d pictures were sent; the limit is %(limit)d pages.",
                                count=total, limit=uploads.MAX_PDF_PAGES))
    job_id = job_store.add(sent, total, language=language, reader=reader, formats=formats,
                           locale=str(get_locale()), name=api.upload_name(), ttl_s=_ttl())
    current_app.extensions["jobs"].enqueue(job_id)
    url = url_for("jobs.status", job_id=job_id)
    return jsonify(id=job_id, url=url), 202, {"Location": url}


@bp.get(api.PREFIX + "jobs/<job_id>")
def status(job_id):
    """{"id", "state", "progress": {"done", "total"}, "result", "error", "files"}: `result` is what
    /api/read answers in JSON once the job is done, `files` the URL of each format kept."""
    job = job_store.get(job_id, _ttl())
    if job is None:
        return _missing()
    files = {}
    if job.state == "done":
        files = {key: url_for("jobs.result", job_id=job_id, format=key) for key in job.formats.split(",")}
    return jsonify(id=job.id, **job.answer(), files=files)


@bp.get(api.PREFIX + "jobs/<job_id>/result")
def result(job_id):
    """The result in the format asked for when the job was sent (or `format`, one of those kept),
    as /api/read answers it."""
    job = job_store.get(job_id, _ttl())
    if job is None:
        return _missing()
    kept = job.formats.split(",")
    key = request.args.get("format") or kept[0]
    if job.state != "done" or key not in kept:
        return jsonify(error=_("This job has no result in that format (yet)."), code=errors.CODE_OF_STATUS[404]), 404
    if key == "json":
        return jsonify(job.answer()["result"])
    mimetype, extension = output.FORMATS[key]
    response = Response(job_store.file(job_id, key), mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=output.download_name(job.name, extension))
    return response


def _missing():
    return jsonify(error=_("There is no such job: it never was, or it expired."),
                   code=errors.CODE_OF_STATUS[404]), 404


def _ttl():
    return current_app.config["JOB_TTL_S"]


# --- reading ----------------------------------------------------------------------------------


def run(job_id):
    """Read the job's pages one by one, counting each, in the language the job was sent in; a page
    that cannot be read is kept with why, the others are read all the same, and a document that
    cannot be read at all (damaged, no model) fails the job with why."""
    job = job_store.get(job_id, _ttl())
    if job is None or job.state in ("done", "failed"):
        return
    job_store.start(job_id)
    with force_locale(job.locale):
        try:
            pages, files = _read(job)
        except Exception as error:  # the document as a whole: damaged, no model, a fault of ours
            job_store.fail(job_id, *_why(error))
            return
        read = [page for page in pages if not isinstance(page, FailedPage)]
        if not read:
            job_store.fail(job_id, pages[0].error, pages[0].code)
        else:
            job_store.finish(job_id, document_json(pages), files)


def _read(job):
    available = readers()
    if not available.available(job.reader):
        model = reader_model(job.reader)
        raise ServiceUnavailable(api.unavailable_message(model))
    kinds = [key for key in job.formats.split(",") if key != "json"]
    pages, kept = [], []
    for data in job_store.uploads(job.id):
        with sent_pages(data, max_side=READ_SIDE) as pictures:
            for picture in pictures:
                try:
                    transcript = read_page(picture, available, job.language, job.reader)
                except Exception as error:
                    pages.append(FailedPage(*_why(error)))
                else:
                    pages.append(transcript)
                    # The picture outlives its upload's block only when the PDF needs it: as read, grey.
                    kept.append((transcript, _grey_copy(picture) if PDF in kinds else None))
                job_store.progress(job.id, len(pages))
    return pages, {key: output.write(key, kept, job.name) for key in kinds} if kept else {}


def _grey_copy(picture):
    return Image.fromarray(np.uint8(np.rint(to_grey(picture, max(picture.size)) * 255)))


def _why(error):
    """(message, code) of an error, logged when it is a fault of ours."""
    status, code, message = errors.describe(error)
    if status >= 500 and not isinstance(error, ServiceUnavailable):
        log.error("Reading a job failed", exc_info=error)
    return message, code


# --- running jobs -----------------------------------------------------------------------------


class Threads:
    """Jobs read by a pool of threads of this process (made on first use, so after gunicorn's fork)."""

    kind = "threads"

    def __init__(self, app):
        self.app, self.size = app, app.config["JOB_THREADS"]
        self.pool, self.pid, self.lock = None, None, threading.Lock()

    def enqueue(self, job_id):
        with self.lock:
            if self.pid != os.getpid():
                self.pool, self.pid = ThreadPoolExecutor(self.size, thread_name_prefix="job"), os.getpid()
            self.pool.submit(self._run, job_id)

    def _run(self, job_id):
        with self.app.app_context():
            run(job_id)

    def health(self):
        return {"queue": self.kind, "status": "ok", **_counts()}


class CeleryQueue:
    """Jobs sent to Celery workers through Redis."""

    kind = "celery"

    def __init__(self, app):
        self.celery, self.url = celery_init_app(app), app.config["REDIS_URL"]

    def enqueue(self, job_id):
        self.celery.send_task(TASK, (job_id,), queue=QUEUE)

    def health(self):
        import redis  # imported with Celery, only when the app uses it

        try:
            waiting = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2).llen(QUEUE)
        except redis.RedisError as error:
            return {"queue": self.kind, "status": "unavailable", "error": str(error)}
        return {"queue": self.kind, "status": "ok", "messages": waiting, **_counts()}


def _counts():
    try:
        return {"queued": job_store.count("queued"), "running": job_store.count("running")}
    except DatabaseUnavailable as error:  # /healthz reports the database's state beside
        return {"error": error.detail}


def celery_init_app(app):
    """Flask's pattern: a Celery app whose tasks run in an app context, configured from the app,
    with the task that reads a job. Celery is imported only here: it adds ~0.2 s to the start of a
    process that does not use it."""
    from celery import Celery, Task
    from celery.signals import worker_process_init

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    timeout = app.config["JOB_VISIBILITY_TIMEOUT_S"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({
        "broker_url": app.config["REDIS_URL"],
        "task_default_queue": QUEUE,
        "task_acks_late": True,  # acknowledged when read, not when taken
        "task_reject_on_worker_lost": True,  # a worker process killed mid-job: the job goes back
        "worker_prefetch_multiplier": 1,  # a worker holds only the job it reads
        "task_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        # A message taken by a worker that was lost comes back after `timeout`, swept for that often.
        "broker_transport_options": {"visibility_timeout": timeout, "unacked_restore_throttle": 1,
                                     "unacked_restore_interval": max(1, min(10, timeout // 4))},
    })
    celery_app.task(name=TASK, ignore_result=True)(run)
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    @worker_process_init.connect(weak=False)
    def own_connections(**_kwargs):
        """Database connections made before the fork belong to the worker's parent."""
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)

    return celery_app


def init_app(app):
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config["REDIS_URL"]:
        app.extensions["jobs"] = CeleryQueue(app)
    else:
        app.extensions["jobs"] = Threads(app)
    app.register_blueprint(bp)
