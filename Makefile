# Sésame: two commands on a fresh machine — `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | sha256sum | cut -c1-12)

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

$(STAMP):
	@python310=$$(bash tools/find-python.sh) || exit 1; \
	if [[ ! -x $(PY) ]] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Creating $(VENV) with $$python310"; rm -rf $(VENV); "$$python310" -m venv $(VENV); fi
	$(PIP) install --quiet --upgrade 'pip==26.3'
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP) ## create .venv (Python 3.10) and install the pinned dependencies

browser: ## install Debian's Chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  SUDO=$$( [[ $$(id -u) -eq 0 ]] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

haproxy: ## install Debian's HAProxy for make run-prod and its tests (needs root or sudo)
	@command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] || { \
	  echo "Installing Debian's haproxy for the production topology…"; \
	  SUDO=$$( [[ $$(id -u) -eq 0 ]] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq haproxy >/dev/null; }

train: install ## train the model if config, domain or data changed (cached in models/)
	$(PY) -m tools.model

seed: install ## create or upgrade the app database and load the reviewed seed data
	$(PY) -m tools.seed

run: train ## start everything on the embedded SQLite default and print the URL
	$(PY) -m tools.run

run-prod: train haproxy ## production topology here: HAProxy, 2 Rasa, 2 action servers, web, 2 workers on PostgreSQL, Redis, RabbitMQ (README, "Production on one machine")
	$(PY) -m tools.run_prod

chat: train ## talk to Sésame in this terminal
	$(PY) -m tools.run --chat

test: install browser train lint ## run every test (lint and types first, then unit, Rasa, end-to-end, browser)
	$(PY) -m pytest

lint: install ## ruff on every module and test, mypy on the action server, the Rasa process and messaging (pyproject.toml)
	$(VENV)/bin/ruff check actions bot tools tests messaging
	$(VENV)/bin/mypy actions bot messaging

eval: train ## NLU evaluation on the held-out test set, and the pipeline comparison
	$(PY) -m tools.evaluate

eval-blind: train ## score the blind evaluation sets over the REST channel (reports/blind-eval.json)
	$(PY) -m tools.blind_eval

bench: train ## benchmarks: training, cold start, memory, latency, throughput, beside the rebuilt baseline probe
	$(PY) -m tools.bench

bench-mixed: train ## every kind of turn (greeting, search, guide, booking, handoff, privacy, not understood) at concurrency 1, 8, 16 (reports/bench-mixed.json)
	$(PY) -m tools.bench_mixed

bench-prod: train haproxy ## the mixed workload at 16 and 64 conversations on 1 and 2 Rasa replicas through HAProxy (reports/bench-prod.json)
	$(PY) -m tools.bench_prod

telegram-polling: install ## relay Telegram updates to the local Rasa (no public URL needed)
	$(PY) -m bot.channels.telegram_polling

sms-audit: install ## list responses too long for one SMS
	$(PY) -m bot.channels.sms_audit

create-admin: install ## create a console admin account (asks for the password)
	$(PY) -m bot.console.create_admin

purge: install ## delete conversations older than SESAME_CONVERSATION_RETENTION_DAYS now (the worker does it daily)
	$(PY) -m actions.common.conversations purge

audit: install ## pip-audit of constraints.txt (security/pip-audit-ignore.txt); skipped when no vulnerability service answers
	$(PY) security/pip_audit.py

constraints: ## regenerate constraints.txt from the current venv
	(echo "# Exact versions verified together on Python 3.10 (regenerate: make constraints)."; \
	 $(PIP) freeze --exclude-editable | grep -vi '^sesame' | sort -f) > constraints.txt

clean: ## remove trained models, reports and local data (keeps .venv)
	rm -rf models/*.tar.gz reports/* var/ results/

.PHONY: help install browser haproxy train seed run run-prod chat test lint eval eval-blind bench bench-mixed bench-prod telegram-polling sms-audit create-admin purge audit constraints clean
