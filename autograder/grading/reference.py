"""The reference solutions, held only by the grader process, with answers memoised per input.

Several rubric items need the same reference answer (the four gradients come
from one backprop); `Reference.call` computes each once per input and student.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from autograder.spec.assignment import MODULES, graded


def load_module(path: Path, name: str):
    """Import one file as a module named `name`, by path (no sys.path search), writing no __pycache__."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = write_bytecode
    return module


def load_solutions(folder: Path) -> dict:
    """Import solutions/<module>.py under private names; returns {module name: module}."""
    modules = {}
    for filename in MODULES:
        path = Path(folder) / filename
        if not path.is_file():
            raise FileNotFoundError(f"reference solution {path} is missing (assignment.solutions in config.yaml)")
        modules[filename[:-3]] = load_module(path, f"_nnb_reference_{filename[:-3]}")
    return modules


class Reference:
    """Reference answers, held only by the grader. `reset()` between students.

    `each` computes the answers for one student's list of cases once, however many
    items need them (the four gradients come from one backprop per case).
    """

    def __init__(self, modules: dict):
        self.modules = modules
        self.lists: dict[tuple, tuple[list, list]] = {}

    def reset(self) -> None:
        self.lists.clear()

    def __getattr__(self, module: str):
        try:
            return self.__dict__["modules"][module]
        except KeyError:
            raise AttributeError(module) from None

    def call(self, module: str, function: str, *args):
        """module.function(*args) from the reference solutions."""
        return getattr(self.modules[module], function)(*args)

    def each(self, module: str, function: str, cases: list) -> list:
        """module.function(*args) for every args in one student's list of cases, computed once per list."""
        return self.once((module, function, id(cases)), cases,
                         lambda: [getattr(self.modules[module], function)(*args) for args in cases])

    def stand_ins(self, module: str, function: str, cases: list) -> dict | None:
        """The grader's answers that stand in for a student's helpers while `function` runs on `cases`.

        Errors do not cascade: a graded function whose declaration (spec/assignment.py) names
        `stand_ins` runs with the reference's answers for its helpers, on the very inputs the
        reference's own `function` gives them on these cases (recorded as it runs); the student's
        code answers any other input. So a wrong softmax costs q3.softmax, not the gradients too.
        Given for every student alike: what the grader calls never depends on an earlier answer.
        {helper: [[args, answer], ...]}, or None when the function has no stand-ins.
        """
        helpers = graded(module, function).stand_ins
        if not helpers:
            return None
        return self.once(("stand-ins", id(cases)), cases, lambda: _record(self.modules[module], function, helpers, cases))

    def one(self, function, cases: list, i: int):
        """A grader-side function (e.g. a misconception's answers) of cases[i], computed once."""
        return self.once((function, id(cases), i), cases, lambda: function(*cases[i]))

    def once(self, key: tuple, cases: list, compute):
        """compute(), once per student for this key; the key must hold id(cases) (kept alive meanwhile)."""
        entry = self.lists.get(key)
        if entry is None or entry[0] is not cases:  # the entry keeps `cases` alive, so its id is not reused
            entry = self.lists[key] = (cases, compute())
        return entry[1]


def _record(module, function: str, helpers: tuple[str, ...], cases: list) -> dict:
    """{helper: [[args, answer], ...]}: every call `module.function` makes to its helpers on `cases`,
    nested ones too (each helper is looked up in the module's globals when it is called)."""
    calls: dict[str, list] = {name: [] for name in helpers}
    originals = {name: getattr(module, name) for name in helpers}

    def recording(name):
        def helper(*args):
            answer = originals[name](*args)
            calls[name].append([list(args), answer])
            return answer
        return helper
    try:
        for name in helpers:
            setattr(module, name, recording(name))
        for args in cases:
            getattr(module, function)(*args)
    finally:
        for name, original in originals.items():
            setattr(module, name, original)
    return calls
