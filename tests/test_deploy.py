"""The production setup in deploy/: Debian's nginx (`make test` installs it) with the shipped site
config in front of gunicorn, on 127.0.0.1, against slow and stalled clients; their limits agree."""

import http.client
import re

import pytest
from hostile import letter_png

from harness.clients import SlowClients, multipart, timed_predict
from harness.servers import ROOT, SITE, Gunicorn, Nginx
from webapp import create_app

ATTACK_S = 6  # the slow clients give up by themselves after this
PROMPT_S = 2  # what a normal request may take while they hold on


@pytest.fixture(scope="module")
def gunicorn():
    """As deploy/systemd runs it (trusting one proxy, HTTPS mode), with one worker of 4 threads:
    few enough that the slow clients could take all of them."""
    with Gunicorn(WEB_CONCURRENCY="1", THREADS="4", FLASK_PROXY_FIX="1", FLASK_FORCE_HTTPS="true") as server:
        server.wait_for_first_prediction(*multipart(letter_png()))
        yield server
        assert "Traceback" not in server.log_tail(100_000)


@pytest.fixture(scope="module")
def nginx(gunicorn):
    with Nginx(gunicorn.port) as proxy:
        yield proxy


def test_the_site_config_passes_nginx_t(gunicorn):
    assert "test is successful" in Nginx(gunicorn.port).test_config()


def body_limits():
    """(the app's MAX_CONTENT_LENGTH, nginx's client_max_body_size) in bytes."""
    size, unit = re.search(r"client_max_body_size (\d+)([km]?);", SITE.read_text()).groups()
    nginx_limit = int(size) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]
    app_limit = create_app({"TESTING": True, "SECRET_KEY": "test"}).config["MAX_CONTENT_LENGTH"]
    return app_limit, nginx_limit


def test_nginx_takes_bodies_up_to_the_apps_limit_and_little_more():
    """client_max_body_size is just above MAX_CONTENT_LENGTH, so the app answers near the limit."""
    app_limit, nginx_limit = body_limits()
    assert app_limit <= nginx_limit <= 1.1 * app_limit


def unit_settings(name):
    """(key, value) pairs of a systemd unit file, in order (a key may repeat)."""
    lines = (ROOT / "deploy" / "systemd" / name).read_text().splitlines()
    return [tuple(line.split("=", 1)) for line in lines if "=" in line and not line.startswith("#")]


def test_the_systemd_units_run_gunicorn_on_the_socket_nginx_uses():
    socket_path = dict(unit_settings("letter-scanner.socket"))["ListenStream"]
    assert f"server unix:{socket_path} " in SITE.read_text()
    service = unit_settings("letter-scanner.service")
    assert "gunicorn -c gunicorn.conf.py wsgi:app" in dict(service)["ExecStart"]
    assert ("Environment", "FLASK_PROXY_FIX=1") in service


def test_slow_clients_stall_gunicorn_alone(gunicorn):
    """What nginx is for: these clients hold every thread of a gunicorn worker until they give up."""
    body, headers = multipart(letter_png())
    with SlowClients(gunicorn.port, ATTACK_S):
        assert timed_predict(gunicorn.port, body, headers, PROMPT_S) is None


def test_behind_nginx_slow_clients_do_not_delay_a_normal_request(gunicorn, nginx):
    body, headers = multipart(letter_png())
    with SlowClients(nginx.port, ATTACK_S):
        times = [timed_predict(nginx.port, body, headers, PROMPT_S) for _ in range(3)]
    assert None not in times and max(times) < PROMPT_S, times


def test_nginx_refuses_what_is_far_too_big_and_the_app_answers_the_rest(nginx):
    def post(size):
        connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=30)
        try:
            connection.request("POST", "/api/predict", b"\0" * size,
                               {"Content-Type": "multipart/form-data; boundary=x"})
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()
        finally:
            connection.close()

    app_limit, nginx_limit = body_limits()
    status, content_type, _ = post((app_limit + nginx_limit) // 2)  # over the app's limit, under nginx's
    assert (status, content_type) == (413, "application/json")
    status, _, _ = post(nginx_limit + 1024 * 1024)
    assert status == 413


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def test_through_nginx_the_app_sees_the_real_scheme_and_host(nginx):
    """nginx (plain HTTP here) sets X-Forwarded-Proto and -Host; a client's own values never pass."""
    for spoofed in [{}, {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}]:
        status, headers = get(nginx.port, "/", spoofed)
        assert (status, headers["Location"]) == (302, "https://127.0.0.1/")
        assert "Strict-Transport-Security" not in headers
    assert get(nginx.port, "/healthz")[0] == 200  # probes are never redirected
