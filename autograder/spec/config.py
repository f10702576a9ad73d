"""config.yaml: the rubric and run settings. Every key is declared once, here.

`load_config(path, tests)` returns a validated `Config` or raises `ConfigError`
naming the file, the key and what to write instead. `tests` maps each rubric id
that a hidden test grades to the misconceptions that test can detect; it is how
the config and the tests are checked against each other.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from autograder.sandbox.backends import BACKENDS as _REGISTRY
from autograder.sandbox.limits import Limits
from autograder.spec.assignment import MODULES, QUESTIONS

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
SCORINGS = ("fraction", "all_or_nothing")
KINDS = ("auto", "manual")
GRADE_ID = re.compile(r"[A-Za-z0-9_-]+")  # what nbgrader accepts as a cell's grade id
LATE_PENALTIES = ("none", "zero", "percent_per_day")
BACKENDS = ("auto", *_REGISTRY)


@dataclass(frozen=True)
class Key:
    """One config key: its type, default (None = required or unset) and a one-line description."""

    type: type | tuple
    default: Any
    help: str
    choices: tuple = ()
    minimum: float | None = None
    required: bool = False


SECTIONS: dict[str, dict[str, Key]] = {
    "assignment": {
        "name": Key(str, "nn_backprop", "nbgrader assignment name"),
        "seed": Key(int, 2026, "seeds every student's own test cases (change it to change all inputs)"),
        "solutions": Key(str, "solutions", "folder of the reference modules, relative to this file"),
        "due": Key((str, datetime), None, "due date, ISO 8601 with a time zone, e.g. 2026-12-15T23:59:00+00:00"),
        "late_penalty": Key(str, "none", "what a late submission loses", LATE_PENALTIES),
        "late_percent_per_day": Key((int, float), 10, "with late_penalty: percent_per_day, percent lost per day started", minimum=0),
    },
    "tolerance": {
        "rtol": Key((int, float), 1e-4, "relative tolerance of numeric checks, normwise: an answer passes when max|got - want| <= atol + rtol * max|want|", minimum=0),
        "atol": Key((int, float), 1e-8, "absolute tolerance of numeric checks (for answers that are 0)", minimum=0),
    },
    "limits": {
        "call_seconds": Key((int, float), 1.0, "wall-clock seconds for one call into student code", minimum=0.01),
        "submission_seconds": Key((int, float), 20.0, "wall-clock seconds for all calls of one submission", minimum=0.01),
        "cpu_seconds": Key(int, 10, "CPU seconds for one submission process", minimum=1),
        "memory_mb": Key(int, 1024, "address space of one submission process, MiB", minimum=64),
        "processes": Key(int, 16, "processes a submission may have at once", minimum=1),
        "file_size_mb": Key(int, 8, "largest file a submission may write, MiB", minimum=0),
        "open_files": Key(int, 64, "open file descriptors of a submission process", minimum=16),
        "output_kb": Key(int, 256, "KiB a submission may print before its call is stopped", minimum=1),
        "result_kb": Key(int, 4096, "KiB one returned value may take", minimum=1),
        "scratch_mb": Key(int, 64, "MiB of files a submission may keep in its /tmp (a fresh tmpfs each; also bounds its "
                          "shared memory there)", minimum=1),
    },
    "sandbox": {
        "backend": Key(str, "auto", "auto picks bwrap, else namespaces (as root), else plain (not isolated)", BACKENDS),
    },
}
QUESTION_KEYS = {
    "title": Key(str, None, "the question's title, shown to students", required=True),
    "items": Key(dict, None, "rubric items of the question, by rubric id", required=True),
}
ITEM_KEYS = {
    "title": Key(str, None, "what the item checks, shown to students", required=True),
    "points": Key((int, float), None, "points the item is worth", minimum=0, required=True),
    "kind": Key(str, "auto", "auto: a hidden test grades it; manual: a written answer in the notebook (its answer "
                "cell's grade id is the rubric id with - for .), graded by people in the formgrader", KINDS),
    "rubric": Key(str, "", "with kind: manual, what a full answer says and how points are given (Markdown); shown to "
                  "graders in the formgrader above each answer, never to students"),
    "visibility": Key(str, "visible", "when students see the item's result", VISIBILITIES),
    "scoring": Key(str, "fraction", "fraction: share of cases passed; all_or_nothing: every case or 0", SCORINGS),
    "rtol": Key((int, float), None, "overrides tolerance.rtol for this item", minimum=0),
    "atol": Key((int, float), None, "overrides tolerance.atol for this item", minimum=0),
    "misconceptions": Key(dict, {}, "credit (0 to 1 of a case) for a recognised mistake, by name"),
}


def _check_solutions(path: Path, folder: Path) -> None:
    """The reference solutions are there: checked when the config is read, not when every student is graded."""
    missing = [name for name in MODULES if not (folder / name).is_file()]
    if missing:
        raise ConfigError(path, "assignment.solutions", f"{folder} has no {', '.join(missing)} (the folder is taken "
                          f"relative to the config file's folder, {path.resolve().parent}); give the folder of the "
                          "reference solutions, absolute or relative to the config file")


class ConfigError(ValueError):
    """A config problem; str() names the file, the key and the fix."""

    def __init__(self, path, key: str, problem: str):
        super().__init__(f"{path}: {key}: {problem}" if key else f"{path}: {problem}")


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    title: str
    points: float
    visibility: str = "visible"
    scoring: str = "fraction"
    rtol: float = 1e-4
    atol: float = 1e-8
    misconceptions: dict = field(default_factory=dict)
    kind: str = "auto"
    rubric: str = ""

    @property
    def cell(self) -> str:
        """The grade id of its cell in nbgrader (which allows no dots): "q1-explain" for q1.explain."""
        return self.id.replace(".", "-")


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    items: tuple[Item, ...]  # graded by the hidden tests
    written: tuple[Item, ...] = ()  # kind: manual, answered in the notebook and graded by people

    @property
    def points(self) -> float:
        return sum(item.points for item in self.items + self.written)


@dataclass(frozen=True)
class Config:
    path: Path
    name: str
    seed: int
    solutions: Path
    due: datetime | None
    late_penalty: str
    late_percent_per_day: float
    limits: Limits
    backend: str
    questions: tuple[Question, ...]

    @cached_property
    def items(self) -> dict[str, Item]:
        """Every rubric item by id, auto-graded and written."""
        return {item.id: item for q in self.questions for item in q.items + q.written}

    @property
    def written(self) -> tuple[Item, ...]:
        return tuple(item for q in self.questions for item in q.written)

    def without_written(self) -> "Config":
        """The same rubric less its written items (Gradescope: they are a separate assignment there)."""
        return replace(self, questions=tuple(replace(q, written=()) for q in self.questions))

    @property
    def max_total(self) -> float:
        return sum(q.points for q in self.questions)


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(options))


def _check_value(path, where: str, key: Key, value):
    if isinstance(value, bool) and bool not in (key.type if isinstance(key.type, tuple) else (key.type,)):
        raise ConfigError(path, where, f"expected {_type_name(key.type)}, got {value!r}")
    if not isinstance(value, key.type):
        raise ConfigError(path, where, f"expected {_type_name(key.type)}, got {value!r} ({key.help})")
    if key.choices and value not in key.choices:
        raise ConfigError(path, where, f"{value!r} is not one of {', '.join(key.choices)}")
    if key.minimum is not None and value < key.minimum:
        raise ConfigError(path, where, f"must be at least {key.minimum:g}, got {value!r}")
    return value


def _type_name(t) -> str:
    types = t if isinstance(t, tuple) else (t,)
    names = {int: "a number", float: "a number", str: "text", dict: "a mapping", datetime: "a date"}
    return " or ".join(dict.fromkeys(names.get(x, x.__name__) for x in types))


def _section(path, where: str, raw, schema: dict[str, Key]) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected a mapping of keys")
    for name in raw:
        if name not in schema:
            raise ConfigError(path, f"{where}.{name}" if where else str(name), f"unknown key; {_suggest(str(name), schema)}")
    out = {}
    for name, key in schema.items():
        here = f"{where}.{name}" if where else name
        if name not in raw or raw[name] is None:
            if key.required:
                raise ConfigError(path, here, f"missing ({key.help})")
            out[name] = key.default
        else:
            out[name] = _check_value(path, here, key, raw[name])
    return out


def _read(path: Path) -> tuple[dict, dict]:
    """(the file as YAML, its sections checked against SECTIONS) or ConfigError."""
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found; pass --config with the path of config.yaml") from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, "", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(path, "", "expected a mapping with sections " + ", ".join([*SECTIONS, "questions"]))
    top = _section(path, "", {k: v for k, v in raw.items() if k != "questions"},
                   {name: Key(dict, {}, f"the {name} section") for name in SECTIONS})
    return raw, {name: _section(path, name, top[name], schema) for name, schema in SECTIONS.items()}


def _limits(sections: dict) -> Limits:
    return Limits(**{f.name: sections["limits"][f.name] for f in fields(Limits)})


def load_sandbox(path) -> tuple[Limits, str]:
    """(limits, sandbox backend) of config.yaml, checked as load_config checks them: what a grading process
    needs to start its worker before the rest (the rubric against the hidden tests) is read."""
    _, sections = _read(Path(path))
    return _limits(sections), sections["sandbox"]["backend"]


def load_config(path, tests: dict[str, tuple[str, ...]]) -> Config:
    """Read and validate config.yaml against the schema and the hidden tests."""
    path = Path(path)
    raw, sections = _read(path)
    questions = _questions(path, raw.get("questions"), sections["tolerance"], tests)
    a = sections["assignment"]
    due = a["due"]
    if isinstance(due, str):
        try:
            due = datetime.fromisoformat(due)
        except ValueError:
            raise ConfigError(path, "assignment.due", f"{due!r} is not an ISO 8601 date; write e.g. 2026-12-15T23:59:00+00:00") from None
    if due is not None and due.tzinfo is None:
        raise ConfigError(path, "assignment.due", "give a time zone, e.g. 2026-12-15T23:59:00+00:00")
    if a["late_penalty"] != "none" and due is None:
        raise ConfigError(path, "assignment.late_penalty", "a late penalty needs assignment.due")
    solutions = (path.parent / a["solutions"]).resolve()
    _check_solutions(path, solutions)
    return Config(path=path.resolve(), name=a["name"], seed=a["seed"], solutions=solutions,
                  due=due, late_penalty=a["late_penalty"], late_percent_per_day=float(a["late_percent_per_day"]),
                  limits=_limits(sections),
                  backend=sections["sandbox"]["backend"], questions=questions)


def _questions(path, raw, tolerance: dict, tests: dict[str, tuple[str, ...]]) -> tuple[Question, ...]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(path, "questions", f"missing: give {', '.join(q.id for q in QUESTIONS)} with their items")
    questions, seen = [], set()
    for qid, qraw in raw.items():
        q = _section(path, f"questions.{qid}", qraw, QUESTION_KEYS)
        items, written = [], []
        for iid, iraw in q["items"].items():
            where = f"questions.{qid}.items.{iid}"
            if isinstance(iraw, dict) and iraw.get("kind", "auto") not in KINDS:
                raise ConfigError(path, f"{where}.kind", f"{iraw['kind']!r} is not one of {', '.join(KINDS)} ("
                                  f"{ITEM_KEYS['kind'].help})")
            if isinstance(iraw, dict) and iraw.get("kind") == "manual":
                written.append(_written(path, where, qid, iid, iraw, seen))
                continue
            if iid not in tests:
                raise ConfigError(path, where, f"no hidden test grades this rubric id; {_suggest(str(iid), set(tests) - seen)}")
            if not str(iid).startswith(f"{qid}."):
                raise ConfigError(path, where, f"rubric ids of {qid} must start with '{qid}.'")
            if iid in seen:
                raise ConfigError(path, where, "rubric id used twice")
            seen.add(iid)
            it = _section(path, where, iraw, ITEM_KEYS)
            if it["rubric"]:
                raise ConfigError(path, f"{where}.rubric", "only a written item (kind: manual) has a rubric for graders")
            for name, credit in it["misconceptions"].items():
                if name not in tests[iid]:
                    known = tests[iid]
                    hint = _suggest(str(name), known) if known else f"{iid} detects no misconceptions"
                    raise ConfigError(path, f"{where}.misconceptions.{name}", f"not a misconception of {iid}; {hint}")
                if not isinstance(credit, (int, float)) or isinstance(credit, bool) or not 0 <= credit <= 1:
                    raise ConfigError(path, f"{where}.misconceptions.{name}", f"credit must be a number from 0 to 1, got {credit!r}")
            items.append(Item(id=iid, question=qid, title=it["title"], points=float(it["points"]),
                              visibility=it["visibility"], scoring=it["scoring"],
                              rtol=float(tolerance["rtol"] if it["rtol"] is None else it["rtol"]),
                              atol=float(tolerance["atol"] if it["atol"] is None else it["atol"]),
                              misconceptions=dict(it["misconceptions"])))
        questions.append(Question(id=qid, title=q["title"], items=tuple(items), written=tuple(written)))
    declared = [question.id for question in QUESTIONS]
    for qid in raw:
        if qid not in declared:
            raise ConfigError(path, f"questions.{qid}", f"not a question of the assignment ({', '.join(declared)}, "
                              "declared in autograder/spec/assignment.py); declare it there first (README, "
                              "\"Adding or changing a question\")")
    absent = [qid for qid in declared if qid not in raw]
    if absent:
        raise ConfigError(path, "questions", f"no rubric for {', '.join(absent)} (declared in "
                          "autograder/spec/assignment.py); add each with its title and items")
    missing = sorted(set(tests) - seen)
    if missing:
        raise ConfigError(path, "questions", f"no rubric item for the hidden test(s) of {', '.join(missing)}; add them under their question's items")
    return tuple(questions)


def _written(path, where: str, qid: str, iid, raw: dict, seen: set) -> Item:
    """A written item (kind: manual): no hidden test grades it, so none of the keys for one apply."""
    if not str(iid).startswith(f"{qid}."):
        raise ConfigError(path, where, f"rubric ids of {qid} must start with '{qid}.'")
    if not GRADE_ID.fullmatch(str(iid).replace(".", "-")):
        raise ConfigError(path, where, "a written item's id may hold only letters, digits, _ and - after the "
                          "question's '.' (it names its notebook cell, as nbgrader's grade id)")
    if iid in seen:
        raise ConfigError(path, where, "rubric id used twice")
    seen.add(iid)
    it = _section(path, where, raw, ITEM_KEYS)
    for key in ("scoring", "rtol", "atol", "misconceptions"):
        if key in raw:
            raise ConfigError(path, f"{where}.{key}", "a written item (kind: manual) is graded by people: "
                              f"{key} is for items a hidden test grades; remove it")
    return Item(id=iid, question=qid, title=it["title"], points=float(it["points"]), visibility=it["visibility"],
                kind="manual", rubric=it["rubric"].strip())
