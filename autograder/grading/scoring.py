"""Scoring one rubric item from its cases: tolerant on form, strict on maths.

A hidden test gets an `ItemScore` and reports each case: full credit, a
recognised misconception (the rubric's credit for it), or a failure with a
reason. The item's score is the mean case credit (or all-or-nothing).
Messages say what was checked and what was wrong, never the hidden inputs or
the reference values.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from autograder.core.ids import clip
from autograder.outputs.results import cases_line
from autograder.sandbox.limits import Outcome
from autograder.spec.config import Item
from autograder.spec.mistakes import MISCONCEPTIONS

MAX_PROBLEMS = 10  # distinct problems listed per item; the rest are counted


class NotNumbers(ValueError):
    """A value that cannot be read as a finite array of real numbers."""


def as_array(value, what: str) -> np.ndarray:
    """Convert plain data (numbers, lists, tuples, arrays) to a float array, or raise NotNumbers."""
    if isinstance(value, dict):
        raise NotNumbers(f"{what} is a dict, expected numbers")
    if isinstance(value, str) or value is None:
        raise NotNumbers(f"{what} is {quote(value)}, expected numbers")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise NotNumbers(f"{what} is not a rectangular array of numbers (rows of different lengths?)") from None
    except MemoryError:
        raise NotNumbers(f"{what} is too large to read as numbers") from None
    if arr.dtype.kind == "c":
        if np.any(arr.imag != 0):
            raise NotNumbers(f"{what} holds complex numbers")
        arr = arr.real
    if arr.dtype.kind not in "biuf":
        raise NotNumbers(f"{what} is not an array of numbers (got {arr.dtype} values)")
    return arr if arr.dtype == np.float64 else arr.astype(float)


def quote(value, limit: int = 80) -> str:
    """A short repr of a value a student returned, for feedback: never more than about `limit` characters."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring, short.maxother, short.maxlevel = limit, limit, 3
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 6
    text = short.repr(value)
    return text if len(text) <= limit + 20 else text[:limit] + "..."


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float, same_nonfinite: bool = False) -> bool:
    """Normwise closeness: max |got - want| <= atol + rtol * max |want|, for arrays of one shape.

    The tolerance scales with the answer as a whole, not with each entry: an entry that is
    nearly 0 because terms cancelled carries the rounding error of those terms, which is
    about the size of the answer's largest entries (see `tolerance` in config.yaml).
    NaN and inf are never close, unless `same_nonfinite`: then the same inf or NaN in the
    same place matches (what an overflowing mistake returns) and the finite entries are
    compared as above.
    """
    if got.shape != want.shape:
        return False
    if got.size > 64:
        return not np.any(_off(got, want, rtol, atol, same_nonfinite))
    # Small arrays, the usual case, as Python floats: numpy's calls on a dozen numbers cost more
    pairs = list(zip(got.ravel().tolist(), want.ravel().tolist()))
    bound = atol + rtol * max((abs(w) for _, w in pairs if w - w == 0), default=0.0)
    for g, w in pairs:
        if w - w != 0:  # w is inf or NaN
            if not (same_nonfinite and (g == w or (g != g and w != w))):
                return False
        elif not abs(g - w) <= bound:  # False for a NaN or inf g too
            return False
    return True


def _off(got: np.ndarray, want: np.ndarray, rtol: float, atol: float, same_nonfinite: bool = False) -> np.ndarray:
    """Boolean mask of the entries of `got` that are not within the normwise tolerance of `want` (one shape)."""
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(want)
        scale = float(np.max(np.abs(want[finite]), initial=0.0))
        off = ~(np.abs(got - want) <= atol + rtol * scale)  # True for a NaN or inf on either side
        if same_nonfinite:
            off &= ~((got == want) | (np.isnan(got) & np.isnan(want)))
        else:
            off |= ~finite
    return off


def _how_far(got: np.ndarray, want: np.ndarray, rtol: float) -> str:
    """A near miss (within 100 times the tolerance) said as one: it reads differently from a wrong formula.
    No number: how far off an answer is would tell the reference value."""
    scale = float(np.max(np.abs(want), initial=0.0))
    if scale and float(np.max(np.abs(got - want))) < 100 * rtol * scale:
        return (": close to the right values, but past the tolerance (a safeguard such as an epsilon "
                "in a log, or rounding, larger than it should be?)")
    return ""


def credit_words(credit: float) -> str:
    """A share of a case's credit in words: "half credit", "no credit", "30% of the credit"."""
    words = {0.0: "no credit", 0.25: "a quarter of the credit", 0.5: "half credit", 0.75: "three quarters of the credit"}
    return words.get(credit, f"{credit:.3g} of the credit (the product of each mistake's share)")


def recognised(name: str, credit: float) -> str:
    """The message of a case that matched a recognised mistake, or several together ("a+b"): what the
    code did, and what it earned. Several are named here and explained each once (ItemScore.problems)."""
    parts = name.split("+")
    if len(parts) > 1:
        return (f"{credit_words(credit)}, {len(parts)} recognised mistakes together: "
                + " and ".join(MISCONCEPTIONS[p].label for p in parts) + " (each explained below)")
    return f"{credit_words(credit)}, recognised mistake ({MISCONCEPTIONS[name].label}): {MISCONCEPTIONS[name].message}"


def fmt_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


@dataclass
class Case:
    credit: float
    message: str = ""  # empty for a clean pass
    misconception: str | None = None
    note: bool = False  # a message that accompanies full credit


@dataclass
class ItemScore:
    """Accumulates the cases of one rubric item for one student."""

    item: Item
    cases: list[Case] = field(default_factory=list)
    checked: str = ""  # what was checked, in a few words, for the feedback
    hint: str = ""  # a hint shown when the item is not fully right
    remarks: list[str] = field(default_factory=list)  # said once under the item, whatever its cases

    def remark(self, text: str) -> None:
        if text not in self.remarks:
            self.remarks.append(text)

    # -- recording -----------------------------------------------------------------------
    def passed(self, note: str = "") -> None:
        self.cases.append(Case(1.0, note, note=bool(note)))

    def failed(self, message: str) -> None:
        self.cases.append(Case(0.0, message))

    def close(self, got: np.ndarray, want: np.ndarray) -> bool:
        """max |got - want| <= atol + rtol max |want| (NaN and inf are never close)."""
        return _close(got, want, self.item.rtol, self.item.atol)

    def check(self, outcome: Outcome, want, what: str, alternatives: dict | None = None, pick=None) -> Case:
        """Judge one call's outcome against the reference `want` and record the case."""
        case = self.judge(outcome, want, what, alternatives, pick)
        self.cases.append(case)
        return case

    def judge(self, outcome: Outcome, want, what: str, alternatives: dict | None = None, pick=None) -> Case:
        """The case for one outcome, without recording it. `pick` selects a dict key or tuple index."""
        if not outcome.ok:
            where = f" ({outcome.traceback[-1]})" if outcome.traceback else ""
            return Case(0.0, f"{outcome.reason}{where}")
        value = outcome.value
        function = what.split("(")[0].split(" from ")[-1]
        if isinstance(pick, str):
            if not isinstance(value, dict):
                return Case(0.0, f"{function} should return a dict with key '{pick}', got {type(value).__name__}")
            if pick not in value:
                return Case(0.0, f"the dict {function} returns has no key '{pick}'")
            value = value[pick]
        elif isinstance(pick, int):
            if not isinstance(value, (list, tuple)) or len(value) <= pick:
                return Case(0.0, f"{function} should return a tuple of {pick + 1} or more values")
            value = value[pick]
        return self.judge_value(value, want, what, alternatives)

    def judge_value(self, value, want, what: str, alternatives: dict | None = None) -> Case:
        """Compare a returned value with `want`. An extra size-1 axis passes with a note; a transpose does not.

        `alternatives` maps misconception names ("a+b" for two together) to what that mistake would
        return, or to a function computing it; or it is (a function returning) such a mapping or an
        iterable of (name, value) pairs: only worked out when the answer is not right. The first
        that matches counts, so list fewer mistakes first. Several together earn the product of
        their credits.
        """
        want = np.asarray(want, dtype=float)
        try:
            got = as_array(value, what)
        except NotNumbers as exc:
            return Case(0.0, str(exc))
        note = ""
        if got.shape != want.shape and got.size == want.size and got.ndim != want.ndim \
                and np.squeeze(got).shape == np.squeeze(want).shape:
            note = f"{what} has shape {fmt_shape(got.shape)}; expected {fmt_shape(want.shape)} (accepted, but drop the extra axis)"
            got = got.reshape(want.shape)
        if self.close(got, want):  # within tolerance of a finite reference: finite too
            return Case(1.0, note, note=bool(note))
        finite = bool(np.all(np.isfinite(got)))
        if callable(alternatives):
            alternatives = alternatives()
        for name, alt in alternatives.items() if isinstance(alternatives, dict) else alternatives or ():
            alt = alt() if callable(alt) else alt
            if alt is None:  # this mistake does not change this value
                continue
            alt = np.asarray(alt, dtype=float)
            if _close(got, alt, self.item.rtol, self.item.atol, same_nonfinite=True):
                parts = name.split("+")
                if finite or any(MISCONCEPTIONS[p].nonfinite_ok for p in parts):
                    credit = math.prod(self.item.misconceptions.get(p, 0.0) for p in parts) if finite else 0.0
                    return Case(credit, recognised(name, credit), name)
        if not finite:
            return Case(0.0, f"{what} contains NaN or inf")
        if got.shape != want.shape:
            return Case(0.0, f"{what} has shape {fmt_shape(got.shape)} but should have shape {fmt_shape(want.shape)}")
        bad = int(np.sum(_off(got, want, self.item.rtol, self.item.atol)))
        return Case(0.0, f"{what} is wrong in {bad} of {want.size} entries{_how_far(got, want, self.item.rtol)}")

    # -- result ----------------------------------------------------------------------------
    @property
    def fraction(self) -> float:
        if not self.cases:
            return 0.0
        if self.item.scoring == "all_or_nothing":
            return 1.0 if all(c.credit >= 1.0 for c in self.cases) else 0.0
        return sum(c.credit for c in self.cases) / len(self.cases)

    @property
    def misconceptions(self) -> list[str]:
        return sorted({name for c in self.cases if c.misconception for name in c.misconception.split("+")})

    @property
    def clean(self) -> int:
        """Cases fully right."""
        return sum(1 for c in self.cases if c.credit >= 1.0)

    @property
    def partial(self) -> int:
        """Cases that earned part of the credit (a recognised mistake)."""
        return sum(1 for c in self.cases if 0.0 < c.credit < 1.0)

    @property
    def problems(self) -> list[list]:
        """[[count, message], ...]: each distinct message once, in first-seen order, each at most MESSAGE_CHARS
        long; past MAX_PROBLEMS kinds, one line counts the rest."""
        found = list(Counter(clip(c.message) for c in self.cases if c.message).items())
        together = Counter(name for c in self.cases if c.misconception and "+" in c.misconception
                           for name in c.misconception.split("+"))
        alone = {c.misconception for c in self.cases}
        found += [(clip(f"{MISCONCEPTIONS[name].label}: {MISCONCEPTIONS[name].message}"), count)
                  for name, count in together.items() if name not in alone]
        problems = [[count, message] for message, count in found[:MAX_PROBLEMS]]
        if len(found) > MAX_PROBLEMS:
            rest = sum(count for _, count in found[MAX_PROBLEMS:])
            problems.append([rest, f"and {len(found) - MAX_PROBLEMS} other kinds of problem"])
        return problems + [[1, clip(text)] for text in self.remarks]

    def summary(self) -> str:
        """Feedback text: what was checked, how many cases passed, each distinct problem once, a hint."""
        total = len(self.cases)
        lines = [f"Checked: {self.checked}." if self.checked else ""]
        if total:
            lines.append(cases_line(self.clean, total, self.partial))
        for count, message in self.problems:
            lines.append(f"- {f'{count} cases: ' if count > 1 else ''}{message}")
        if self.clean < total and self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(line for line in lines if line)
