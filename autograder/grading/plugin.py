"""The pytest plugin that turns hidden tests into rubric scores, one submission after another.

Hidden tests are ordinary pytest tests marked `@rubric("q3.grad_U")` (marks.py). They get
fixtures: `sub` (calls into the student's sandboxed worker), `ref` (reference
answers, memoised), `cases` (this student's inputs) and `score` (the item's
`ItemScore`, where a test records each case).

One pytest session grades many submissions: `pytest_runtestloop` takes the
next submission from a queue and runs every collected test for it, as pytest's
own loop runs each once. As in pytest's junitxml plugin, outcomes are read in
`pytest_runtest_logreport`, a pass only from the call phase; a hidden test that
fails is a grader fault, recorded against the student's result (Current.errors).
"""
from __future__ import annotations

import importlib
import inspect
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from autograder.grading.cases import BUILDERS, Cases
from autograder.grading.job import SubmissionDir
from autograder.grading.reference import Reference, load_solutions
from autograder.grading.scoring import ItemScore
from autograder.outputs.results import NOT_CHECKED, ItemResult, StudentResult
from autograder.sandbox.slot import Slot
from autograder.sandbox.submission import Submission
from autograder.spec import assignment
from autograder.spec.assignment import HIDDEN_TESTS, QUESTIONS
from autograder.spec.config import Config, ConfigError

HIDDEN_DIR = Path(__file__).resolve().parent / "hidden"
DECLARATION = Path(assignment.__file__).resolve()


def hidden_test_files() -> list[Path]:
    """The hidden test modules of the assignment's questions (spec/assignment.py), in order."""
    return [HIDDEN_DIR / f"{name}.py" for name in HIDDEN_TESTS]


def declared_tests() -> dict[str, tuple[str, ...]]:
    """{rubric id: misconceptions} of every hidden test of the declared questions, once the declaration
    is checked against them: a hidden test module missing, a test without exactly one @rubric mark, an
    item graded twice or a case builder no module defines is a ConfigError naming what to fix."""
    declared = {}
    for name in HIDDEN_TESTS:
        if not (HIDDEN_DIR / f"{name}.py").is_file():
            raise ConfigError(DECLARATION, name, f"autograder/grading/hidden/{name}.py is missing: write the "
                              "question's hidden tests there, or correct the name in the declaration")
        module = importlib.import_module(f"autograder.grading.hidden.{name}")
        for fname, fn in inspect.getmembers(module, inspect.isfunction):
            if not fname.startswith("test"):
                continue
            marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "rubric"]
            if len(marks) != 1:
                raise ConfigError(DECLARATION, name, f"autograder/grading/hidden/{name}.py::{fname} needs exactly "
                                  "one @rubric(...) mark")
            item_id = marks[0].args[0]
            if item_id in declared:
                raise ConfigError(DECLARATION, name, f"autograder/grading/hidden/{name}.py::{fname}: rubric id "
                                  f"{item_id} is graded twice")
            declared[item_id] = marks[0].kwargs.get("misconceptions", ())
    for question in QUESTIONS:  # the hidden tests are imported: their own case builders are known now
        for entry in question.graded:
            if entry.cases and entry.cases not in BUILDERS:
                raise ConfigError(DECLARATION, f"{question.id}: {entry.name}", f"no case builder is named "
                                  f"{entry.cases!r}; define one with @builder in grading/cases.py or in "
                                  f"autograder/grading/hidden/{question.tests}.py")
    return declared


@dataclass
class Current:
    """The submission being graded right now."""

    job: SubmissionDir
    sub: object
    cases: Cases
    score: ItemScore | None = None  # the running test's
    scores: dict[str, ItemScore] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # rubric id -> grader error


class _Current:
    """Stands for an attribute of the submission being graded now (its worker handle, cases, the running item's score)."""

    __slots__ = ("_plugin", "_name")

    def __init__(self, plugin: "GradingPlugin", name: str):
        object.__setattr__(self, "_plugin", plugin)
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        return getattr(getattr(self._plugin.current, self._name), attr)

    def __setattr__(self, attr, value):
        setattr(getattr(self._plugin.current, self._name), attr, value)


class GradingPlugin:
    """Grades each submission from `jobs` with the collected hidden tests; hands results to `deliver`."""

    def __init__(self, config: Config, slot: Slot, jobs: Iterator[SubmissionDir],
                 deliver: Callable[[StudentResult], None]):
        self.config, self.slot, self.jobs, self.deliver = config, slot, jobs, deliver
        self.reference = Reference(load_solutions(config.solutions))
        self.current: Current | None = None
        self.rubric_of: dict[str, str] = {}  # test node id -> rubric id
        self.arguments: dict[str, dict] = {}  # test node id -> its fixtures (session-scoped), once set up

    # -- fixtures ---------------------------------------------------------------------------
    # Set up once per session, they always speak for the submission being graded now and,
    # for `score`, the test running now (a fixture per test would cost pytest a request each).
    @pytest.fixture(scope="session")
    def sub(self):
        return _Current(self, "sub")

    @pytest.fixture(scope="session")
    def ref(self):
        return self.reference

    @pytest.fixture(scope="session")
    def cases(self):
        return _Current(self, "cases")

    @pytest.fixture(scope="session")
    def score(self):
        return _Current(self, "score")

    # -- hooks --------------------------------------------------------------------------------
    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            marker = item.get_closest_marker("rubric")
            if marker is None:
                raise pytest.UsageError(f"{item.nodeid} has no @rubric mark")
            self.rubric_of[item.nodeid] = marker.args[0]

    def pytest_runtestloop(self, session):
        items = session.items
        for job in self.jobs:
            started = time.monotonic()
            self.reference.reset()
            files = job.submitted  # read once, by the coordinator, when it was found
            sub = Submission(self.slot, files.files, files.refused)
            self.current = Current(job, sub, Cases(self.config.seed, job.student))
            try:
                sub.prefetch([(m, f, cases, self.reference.stand_ins(m, f, cases))  # one request for all:
                              for m, f, cases in self.current.cases.calls()])  # the tests find the answers
                for i, item in enumerate(items):  # nextitem never None: session fixtures stay up
                    item_id = self.rubric_of[item.nodeid]
                    self.current.score = self.current.scores[item_id] = ItemScore(self.config.items[item_id])
                    if item.nodeid in self.arguments:
                        self._call(item, item_id)
                    else:  # the first time, through pytest's own protocol: it sets the fixtures up
                        nextitem = items[i + 1] if i + 1 < len(items) else items[0]
                        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            finally:
                sub.close()
            result = self._result(files.notes, sub)
            result.seconds = round(time.monotonic() - started, 4)
            result.student_seconds = round(sub.used_seconds, 4)
            self.deliver(result)
        return True

    def pytest_runtest_call(self, item):
        """Keep the test's arguments: all session fixtures that stand for the current submission."""
        self.arguments[item.nodeid] = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}

    def _call(self, item, item_id: str) -> None:
        """The hidden test itself, with the arguments pytest gave it the first time.

        Its fixtures are session-scoped stand-ins for the current submission, so nothing in
        pytest's per-test protocol (setup, reports, teardown: 1.3 ms a submission) is needed
        again. A test that raises is a grader fault, as in pytest_runtest_logreport.
        """
        try:
            item.obj(**self.arguments[item.nodeid])
        except Exception as exc:  # noqa: BLE001 - any failure of a hidden test is the grader's
            self.current.errors[item_id] = f"call: {type(exc).__name__}: {str(exc)[:300]}"

    def pytest_runtest_logreport(self, report):
        """Hidden tests record scores, they do not assert: any failure is a grader fault."""
        if self.current is None or report.passed or report.skipped:
            return
        lines = report.longreprtext.strip().splitlines() or ["failed"]
        self.current.errors[self.rubric_of.get(report.nodeid, report.nodeid)] = f"{report.when}: {lines[-1][:300]}"

    # -- results ------------------------------------------------------------------------------
    def _result(self, notes: list[str], sub) -> StudentResult:
        items, fault = [], []
        unavailable, not_checked = sub.unavailable(), {}
        for question in self.config.questions:
            for item in question.items:
                score = self.current.scores.get(item.id)
                error = self.current.errors.get(item.id)
                if error or score is None or not score.cases:  # a test that recorded nothing: fail closed
                    fault.append(f"{item.id}: {error or 'not graded'}")
                    items.append(ItemResult(item.id, item.title, 0.0, item.points,
                                            "Could not be graded because of a grader error; your instructor has been told.",
                                            item.visibility, [], "error"))
                    continue
                fraction = score.fraction
                module = _module_not_read(score, unavailable)
                if module:  # one note at the top says why, not the same line and a hint under every item
                    not_checked.setdefault(module, []).append(item.id)
                    text = f"Not checked: {unavailable[module].split(':')[0]} (the note at the top says why)."
                    items.append(ItemResult(item.id, item.title, 0.0, item.points, text, item.visibility, [], "graded",
                                            problems=[[1, text]]))
                    continue
                items.append(ItemResult(item.id, item.title, round(fraction * item.points, 4), item.points,
                                        score.summary(), item.visibility, score.misconceptions, "graded",
                                        checked=score.checked, passed=score.clean, cases=len(score.cases),
                                        partial=score.partial, problems=score.problems,
                                        hint=score.hint if score.clean < len(score.cases) else ""))
        notes = notes + [f"{unavailable[module]}. So {NOT_CHECKED}: {', '.join(ids)}."
                         for module, ids in not_checked.items() if "is missing from the submission" not in unavailable[module]]
        return StudentResult(self.current.job.student, items, notes=notes, limit_hits=list(sub.limit_hits),
                             fault="; ".join(fault))


def _module_not_read(score: ItemScore, unavailable: dict[str, str]) -> str | None:
    """The module whose absence failed every case of this item (each case says so), if one did."""
    for module, why in unavailable.items():
        if all(case.credit == 0.0 and case.message.startswith(why) for case in score.cases):
            return module
    return None
