"""Each student's own test inputs, seeded from the assignment seed and the student id.

Regrading gives the same inputs; two students get different ones. Edge cases
are always among them: z exactly 0 for the step, x exactly at breakpoints,
pre-activations exactly 0 in backprop, logits of +-1000, soft labels.

Numbers at edges are dyadic (multiples of 1/4, small integers), so expressions
like b + v x or W x + b1 are exactly 0 whatever order a student sums in.

Fair to every student alike (config.yaml `tolerance` states the policy):
- Every input is a float32 number, so code that computes in float32 reads the
  inputs exactly and differs from the reference only by its own rounding.
- Probabilities are multiples of 1/64 (sums exactly 1, no entry below 1/64), so
  the usual safeguards (a 1e-8 inside a log, clipping at 1e-7) change nothing
  the tolerance can see.
- The split of case kinds (one-hot / soft labels, exact zeros, shapes) is the
  same for everyone, and inputs are drawn again until every recognised mistake
  that can change an answer changes it by at least MARGIN of the answer's scale
  (100 times the default tolerance): a mistake shows in the same cases for every
  student, so it costs every student the same.
"""
from __future__ import annotations

import functools
import hashlib
import math
import random
from typing import Callable

import numpy as np

from autograder.core.ids import id_bytes
from autograder.grading import misconceptions as mc
from autograder.spec.assignment import QUESTIONS

MARGIN = 1e-2  # a recognised mistake changes an answer by this share of its scale, or not at all
SCALE = 0.05  # the smallest largest entry of an answer with mistakes to tell apart: rounding stays far below


def distinct(right, alternative) -> bool:
    """Whether a mistake's answer is told apart from the right one for everyone: the same
    exactly (no case of its kind shows it), or off by MARGIN of the larger one's scale."""
    right, alternative = np.asarray(right, dtype=float), np.asarray(alternative, dtype=float)
    return right.shape != alternative.shape or apart(np.stack([right.ravel(), alternative.ravel()]))


def apart(rows: np.ndarray, equal: np.ndarray | None = None) -> bool:
    """Whether every two rows (answers of one shape, flattened) differ by MARGIN of the larger one's
    scale somewhere, except the pairs `equal` marks ((r, r) booleans; default: none), which must be
    exactly equal. A NaN or inf where the other is finite counts as far apart."""
    if np.isfinite(rows).all():
        off = np.abs(rows[:, None, :] - rows[None, :, :]).max(axis=2, initial=0.0)
        scale = np.abs(rows).max(axis=1, initial=0.0)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            off = np.abs(rows[:, None, :] - rows[None, :, :])
            off = np.where(np.isnan(off) & ~(np.isnan(rows[:, None, :]) & np.isnan(rows[None, :, :])), np.inf, off)
            off = np.nan_to_num(off, nan=0.0).max(axis=2, initial=0.0)
            scale = np.nan_to_num(np.abs(rows), nan=0.0, posinf=0.0).max(axis=1, initial=0.0)
    if equal is None:
        equal = np.eye(len(rows), dtype=bool)
    apart = (off > 0.0) & (off >= MARGIN * np.maximum(scale[:, None], scale[None, :]))
    return bool(np.all(np.where(equal, off == 0.0, apart)))


# cross_entropy's probabilities, per k: (y_hat, the class of the one-hot y, a soft y), multiples of 1/64.
# The one-hot y is on a small y_hat (J = log 64 for k = 6); on the soft y every cross-entropy mistake
# gives an answer MARGIN apart from every other (tests/test_fairness.py checks it).
CROSS_ENTROPY = [(np.array([40, 24]) / 64, 1, np.array([20, 44]) / 64),
                 (np.array([8, 36, 20]) / 64, 0, np.array([28, 12, 24]) / 64),
                 (np.array([1, 6, 12, 24, 4, 17]) / 64, 0, np.array([14, 2, 8, 9, 27, 4]) / 64)]


def f32(values):
    """The nearest float32 numbers, as float64: code that works in float32 reads them exactly."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


class Draws:
    """Random inputs for one student and topic, stable across runs, platforms and Python versions.

    Built only on `random.Random.random()`, whose sequence Python guarantees for a given
    seed; each draw is a few plain float operations (a numpy Generator costs microseconds
    per call, and a student's cases take over a hundred calls).
    """

    def __init__(self, seed: int, student: str, topic: str):
        digest = hashlib.sha256(f"{seed}\0".encode() + id_bytes(student) + f"\0{topic}".encode()).digest()
        self.random = random.Random(int.from_bytes(digest[:16], "big")).random

    def integers(self, low: int, high: int, size=None, scale: float = 1):
        """Integers in [low, high), times `scale`: one number, or an array of shape `size`."""
        r, span = self.random, high - low
        if size is None:
            return (low + int(r() * span)) * scale
        return _shaped([(low + int(r() * span)) * scale for _ in range(_count(size))], size)

    def quarters(self, low: float, high: float, size=None):
        """Multiples of 1/4 in [low, high]: exact in binary floating point."""
        return self.integers(int(low * 4), int(high * 4) + 1, size, 0.25)

    def normal(self, size=None):
        """Standard normal numbers (Box-Muller), rounded to float32: one float, or an array of shape `size`."""
        r, log, cos, sqrt, turn = self.random, math.log, math.cos, math.sqrt, 2.0 * math.pi
        draw = [sqrt(-2.0 * log(1.0 - r())) * cos(turn * r()) for _ in range(1 if size is None else _count(size))]
        return float(f32(draw[0])) if size is None else f32(_shaped(draw, size))

    def choice(self, options, size: int, replace: bool = True) -> np.ndarray:
        """`size` of `options` (1-D), with or without replacement."""
        options = list(options)
        if replace:
            return np.array([options[int(self.random() * len(options))] for _ in range(size)])
        return np.array(self._shuffled(options)[:size])

    def permutation(self, values: np.ndarray) -> np.ndarray:
        """The 1-D array in a random order."""
        return np.array(self._shuffled(list(values)), dtype=np.asarray(values).dtype)

    def simplex(self, k: int, parts: int = 64) -> np.ndarray:
        """k probabilities, multiples of 1/parts summing to exactly 1, none below 1/parts, the
        largest one unique (so "the class of largest probability" is well defined)."""
        while True:
            cuts = sorted(self._sample(list(range(1, parts)), k - 1))
            counts = np.diff([0, *cuts, parts])
            if k == 1 or np.sum(counts == counts.max()) == 1:
                return counts / parts

    def _sample(self, items: list, count: int) -> list:
        """`count` of `items` without replacement (the first steps of a Fisher-Yates shuffle)."""
        for i in range(count):
            j = i + int(self.random() * (len(items) - i))
            items[i], items[j] = items[j], items[i]
        return items[:count]

    def _shuffled(self, items: list) -> list:
        for i in range(len(items) - 1, 0, -1):  # Fisher-Yates
            j = int(self.random() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items


def _count(size) -> int:
    return size if isinstance(size, int) else math.prod(size)


def _shaped(values: list, size) -> np.ndarray:
    return np.array(values) if isinstance(size, int) else np.array(values).reshape(size)


BUILDERS: dict[str, Callable[[Draws], list]] = {}


def builder(build: Callable[[Draws], list]) -> Callable:
    """Register `build(draws)` as the case builder named after it (spec/assignment.py names builders
    in `Graded.cases`). It returns a list of argument tuples; `draws` is seeded by the assignment
    seed, the student and the builder's name, so each builder's inputs are its own."""
    if build.__name__ in BUILDERS and BUILDERS[build.__name__] is not build:
        raise ValueError(f"two case builders are named {build.__name__}")
    BUILDERS[build.__name__] = build
    return build


class Cases:
    """One student's inputs of every graded function: `cases.<builder name>`, built when first read."""

    def __init__(self, seed: int, student: str):
        self.seed, self.student = seed, student

    def rng(self, topic: str) -> Draws:
        return Draws(self.seed, self.student, topic)

    def __getattr__(self, name: str) -> list:
        build = BUILDERS.get(name)
        if build is None or name.startswith("_"):
            raise AttributeError(f"no case builder named {name!r} (known: {', '.join(sorted(BUILDERS))})")
        built = self.__dict__[name] = build(self.rng(name))
        return built

    def calls(self) -> list[tuple[str, str, list]]:
        """(module, name, cases) of every graded name (spec/assignment.py), in the declaration's order
        except that those given stand-ins come last (no other call may follow them in the same process);
        `[()]` for a constant or a function of no arguments. The grader asks the worker for all of them
        at once (see Submission.prefetch)."""
        return [(question.stem, entry.name, getattr(self, entry.cases) if entry.cases else [()])
                for last in (False, True) for question in QUESTIONS for entry in question.graded
                if bool(entry.stand_ins) is last]



# -- Question 1 ------------------------------------------------------------------------
@builder
def step(rng: Draws) -> list[tuple]:
    """Args of step(z): a scalar 0, vectors and a matrix, each holding exact zeros."""
    vector = np.concatenate([[0.0, -0.0], rng.quarters(-3, 3, 8), rng.normal(4)])
    matrix = rng.quarters(-1, 1, (3, 4))
    matrix[rng.integers(0, 3), rng.integers(0, 4)] = 0.0
    return [(0.0,), (rng.permutation(vector),), (matrix,), ([-1e-12, 0.0, 1e-12],)]


@builder
def step_network(rng: Draws) -> list[tuple]:
    """Args of step_network(x, w0, w, b, v); x hits every unit's breakpoint exactly.

    Breakpoints are distinct and no output weight is 0, so g(0) shows at each of them.
    """
    cases = []
    for hidden in (1, 3, 5):
        v = rng.choice([-2.0, -1.0, 0.5, 1.0, 2.0], hidden)
        t = rng.choice(np.arange(-8, 9) / 4.0, hidden, replace=False)  # breakpoints: b + v t = 0 exactly
        b = -v * t
        w = rng.choice([-1.0, 1.0], hidden) * rng.quarters(0.25, 2, hidden)
        x = np.concatenate([t, t - 0.125, t + 0.125, rng.quarters(-3, 3, 3)])
        cases.append((rng.permutation(x), float(rng.quarters(-2, 2)), w, b, v))
    return cases


@builder
def indicator(rng: Draws) -> list[tuple]:
    """Args (lo, hi, c) of indicator_params."""
    cases = []
    for _ in range(3):
        lo = float(rng.quarters(-3, 1))
        hi = lo + float(rng.quarters(0.25, 3))
        c = float(rng.choice([-1, 1], 1)[0] * rng.quarters(0.5, 4))
        cases.append((lo, hi, c))
    return cases


@builder
def piecewise_constant(rng: Draws) -> list[tuple]:
    """Args (breakpoints, values) of piecewise_constant_params; some values repeat."""
    cases = []
    for pieces in (1, 3, 5):
        t = np.sort(rng.choice(np.arange(-16, 17) / 4.0, pieces, replace=False))
        values = rng.quarters(-3, 3, pieces + 1)
        if pieces > 1:
            values[1] = values[0]  # a breakpoint where nothing changes
        for j in range(2 if pieces > 1 else 1, pieces + 1):  # every other one changes the value
            while values[j] == values[j - 1]:
                values[j] = rng.quarters(-3, 3)
        cases.append((t, values))
    return cases


# -- Question 2 ------------------------------------------------------------------------
@builder
def relu(rng: Draws) -> list[tuple]:
    vector = np.concatenate([[0.0, -0.0], rng.normal(6) * 3])
    return [(0.0,), (rng.permutation(vector),), (rng.normal((3, 2)),), ([-2.5, 0.0, 4.0],)]


@builder
def relu_network(rng: Draws) -> list[tuple]:
    """Args (x, W1, b1, w2, b2), drawn again until a transposed W1 changes the output by MARGIN.

    (With W1 asymmetric alone, a point where every hidden unit is off scores b2 either way.)
    """
    cases = []
    for n in (1, 4, 7):
        while True:
            x, W1, b1, w2, b2 = rng.normal((n, 2)) * 2, rng.normal((2, 2)), rng.normal(2), rng.normal(2), rng.normal()
            W1[0, 1] += 1.0
            right = np.maximum(x @ W1.T + b1, 0) @ w2 + b2
            wrong = mc.relu_network_untransposed(x, W1, b1, w2, b2)
            if np.max(np.abs(right)) >= SCALE and np.max(np.abs(wrong - right)) >= MARGIN * np.max(np.abs(right)):
                break
        cases.append((x, W1, b1, w2, b2))
    return cases


# -- Question 3 ------------------------------------------------------------------------
@builder
def softmax(rng: Draws) -> list[tuple]:
    return [(rng.normal(1),), (rng.normal(4) * 3,), (rng.normal(7),),
            (np.array([1000.0, -1000.0, 999.0]),), (np.array([-1000.0, -1001.0]),),
            (f32(rng.normal(5) * 2 + 800),)]


@builder
def cross_entropy(rng: Draws) -> list[tuple]:
    """Args (y, y_hat) of cross_entropy: for k = 2, 3, 6 classes, a one-hot and a soft y.

    Every student gets the same probabilities in an order of their own (CROSS_ENTROPY): code
    that treats the classes alike (any safeguard, any summation order) is off by the same
    amount for everyone, so it passes or fails the same cases whoever submits it.
    """
    cases = []
    for y_hat, one_hot, y in CROSS_ENTROPY:
        order = rng.permutation(np.arange(len(y_hat)))
        cases.append((np.eye(len(y_hat))[int(np.flatnonzero(order == one_hot)[0])], y_hat[order]))
        cases.append((y[order], y_hat[order]))
    return cases


@builder
def forward(rng: Draws) -> list[tuple]:
    """Args (x, W, b1, U, b2) of forward: networks of their own, drawn as `network` draws backprop's.

    Not backprop's: while backprop runs, the grader's forward stands in for the student's on
    backprop's inputs (Reference.stand_ins), and what code sees it can print, so those answers
    must grade nothing else. Without large logits: forward's own softmax is the student's, and
    its overflow is graded once, in q3.softmax.
    """
    return [(x, W, b1, U, b2) for x, _, W, b1, U, b2 in _networks(rng, for_backprop=False)]


@builder
def network(rng: Draws) -> list[tuple]:
    """Args (x, y, W, b1, U, b2) of backprop."""
    return _networks(rng)

def _networks(rng: Draws, for_backprop: bool = True) -> list[tuple]:
    """Args (x, y, W, b1, U, b2) of networks drawn from `rng`: six, or seven for backprop.

    Shapes vary, with n and m equal to 1 among them (k >= 2: with one class every
    gradient is 0). Each case has an active hidden unit; with m >= 2 one unit's
    pre-activation is exactly 0, with m >= 3 one is negative. y is soft in the first,
    third, fifth (and seventh) case, one-hot in the others. For backprop (`for_backprop`)
    a seventh has logits near +-1000 (softmax must not overflow inside backprop either),
    and U, b2 (and a soft y) are drawn again until every gradient is of scale SCALE or
    more and any two combinations of recognised mistakes give answers equal or MARGIN apart.
    """
    cases = []
    shapes = ((3, 4, 5), (1, 3, 2), (4, 1, 3), (2, 3, 2), (5, 4, 3), (3, 5, 4)) + (((2, 3, 4),) if for_backprop else ())
    for n, m, k in shapes:
        x = rng.quarters(-2, 2, n)
        x[0] = rng.choice([-1.0, 1.0], 1)[0] * rng.quarters(0.25, 2)  # never all 0: dJ/dW would be 0
        W = rng.quarters(-1, 1, (m, n))
        wx = W @ x  # exact: dyadic numbers with few bits
        offsets = rng.quarters(-1, 1, m)
        offsets[0] = rng.quarters(0.25, 1)  # active
        if m >= 2:
            offsets[1] = 0.0  # exactly at the kink
        if m >= 3:
            offsets[2] = -rng.quarters(0.25, 1)  # off
        order = rng.permutation(np.arange(m))
        W, b1 = W[order], (offsets - wx)[order]
        while True:
            if len(cases) < 6:
                U, b2 = rng.normal((k, m)), rng.normal(k)
            y = np.eye(k)[rng.integers(0, k)] if len(cases) % 2 else rng.simplex(k)
            if len(cases) == 6:  # logits near +-1000, dyadic so exact in float32: exp(z2) overflows
                U, b2 = rng.quarters(-1, 1, (k, m)), np.empty(k)
                b2[np.argsort(-y)] = [999.0, 1000.0, -999.0, -1000.0]  # y's largest class is second, for all
            if not for_backprop or _told_apart(x, y, W, b1, U, b2):
                break
        cases.append((x, y, W, b1, U, b2))
    return cases


def _told_apart(x, y, W, b1, U, b2) -> bool:
    """Whether every gradient of this network, right or as any recognised combination of mistakes computes
    it, has scale SCALE or more (rounding stays far below the tolerance) or is exactly 0, and each gives
    an answer MARGIN apart from every other, except those that differ
    only by mistakes no case of this kind can show (soft labels collapsed, when y is one-hot; the ReLU
    mask's, with one hidden unit, which is on): those give the same answer exactly."""
    # dJ/dU's rows are dJ/db2's times h (outer products), dJ/dW's are dJ/db1's times x: the largest entry
    # of each is the product of the largest entries, so their scales and apartness follow from these
    (names2, b2_rows), (names1, b1_rows) = mc.backprop_rows(x, y, W, b1, U, b2, keys=("b2", "b1")).values()
    h = np.maximum(W @ x + b1, 0.0)
    for rows, factor in ((b2_rows, 1.0), (b2_rows, np.max(h)), (b1_rows, 1.0), (b1_rows, np.max(np.abs(x)))):
        scales = np.abs(rows).max(axis=1) * factor  # right and every mistake's, or exactly 0 (ReLU of a negative)
        if scales[0] < SCALE or np.any((scales < SCALE) & (scales > 0.0)):
            return False
    equal = _equal(bool(y.max() == 1), len(b1) == 1, (tuple(names2), tuple(names1)))
    return apart(b1_rows, equal[1]) and apart(b2_rows, equal[0])


@functools.lru_cache(maxsize=None)
def _equal(one_hot: bool, one_unit: bool, names: tuple) -> list[np.ndarray]:
    """For each gradient's rows (their mistakes), which pairs differ only by mistakes a case cannot show."""
    unseen = ({"labels_argmax"} if one_hot else set()) | ({"no_relu_mask", "mask_at_zero"} if one_unit else set())
    return [np.array([[(a ^ b) <= unseen for b in rows] for a in rows]) for rows in names]
