"""The reference solutions, held only by the grader process, with answers memoised per input.

Several rubric items need the same reference answer (the four gradients come
from one backprop); `Reference.call` computes each once per input and student.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from .stubs import MODULES


def load_solutions(folder: Path) -> dict:
    """Import solutions/<module>.py under private names; returns {module name: module}."""
    modules = {}
    for filename in MODULES:
        name = filename[:-3]
        path = Path(folder) / filename
        if not path.is_file():
            raise FileNotFoundError(f"reference solution {path} is missing (assignment.solutions in config.yaml)")
        spec = importlib.util.spec_from_file_location(f"_nnb_reference_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[name] = module
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
        return self._once((module, function, id(cases)), cases,
                          lambda: [getattr(self.modules[module], function)(*args) for args in cases])

    def one(self, function, cases: list, i: int):
        """A grader-side function (e.g. a misconception's answers) of cases[i], computed once."""
        return self._once((function, id(cases), i), cases, lambda: function(*cases[i]))

    def _once(self, key: tuple, cases: list, compute):
        entry = self.lists.get(key)
        if entry is None or entry[0] is not cases:  # the entry keeps `cases` alive, so its id is not reused
            entry = self.lists[key] = (cases, compute())
        return entry[1]
