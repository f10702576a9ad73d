"""The grader's layout, as the code states it: packages by process tier, imports only downward, no
import circle, the assignment declared once, and the state fingerprint covering only what grades.

Tiers, top first (README, "How the grader is built"): the command line; developer tools; the
integrations (nbgrader, Gradescope); the coordinator; the grading process; outputs; the spec
(declaration, config, named mistakes); the sandbox; core utilities.
"""
from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from autograder.coordinator.state import grader_digest
from autograder.spec.assignment import MODULES, QUESTIONS
from helpers import ROOT

PACKAGE = ROOT / "autograder"
TIERS = ["cli", "devtools", "integrations", "coordinator", "grading", "outputs", "spec", "sandbox", "core"]
DECLARATION = PACKAGE / "spec" / "assignment.py"
HIDDEN = PACKAGE / "grading" / "hidden"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """{module: the package modules it imports}, every import statement counted (those inside functions too)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _tier(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("cli", "__main__"):
        return "cli"
    return parts[1]


def test_every_module_sits_in_a_tier():
    assert {_tier(m) for m in _imports()} <= set(TIERS) | {"cli"}, "a package outside the tiers: add it to TIERS"


def test_no_import_circle():
    graph, state, path = _imports(), {}, []

    def visit(module):
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                raise AssertionError("import circle: " + " -> ".join(path[path.index(target):] + [target]))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_imports_only_go_down_the_tiers():
    upward = [f"{m} ({_tier(m)}) imports {t} ({_tier(t)})" for m, targets in _imports().items() for t in targets
              if _tier(t) != "cli" and _tier(m) != "cli" and TIERS.index(_tier(t)) < TIERS.index(_tier(m))]
    assert not upward


def test_the_sandbox_worker_imports_nothing_of_the_grader():
    worker = {m: t for m, t in _imports().items() if m.startswith("autograder.sandbox.worker")}
    assert worker and all(target.startswith("autograder.sandbox.worker") for targets in worker.values() for target in targets)


def _strings(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_student_module_names_are_written_in_one_grader_module():
    """Outside the hidden tests (which call into the modules by name), only the declaration names them."""
    names = {*MODULES, *(m[:-3] for m in MODULES)}
    naming = sorted(str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py")
                    if HIDDEN not in path.parents
                    and any(text in names or any(f"{m}" in text for m in MODULES) for text in _strings(path)))
    assert naming == ["autograder/spec/assignment.py"]


def test_the_students_selfcheck_matches_the_declaration():
    """selfcheck.py stays standalone (students run it without the grader): it must agree with the declaration."""
    spec = importlib.util.spec_from_file_location("selfcheck_for_structure", ROOT / "assignment" / "selfcheck.py")
    selfcheck = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = selfcheck  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(selfcheck)
    finally:
        del sys.modules[spec.name]
    assert selfcheck.QUESTIONS == {q.id: q.stem for q in QUESTIONS}
    checked = {(check.question, check.target) for check in selfcheck.CHECKS}
    declared = {(q.id, entry.name) for q in QUESTIONS for entry in q.graded}
    assert declared <= checked, f"graded but never self-checked: {sorted(declared - checked)}"
    assert {q for q, _ in checked} == {q.id for q in QUESTIONS}


def test_the_released_stubs_and_solutions_are_the_declared_modules():
    for question in QUESTIONS:
        for folder in ("assignment", "solutions"):
            source = (ROOT / folder / question.module).read_text()
            defined = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)} | {
                t.id for n in ast.parse(source).body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
            assert {entry.name for entry in question.graded} <= defined, f"{folder}/{question.module}"
        assert (HIDDEN / f"{question.tests}.py").is_file()


@pytest.fixture()
def package_copy(tmp_path):
    copy = tmp_path / "autograder"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def _digest(root: Path) -> str:
    grader_digest.cache_clear()
    return grader_digest(root / "config.yaml", root / "solutions", root / "autograder")


@pytest.mark.parametrize("edited", ["outputs/report.py", "outputs/feedback.py", "devtools/bench.py", "cli.py",
                                    "coordinator/batch.py", "integrations/gradebook.py"])
def test_editing_what_does_not_grade_regrades_nobody(package_copy, edited):
    before = _digest(package_copy)
    with open(package_copy / "autograder" / edited, "a") as f:
        f.write("\n# an edit\n")
    assert _digest(package_copy) == before


@pytest.mark.parametrize("edited", ["autograder/grading/scoring.py", "autograder/grading/hidden/test_q3.py",
                                    "autograder/sandbox/worker/main.py", "autograder/spec/mistakes.py",
                                    "autograder/core/ids.py", "solutions/backprop.py", "config.yaml"])
def test_editing_what_grades_regrades_everyone(package_copy, edited):
    before = _digest(package_copy)
    with open(package_copy / edited, "a") as f:
        f.write("\n# an edit\n")
    assert _digest(package_copy) != before


@pytest.mark.parametrize("key", ["b2", "U", "b1", "W"])
def test_each_gradient_recognises_exactly_the_mistakes_its_rubric_mark_names(key):
    """The @rubric mark is where an item's mistakes are written (config.yaml's credits are checked against
    it); the gradient tests find theirs from what each mistake changes. The two must be the same set."""
    from autograder.grading import misconceptions as mc
    from autograder.grading.cases import Cases
    from autograder.grading.plugin import declared_tests

    found = set()
    for network in Cases(1, "ada").network:
        for variants in (mc.backprop_singles, mc.backprop_variants):
            found |= {part for name, grads in variants(*network).items() if name != "right" and key in grads
                      for part in name.split("+")}
    assert found == set(declared_tests()[f"q3.grad_{key}"])
