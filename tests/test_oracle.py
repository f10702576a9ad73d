"""No oracle: what the grader calls, in which order and with which inputs never depends on an answer.

Each submission here is traced: every public function of its modules is wrapped so that each
call prints one line (function and a digest of its arguments) to the student's own output,
which the grader captures. The hidden tests run in this process (the shard's pytest session)
so the test can read that output. Correct code, every recognised mistake and the untouched
stubs must see the very same calls. A submission that answers wrong the first time it sees
an input and right the second time (the grader used to call again, with its own helpers,
after a wrong gradient) must earn what its first answer earns.
"""
from __future__ import annotations


import numpy as np
import pytest

from autograder.spec.config import load_config
from autograder.coordinator.discover import read_submission
from autograder.grading.job import SubmissionDir
from autograder.grading.plugin import GradingPlugin, declared_tests
from autograder.devtools.samples import MISTAKES, stubs
from autograder.sandbox.backends import select_backend
from autograder.grading.shard import run_session
from autograder.sandbox.slot import Slot
from helpers import ROOT, variant

TRACE = '''

# ---- call trace (appended by tests/test_oracle.py) ----
_NNB_DEPTH = [0]


def _nnb_traced(_name, _function):
    """The function, printing one line per call the grader makes (not the calls the code makes itself)."""
    import functools, hashlib, sys

    import numpy

    def _digest(value):
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(_digest(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(k + ":" + _digest(v) for k, v in sorted(value.items())) + "}"
        array = numpy.asarray(value, dtype=float)
        return hashlib.sha256(repr(array.shape).encode() + array.tobytes()).hexdigest()[:12]

    @functools.wraps(_function)
    def traced(*args, **kwargs):
        if not _NNB_DEPTH[0]:
            sys.stdout.write("CALL %s %s\\n" % (_name, _digest([list(args), kwargs])))
        _NNB_DEPTH[0] += 1
        try:
            return _function(*args, **kwargs)
        finally:
            _NNB_DEPTH[0] -= 1
    return traced


for _n, _f in list(globals().items()):
    if callable(_f) and not _n.startswith("_") and getattr(_f, "__module__", None) == __name__:
        globals()[_n] = _nnb_traced(_n, _f)
'''

SIGN = ("    delta1 = y_hat - y\n", "    delta1 = y_hat - y\n")
# Wrong sign the first time an input comes, right when the same input comes again (as it did
# when the grader called a second time, with its own helpers, after a wrong gradient).
SECOND_CALL = {"backprop": [("    delta1 = y_hat - y\n",
                             "    delta1 = y_hat - y\n"
                             "    key = (np.asarray(x, dtype=float).tobytes(), np.asarray(W, dtype=float).tobytes())\n"
                             "    if key not in _SEEN:\n"
                             "        _SEEN.add(key)\n"
                             "        delta1 = -delta1\n")]}
# Wrong sign with its own helpers in place, right when they have been replaced: the grader always
# replaces them (Reference.stand_ins), for everyone, so this is simply code that is right when graded.
HELPERS_REPLACED = {"backprop": [("    delta1 = y_hat - y\n",
                                  "    delta1 = y_hat - y\n"
                                  "    if getattr(globals().get('forward'), '__name__', '') == 'forward':\n"
                                  "        delta1 = -delta1\n")]}
GRADIENTS = ("q3.grad_b2", "q3.grad_U", "q3.grad_b1", "q3.grad_W")


def _with_state(files: dict[str, str]) -> dict[str, str]:
    return dict(files, **{"backprop.py": files["backprop.py"] + "\n_SEEN = set()\n"})


SUBMISSIONS = {
    "stubs": stubs(),
    "second_call": _with_state(variant(**SECOND_CALL)),
    "helpers_replaced": variant(**HELPERS_REPLACED),
    **{f"mistake_{name}": variant(*edits) for name, edits in MISTAKES.items()},
}


@pytest.fixture(scope="module")
def grade(tmp_path_factory):
    """grade(student, files) -> (StudentResult, what the student's code printed), graded in this process."""
    root = tmp_path_factory.mktemp("oracle")
    config = load_config(ROOT / "config.yaml", declared_tests())
    slot = Slot(select_backend(config.backend), config.limits, 0)
    slot.start()
    count = [0]

    def run(student: str, files: dict[str, str]):
        count[0] += 1
        folder = root / str(count[0]) / student
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text + TRACE)
        results = []
        job = SubmissionDir(student, folder, submitted=read_submission(folder))
        plugin = GradingPlugin(config, slot, iter([job]), results.append)
        assert run_session(plugin) in (0, 1)
        return results[0], bytes(plugin.current.sub.output).decode(errors="replace")

    yield run
    slot.stop()


@pytest.fixture(scope="module")
def correct(grade):
    return grade("same_id", variant())


def _calls(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("CALL ")]


def _scores(result) -> dict[str, float]:
    return {item.id: item.score for item in result.items}


def test_the_trace_sees_every_graded_function(correct):
    called = {line.split()[1] for line in _calls(correct[1])}
    assert called == {"step", "step_network", "indicator_params", "piecewise_constant_params", "relu",
                      "relu_network", "xor_weights", "softmax", "cross_entropy", "forward", "backprop"}
    assert _scores(correct[0])["q3.grad_W"] == 8


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_the_calls_do_not_depend_on_the_answers(grade, correct, name):
    """Under the same id, any submission sees exactly the calls correct code sees: same order, same inputs."""
    result, output = grade("same_id", SUBMISSIONS[name])
    assert _calls(output) == _calls(correct[1])


def test_a_second_look_earns_no_more_than_the_first(grade):
    """Code that would answer right on a second look at an input earns what its first answer earns.

    Its forward is wrong too: the grader used to call backprop again, with its own helpers,
    exactly then, and the second look came with the right sign.
    """
    broken_forward = ("    return h, y_hat\n", "    return h, y_hat[::-1]  # wrong: costs q3.forward\n")
    result, _ = grade("same_id", _with_state(variant(backprop=SECOND_CALL["backprop"] + [broken_forward])))
    flipped, _ = grade("same_id", variant(*MISTAKES["sign_flipped"], broken_forward))
    for item in GRADIENTS:
        assert _scores(result)[item] == _scores(flipped)[item], item
    assert _scores(flipped)["q3.grad_U"] == 8 * 0.25 and _scores(flipped)["q3.forward"] < 8


def test_the_stand_ins_answer_no_graded_case_but_backprops():
    """backprop's stand-ins are the grader's forward on backprop's inputs, which code may print:
    forward is graded on inputs of its own, so those answers grade nothing else."""
    from autograder.grading.cases import Cases

    for student in ("a", "b", "same_id"):
        cases = Cases(20260415, student)
        network = [tuple(np.asarray(a).tobytes() for a in (x, W, b1, U, b2)) for x, _, W, b1, U, b2 in cases.network]
        forward = [tuple(np.asarray(a).tobytes() for a in args) for args in cases.forward]
        assert not set(network) & set(forward)
        assert [np.shape(args[1]) for args in cases.forward] == [np.shape(args[2]) for args in cases.network][:6]
