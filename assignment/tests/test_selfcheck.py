"""The public self-checks of selfcheck.py as pytest tests, one test per check.

Run from the assignment folder:  python -m pytest -q
A failing test prints the same plain-words line as `python selfcheck.py`.
"""
import pytest

import selfcheck


@pytest.fixture(scope="module")
def modules():
    """Your three modules, loaded once for the whole run (or the error loading one raised)."""
    return selfcheck.load_all()


@pytest.mark.parametrize("check", selfcheck.checks(), ids=lambda check: check.id)
def test_check(check, modules):
    result = selfcheck.run_check(check, modules)
    if not result.passed:
        pytest.fail(result.line, pytrace=False)
