"""The student stubs in assignment/ and the tool that makes them, autograder/devtools/stubs.py.

- assignment/<module>.py is exactly what `make_stub` makes of solutions/<module>.py,
  so `python -m autograder stubs` would change nothing;
- nothing from inside a solution region leaks into any file under assignment/;
- every answer in a stub raises NotImplementedError (or is None), the given
  helpers are kept;
- malformed markers are a hard error naming the file and the line.
"""
from __future__ import annotations

import ast
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.devtools import stubs
from autograder.grading.reference import load_module
from autograder.devtools.stubs import BEGIN, END, MODULES, MarkerError, make_stub, solution_lines

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENT = ROOT / "assignment"

# the graded functions of each module: each must raise NotImplementedError in its stub
ANSWERED_FUNCTIONS = {
    "step_network.py": ("step", "step_network", "indicator_params", "piecewise_constant_params"),
    "xor_relu.py": ("relu", "relu_network", "xor_weights"),
    "backprop.py": ("softmax", "cross_entropy", "forward", "backprop"),
}
# names the stubs must keep as they are (given, not graded)
GIVEN = {"step_network.py": (), "xor_relu.py": ("X", "Y"), "backprop.py": ("loss",)}


def test_the_stub_tool_under_test_is_this_projects():
    assert Path(stubs.__file__).resolve() == (ROOT / "autograder" / "devtools" / "stubs.py").resolve()
    assert set(MODULES) == set(ANSWERED_FUNCTIONS)


def _text_files(folder: Path):
    """(path, text) for every file under folder that decodes as UTF-8 text."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            yield path, path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary (e.g. a .pyc): no source lines to leak


def _lines_of(path: Path, text: str) -> set[str]:
    """Stripped lines of a file; for a notebook, also the lines of every cell (and output) source."""
    lines = {line.strip() for line in text.splitlines()}
    if path.suffix == ".ipynb":
        notebook = json.loads(text)
        for cell in notebook.get("cells", []):
            for part in [cell.get("source", "")] + [o.get("text", "") for o in cell.get("outputs", [])]:
                joined = "".join(part) if isinstance(part, list) else part
                lines |= {line.strip() for line in joined.splitlines()}
    return lines


# ---------------------------------------------------------------------------
# committed stubs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", MODULES)
def test_committed_stub_is_what_make_stub_makes(name):
    source = (SOLUTIONS / name).read_text(encoding="utf-8")
    expected = make_stub(source, str(SOLUTIONS / name))
    committed = (ASSIGNMENT / name).read_text(encoding="utf-8")
    assert committed == expected, (
        f"assignment/{name} is out of date with solutions/{name}: run `python -m autograder stubs`")


@pytest.mark.parametrize("name", MODULES)
def test_stub_is_valid_python_with_the_same_names_and_signatures(name):
    solution = load_module(SOLUTIONS / name, f"_solution_for_stub_{name[:-3]}")
    stub = load_module(ASSIGNMENT / name, f"_stub_{name[:-3]}")
    ast.parse((ASSIGNMENT / name).read_text(encoding="utf-8"))
    public = {n for n in vars(solution) if not n.startswith("_")}
    assert public <= set(vars(stub)), f"missing in the stub: {public - set(vars(stub))}"
    for fname, func in inspect.getmembers(solution, inspect.isfunction):
        if func.__module__ == solution.__name__:
            stub_func = getattr(stub, fname)
            assert inspect.signature(stub_func) == inspect.signature(func), fname
            assert inspect.getdoc(stub_func) == inspect.getdoc(func), fname
    assert inspect.getdoc(stub) == inspect.getdoc(solution)


def test_solution_lines_are_found():
    """Sanity check of the leak test below: the solutions do have marked lines to hide."""
    for name in MODULES:
        found = solution_lines((SOLUTIONS / name).read_text(encoding="utf-8"), name)
        assert len(found) >= 3, name
    assert "return e / np.sum(e)" in solution_lines((SOLUTIONS / "backprop.py").read_text(encoding="utf-8"), "b")


def test_no_solution_line_anywhere_under_assignment():
    secret = set()
    for name in MODULES:
        secret |= solution_lines((SOLUTIONS / name).read_text(encoding="utf-8"), name)
    checked = 0
    for path, text in _text_files(ASSIGNMENT):
        checked += 1
        leaked = secret & _lines_of(path, text)
        assert not leaked, f"{path.relative_to(ROOT)} contains solution line(s): {sorted(leaked)}"
    assert checked >= len(MODULES)


def test_no_solution_markers_under_assignment():
    for path, text in _text_files(ASSIGNMENT):
        for number, line in enumerate(text.splitlines(), start=1):
            assert "BEGIN SOLUTION" not in line and "END SOLUTION" not in line, \
                f"{path.relative_to(ROOT)}:{number}: solution marker left in the assignment"


def _dummy_args(func) -> list:
    return [None] * len(inspect.signature(func).parameters)


@pytest.mark.parametrize("name", MODULES)
def test_every_answer_in_a_stub_raises_not_implemented(name):
    stub = load_module(ASSIGNMENT / name, f"_stub_raise_{name[:-3]}")
    for fname in ANSWERED_FUNCTIONS[name]:
        func = getattr(stub, fname)
        with pytest.raises(NotImplementedError) as info:
            func(*_dummy_args(func))
        assert str(info.value) == f"{fname} is not implemented yet"


@pytest.mark.parametrize("name", MODULES)
def test_answered_functions_are_exactly_those_with_regions(name):
    """Each function holding a solution region (and no other) is in ANSWERED_FUNCTIONS."""
    source = (SOLUTIONS / name).read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    with_region = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            body = lines[node.lineno - 1: node.end_lineno]
            if any(line.strip() == BEGIN for line in body):
                with_region.add(node.name)
    assert with_region == set(ANSWERED_FUNCTIONS[name])


def test_representable_stub_is_all_none():
    stub = load_module(ASSIGNMENT / "step_network.py", "_stub_repr_step_network")
    assert set(stub.REPRESENTABLE) == {"linear", "hinge", "quadratic", "piecewise_constant"}
    assert all(value is None for value in stub.REPRESENTABLE.values())


def test_given_helpers_are_kept():
    xor_stub = load_module(ASSIGNMENT / "xor_relu.py", "_stub_given_xor_relu")
    np.testing.assert_array_equal(xor_stub.X, [[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    np.testing.assert_array_equal(xor_stub.Y, [1.0, -1.0, -1.0, 1.0])
    bp_stub = load_module(ASSIGNMENT / "backprop.py", "_stub_given_backprop")
    assert callable(bp_stub.loss)
    bp_solution = load_module(SOLUTIONS / "backprop.py", "_solution_given_backprop")
    assert inspect.getsource(bp_stub.loss) == inspect.getsource(bp_solution.loss)
    # loss is given, but it needs forward, which the student has not written yet
    with pytest.raises(NotImplementedError, match="forward is not implemented yet"):
        bp_stub.loss(np.zeros(2), np.array([1.0]), np.zeros((1, 2)), np.zeros(1), np.zeros((1, 1)), np.zeros(1))
    for name, given in GIVEN.items():
        stub = load_module(ASSIGNMENT / name, f"_stub_given2_{name[:-3]}")
        for helper in given:
            assert hasattr(stub, helper), f"{name} stub lost {helper}"


# ---------------------------------------------------------------------------
# make_stub on synthetic sources
# ---------------------------------------------------------------------------

# A well-formed start, so errors further down must count lines past a good region.
PREFIX = '''\
"""A synthetic solution module."""
import numpy as np


def good(x):
    """Doc."""
    ### BEGIN SOLUTION
    return x + 1
    ### END SOLUTION

'''
PREFIX_LINES = PREFIX.count("\n")  # 10


def _source(body: str) -> str:
    return PREFIX + body


# (case id, body after PREFIX, line (1-based, in the whole file) the message must name)
MALFORMED = [
    ("begin-without-end", '''\
def f(x):
    """Doc."""
    ### BEGIN SOLUTION
    return 2 * x
''', PREFIX_LINES + 3),
    ("begin-without-end-before-another-def", '''\
def f(x):
    ### BEGIN SOLUTION
    return 2 * x


def g(x):
    return x
''', PREFIX_LINES + 2),
    ("end-without-begin", '''\
def f(x):
    """Doc."""
    return 2 * x
    ### END SOLUTION
''', PREFIX_LINES + 4),
    ("end-twice", '''\
def f(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
    ### END SOLUTION
''', PREFIX_LINES + 5),
    ("nested-begin", '''\
def f(x):
    """Doc."""
    ### BEGIN SOLUTION
    y = 2 * x
    ### BEGIN SOLUTION
    return y
    ### END SOLUTION
''', PREFIX_LINES + 5),
    ("region-outside-function-with-code", '''\
ANSWERS = {
    ### BEGIN SOLUTION
    "a": True,
    compute_answer(),
    ### END SOLUTION
}
''', PREFIX_LINES + 4),
    ("region-outside-function-with-statement", '''\
### BEGIN SOLUTION
ANSWER = 42
### END SOLUTION
''', PREFIX_LINES + 2),
    ("marker-not-alone", '''\
def f(x):
    return 2 * x  ### BEGIN SOLUTION
''', PREFIX_LINES + 2),
]


@pytest.mark.parametrize("body,line", [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_markers_name_file_and_line(body, line):
    filename = "synthetic_q.py"
    with pytest.raises(MarkerError) as info:
        make_stub(_source(body), filename)
    message = str(info.value)
    assert re.search(rf"{re.escape(filename)}:{line}(?!\d)", message), message


@pytest.mark.parametrize("where", ["function", "module"])
def test_empty_region_names_file_and_lines(where):
    if where == "function":
        body = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n'
        begin = PREFIX_LINES + 3
    else:
        body = 'ANSWERS = {\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n}\n'
        begin = PREFIX_LINES + 2
    filename = "empty_region.py"
    with pytest.raises(MarkerError) as info:
        make_stub(_source(body), filename)
    message = str(info.value)
    assert "empty" in message
    # the message names the END line and says where the region was opened
    assert re.search(rf"{re.escape(filename)}:{begin + 1}(?!\d)", message), message
    assert re.search(rf"opened at line {begin}(?!\d)", message), message


def test_no_region_at_all_is_an_error_naming_the_file():
    with pytest.raises(MarkerError, match=r"plain\.py"):
        make_stub("def f(x):\n    return x\n", "plain.py")


def test_marker_error_is_a_value_error():
    assert issubclass(MarkerError, ValueError)


def test_make_stub_on_a_well_formed_synthetic_source():
    source = _source('''\
ANSWERS = {
    ### BEGIN SOLUTION
    "a": True,
    'b': 3,
    ### END SOLUTION
}


class Model:
    def predict(self, x):
        """Doc."""
        if x:
            ### BEGIN SOLUTION
            return {
                "x": x,
            }
            ### END SOLUTION
        return None


def h(x):
    y = x
    ### BEGIN SOLUTION
    y = y * 2
    ### END SOLUTION
    return y
''')
    expected = '''\
"""A synthetic solution module."""
import numpy as np


def good(x):
    """Doc."""
    raise NotImplementedError("good is not implemented yet")

ANSWERS = {
    "a": None,
    'b': None,
}


class Model:
    def predict(self, x):
        """Doc."""
        if x:
            raise NotImplementedError("predict is not implemented yet")
        return None


def h(x):
    y = x
    raise NotImplementedError("h is not implemented yet")
    return y
'''
    assert make_stub(source, "ok.py") == expected
    ast.parse(expected)
    assert solution_lines(source, "ok.py") == {
        "return x + 1", '"a": True,', "'b': 3,", "return {", '"x": x,', "y = y * 2"}


# ---------------------------------------------------------------------------
# the command line, on a copy of the project
# ---------------------------------------------------------------------------

def _copy_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("solutions", "assignment", "autograder"):
        shutil.copytree(ROOT / folder, project / folder, ignore=ignore)
    return project


def _run_stubs_cli(project: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env |= {"PYTHONPATH": str(project), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "autograder", "stubs"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cli_stubs_changes_nothing(tmp_path):
    project = _copy_project(tmp_path)
    before = _snapshot(project / "assignment")
    # a stamp: the CLI writes every stub, so fresh mtimes show it wrote into the copy
    for name in MODULES:
        os.utime(project / "assignment" / name, (0, 0))
    result = _run_stubs_cli(project)
    assert result.returncode == 0, result.stderr
    for name in MODULES:
        assert f"wrote assignment/{name}" in result.stdout
        assert (project / "assignment" / name).stat().st_mtime > 0, f"the CLI did not write the copied {name}"
    assert _snapshot(project / "assignment") == before


def test_cli_stubs_regenerates_the_copy(tmp_path):
    """A stale stub in the copy is rewritten (so the CLI really works on the copy), the original is untouched."""
    project = _copy_project(tmp_path)
    original = (ROOT / "assignment" / "backprop.py").read_bytes()
    stale = project / "assignment" / "backprop.py"
    stale.write_text("# stale\n")
    result = _run_stubs_cli(project)
    assert result.returncode == 0, result.stderr
    assert stale.read_bytes() == original
    assert (ROOT / "assignment" / "backprop.py").read_bytes() == original


def test_cli_stubs_reports_marker_errors(tmp_path):
    project = _copy_project(tmp_path)
    solution = project / "solutions" / "xor_relu.py"
    lines = solution.read_text(encoding="utf-8").splitlines(keepends=True)
    end_at = next(i for i, line in enumerate(lines) if line.strip() == END)
    del lines[end_at]
    solution.write_text("".join(lines), encoding="utf-8")
    begin_line = next(i for i, line in enumerate(lines) if line.strip() == BEGIN) + 1
    # the region opened first is now closed by the next END, so the error is the next BEGIN inside it
    nested_line = next(i for i, line in enumerate(lines) if line.strip() == BEGIN and i + 1 > begin_line) + 1
    result = _run_stubs_cli(project)
    assert result.returncode == 2
    assert re.search(rf"xor_relu\.py:{nested_line}(?!\d)", result.stderr), result.stderr
