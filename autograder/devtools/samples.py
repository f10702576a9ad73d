"""Student-like submissions made from the reference solutions: for tests, the benchmark and demos.

`variant(backprop=[(old, new)])` is the solutions with edits, as a student with that
mistake would write them. MISTAKES names the common ones the grader recognises.
"""
from __future__ import annotations

from pathlib import Path

from autograder.spec.assignment import MODULES

ROOT = Path(__file__).resolve().parents[2]


def solution(name: str, solutions: Path = ROOT / "solutions") -> str:
    """A solution module's source without the solution markers (what a correct student writes)."""
    return "".join(line for line in (solutions / name).read_text().splitlines(True)
                   if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def stubs() -> dict[str, str]:
    """The untouched stubs students start from."""
    return {name: (ROOT / "assignment" / name).read_text() for name in MODULES}


def variant(*edits, **by_module) -> dict[str, str]:
    """The solution modules with edits, as a student would make them: each (old, new) of `edits`
    in every module holding `old`; each of `module_stem=[(old, new), ...]` in that module only.
    Every `old` must occur where it is applied."""
    files = {name: solution(name) for name in MODULES}
    for old, new in edits:
        holders = [name for name, text in files.items() if old in text]
        if not holders:
            raise ValueError(f"{old!r} is in none of {', '.join(MODULES)}")
        for name in holders:
            files[name] = files[name].replace(old, new)
    for stem, changes in by_module.items():
        text = files[f"{stem}.py"]
        for old, new in changes:
            if old not in text:
                raise ValueError(f"{old!r} not in {stem}.py")
            text = text.replace(old, new)
        files[f"{stem}.py"] = text
    return files


def write_class(root: Path, students: dict[str, dict[str, str]]) -> Path:
    """One folder per student holding the given files."""
    for student, files in students.items():
        folder = root / student
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    return root


MISTAKES = {  # name -> edits, as given to variant()
    "dU_transposed": [('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')],
    "dW_transposed": [('"W": np.outer(delta2, x)', '"W": np.outer(x, delta2)')],
    "no_relu_mask": [("delta2 = (U.T @ delta1) * (h > 0)", "delta2 = U.T @ delta1")],
    "sign_flipped": [("delta1 = y_hat - y", "delta1 = y - y_hat")],
    "no_max_subtraction": [("e = np.exp(z - np.max(z))", "e = np.exp(z)")],
    "ce_sign": [("return float(-np.sum(y * np.log(y_hat)))", "return float(np.sum(y * np.log(y_hat)))")],
    "g0_zero": [(">= 0).astype(float)", "> 0).astype(float)")],
    "right_closed": [
        ('"b": np.array([-lo, -hi], dtype=float),', '"b": np.array([hi, lo], dtype=float),'),
        ('"v": np.array([1.0, 1.0]),', '"v": np.array([-1.0, -1.0]),'),
        ('"w0": float(c[0]),', '"w0": float(c[-1]),'), ('"w": np.diff(c),', '"w": -np.diff(c),'),
        ('"b": -t,', '"b": t,'), ('"v": np.ones_like(t),', '"v": -np.ones_like(t),')],
    "W1_not_transposed": [("x @ W1.T", "x @ W1")],
    "mask_at_zero": [("* (h > 0)", "* (np.asarray(W, dtype=float) @ x + np.asarray(b1, dtype=float) >= 0)")],
    "labels_argmax": [  # code written for integer labels, given argmax(y)
        ("delta1 = y_hat - y", "delta1 = y_hat - np.eye(len(y))[np.argmax(y)]"),
        ("return float(-np.sum(y * np.log(y_hat)))", "return float(-np.log(y_hat[np.argmax(y)]))")],
    "log_of_sum": [("return float(-np.sum(y * np.log(y_hat)))", "return float(-np.log(np.sum(y * y_hat)))")],
    "relu_on_gradient": [("delta2 = (U.T @ delta1) * (h > 0)", "delta2 = np.maximum(U.T @ delta1, 0)")],
}
EQUIVALENT = {  # name -> edits of correct code written another way: full marks for every student
    "float32": [("dtype=float", "dtype=np.float32")],
    "reordered": [('"U": np.outer(delta1, h)', '"U": delta1[:, None] * h[None, :]'),
                  ("delta2 = (U.T @ delta1) * (h > 0)",
                   "delta2 = np.array([sum(U[i, j] * delta1[i] for i in reversed(range(len(delta1))))"
                   " for j in range(len(h))]) * (h > 0)"),
                  ("x @ W1.T", "np.einsum('nj,ij->ni', x, W1)")],
    "log_plus_1e-8": [("np.log(y_hat)", "np.log(y_hat + 1e-8)")],
    "log_clipped": [("np.log(y_hat)", "np.log(np.clip(y_hat, 1e-7, 1 - 1e-7))")],
    "mask_from_z1": [("* (h > 0)", "* (np.asarray(W, dtype=float) @ x + np.asarray(b1, dtype=float) > 0)")],
}
CRASHES = {  # name -> edits that make a call fail
    "syntax_error": [("    return np.maximum(np.asarray(z, dtype=float), 0.0)",
                      "    return np.maximum(np.asarray(z, dtype=float), 0.0")],
    "raises": [("    h, y_hat = forward(x, W, b1, U, b2)\n", "    raise ValueError('shapes do not match')\n")],
    "exits": [("    t = np.asarray(breakpoints, dtype=float).reshape(-1)\n", "    import sys; sys.exit(1)\n")],
}
ENDLESS = [("    y_hat = np.asarray(y_hat, dtype=float)\n", "    while True:\n        pass\n")]
