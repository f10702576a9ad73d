"""Real students' code, graded: public implementations of the homework's pieces (tests/corpus/, each with
its source and its adaptations), judged independently by tests/corpus/judge.py (finite differences and
the questions' definitions), then graded by the real grader under many student ids.

The grader must agree with the judge: correct code full marks, a named mistake named (with the same
combination of mistakes), wrong code not full marks, and one grade per code whoever submits it.
"""
from __future__ import annotations

import collections
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from helpers import ITEMS_OF, ROOT, read_grades, run_grader

CORPUS = ROOT / "tests" / "corpus"
ENTRIES = yaml.safe_load((CORPUS / "corpus.yaml").read_text())["entries"]
IDS = 40


def expected_names(entry: dict, function: str, verdict: str) -> set[str]:
    """The mistakes the grader should name for a verdict of the judge, by the grader's documented contract:

    - softmax overflow is graded once, in q3.softmax: forward's cases have no large logits, and
      backprop runs with a correct softmax standing in for the student's (so overflow in backprop
      counts only where backprop computes its own exponentials, not through the module's softmax).
    """
    names = set(verdict.split("+"))
    if function == "forward":
        names.discard("no_max_subtraction")
    if function == "backprop" and "no_max_subtraction" in names and entry.get("backprop_softmax") == "module":
        names.discard("no_max_subtraction")
    return names


def test_the_judge_agrees_with_the_manifest():
    done = subprocess.run([sys.executable, str(CORPUS / "judge.py")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 problem(s)" in done.stdout


def test_the_corpus_is_varied():
    verdicts = [v for e in ENTRIES for v in e["verdicts"].values()]
    assert len(ENTRIES) >= 15 and sum("backprop" in e["verdicts"] for e in ENTRIES) >= 8
    assert sum(v == "correct" for v in verdicts) >= 10 and sum("labels_argmax" in v for v in verdicts) >= 5
    assert all(e["source"]["repository"] and e["adaptations"] for e in ENTRIES)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{slug: {student: {rubric id: results entry}}}: every entry graded under IDS ids."""
    tmp = tmp_path_factory.mktemp("corpus")
    for entry in ENTRIES:
        for i in range(IDS):
            folder = tmp / "subs" / f"{entry['slug']}.{i:02d}"
            folder.mkdir(parents=True)
            for module in entry["modules"]:
                shutil.copy(CORPUS / entry["slug"] / module, folder / module)
    done = run_grader(tmp / "subs", tmp / "out")
    assert done.returncode == 0, done.stderr
    by_slug = collections.defaultdict(dict)
    for student in read_grades(tmp / "out"):
        doc = json.loads((tmp / "out" / "results" / f"{student}.json").read_text())
        by_slug[student.split(".")[0]][student] = {t["name"].split()[0]: t for t in doc["tests"]}
    return by_slug


@pytest.mark.parametrize("slug", [e["slug"] for e in ENTRIES])
def test_one_grade_per_code_whoever_submits_it(graded, slug):
    scores = {tuple(sorted((item, test["score"]) for item, test in results.items()))
              for results in graded[slug].values()}
    assert len(graded[slug]) == IDS and len(scores) == 1, scores


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["slug"] for e in ENTRIES])
def test_the_grader_agrees_with_the_judge(graded, entry):
    results = next(iter(graded[entry["slug"]].values()))
    for function, verdict in (entry["verdicts"] | entry.get("graded_as", {})).items():
        items = [results[item] for item in ITEMS_OF[function]]
        full = all(t["score"] == t["max_score"] for t in items)
        named = {name for t in items for name in t.get("tags", [])}
        if verdict == "correct":
            assert full, (function, [t["output"] for t in items])
        elif verdict.startswith("wrong"):
            assert not full, (function, verdict)
        else:
            want = expected_names(entry, function, verdict)
            assert named == want, (function, verdict, [t["output"] for t in items])
            assert full == (not want), (function, [t["output"] for t in items])
            for t in items:  # what the code did, in words, beside the points it earned
                if t.get("tags"):
                    assert "recognised mistake" in t["output"]


def test_a_near_miss_is_said_as_one(graded):
    """A log safeguard of 1e-5 misses by a little: the feedback says so; a wrong formula does not read that way."""
    near = next(iter(graded["ce-shilpavakkayil"].values()))["q3.cross_entropy"]
    assert "close to the right values, but past the tolerance" in near["output"], near["output"]
    far = next(iter(graded["zimengxiong-single-pass"].values()))["q3.grad_W"]
    assert far["score"] < far["max_score"] and "close to the right values" not in far["output"]
