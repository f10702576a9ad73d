# nn-backprop: every user-facing command. Each target bootstraps .venv first.
#   make grade                      grade the nbgrader course's submissions if collected, else the sample class
#   make grade SUBMISSIONS=dir OUT=dir
#   make export LMS=canvas|moodle [LMS_ROSTER=ids.csv]   final grades in an LMS's import format
#   make release / collect / feedback / export   the nbgrader cycle (COURSE_DIR, default course/;
#                                   COURSE_ID, default nn-backprop; EXCHANGE, default COURSE_DIR/exchange)
PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
COURSE_DIR  ?= course
COURSE_ID   ?= nn-backprop
EXCHANGE    ?=
OUT         ?= out
CONFIG      ?= config.yaml
ROSTER      ?= $(wildcard roster.csv)
SUBMISSIONS ?=
JOBS        ?=
REGRADE     ?=
LMS         ?=
LMS_ROSTER  ?=
LMS_ASSIGNMENT_ID ?=
COURSE      := --course-dir $(COURSE_DIR) --config $(CONFIG) --course-id $(COURSE_ID) $(if $(EXCHANGE),--exchange $(EXCHANGE))

.PHONY: install test check stubs grade release collect feedback export bench gradescope doctor clean

install: $(STAMP)

$(STAMP): pyproject.toml grader-requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# Grading's own dependencies at the versions Gradescope's image gets too (grader-requirements.txt).
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' --constraint grader-requirements.txt
	@# jsonschema's optional IRI checker (pulled in by jupyter-events) builds a grammar on every
	@# import: 1.8 s per nbgrader command. jsonschema works without it; nbgrader never needs it.
	$(PY) -m pip uninstall --quiet --yes rfc3987-syntax
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

check: $(STAMP)
	cd assignment && ../$(PY) -m pytest -q

stubs: $(STAMP)
	$(PY) -m autograder stubs

grade: $(STAMP)
ifneq ($(SUBMISSIONS),)
	$(PY) -m autograder grade $(SUBMISSIONS) --out $(OUT) --config $(CONFIG) $(if $(JOBS),--jobs $(JOBS)) $(if $(REGRADE),--regrade-all)
else ifneq ($(wildcard $(COURSE_DIR)/submitted),)
	$(PY) -m autograder grade --out $(OUT) $(COURSE) $(if $(JOBS),--jobs $(JOBS)) $(if $(REGRADE),--regrade-all)
else
	$(PY) -m autograder grade examples/submissions --out $(OUT) --config $(CONFIG) $(if $(JOBS),--jobs $(JOBS)) $(if $(REGRADE),--regrade-all)
endif

release: $(STAMP)
	$(PY) -m autograder release $(COURSE) $(if $(ROSTER),--roster $(ROSTER))

collect: $(STAMP)
	$(PY) -m autograder collect $(COURSE)

feedback: $(STAMP)
	$(PY) -m autograder feedback $(COURSE) --out $(OUT)

export: $(STAMP)
	$(PY) -m autograder export $(COURSE) --out $(OUT) $(if $(LMS),--lms $(LMS)) $(if $(LMS_ROSTER),--lms-roster $(LMS_ROSTER)) $(if $(LMS_ASSIGNMENT_ID),--lms-assignment-id $(LMS_ASSIGNMENT_ID))

gradescope: $(STAMP)
	$(PY) -m autograder.integrations.gradescope build --out dist/autograder.zip

STUDENTS    ?= 1000
bench: $(STAMP)
	$(PY) -m autograder.devtools.bench --students $(STUDENTS) $(if $(JOBS),--jobs $(JOBS))

doctor: $(STAMP)
	$(PY) -m autograder doctor --config $(CONFIG)

clean:
	rm -rf $(OUT) bench-out .pytest_cache
