"""Question 1: step networks. Parameters a student returns are judged with the reference network."""
import numpy as np

from autograder.grading import misconceptions as mc
from autograder.grading.hidden.params import step_params
from autograder.grading.marks import rubric
from autograder.grading.scoring import Case, NotNumbers, quote

CHOICES = ("linear", "hinge", "quadratic", "piecewise_constant")


@rubric("q1.representable")
def test_representable(sub, ref, score):
    score.checked = "each of the four answers in REPRESENTABLE"
    score.hint = "f is a finite sum of steps, so it is constant between breakpoints: which of the four functions are?"
    got = sub.call("step_network", "REPRESENTABLE")
    want = ref.step_network.REPRESENTABLE
    if not got.ok:
        score.cases += [score.judge(got, None, "REPRESENTABLE") for _ in CHOICES]
        return
    if not isinstance(got.value, dict):
        score.cases += [Case(0.0, f"REPRESENTABLE should be a dict, got {type(got.value).__name__}") for _ in CHOICES]
        return
    wrong = 0
    for choice in CHOICES:
        answer = got.value.get(choice)
        if isinstance(answer, np.ndarray) and answer.shape == () and answer.dtype.kind == "b":
            answer = bool(answer)
        if answer is None:
            score.failed(f'"{choice}" is not answered yet (still None)')
        elif type(answer) is not bool:
            score.failed(f'"{choice}" should be True or False, got {quote(answer)}')
        elif answer == want[choice]:
            score.passed()
        else:
            wrong += 1
            score.cases.append(Case(0.0))
    if wrong:  # say how many, not which: each answer is a yes or no
        score.cases[-1].message = f"{wrong} of the four answers {'is' if wrong == 1 else 'are'} not right"


@rubric("q1.step", misconceptions=("g0_zero",))
def test_step(sub, ref, cases, score):
    score.checked = "step(z) on a scalar, vectors and a matrix, with z = 0 among the inputs"
    score.hint = "g(z) = 1 where z >= 0 and 0 elsewhere, with the same shape as z"
    for (z,), got in zip(cases.step, sub.call_many("step_network", "step", cases.step)):
        score.check(got, ref.call("step_network", "step", z), "step(z)", {"g0_zero": lambda: mc.step_g0_zero(z)})


@rubric("q1.step_network", misconceptions=("g0_zero",))
def test_step_network(sub, ref, cases, score):
    score.checked = "step_network(x, w0, w, b, v) for 1, 3 and 5 hidden units, with x at every unit's breakpoint"
    score.hint = "the (N, H) pre-activations are b + np.outer(x, v); apply step, then multiply by w and add w0"
    for args, got in zip(cases.step_network, sub.call_many("step_network", "step_network", cases.step_network)):
        score.check(got, ref.call("step_network", "step_network", *args), "step_network(x, ...)",
                    {"g0_zero": lambda: mc.step_network_g0_zero(*args)})


def _grade_params(score, outcome, function, x, target, alternatives):
    """Evaluate returned parameters with the reference network at x; compare with the target function."""
    if not outcome.ok:
        score.cases.append(score.judge(outcome, 0.0, function))
        return
    try:
        w0, w, b, v = step_params(outcome.value, function)
    except NotNumbers as exc:
        score.failed(str(exc))
        return
    network = w0 + (b + np.outer(x, v) >= 0).astype(float) @ w  # the reference step network
    score.cases.append(score.judge_value(network, target, f"the network from {function}", alternatives))


def _probe_points(breakpoints):
    """x at, just left of and just right of every breakpoint, plus far left and right."""
    t = np.asarray(breakpoints, dtype=float)
    return np.concatenate([t, t - 1 / 16, t + 1 / 16, [t.min() - 10, t.max() + 10]])


@rubric("q1.indicator", misconceptions=("right_closed",))
def test_indicator(sub, cases, score):
    score.checked = "the network from indicator_params(lo, hi, c), evaluated at, just left of and just right of lo and hi"
    score.hint = "a unit g(x - t) switches on at x = t (g(0) = 1): combine one that switches on at lo with one that cancels it from hi on"
    for (lo, hi, c), got in zip(cases.indicator, sub.call_many("step_network", "indicator_params", cases.indicator)):
        x = _probe_points([lo, hi])
        target = np.where((x >= lo) & (x < hi), c, 0.0)
        wrong_end = np.where((x > lo) & (x <= hi), c, 0.0)
        _grade_params(score, got, "indicator_params", x, target, {"right_closed": wrong_end})


@rubric("q1.piecewise_constant", misconceptions=("right_closed",))
def test_piecewise_constant(sub, cases, score):
    score.checked = ("the network from piecewise_constant_params(breakpoints, values) for 1, 3 and 5 breakpoints, "
                     "evaluated at, just left of and just right of every breakpoint")
    score.hint = "start from values[0] and add one step per breakpoint, jumping by values[j] - values[j-1]"
    answers = sub.call_many("step_network", "piecewise_constant_params", cases.piecewise_constant)
    for (t, values), got in zip(cases.piecewise_constant, answers):
        x = _probe_points(t)
        target = values[np.searchsorted(t, x, side="right")]
        _grade_params(score, got, "piecewise_constant_params", x, target, {"right_closed": lambda: mc.right_closed(x, t, values)})
