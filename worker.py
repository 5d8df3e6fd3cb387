"""Celery entry point for the job workers: `celery -A worker worker` (`make worker`), with the app's
settings (FLASK_* environment variables; FLASK_REDIS_URL names the broker)."""

from webapp import create_app

flask_app = create_app()
if "celery" not in flask_app.extensions:
    raise SystemExit("FLASK_REDIS_URL is not set: job workers take their jobs from Redis "
                     "(without it, the serving processes read jobs themselves).")
celery_app = flask_app.extensions["celery"]
