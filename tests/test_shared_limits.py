"""Rate limits with FLASK_REDIS_URL: counted in Redis, so separate processes share one count;
without it each process counts alone, and the app says so when it starts. The site's daily cap is
counted in the database, which the processes share either way."""

import http.client
import logging
import time
import urllib.parse

from correction_forms import correction

from harness.servers import Gunicorn
from webapp import create_app
from webapp.rate_limit_storage import per_process, storage_uri

RATE = "3 per minute"


def _ready(server):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if server.request("GET", "/healthz")[0] == 200:
                return
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer:\n{server.log_tail()}")


def _post_correction(server, mark):
    connection = server.connect()
    try:
        connection.request("POST", "/corrections", urllib.parse.urlencode(correction(mark)),
                           {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def statuses_from_two_servers(tmp_path, **env):
    """Two gunicorn processes (one worker each) on one database: 2 corrections posted to the first,
    then 2 to the second, from one client address; the statuses in order."""
    env = {"WEB_CONCURRENCY": "1", "FLASK_WTF_CSRF_ENABLED": "false", "FLASK_CORRECTIONS_RATE_LIMIT": RATE,
           "FLASK_DATABASE_URL": f"sqlite:///{tmp_path / 'corrections.sqlite3'}", **env}
    with Gunicorn(**env) as first, Gunicorn(**env) as second:
        _ready(first)
        _ready(second)
        return [_post_correction(server, n) for n, server in enumerate([first, first, second, second])]


def test_two_processes_sharing_redis_share_one_count(tmp_path, redis_url):
    assert statuses_from_two_servers(tmp_path, FLASK_REDIS_URL=redis_url) == [201, 201, 201, 429]


def test_two_processes_without_redis_count_alone(tmp_path):
    assert statuses_from_two_servers(tmp_path) == [201, 201, 201, 201]


def test_two_processes_share_the_daily_cap_without_redis(tmp_path):
    statuses = statuses_from_two_servers(tmp_path, FLASK_CORRECTIONS_RATE_LIMIT="100 per minute",
                                         FLASK_CORRECTIONS_PER_DAY="3")
    assert statuses == [201, 201, 201, 503]


def test_redis_url_sets_the_limiter_storage(tmp_path, redis_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "REDIS_URL": redis_url,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    assert not per_process(storage_uri(redis_url)) and per_process(storage_uri(None))


def test_start_without_redis_says_limits_are_per_process(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    assert any("counted per process" in record.getMessage() for record in caplog.records)


def test_start_with_redis_says_nothing_of_the_kind(tmp_path, redis_url, caplog):
    with caplog.at_level(logging.WARNING):
        create_app({"TESTING": True, "SECRET_KEY": "test", "REDIS_URL": redis_url,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    assert not any("counted per process" in record.getMessage() for record in caplog.records)
