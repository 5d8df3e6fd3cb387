import re

import pytest

from webapp import create_app


@pytest.fixture
def app():
    """The app with the shipped model, CSRF off (CSRF has its own tests)."""
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app():
    """The app as it runs in production: CSRF on."""
    return create_app({"TESTING": True, "SECRET_KEY": "test"})


def csrf_token(client, path="/"):
    """The CSRF token of the form on the page at `path`, as a browser would send it back."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))[1]
