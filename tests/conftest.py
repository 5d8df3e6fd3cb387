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
