"""Reading network parameters a student returned (a dict of plain data) for the reference network."""
from __future__ import annotations

import numpy as np

from autograder.grading.scoring import NotNumbers, as_array, fmt_shape

MAX_UNITS = 10_000  # hidden units of a returned step network (the homework's need at most 6)


def step_params(value, function: str):
    """(w0, w, b, v) from a dict with keys w0, w, b, v; raises NotNumbers with a readable reason."""
    if not isinstance(value, dict):
        raise NotNumbers(f"{function} should return a dict with keys w0, w, b, v, got {type(value).__name__}")
    missing = [k for k in ("w0", "w", "b", "v") if k not in value]
    if missing:
        raise NotNumbers(f"the dict {function} returns lacks key(s) {', '.join(missing)}")
    w0 = as_array(value["w0"], "w0")
    if w0.size != 1:
        raise NotNumbers(f"w0 should be a single number, got shape {fmt_shape(w0.shape)}")
    w, b, v = (as_array(value[k], k).reshape(-1) for k in ("w", "b", "v"))
    if not (w.size == b.size == v.size):
        raise NotNumbers(f"w, b and v should have one entry per hidden unit, got lengths {w.size}, {b.size}, {v.size}")
    if w.size > MAX_UNITS:  # the network is evaluated here, at a few points: keep that small
        raise NotNumbers(f"the network has {w.size} hidden units; a few are enough (at most {MAX_UNITS} are checked)")
    if not all(np.all(np.isfinite(a)) for a in (w0, w, b, v)):
        raise NotNumbers("the parameters contain NaN or inf")
    return float(w0.reshape(())), w, b, v


def xor_params(value):
    """(W1, b1, w2, b2) with shapes (2, 2), (2,), (2,), scalar; raises NotNumbers otherwise."""
    if not isinstance(value, dict):
        raise NotNumbers(f"xor_weights should return a dict with keys W1, b1, w2, b2, got {type(value).__name__}")
    missing = [k for k in ("W1", "b1", "w2", "b2") if k not in value]
    if missing:
        raise NotNumbers(f"the dict xor_weights returns lacks key(s) {', '.join(missing)}")
    W1, b1, w2, b2 = (as_array(value[k], k) for k in ("W1", "b1", "w2", "b2"))
    if W1.shape != (2, 2):
        raise NotNumbers(f"W1 should have shape (2, 2), got {fmt_shape(W1.shape)}")
    for name, arr, size in (("b1", b1, 2), ("w2", w2, 2), ("b2", b2, 1)):
        if arr.size != size:
            raise NotNumbers(f"{name} should have {size} entr{'y' if size == 1 else 'ies'}, got shape {fmt_shape(arr.shape)}")
    if not all(np.all(np.isfinite(a)) for a in (W1, b1, w2, b2)):
        raise NotNumbers("the weights contain NaN or inf")
    return W1, b1.reshape(2), w2.reshape(2), float(b2.reshape(()))
