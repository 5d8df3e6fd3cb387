import re
import shutil

import pytest
from browser import CHROMIUM, FLAGS, serve
from playwright.sync_api import sync_playwright

from harness.servers import Redis
from webapp import create_app

pytest.register_assert_rewrite("pictures")  # its assert_boxes reports like a test


def database_url(tmp_path):
    """A fresh SQLite database of the test's own."""
    return f"sqlite:///{tmp_path / 'corrections.sqlite3'}"


@pytest.fixture
def app(tmp_path):
    """The app with the shipped model and a fresh database, CSRF off (CSRF has its own tests)."""
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "DATABASE_URL": database_url(tmp_path)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(tmp_path):
    """The app as it runs in production: CSRF on."""
    return create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url(tmp_path)})


def csrf_token(client, path="/"):
    """The CSRF token of the form on the page at `path`, as a browser would send it back."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))[1]


@pytest.fixture(scope="module")
def redis_url():
    """A Redis server of the module's own (Debian's redis-server on loopback); its redis:// URL."""
    with Redis() as redis:
        yield redis.url


@pytest.fixture(scope="module")
def base_url():
    yield from serve({})


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium (`make test` does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(base_url + "/")
    yield page
    page.close()
