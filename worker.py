"""Celery entry point for the job workers: `celery -A worker worker` (`make worker`), with the app's
settings (FLASK_* environment variables; FLASK_REDIS_URL names the broker)."""

from webapp import create_app

flask_app = create_app()
if "celery" not in flask_app.extensions:
    raise SystemExit("FLASK_REDIS_URL is not set: job workers take their jobs from Redis "
                     "(without it, the serving processes read jobs themselves).")
celery_app = flask_app.extensions["celery"]
if "keras" in (flask_app.extensions["letter_model"].runtime, flask_app.extensions["line_model"].runtime):
    # TensorFlow (the Keras fallback, loaded above) is not fork-safe: jobs are read in this process.
    celery_app.conf.worker_pool = "solo"
