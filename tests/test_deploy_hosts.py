"""The several-host recipe of deploy/hosts/ on loopback: Debian's PostgreSQL and Redis, two app
hosts (gunicorn) behind nginx with the shipped upstream config, and a Celery worker as its systemd
unit runs it: they read a 3-page PDF together, one rate limit holds across both app hosts, and a
worker killed mid-job and started again finishes the job."""

import http.client
import json
import re
import time
import urllib.parse

import pytest
from correction_forms import correction
from pictures import data_url, page_picture, pdf_of
from test_jobs import PAGE

from harness.servers import ROOT, SITE, CeleryWorker, Gunicorn, Nginx, Postgres, Redis

HOSTS = ROOT / "deploy" / "hosts"
RATE = "3 per minute"
VISIBILITY_TIMEOUT_S = 3


def site_on_hosts(upstream_ports):
    """deploy/hosts/nginx.conf listening on 127.0.0.1:port, its upstream the given app ports."""

    def site(port, _upstream_port):
        text = (HOSTS / "nginx.conf").read_text()
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstream_ports)
        for pattern, replacement in [(r"(    server 10\.0\.0\.\d+:8000[^\n]*\n)+", servers),
                                     (r"listen 80;", f"listen 127.0.0.1:{port};"), (r"listen \[::\]:80;\n", "")]:
            text, count = re.subn(pattern, replacement, text)
            assert count == 1, pattern
        return text

    return site


def env_example():
    lines = (HOSTS / "env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@pytest.fixture(scope="module")
def hosts():
    """(first app host, second app host, nginx, the workers' settings)."""
    with Postgres() as postgres, Redis() as redis:
        settings = {"FLASK_DATABASE_URL": postgres.new_database(), "FLASK_REDIS_URL": redis.url,
                    "FLASK_JOB_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S), "FLASK_SECRET_KEY": "shared-secret"}
        assert set(settings) <= set(env_example())  # the settings the recipe names
        app_env = {**settings, "WEB_CONCURRENCY": "1", "THREADS": "4", "FLASK_PROXY_FIX": "1",
                   "FLASK_WTF_CSRF_ENABLED": "false", "FLASK_CORRECTIONS_RATE_LIMIT": RATE}
        with Gunicorn(**app_env) as first, Gunicorn(**app_env) as second:
            for server in (first, second):
                wait_for(lambda server=server: server.request("GET", "/healthz")[0] == 200, server.log_tail)
            with Nginx(None, site=site_on_hosts([first.port, second.port])) as nginx:
                yield first, second, nginx, settings


def wait_for(condition, log, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(log())


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def submit(port, pdf):
    status, body = request(port, "POST", "/api/jobs?language=en", json.dumps({"image": data_url(pdf, "application/pdf")}),
                           {"Content-Type": "application/json"})
    assert status == 202, body
    return json.loads(body)["url"]


def job(port, url):
    return json.loads(request(port, "GET", url)[1])


def test_the_recipe_passes_nginx_t_and_names_what_each_host_runs(hosts):
    first, second, _, _ = hosts
    assert "test is successful" in Nginx(None, site=site_on_hosts([first.port, second.port])).test_config()
    limits = re.compile(r"client_(?:max_body_size|\w+_timeout) \S+;")  # the single host's limits hold here too
    assert limits.findall((HOSTS / "nginx.conf").read_text()) == limits.findall(SITE.read_text())
    app = (HOSTS / "letter-scanner-app.service").read_text()
    assert "gunicorn -c gunicorn.conf.py wsgi:app" in app and "Environment=FLASK_PROXY_FIX=1" in app
    worker = (HOSTS / "letter-scanner-worker@.service").read_text()
    assert "celery -A worker worker" in worker and "EnvironmentFile=/etc/letter-scanner/env" in worker


def test_two_app_hosts_and_a_worker_read_a_three_page_pdf(hosts):
    first, second, nginx, settings = hosts
    pdf = pdf_of([PAGE] * 3)
    with CeleryWorker(**settings):
        url = submit(first.port, pdf)  # sent to one app host, followed on the other and through nginx
        wait_for(lambda: job(second.port, url)["state"] == "done", lambda: job(second.port, url))
    answer = job(nginx.port, url)
    assert answer["progress"] == {"done": 3, "total": 3} and answer["result"]["text"] == "at xa\ntax\fat xa\ntax\fat xa\ntax"
    status, direct = request(nginx.port, "POST", "/api/read?language=en",
                             json.dumps({"image": data_url(pdf, "application/pdf")}), {"Content-Type": "application/json"})
    assert status == 200 and answer["result"] == json.loads(direct)
    health = json.loads(request(nginx.port, "GET", "/healthz")[1])
    assert health["jobs"]["queue"] == "celery" and health["database"]["status"] == "ok"


def test_the_rate_limit_holds_across_both_app_hosts(hosts):
    first, second, _, _ = hosts
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    statuses = [request(server.port, "POST", "/corrections", urllib.parse.urlencode(correction(n)), form)[0]
                for n, server in enumerate([first, first, second, second])]
    assert statuses == [201, 201, 201, 429]


def test_a_worker_killed_mid_job_and_started_again_finishes_it(hosts):
    first, second, _, settings = hosts
    wide, _ = page_picture([(20 + 200 * row, [(c, 90 * n) for n, c in enumerate("taxataxa")]) for row in range(4)])
    url = submit(first.port, pdf_of([wide] * 8))
    with CeleryWorker(**settings) as worker:
        wait_for(lambda: job(second.port, url)["progress"]["done"] >= 1, worker.log_tail)
        worker.kill()
    answer = job(second.port, url)
    assert answer["state"] == "running" and answer["progress"]["done"] < 8
    time.sleep(VISIBILITY_TIMEOUT_S)
    with CeleryWorker(**settings) as worker:
        wait_for(lambda: job(first.port, url)["state"] == "done", worker.log_tail)
    assert job(second.port, url)["progress"] == {"done": 8, "total": 8}
