"""Each student's own test inputs, seeded from the assignment seed and the student id.

Regrading gives the same inputs; two students get different ones. Edge cases
are always among them: z exactly 0 for the step, x exactly at breakpoints,
pre-activations exactly 0 in backprop, logits of +-1000, soft labels.

Numbers at edges are dyadic (multiples of 1/4, small integers), so expressions
like b + v x or W x + b1 are exactly 0 whatever order a student sums in.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np


def student_rng(seed: int, student: str, topic: str) -> np.random.Generator:
    """A generator for one student and one topic, stable across runs and platforms."""
    digest = hashlib.sha256(f"{seed}\0{student}\0{topic}".encode()).digest()
    return np.random.default_rng(list(np.frombuffer(digest[:16], dtype=np.uint32)))


def _quarters(rng, low, high, size=None):
    """Multiples of 1/4 in [low, high]: exact in binary floating point."""
    return rng.integers(int(low * 4), int(high * 4) + 1, size=size) / 4.0


@dataclass
class Cases:
    """Lazily built, cached inputs of every graded function for one student."""

    seed: int
    student: str

    def rng(self, topic: str) -> np.random.Generator:
        return student_rng(self.seed, self.student, topic)

    # -- Question 1 ------------------------------------------------------------------------
    @cached_property
    def step(self) -> list[tuple]:
        """Args of step(z): a scalar 0, vectors and a matrix, each holding exact zeros."""
        rng = self.rng("step")
        vector = np.concatenate([[0.0, -0.0], _quarters(rng, -3, 3, 8), rng.normal(size=4)])
        matrix = _quarters(rng, -1, 1, (3, 4))
        matrix[rng.integers(3), rng.integers(4)] = 0.0
        return [(0.0,), (rng.permutation(vector),), (matrix,), ([-1e-12, 0.0, 1e-12],)]

    @cached_property
    def step_network(self) -> list[tuple]:
        """Args of step_network(x, w0, w, b, v); x hits every unit's breakpoint exactly."""
        rng = self.rng("step_network")
        cases = []
        for hidden in (1, 3, 5):
            v = rng.choice([-2.0, -1.0, 0.5, 1.0, 2.0], size=hidden)
            t = _quarters(rng, -2, 2, hidden)  # breakpoints: b + v t = 0 exactly
            b = -v * t
            x = np.concatenate([t, t - 0.125, t + 0.125, _quarters(rng, -3, 3, 3)])
            cases.append((rng.permutation(x), float(_quarters(rng, -2, 2)), _quarters(rng, -2, 2, hidden), b, v))
        return cases

    @cached_property
    def indicator(self) -> list[tuple]:
        """Args (lo, hi, c) of indicator_params."""
        rng = self.rng("indicator")
        cases = []
        for _ in range(3):
            lo = float(_quarters(rng, -3, 1))
            hi = lo + float(_quarters(rng, 0.25, 3))
            c = float(rng.choice([-1, 1]) * _quarters(rng, 0.5, 4))
            cases.append((lo, hi, c))
        return cases

    @cached_property
    def piecewise_constant(self) -> list[tuple]:
        """Args (breakpoints, values) of piecewise_constant_params; some values repeat."""
        rng = self.rng("piecewise_constant")
        cases = []
        for pieces in (1, 3, 5):
            t = np.sort(rng.choice(np.arange(-16, 17) / 4.0, size=pieces, replace=False))
            values = _quarters(rng, -3, 3, pieces + 1)
            if pieces > 1:
                values[1] = values[0]  # a breakpoint where nothing changes
            cases.append((t, values))
        return cases

    # -- Question 2 ------------------------------------------------------------------------
    @cached_property
    def relu(self) -> list[tuple]:
        rng = self.rng("relu")
        vector = np.concatenate([[0.0, -0.0], rng.normal(size=6) * 3])
        return [(0.0,), (rng.permutation(vector),), (rng.normal(size=(3, 2)),), ([-2.5, 0.0, 4.0],)]

    @cached_property
    def relu_network(self) -> list[tuple]:
        """Args (x, W1, b1, w2, b2); W1 is not symmetric, so a transposed W1 shows."""
        rng = self.rng("relu_network")
        cases = []
        for n in (1, 4, 7):
            W1 = rng.normal(size=(2, 2))
            W1[0, 1] += 1.0
            cases.append((rng.normal(size=(n, 2)) * 2, W1, rng.normal(size=2), rng.normal(size=2), float(rng.normal())))
        return cases

    # -- Question 3 ------------------------------------------------------------------------
    @cached_property
    def softmax(self) -> list[tuple]:
        rng = self.rng("softmax")
        return [(rng.normal(size=1),), (rng.normal(size=4) * 3,), (rng.normal(size=7),),
                (np.array([1000.0, -1000.0, 999.0]),), (np.array([-1000.0, -1001.0]),),
                (rng.normal(size=5) * 2 + 800,)]

    @cached_property
    def cross_entropy(self) -> list[tuple]:
        rng = self.rng("cross_entropy")
        cases = []
        for k in (2, 3, 6):
            y_hat = rng.dirichlet(np.ones(k))
            cases.append((np.eye(k)[rng.integers(k)], y_hat))
            cases.append((rng.dirichlet(np.ones(k)), y_hat))  # soft labels
        return cases

    @cached_property
    def network(self) -> list[tuple]:
        """Args (x, y, W, b1, U, b2) shared by forward and backprop.

        Shapes vary, with n and m equal to 1 among them (k >= 2: with one class every
        gradient is 0). Each case has an active hidden unit; with m >= 2 one unit's
        pre-activation is exactly 0, with m >= 3 one is negative. y is one-hot or soft.
        """
        rng = self.rng("network")
        cases = []
        for n, m, k in ((3, 4, 5), (1, 3, 2), (4, 1, 3), (2, 3, 2), (5, 4, 3), (3, 5, 4)):
            x = _quarters(rng, -2, 2, n)
            W = _quarters(rng, -1, 1, (m, n))
            wx = W @ x  # exact: dyadic numbers with few bits
            offsets = _quarters(rng, -1, 1, m)
            offsets[0] = _quarters(rng, 0.25, 1)  # active
            if m >= 2:
                offsets[1] = 0.0  # exactly at the kink
            if m >= 3:
                offsets[2] = -_quarters(rng, 0.25, 1)  # off
            order = rng.permutation(m)
            W, b1 = W[order], (offsets - wx)[order]
            U = rng.normal(size=(k, m))
            b2 = rng.normal(size=k)
            y = np.eye(k)[rng.integers(k)] if len(cases) % 2 else rng.dirichlet(np.ones(k))
            cases.append((x, y, W, b1, U, b2))
        return cases
