"""Build assignment/nn_backprop.ipynb, the student notebook (an nbgrader source notebook).

    python tools/build_notebook.py          # (re)write the notebook
    python tools/build_notebook.py --check  # exit 1 if the notebook differs from what this script writes

The graded code lives in the modules beside it, which the table of files and the submit line list from
autograder/spec/assignment.py. The notebook holds the written answers: one nbgrader "manually graded
answer" cell per written item of config.yaml (kind: manual), with its points (`make release` sets them
again from the config it is given). Every other cell is a locked nbgrader cell (read-only, no points),
so nbgrader keeps the text and code intact in the released version. Cell ids equal the grade ids, so
the output is byte-for-byte reproducible.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.spec.assignment import MODULES, QUESTIONS  # noqa: E402  (the project's own, run from anywhere)
from autograder.grading.plugin import declared_tests  # noqa: E402
from autograder.spec.config import load_config  # noqa: E402
NOTEBOOK = ROOT / "assignment" / "nn_backprop.ipynb"


def _locked(cell, grade_id: str):
    """Mark a cell as a locked, ungraded nbgrader cell (schema version 3)."""
    cell.id = grade_id
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return cell


def markdown(grade_id: str, text: str):
    return _locked(new_markdown_cell(text.strip("\n")), grade_id)


def code(grade_id: str, text: str):
    return _locked(new_code_cell(text.strip("\n")), grade_id)


def answer(grade_id: str, points: float):
    """A manually graded answer cell (Markdown): nbgrader replaces its text with YOUR ANSWER HERE on release."""
    cell = new_markdown_cell("YOUR ANSWER HERE")
    cell.id = grade_id
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": False, "points": points,
                                 "schema_version": 3, "solution": True, "task": False}
    return cell


# What each written item (config.yaml, kind: manual) asks; its answer cell follows.
PROMPTS = {
    "q1.explain": r"""
### Q1 in words ({points} points, graded by your instructor)

For each of the four functions (a degree-one polynomial $a x + b$, the hinge loss $\max(1 - x, 0)$,
a degree-two polynomial, a piecewise constant function with finitely many pieces), say whether a
network $f(x) = w_0 + \sum_i w_i\, g(b_i + v_i x)$ with the step activation represents it **exactly**,
and why. Write in the cell below (Markdown; math between `$...$`).
""",
    "q2.explain": r"""
### Q2 in words ({points} points, graded by your instructor)

Why can no linear model $f(x) = w^\top x + b$ (no hidden layer) separate the four XOR points?
Give an argument, not only the claim. Write in the cell below.
""",
    "q3.derivation": r"""
### Q3 in words ({points} points, graded by your instructor)

Derive $\dfrac{\partial J}{\partial z_2} = \hat y - y$ from the softmax and the cross-entropy, then
$\delta_1 = \dfrac{\partial J}{\partial z_1}$ by the chain rule. Show the steps, in Markdown with LaTeX
(`$...$` inline, `$$...$$` on its own line). Write in the cell below.
""",
}


def written(question: str) -> list:
    """The prompt and answer cells of `question`'s written items, points from config.yaml."""
    config = load_config(ROOT / "config.yaml", declared_tests())
    cells = []
    for item in next(q for q in config.questions if q.id == question).written:
        points = int(item.points) if item.points == int(item.points) else item.points
        cells += [markdown(f"{item.cell}-prompt", PROMPTS[item.id].replace("{points}", str(points))),
                  answer(item.cell, points)]
    return cells


INTRO = r"""
# Neural networks and backpropagation

Three short questions: what a network of step units can represent, a ReLU network
that solves XOR, and backpropagation through a softmax classifier.

**Your code goes in the three Python files beside this notebook**, and your written
answers in this notebook, in the cells that say YOUR ANSWER HERE:

| Question | File | What you fill in |
|---|---|---|
{files}

Each function's docstring gives the shapes and conventions. Edit a file, save it,
and rerun the cells below: the notebook reloads your files automatically.

Each question has a **self-check** cell that prints `PASS`, `FAIL` (with what was
expected and what came back) or `NOT DONE` per check. The self-checks are a small
public sample; the grading tests try more cases. You can also run them in a
terminal in this folder: `python selfcheck.py` or `python -m pytest -q`.
"""

SETUP = r'''
%load_ext autoreload
%autoreload 2
%matplotlib inline

from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np

import selfcheck


@contextmanager
def trying(what):
    """Run the block; if your code raises, print one line instead of a traceback."""
    try:
        yield
    except NotImplementedError as exc:
        print(exc if str(exc) else f"{what} is not implemented yet")
        plt.close("all")
    except Exception as exc:
        print(f"{what} did not finish: {selfcheck.explain(exc)}")
        plt.close("all")
'''

Q1 = r"""
## Question 1: what can a network of step units represent?

The **step activation** is

$$g(z) = \begin{cases} 1 & \text{if } z \ge 0,\\ 0 & \text{if } z < 0, \end{cases} \qquad\text{so } g(0) = 1.$$

A network with a scalar input $x$ and one hidden layer of $H$ step units computes

$$f(x) = w_0 + \sum_{i=1}^{H} w_i \, g(b_i + v_i x).$$

Each hidden unit switches on or off where $b_i + v_i x$ crosses $0$, and nothing
changes in between.

**(a)** Which of these functions can $f$ represent *exactly*, for every $x \in \mathbb{R}$?
Set each entry of `REPRESENTABLE` to `True` or `False`.

| key | function |
|---|---|
| `"linear"` | $I(x) = a x + b$, with $a \neq 0$ |
| `"hinge"` | $I(x) = \max(1 - x,\ 0)$ |
| `"quadratic"` | $I(x) = a x^2 + b x + c$, with $a \neq 0$ |
| `"piecewise_constant"` | any piecewise constant function with finitely many pieces |

**(b)** Implement `step` (elementwise, returning floats) and `step_network`, which
evaluates $f$ at a whole array of inputs at once.

**(c)** Construct networks, i.e. return their parameters $w_0, w, b, v$:

* `indicator_params(lo, hi, c)`: $f(x) = c$ for $\text{lo} \le x < \text{hi}$ and $0$ elsewhere.
  Compare $g(x - \text{lo})$ and $g(x - \text{hi})$.
* `piecewise_constant_params(t, c)`: $f = I$, where, for breakpoints $t_1 < \dots < t_K$
  and values $c_0, \dots, c_K$,

$$I(x) = \begin{cases} c_0 & x < t_1,\\ c_j & t_j \le x < t_{j+1} \quad (1 \le j < K),\\ c_K & x \ge t_K. \end{cases}$$

Start at $c_0$ and add one step unit per breakpoint, of height equal to the jump of $I$ there.

Because $g(0) = 1$, pieces are closed on the left: $I(t_j) = c_j$.
"""

Q1_CHECK = r"""
failures = selfcheck.run("q1")
"""

Q1_PLOT = r"""
# Your piecewise_constant_params + step_network against a target function.
breakpoints = np.array([-2.0, -0.5, 1.0, 2.5])
values = np.array([0.5, 2.0, -1.0, 1.5, 0.0])
xs = np.linspace(-4, 4, 1601)
target = values[np.searchsorted(breakpoints, xs, side="right")]

with trying("piecewise_constant_params"):
    import step_network as q1

    params = q1.piecewise_constant_params(breakpoints, values)
    fx = q1.step_network(xs, **params)
    at_breakpoints = q1.step_network(breakpoints, **params)
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.step(xs, target, where="post", lw=6, alpha=0.3, label="target")
    ax.step(xs, fx, where="post", color="k", lw=1, label="your step network")
    ax.plot(breakpoints, at_breakpoints, "o", mfc="none", color="tab:red", label="your network\nat the breakpoints")
    ax.set(xlabel="x", ylabel="f(x)", title="Question 1: a piecewise constant function")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    plt.show()
    print(f"{np.size(params['w'])} hidden units; largest |network - target| on the grid: {np.max(np.abs(fx - target)):.3g}")
"""

Q2 = r"""
## Question 2: ReLU networks can solve XOR

The network maps a point $x \in \mathbb{R}^2$ to a score

$$f(x) = w_2^\top \operatorname{ReLU}(W_1 x + b_1) + b_2, \qquad W_1 \in \mathbb{R}^{2 \times 2},\quad b_1, w_2 \in \mathbb{R}^2,\quad b_2 \in \mathbb{R},$$

with $\operatorname{ReLU}(z) = \max(z, 0)$ elementwise, and predicts the label $\operatorname{sign} f(x)$.
The data is XOR: the label is $+1$ when both coordinates have the same sign.

| $x$ | $(1, 1)$ | $(1, -1)$ | $(-1, 1)$ | $(-1, -1)$ |
|---|---|---|---|---|
| $y$ | $+1$ | $-1$ | $-1$ | $+1$ |

No linear classifier $\operatorname{sign}(a^\top x + c)$ gets all four right: the two
$+1$ points sit on opposite corners, so any line that separates one of them from
the $-1$ points puts the other on the wrong side. One hidden ReLU layer is enough.

Implement `relu` and `relu_network` (points are the **rows** of an $N \times 2$ array),
then choose weights in `xor_weights` so that $\operatorname{sign} f(x) = y$ on all four
points. A score of exactly $0$ counts as wrong. Many choices work.
"""

Q2_CHECK = r"""
failures = selfcheck.run("q2")
"""

Q2_PLOT = r"""
# The decision regions of relu_network with your xor_weights.
with trying("xor_weights"):
    import xor_relu as q2

    weights = q2.xor_weights()
    g1, g2 = np.meshgrid(np.linspace(-2, 2, 201), np.linspace(-2, 2, 201))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    regions = np.sign(q2.relu_network(grid, **weights)).reshape(g1.shape)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.contourf(g1, g2, regions, levels=[-1.5, -0.5, 0.5, 1.5], colors=["tab:blue", "white", "tab:red"], alpha=0.3)
    for (a, b), label in zip(q2.X, q2.Y):
        ax.scatter(a, b, s=160, c="tab:red" if label > 0 else "tab:blue", marker="o" if label > 0 else "s", edgecolors="k")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="Question 2: red f > 0, blue f < 0", aspect="equal")
    plt.show()
    right = np.sign(q2.relu_network(q2.X, **weights)) == q2.Y
    print(f"{int(right.sum())} of 4 points classified correctly")
"""

Q3 = r"""
## Question 3: backpropagation

One hidden layer of ReLUs and a softmax output, trained with cross-entropy:

$$z_1 = W x + b_1, \qquad h = \operatorname{ReLU}(z_1), \qquad z_2 = U h + b_2, \qquad \hat y = \operatorname{softmax}(z_2), \qquad J = -\sum_{i=1}^{k} y_i \log \hat y_i,$$

where $\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$. The shapes, with $n$ inputs,
$m$ hidden units and $k$ classes, are
$x \in \mathbb{R}^n$, $W \in \mathbb{R}^{m \times n}$, $b_1 \in \mathbb{R}^m$, $U \in \mathbb{R}^{k \times m}$,
$b_2 \in \mathbb{R}^k$, and $y \in \mathbb{R}^k$ is one-hot (or any probability vector).

Implement `softmax` (it must not overflow for large logits), `cross_entropy` and
`forward`, then `backprop`, which returns

$$\frac{\partial J}{\partial b_2}, \quad \frac{\partial J}{\partial U}, \quad \frac{\partial J}{\partial b_1}, \quad \frac{\partial J}{\partial W},$$

each with the shape of its parameter. Work backwards one layer at a time, starting
from $\partial J / \partial z_2$. Use the convention $\operatorname{ReLU}'(0) = 0$.

A good test of any gradient is a **centred finite difference**: nudge one entry
$\theta$ of a parameter by $\pm\epsilon$ and compare with
$$\frac{\partial J}{\partial \theta} \approx \frac{J(\theta + \epsilon) - J(\theta - \epsilon)}{2\epsilon}.$$
The cell after the self-check does exactly that with the `loss` function given in `backprop.py`.
"""

Q3_CHECK = r"""
failures = selfcheck.run("q3")
"""

Q3_TABLE = r'''
# Your backprop against centred finite differences of loss, on a random example.
rng = np.random.default_rng(0)
n, m, k = 3, 5, 4
x = rng.normal(size=n)
y = np.eye(k)[2]
params = {"W": rng.normal(size=(m, n)), "b1": rng.normal(size=m), "U": rng.normal(size=(k, m)), "b2": rng.normal(size=k)}


def numerical_gradient(J, p, eps=1e-6):
    """(J(p + eps) - J(p - eps)) / (2 eps) for each entry of p in turn (p is changed in place, then restored)."""
    grad = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        old = p[i]
        p[i] = old + eps
        up = J()
        p[i] = old - eps
        down = J()
        p[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


with trying("backprop"):
    import backprop as q3

    grads = q3.backprop(x, y, **params)
    print(f"{'gradient':<10}{'expected shape':<16}{'your shape':<12}max |backprop - finite difference|")
    for name, p in params.items():
        g = np.asarray(grads[name], dtype=float)
        if g.shape == p.shape:
            gap = np.max(np.abs(g - numerical_gradient(lambda: q3.loss(x, y, **params), p)))
            verdict = f"{gap:.1e}" + ("   ok" if gap < 1e-5 else "   <- too large")
        else:
            verdict = "shapes differ"
        print(f"{'dJ/d' + name:<10}{str(p.shape):<16}{str(g.shape):<12}{verdict}")
'''

SUBMIT = r"""
## Submitting

When the self-checks pass, save this notebook and submit it with {modules}:
the code is graded from the modules, the written answers from this notebook.
"""


def build() -> nbformat.NotebookNode:
    """The notebook, cell by cell."""
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        markdown("intro", INTRO.replace("{files}", "\n".join(
            f"| {q.id[1:]} | `{q.module}` | {', '.join(f'`{g.name}`' for g in q.graded)} |" for q in QUESTIONS))),
        code("setup", SETUP),
        markdown("q1-text", Q1),
        code("q1-selfcheck", Q1_CHECK),
        code("q1-plot", Q1_PLOT),
        *written("q1"),
        markdown("q2-text", Q2),
        code("q2-selfcheck", Q2_CHECK),
        code("q2-plot", Q2_PLOT),
        *written("q2"),
        markdown("q3-text", Q3),
        code("q3-selfcheck", Q3_CHECK),
        code("q3-gradient-table", Q3_TABLE),
        *written("q3"),
        markdown("submit", SUBMIT.replace("{modules}", " and ".join(
            [", ".join(f"`{m}`" for m in MODULES[:-1]), f"`{MODULES[-1]}`"] if len(MODULES) > 1 else [f"`{MODULES[0]}`"]))),
    ]
    return nb


def render() -> str:
    """The notebook file's exact text (as nbformat.write would write it)."""
    text = nbformat.writes(build())
    return text if text.endswith("\n") else text + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the notebook is up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else None
        if current != text:
            print(f"{NOTEBOOK.relative_to(ROOT)} is out of date; run: python tools/build_notebook.py")
            return 1
        print(f"{NOTEBOOK.relative_to(ROOT)} is up to date")
        return 0
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
