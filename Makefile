# Fresh machine: `make run` sets up and serves the app, `make test` sets up and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

run: setup
	FLASK_SECRET_KEY=$${FLASK_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_hex())')} \
	BIND=$${BIND:-127.0.0.1:$(PORT)} $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

test: setup /usr/bin/chromium
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest

benchmark: setup
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m benchmarks.run_all

.PHONY: setup run test benchmark
