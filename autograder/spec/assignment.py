"""The assignment, declared once: its questions, the file students answer each in, the names
graded there with the inputs each is called on, the hidden tests, and the files students get.

Everything else derives from here: the stubs (`make stubs`), which files of a submission are
graded, the reference solutions the grader loads, the calls it makes into a submission (all at
once, before the hidden tests read the answers), what `make release` hands out and what the
benchmark builds. config.yaml gives each question's items, points and credits; the hidden test
module grades them. README, "Adding or changing a question", walks through a change.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Graded:
    """One name a hidden test reads from a student's module.

    name: the function (or constant) in the module.
    cases: the case builder (grading/cases.py, or a hidden test module: `@builder`) whose argument
        tuples it is called on; None for a constant (read once) or a function of no arguments.
    stand_ins: functions of the same module that answer with the reference's values while this one
        runs on its cases (for every student alike), so a wrong helper costs its own item only.
    """

    name: str
    cases: str | None = None
    stand_ins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question: its id (config.yaml's rubric ids for it start with "<id>."), the module students
    write it in (beside the notebook; solutions/ holds the reference of the same name), its hidden
    test module (autograder/grading/hidden/<tests>.py) and the names graded in the module."""

    id: str
    module: str
    tests: str
    graded: tuple[Graded, ...]

    @property
    def stem(self) -> str:
        """The module's import name: "backprop" for backprop.py."""
        return self.module[:-3]


QUESTIONS = (
    Question("q1", "step_network.py", "test_q1", (
        Graded("REPRESENTABLE"),
        Graded("step", cases="step"),
        Graded("step_network", cases="step_network"),
        Graded("indicator_params", cases="indicator"),
        Graded("piecewise_constant_params", cases="piecewise_constant"),
    )),
    Question("q2", "xor_relu.py", "test_q2", (
        Graded("relu", cases="relu"),
        Graded("relu_network", cases="relu_network"),
        Graded("xor_weights"),
    )),
    Question("q3", "backprop.py", "test_q3", (
        Graded("softmax", cases="softmax"),
        Graded("cross_entropy", cases="cross_entropy"),
        Graded("forward", cases="forward"),
        Graded("backprop", cases="network", stand_ins=("softmax", "forward")),
    )),
)

NOTEBOOK = "nn_backprop.ipynb"  # what students read and run; not graded (the modules are)
MODULES = tuple(question.module for question in QUESTIONS)  # the graded files of a submission
HIDDEN_TESTS = tuple(question.tests for question in QUESTIONS)
# What students get beside the notebook and the stubs: the self-checks, with pytest's setup for them.
STUDENT_FILES = ("selfcheck.py", "pytest.ini", "requirements.txt", "tests/__init__.py", "tests/conftest.py",
                 "tests/test_selfcheck.py")
RELEASED = (NOTEBOOK, *MODULES, *STUDENT_FILES)


def graded(stem: str, name: str) -> Graded:
    """The declaration of module `stem`'s graded `name`; KeyError if it is not graded."""
    for question in QUESTIONS:
        if question.stem == stem:
            for entry in question.graded:
                if entry.name == name:
                    return entry
    raise KeyError(f"{stem}.{name} is not declared in autograder/spec/assignment.py")
