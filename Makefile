# Fresh machine: `make run` sets up and serves the app, `make test` sets up and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SERVE_VENV ?= .venv-serve
PYBABEL := $(VENV)/bin/pybabel
# The compiled catalogs (.mo) are built here from the committed .po files, not committed.
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)

$(VENV)/.installed: requirements.txt requirements-serve.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed $(CATALOGS:.po=.mo)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(PYBABEL) compile --statistics -l $* -i $< -o $@

# Translating: extract the strings of webapp/, templates/ and the model-loading messages of
# handwriting/classifier.py (marked N_) into the template catalog, merge it
# into every language's catalog, translate there, compile. A new language: see the README.
i18n-extract: $(VENV)/.installed
	$(PYBABEL) -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -c TRANSLATORS: --sort-by-file \
		--project "Letter Scanner" --copyright-holder "Letter Scanner contributors" \
		-o translations/messages.pot webapp templates handwriting/classifier.py

i18n-update: i18n-extract
	$(PYBABEL) update --ignore-obsolete -i translations/messages.pot -d translations

i18n-compile: $(VENV)/.installed
	$(PYBABEL) compile --statistics -d translations

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# Debian's nginx, for the test of the production setup in deploy/ (run in the foreground by the test).
/usr/sbin/nginx:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null

# Debian's PostgreSQL, started by tests/test_postgres.py in a temporary folder on loopback.
/usr/lib/postgresql:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null

# Debian's Redis, started by the tests of jobs and shared limits (harness/servers.py) on loopback.
/usr/bin/redis-server:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null

# Debian's handwriting fonts, for training/synthetic_lines.py (its FONTS: file=package, licences there).
HANDWRITING_FONTS := \
	/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf=fonts-dancingscript \
	/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf=fonts-kaushanscript \
	/usr/share/fonts/truetype/kristi/Kristi.ttf=fonts-kristi \
	/usr/share/fonts/truetype/ecolier-court/Ecolier-court.ttf=fonts-ecolier-court \
	/usr/share/fonts/truetype/breip/Breip.ttf=fonts-breip \
	/usr/share/fonts/truetype/fifthhorseman/dkg.ttf=fonts-dkg-handwriting \
	/usr/share/fonts/truetype/rufscript/Rufscript010.ttf=fonts-rufscript \
	/usr/share/fonts/truetype/sjfonts/SteveHand.ttf=fonts-sjfonts \
	/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf=fonts-comic-neue
FONT_FILES := $(foreach font,$(HANDWRITING_FONTS),$(firstword $(subst =, ,$(font))))
define font_rule
$(firstword $(subst =, ,$(1))):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(lastword $(subst =, ,$(1))) >/dev/null
endef
$(foreach font,$(HANDWRITING_FONTS),$(eval $(call font_rule,$(font))))

# Serving only (requirements-serve.txt: LiteRT, no TensorFlow). --no-compile: Python then caches
# the bytecode of what serving imports, not of every module installed (~45 MB smaller).
$(SERVE_VENV)/.installed: requirements-serve.txt
	python3 -m venv $(SERVE_VENV)
	$(SERVE_VENV)/bin/python -m pip install --quiet --no-compile -r requirements-serve.txt
	touch $@

# The serving-only install starts the app and reads letters right (part of `make test`).
serve-check: $(SERVE_VENV)/.installed
	env -u PYTHONDONTWRITEBYTECODE $(SERVE_VENV)/bin/python -m benchmarks.serve_check

run: setup
	FLASK_SECRET_KEY=$${FLASK_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_hex())')} \
	BIND=$${BIND:-127.0.0.1:$(PORT)} $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# Job workers (Celery, with the app's FLASK_* settings; FLASK_REDIS_URL must name the Redis broker):
# as many processes as WORKER_CONCURRENCY, one per core by default.
worker: setup
	FLASK_SECRET_KEY=$${FLASK_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_hex())')} \
	$(VENV)/bin/celery -A worker worker --loglevel=INFO --concurrency=$${WORKER_CONCURRENCY:-$$(nproc)}

test: setup /usr/bin/chromium /usr/sbin/nginx /usr/lib/postgresql /usr/bin/redis-server $(FONT_FILES) serve-check
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest

benchmark: setup serve-check
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m benchmarks.run_all --serve-venv $(SERVE_VENV)

.PHONY: setup run worker test benchmark serve-check i18n-extract i18n-update i18n-compile
