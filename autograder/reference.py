"""The reference solutions, held only by the grader process, with answers memoised per input.

Several rubric items need the same reference answer (the four gradients come
from one backprop); `Reference.call` computes each once per input and student.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from .stubs import MODULES
from .worker.wire import digest


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
    """Reference answers for one student's inputs; `reset()` between students."""

    def __init__(self, modules: dict):
        self.modules = modules
        self.memo: dict[bytes, object] = {}
        self.computed = 0

    def reset(self) -> None:
        self.memo.clear()

    def __getattr__(self, module: str):
        try:
            return self.__dict__["modules"][module]
        except KeyError:
            raise AttributeError(module) from None

    def call(self, module: str, function: str, *args):
        """module.function(*args) from the reference solutions, computed once per input."""
        return self._memo((module, function), getattr(self.modules[module], function), args)

    def cached(self, function, *args):
        """Any grader-side function of the inputs (e.g. a misconception's answers), computed once per input."""
        return self._memo(("", function.__qualname__), function, args)

    def _memo(self, name: tuple, function, args):
        key = digest([*name, list(args)])
        if key not in self.memo:
            self.memo[key] = function(*args)
            self.computed += 1
        return self.memo[key]
