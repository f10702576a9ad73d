"""No surprise at grading: a function whose public self-checks all pass gets full marks from the grader,
and one the grader marks down fails a self-check, for every recognised mistake, every correct variant
and every real implementation in the corpus.

The self-check (assignment/selfcheck.py) runs as a student runs it, in a folder of its own; the grader
grades the same code in one class.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from autograder.devtools.samples import EQUIVALENT, MISTAKES, variant, write_class
from helpers import ITEMS_OF, ROOT, read_result, run_grader

CORPUS = ROOT / "tests" / "corpus"


def _submissions() -> dict[str, dict[str, str]]:
    subs = {"solution": variant()}
    subs |= {f"mistake-{name}": variant(*edits) for name, edits in MISTAKES.items()}
    subs |= {f"equivalent-{name}": variant(*edits) for name, edits in EQUIVALENT.items()}
    for entry in yaml.safe_load((CORPUS / "corpus.yaml").read_text())["entries"]:
        subs[f"corpus-{entry['slug']}"] = {m: (CORPUS / entry["slug"] / m).read_text() for m in entry["modules"]}
    return subs


SUBMISSIONS = _submissions()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("surprise")
    write_class(tmp / "subs", SUBMISSIONS)
    done = run_grader(tmp / "subs", tmp / "out")
    assert done.returncode == 0, done.stderr
    return tmp / "out"


def selfcheck(tmp_path, files: dict[str, str]) -> dict[str, bool]:
    """{function: every self-check of it passes}, from `python selfcheck.py` in a folder like assignment/."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / "assignment" / "selfcheck.py", work)
    for name, text in files.items():
        (work / name).write_text(text)
    done = subprocess.run([sys.executable, "selfcheck.py"], cwd=work, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    passes: dict[str, bool] = {}
    for line in done.stdout.splitlines():
        found = re.match(r"(PASS|FAIL|NOT DONE) (\w+):", line)
        if found:
            passes[found[2]] = passes.get(found[2], True) and found[1] == "PASS"
    assert set(passes) == set(ITEMS_OF), done.stdout
    return passes


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_self_checks_pass_exactly_where_grading_gives_full_marks(graded, tmp_path, student):
    passes = selfcheck(tmp_path, SUBMISSIONS[student])
    results = read_result(graded, student)
    for function, items in ITEMS_OF.items():
        full = all(results[item]["score"] == results[item]["max_score"] for item in items)
        assert passes[function] == full, (function, [results[item]["output"] for item in items])


def test_the_self_check_uses_the_graders_cross_entropy_probabilities():
    """Cross-entropy's error from a safeguard depends on the probabilities alone: both use the same ones."""
    import importlib.util

    import numpy as np

    from autograder.grading.cases import CROSS_ENTROPY

    spec = importlib.util.spec_from_file_location("selfcheck_copy", ROOT / "assignment" / "selfcheck.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert len(module._CROSS_ENTROPY) == len(CROSS_ENTROPY)
    for (y_hat, label, y), (want_hat, want_label, want_y) in zip(module._CROSS_ENTROPY, CROSS_ENTROPY):
        assert np.array_equal(np.array(y_hat) / 64, want_hat) and label == want_label
        assert np.array_equal(np.array(y) / 64, want_y)
