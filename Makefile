# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PGVECTOR_TESTS := tests/catalog/test_embeddings.py tests/matchgraph/test_meaning_search.py \
	tests/matchgraph/test_meaning_neighbours.py
PORT ?= 8000

.PHONY: run test setup install db demo ranks lint format check-deploy browser-test unit-test worker beat relevance \
	bench throughput

run: setup demo ranks
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest
	@# Meaning search where the server has pgvector: the embedded PostgreSQL 16 does (the
	@# run above used DATABASE_URL's server, which may not): its tests again on that one.
	env -u DATABASE_URL REQUIRE_PGVECTOR=1 $(BIN)/pytest -q -p no:cacheprovider $(PGVECTOR_TESTS)

setup: install db

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

db: install
	$(BIN)/python manage.py migrate --noinput

demo: db
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py rebuild_search_vocabulary
	$(BIN)/python manage.py embed_artifacts

ranks: db
	$(BIN)/python manage.py recompute_ranks

unit-test: setup
	$(BIN)/pytest -m "not browser"

browser-test: setup
	$(BIN)/pytest -m browser

worker: setup
	$(BIN)/celery -A config worker --loglevel=info

beat: setup
	$(BIN)/celery -A config beat --loglevel=info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECURE=1 DJANGO_SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
		DJANGO_ALLOWED_HOSTS=unfragile.example $(BIN)/python manage.py check --deploy --fail-level WARNING

# Search relevance next to BM25 on three judged sets (a measurement: never fails on figures):
# the demo set, the intent set (constraints and directions) over the demo catalog, and real
# PyPI packages imported into a scratch database (benchmarks/relevance_real.py).
relevance: setup demo ranks
	$(BIN)/python manage.py eval_search
	$(BIN)/python manage.py eval_search --queries matchgraph/evaluation/intent_queries.json \
		--json .data/eval_search_intents.json
	$(BIN)/python benchmarks/relevance_real.py

# Speed at real scale (a measurement, on demand; about an hour): real PyPI packages imported
# into a scratch database at 3,000, 100,000 and all of them; pages, jobs and query plans.
# Figures printed and written to bench/results/. Fails only on a sequential scan of a big table.
bench: setup
	$(BIN)/python benchmarks/scale.py

# Requests per second under gunicorn and wrk, next to a trivial view in the same run.
throughput: setup
	$(BIN)/python benchmarks/throughput.py
