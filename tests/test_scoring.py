"""Scoring's closeness test, on both of its branches: small arrays compared as Python floats, large ones
with numpy. Both must say the same for every input, NaN and inf included."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.scoring import _close, _off


def _cases(rng, size):
    want = rng.normal(size=size) * 10.0 ** rng.integers(-3, 4)
    yield want, want.copy()
    yield want, want + 5e-5 * np.abs(want).max()  # within rtol 1e-4 of the scale
    yield want, want + 2e-4 * np.abs(want).max()  # past it
    near = want.copy()
    near.flat[0] = 0.0 if want.size > 1 else near.flat[0]
    yield near, near + 9e-5 * np.abs(near).max()  # an entry at 0 may be off by rtol times the scale
    for bad in (np.nan, np.inf, -np.inf):
        got = want.copy()
        got.flat[-1] = bad
        yield want, got
        yield got, got.copy()  # the same non-finite value in the same place
        other = want.copy()
        other.flat[0] = bad
        yield got, other


@pytest.mark.parametrize("size", [1, 7, 64, 65, 300])
@pytest.mark.parametrize("same_nonfinite", [False, True])
def test_both_branches_agree_with_the_normwise_rule(size, same_nonfinite):
    rng = np.random.default_rng(size)
    for _ in range(20):
        for want, got in _cases(rng, size):
            expected = not np.any(_off(got, want, 1e-4, 1e-8, same_nonfinite))
            assert _close(got, want, 1e-4, 1e-8, same_nonfinite) == expected, (want, got)


def test_the_rule_itself():
    want = np.array([100.0, 1e-6])
    assert _close(want + [0, 5e-3], want, 1e-4, 1e-8)  # a small entry may be off by rtol * the largest
    assert not _close(want + [0, 2e-2], want, 1e-4, 1e-8)
    assert not _close(np.array([np.nan, 1e-6]), want, 1e-4, 1e-8)
    assert _close(np.array([np.inf, 1.0]), np.array([np.inf, 1.0]), 1e-4, 1e-8, same_nonfinite=True)
    assert not _close(np.array([np.inf, 1.0]), np.array([np.inf, 1.0]), 1e-4, 1e-8)  # never close to a non-finite reference
    assert not _close(np.zeros(3), np.zeros((3, 1)), 1e-4, 1e-8)  # shapes differ
    assert _close(np.zeros(3), np.zeros(3), 0.0, 0.0)
