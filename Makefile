# nn-backprop: every user-facing command. Each target bootstraps .venv first.
PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
SUBMISSIONS ?= examples/submissions
OUT         ?= out
CONFIG      ?= config.yaml
JOBS        ?=

.PHONY: install test check stubs grade doctor clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

check: $(STAMP)
	cd assignment && ../$(PY) -m pytest -q

stubs: $(STAMP)
	$(PY) -m autograder stubs

grade: $(STAMP)
	$(PY) -m autograder grade $(SUBMISSIONS) --out $(OUT) --config $(CONFIG) $(if $(JOBS),--jobs $(JOBS))

doctor: $(STAMP)
	$(PY) -m autograder doctor

clean:
	rm -rf $(OUT) .pytest_cache
