# The README's two commands: `make run` and `make test`. Both install what they need first.
VENV := .venv
PY := $(VENV)/bin/python
HPCLSP := $(VENV)/bin/hpclsp

.PHONY: run test setup lint typecheck index readme clean

setup:
	@bash scripts/setup.sh

index: setup
	@$(HPCLSP) index build --builtin --if-missing

run: setup index
	$(HPCLSP) demo

lint: setup
	$(VENV)/bin/ruff check hpclsp retrieval tests bench
	$(VENV)/bin/ruff format --check hpclsp retrieval tests bench

typecheck: setup
	$(VENV)/bin/mypy

test: setup index lint typecheck
	$(PY) -m pytest -q -p no:cacheprovider

readme: setup
	$(PY) -m hpclsp rules --markdown --update-readme README.md

clean:
	rm -rf $(VENV) build *.egg-info
