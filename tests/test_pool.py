"""The shard pool's fault paths, driven over its channel by a stand-in shard (as pytest-xdist tests its
workers): a scripted process that speaks grading/protocol.py and then dies, hangs, never gets ready or
talks out of turn. Whatever a shard does, every job gets exactly one result and the batch goes on."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from autograder.coordinator.pool import Shards
from autograder.grading.job import SubmissionDir
from autograder.grading.plugin import declared_tests
from autograder.spec.config import load_config
from helpers import ROOT

CONFIG = load_config(ROOT / "config.yaml", declared_tests())

# A stand-in shard: answers each job with a full-marks result, unless the script (argv[1]) says otherwise
# for that student: "die" (exit 3), "hang" (sleep), "garble" (a line that is no protocol message),
# "other" (a result for another student), "extra" (a result nobody asked for, after its own).
# "never-ready" as the script ends the process before it is ready. argv[2] and on: CONFIG INDEX (CPU).
STAND_IN = r'''
import json, sys, time
script = json.loads(sys.argv[1])
if script.get("*") == "never-ready":
    sys.exit(5)
def result(student):
    items = [{"id": "q1.step", "title": "t", "score": 4.0, "max_score": 4.0, "output": "", "visibility": "visible",
              "misconceptions": [], "status": "graded"}]
    return json.dumps({"result": {"student": student, "items": items}}) + "\n"
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    student = json.loads(line)["student"]
    what = script.get(student, "ok")
    if what == "die":
        sys.exit(3)
    if what == "hang":
        time.sleep(600)
    if what == "garble":
        print("Traceback (most recent call last):", flush=True)
        continue
    sys.stdout.write(result("someone else" if what == "other" else student))
    if what == "extra":
        sys.stdout.write(result("nobody"))
    sys.stdout.flush()
'''


def _grade(tmp_path: Path, students: list[str], script: dict, workers: int = 1, stall: float = 30.0):
    import json

    jobs = [SubmissionDir(student, tmp_path / student) for student in students]
    started = time.monotonic()
    with Shards(CONFIG.path, workers, command=[sys.executable, "-c", STAND_IN, json.dumps(script)], stall=stall) as pool:
        results = pool.run(jobs, CONFIG)
        launched = pool.launched
    return {r.student: r for r in results}, launched, time.monotonic() - started


def test_every_job_is_answered_once(tmp_path):
    results, launched, _ = _grade(tmp_path, [f"s{i}" for i in range(7)], {}, workers=2)
    assert sorted(results) == [f"s{i}" for i in range(7)] and launched == 2
    assert not any(r.fault for r in results.values())


def test_a_shard_that_dies_costs_its_submission_only(tmp_path):
    results, launched, _ = _grade(tmp_path, ["a", "b", "dies", "c", "d"], {"dies": "die"})
    assert sorted(results) == ["a", "b", "c", "d", "dies"]
    assert results["dies"].fault == "grading process ended (exit 3) on this submission"
    assert len(results["dies"].items) == len(CONFIG.items) - len(CONFIG.written) and all(i.score == 0 for i in results["dies"].items)
    assert not any(results[s].fault for s in "abcd")  # the job it held next went to the new shard
    assert launched == 2


def test_a_shard_that_hangs_is_ended_after_the_stall_time(tmp_path):
    results, _, seconds = _grade(tmp_path, ["a", "stuck", "b"], {"stuck": "hang"}, stall=1.0)
    assert results["stuck"].fault.startswith("grading was stopped after 1 s on this submission")
    assert not results["a"].fault and not results["b"].fault
    assert seconds < 30


@pytest.mark.parametrize("what", ["garble", "other", "extra"])
def test_a_shard_that_talks_out_of_turn_is_not_trusted(tmp_path, what):
    results, _, _ = _grade(tmp_path, ["a", "odd", "b"], {"odd": what})
    assert sorted(results) == ["a", "b", "odd"]  # one result each, and none for anyone else
    assert not results["a"].fault
    if what == "extra":  # its own result stands; the stray one came as b's answer: b fails closed (retried next run)
        assert not results["odd"].fault and results["b"].fault == "grading process answered for another submission"
    else:  # the shard is ended; the job it held next goes to a new one
        assert results["odd"].fault and not results["b"].fault


def test_shards_that_never_get_ready_fail_every_job_closed(tmp_path):
    results, launched, _ = _grade(tmp_path, ["a", "b", "c"], {"*": "never-ready"}, workers=2)
    assert sorted(results) == ["a", "b", "c"]
    assert all(r.fault for r in results.values())
    assert launched <= 2 * 2 + 3 + 3  # bounded: new shards stop once they keep failing


def test_jobs_are_taken_only_as_the_shards_need_them(tmp_path):
    """A class read while it is graded (discover.read_class): the first results come in before the last
    folder is read, and every job still gets one result, one that died with its shard included."""
    import json

    taken, results_when_taken = [], []
    got = []

    def jobs():
        for i in range(12):
            taken.append(i)
            results_when_taken.append(len(got))
            yield SubmissionDir(f"s{i:02}", tmp_path / f"s{i:02}")

    with Shards(CONFIG.path, 1, command=[sys.executable, "-c", STAND_IN, json.dumps({"s05": "die"})]) as pool:
        results = pool.run(jobs(), CONFIG, got.append)
    assert taken == list(range(12)) and len(results) == 12
    assert {r.student for r in results} == {f"s{i:02}" for i in range(12)}
    assert results_when_taken[-1] > 0  # the last job was taken after results had come in: not all at once
    assert [r.student for r in results if r.fault] == ["s05"]
