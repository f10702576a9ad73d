"""Each student's own test inputs, seeded from the assignment seed and the student id.

Regrading gives the same inputs; two students get different ones. Edge cases
are always among them: z exactly 0 for the step, x exactly at breakpoints,
pre-activations exactly 0 in backprop, logits of +-1000, soft labels.

Numbers at edges are dyadic (multiples of 1/4, small integers), so expressions
like b + v x or W x + b1 are exactly 0 whatever order a student sums in.
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .ids import id_bytes


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
        """Standard normal numbers (Box-Muller): one float, or an array of shape `size`."""
        r, log, cos, sqrt, turn = self.random, math.log, math.cos, math.sqrt, 2.0 * math.pi
        draw = [sqrt(-2.0 * log(1.0 - r())) * cos(turn * r()) for _ in range(1 if size is None else _count(size))]
        return draw[0] if size is None else _shaped(draw, size)

    def choice(self, options, size: int, replace: bool = True) -> np.ndarray:
        """`size` of `options` (1-D), with or without replacement."""
        options = list(options)
        if replace:
            return np.array([options[int(self.random() * len(options))] for _ in range(size)])
        return np.array(self._shuffled(options)[:size])

    def permutation(self, values: np.ndarray) -> np.ndarray:
        """The 1-D array in a random order."""
        return np.array(self._shuffled(list(values)), dtype=np.asarray(values).dtype)

    def simplex(self, k: int) -> np.ndarray:
        """k positive numbers summing to 1, uniform on the simplex (Dirichlet(1, ..., 1))."""
        weights = [max(-math.log(1.0 - self.random()), 1e-12) for _ in range(k)]
        total = sum(weights)
        return np.array([w / total for w in weights])

    def _shuffled(self, items: list) -> list:
        for i in range(len(items) - 1, 0, -1):  # Fisher-Yates
            j = int(self.random() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items


def _count(size) -> int:
    return size if isinstance(size, int) else math.prod(size)


def _shaped(values: list, size) -> np.ndarray:
    return np.array(values) if isinstance(size, int) else np.array(values).reshape(size)


@dataclass
class Cases:
    """Lazily built, cached inputs of every graded function for one student."""

    seed: int
    student: str

    def rng(self, topic: str) -> Draws:
        return Draws(self.seed, self.student, topic)

    def calls(self) -> list[tuple[str, str, list]]:
        """(module, function, cases) of each graded function, in the order the hidden tests call them.

        The grader asks the worker for all of them at once (see Submission.prefetch).
        """
        return [("step_network", "REPRESENTABLE", [()]), ("step_network", "step", self.step),
                ("step_network", "step_network", self.step_network), ("step_network", "indicator_params", self.indicator),
                ("step_network", "piecewise_constant_params", self.piecewise_constant),
                ("xor_relu", "relu", self.relu), ("xor_relu", "relu_network", self.relu_network),
                ("xor_relu", "xor_weights", [()]),
                ("backprop", "softmax", self.softmax), ("backprop", "cross_entropy", self.cross_entropy),
                ("backprop", "forward", self.forward), ("backprop", "backprop", self.network)]

    # -- Question 1 ------------------------------------------------------------------------
    @cached_property
    def step(self) -> list[tuple]:
        """Args of step(z): a scalar 0, vectors and a matrix, each holding exact zeros."""
        rng = self.rng("step")
        vector = np.concatenate([[0.0, -0.0], rng.quarters(-3, 3, 8), rng.normal(4)])
        matrix = rng.quarters(-1, 1, (3, 4))
        matrix[rng.integers(0, 3), rng.integers(0, 4)] = 0.0
        return [(0.0,), (rng.permutation(vector),), (matrix,), ([-1e-12, 0.0, 1e-12],)]

    @cached_property
    def step_network(self) -> list[tuple]:
        """Args of step_network(x, w0, w, b, v); x hits every unit's breakpoint exactly."""
        rng = self.rng("step_network")
        cases = []
        for hidden in (1, 3, 5):
            v = rng.choice([-2.0, -1.0, 0.5, 1.0, 2.0], hidden)
            t = rng.quarters(-2, 2, hidden)  # breakpoints: b + v t = 0 exactly
            b = -v * t
            x = np.concatenate([t, t - 0.125, t + 0.125, rng.quarters(-3, 3, 3)])
            cases.append((rng.permutation(x), float(rng.quarters(-2, 2)), rng.quarters(-2, 2, hidden), b, v))
        return cases

    @cached_property
    def indicator(self) -> list[tuple]:
        """Args (lo, hi, c) of indicator_params."""
        rng = self.rng("indicator")
        cases = []
        for _ in range(3):
            lo = float(rng.quarters(-3, 1))
            hi = lo + float(rng.quarters(0.25, 3))
            c = float(rng.choice([-1, 1], 1)[0] * rng.quarters(0.5, 4))
            cases.append((lo, hi, c))
        return cases

    @cached_property
    def piecewise_constant(self) -> list[tuple]:
        """Args (breakpoints, values) of piecewise_constant_params; some values repeat."""
        rng = self.rng("piecewise_constant")
        cases = []
        for pieces in (1, 3, 5):
            t = np.sort(rng.choice(np.arange(-16, 17) / 4.0, pieces, replace=False))
            values = rng.quarters(-3, 3, pieces + 1)
            if pieces > 1:
                values[1] = values[0]  # a breakpoint where nothing changes
            cases.append((t, values))
        return cases

    # -- Question 2 ------------------------------------------------------------------------
    @cached_property
    def relu(self) -> list[tuple]:
        rng = self.rng("relu")
        vector = np.concatenate([[0.0, -0.0], rng.normal(6) * 3])
        return [(0.0,), (rng.permutation(vector),), (rng.normal((3, 2)),), ([-2.5, 0.0, 4.0],)]

    @cached_property
    def relu_network(self) -> list[tuple]:
        """Args (x, W1, b1, w2, b2), drawn again until a transposed W1 changes the output.

        (With W1 asymmetric alone, a point where every hidden unit is off scores b2 either way.)
        """
        rng = self.rng("relu_network")
        cases = []
        for n in (1, 4, 7):
            for _ in range(100):
                x, W1, b1, w2, b2 = rng.normal((n, 2)) * 2, rng.normal((2, 2)), rng.normal(2), rng.normal(2), rng.normal()
                W1[0, 1] += 1.0
                if np.abs(np.maximum(x @ W1.T + b1, 0) @ w2 - np.maximum(x @ W1 + b1, 0) @ w2).max() > 1e-3:
                    break
            cases.append((x, W1, b1, w2, b2))
        return cases

    # -- Question 3 ------------------------------------------------------------------------
    @cached_property
    def softmax(self) -> list[tuple]:
        rng = self.rng("softmax")
        return [(rng.normal(1),), (rng.normal(4) * 3,), (rng.normal(7),),
                (np.array([1000.0, -1000.0, 999.0]),), (np.array([-1000.0, -1001.0]),),
                (rng.normal(5) * 2 + 800,)]

    @cached_property
    def cross_entropy(self) -> list[tuple]:
        rng = self.rng("cross_entropy")
        cases = []
        for k in (2, 3, 6):
            y_hat = rng.simplex(k)
            cases.append((np.eye(k)[rng.integers(0, k)], y_hat))
            cases.append((rng.simplex(k), y_hat))  # soft labels
        return cases

    @cached_property
    def forward(self) -> list[tuple]:
        """Args (x, W, b1, U, b2) of forward: networks of their own, drawn as `network` draws backprop's.

        Not backprop's: while backprop runs, the grader's forward stands in for the student's on
        backprop's inputs (Reference.stand_ins), and what code sees it can print, so those answers
        must grade nothing else.
        """
        return [(x, W, b1, U, b2) for x, _, W, b1, U, b2 in self._networks("forward")]

    @cached_property
    def network(self) -> list[tuple]:
        """Args (x, y, W, b1, U, b2) of backprop."""
        return self._networks("network")

    def _networks(self, topic: str) -> list[tuple]:
        """Args (x, y, W, b1, U, b2) of six networks drawn for `topic`.

        Shapes vary, with n and m equal to 1 among them (k >= 2: with one class every
        gradient is 0). Each case has an active hidden unit; with m >= 2 one unit's
        pre-activation is exactly 0, with m >= 3 one is negative. y is one-hot or soft.
        """
        rng = self.rng(topic)
        cases = []
        for n, m, k in ((3, 4, 5), (1, 3, 2), (4, 1, 3), (2, 3, 2), (5, 4, 3), (3, 5, 4)):
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
            U = rng.normal((k, m))
            b2 = rng.normal(k)
            y = np.eye(k)[rng.integers(0, k)] if len(cases) % 2 else rng.simplex(k)
            cases.append((x, y, W, b1, U, b2))
        return cases
