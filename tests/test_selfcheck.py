"""The public self-checks, assignment/selfcheck.py, and their pytest wrapper.

Each test builds a folder laid out like assignment/ (selfcheck.py, pytest.ini,
tests/ and the three modules: reference solutions, untouched stubs, or a
deliberately broken variant) and runs the self-check there in a subprocess,
as a student would from the assignment folder.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignment"
SOLUTIONS = ROOT / "solutions"
MODULES = ("step_network.py", "xor_relu.py", "backprop.py")
ENV = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"} | {"PYTHONDONTWRITEBYTECODE": "1"}


def make_workdir(tmp_path: Path, source: Path, edits: dict[str, tuple[str, str]] | None = None) -> Path:
    """A copy of assignment/'s self-check files plus the modules from `source`.

    edits: {module file name: (old text, new text)}, applied to the copies.
    """
    work = tmp_path / "assignment"
    work.mkdir()
    shutil.copy(ASSIGNMENT / "selfcheck.py", work)
    shutil.copy(ASSIGNMENT / "pytest.ini", work)
    shutil.copytree(ASSIGNMENT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in MODULES:
        shutil.copy(source / name, work)
    for name, (old, new) in (edits or {}).items():
        text = (work / name).read_text()
        assert old in text, f"{old!r} not found in {name}"
        (work / name).write_text(text.replace(old, new))
    return work


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=60)


def check_lines(output: str) -> list[str]:
    """The per-check lines of selfcheck's output."""
    return [line for line in output.splitlines() if line.startswith(("PASS ", "FAIL ", "NOT DONE "))]


def test_solutions_pass_everything(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS)
    done = run(["selfcheck.py"], work)
    lines = check_lines(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(lines) >= 15 and all(line.startswith("PASS ") for line in lines), done.stdout
    assert done.stdout.count("checks pass.") == 3 and done.stderr == ""

    tests = run(["-m", "pytest", "-q"], work)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert f"{len(lines)} passed" in tests.stdout


def test_run_and_results_api(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"xor_relu.py": ('"b2": -1.0,', '"b2": 5.0,')})
    code = (
        "import selfcheck\n"
        "failures = selfcheck.run('q2')\n"
        "results = selfcheck.results('q2')\n"
        "print('RESULT', failures, [r.status for r in results], [r.check.id for r in results if not r.passed])\n"
    )
    done = run(["-c", code], work)
    assert done.returncode == 0, done.stderr
    result = done.stdout.splitlines()[-1]
    assert result.startswith("RESULT 1 [") and "'FAIL'" in result, done.stdout
    assert "'q2 xor_weights: classifies the four XOR points'" in result, done.stdout
    assert "FAIL xor_weights: at x = (1, -1): expected sign -1" in done.stdout


def test_stubs_are_not_done(tmp_path):
    work = make_workdir(tmp_path, ASSIGNMENT)
    done = run(["selfcheck.py"], work)
    lines = check_lines(done.stdout)
    assert done.returncode == 1
    assert lines and all(line.startswith("NOT DONE ") for line in lines), done.stdout
    assert "NOT DONE backprop: not implemented yet" in lines
    assert "NOT DONE step: not implemented yet" in lines
    assert any(line.startswith("NOT DONE REPRESENTABLE: still None") for line in lines)
    assert "Traceback" not in done.stdout + done.stderr

    tests = run(["-m", "pytest", "-q"], work)
    assert tests.returncode == 1
    assert f"{len(lines)} failed" in tests.stdout, tests.stdout
    assert "NOT DONE softmax: not implemented yet" in tests.stdout
    assert "test_check[q1 step: g(0) = 1]" in tests.stdout  # readable test ids
    assert "Traceback" not in tests.stdout and "raise NotImplementedError" not in tests.stdout


def test_transposed_gradient_is_reported_by_shape(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"backprop.py": ('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')})
    done = run(["selfcheck.py", "q3"], work)
    assert done.returncode == 1
    failures = [line for line in check_lines(done.stdout) if line.startswith("FAIL ")]
    assert failures and all(line.startswith("FAIL backprop: dJ/dU") for line in failures), done.stdout
    assert any("expected shape (3, 4)" in line and "got shape (4, 3)" in line for line in failures), done.stdout

    tests = run(["-m", "pytest", "-q"], work)
    assert tests.returncode == 1
    assert "FAIL backprop: dJ/dU: expected shape (3, 4) (the shape of U), got shape (4, 3)" in tests.stdout


def test_other_errors_name_type_message_and_line(tmp_path):
    bad_line = "return (np.asarray(z, dtype=float) >= zero).astype(float)"
    work = make_workdir(
        tmp_path, SOLUTIONS, {"step_network.py": ("return (np.asarray(z, dtype=float) >= 0).astype(float)", bad_line)}
    )
    lineno = (work / "step_network.py").read_text().splitlines().index("    " + bad_line) + 1
    done = run(["selfcheck.py", "q1"], work)
    lines = check_lines(done.stdout)
    expected = f"FAIL step: raised NameError: name 'zero' is not defined (step_network.py, line {lineno}: {bad_line})"
    assert expected in lines, done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_syntax_error_fails_only_that_question(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"xor_relu.py": ("def relu(z):", "def relu(z)")})
    done = run(["selfcheck.py"], work)
    lines = check_lines(done.stdout)
    q2 = [line for line in lines if re.match(r"(PASS|FAIL|NOT DONE) (relu|relu_network|xor_weights):", line)]
    assert q2 and all("could not load xor_relu.py: SyntaxError" in line for line in q2), done.stdout
    assert re.search(r"xor_relu\.py, line \d+\)", q2[0])
    assert sum(line.startswith("PASS ") for line in lines) == len(lines) - len(q2)


def test_modules_come_from_selfchecks_folder_not_cwd(tmp_path):
    # Started from solutions/ (which `python -m` puts on sys.path), the checks
    # must still grade the stubs beside selfcheck.py.
    work = make_workdir(tmp_path, ASSIGNMENT)
    tests = run(["-m", "pytest", "-q", str(work / "tests")], SOLUTIONS)
    assert tests.returncode == 1 and "not implemented yet" in tests.stdout, tests.stdout
    assert " passed" not in tests.stdout


def test_pytest_from_project_root_uses_assignment_modules():
    tests = run(["-m", "pytest", "-q", "assignment/tests"], ROOT)
    assert "error" not in tests.stdout.splitlines()[-1], tests.stdout  # collected and ran
    assert "NOT DONE backprop: not implemented yet" in tests.stdout, tests.stdout  # the stubs, not solutions/
