"""Submissions laid out oddly, and a grading run that is killed halfway."""
import csv
import json
import os
import signal
import subprocess
import tempfile
import sys
import time
from pathlib import Path

import yaml

from helpers import ROOT, read_grades, read_markdown, read_result, run_grader, variant, write_class


def test_notebook_only_and_subfolder_submissions(tmp_path):
    write_class(tmp_path / "class", {"nora": {"nn_backprop.ipynb": "{}"}})
    nested = tmp_path / "class" / "sam" / "my work" / "nn_backprop"
    nested.mkdir(parents=True)
    for name, text in variant().items():
        (nested / name).write_text(text)
    proc = run_grader(tmp_path / "class", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    grades = read_grades(tmp_path / "out")
    assert grades["sam"]["total"] == "100" and grades["nora"]["total"] == "0"
    nora = read_markdown(tmp_path / "out" / "feedback" / "nora.md")
    assert "only nn_backprop.ipynb was submitted: the code is graded from the .py files" in nora
    sam = read_markdown(tmp_path / "out" / "feedback" / "sam.md")
    assert "Graded the files found in my work/nn_backprop/" in sam


def test_symlinks_in_a_submission_are_not_followed(tmp_path):
    write_class(tmp_path / "class", {"mallory": {"xor_relu.py": variant()["xor_relu.py"]}})
    for name in ("backprop.py", "step_network.py"):
        os.symlink(ROOT / "solutions" / name, tmp_path / "class" / "mallory" / name)
    proc = run_grader(tmp_path / "class", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert read_grades(tmp_path / "out")["mallory"]["q3"] == "0"
    assert "backprop.py was not graded: it is a symbolic link" in read_result(tmp_path / "out", "mallory")["q3.softmax"]["output"]


def _complete(path) -> bool:
    try:
        return "fingerprint" in json.loads(path.read_text())
    except ValueError:
        return False


def test_a_killed_run_resumes_with_nothing_lost_or_doubled(tmp_path):
    slow = variant(backprop=[("    y_hat = np.asarray(y_hat, dtype=float)\n", "    import time; time.sleep(30)\n")])
    students = {f"s{i}": (slow if i % 2 else variant()) for i in range(6)}
    write_class(tmp_path / "class", students)
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["limits"]["call_seconds"] = 1
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw))
    cmd = [sys.executable, "-m", "autograder", "grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
           "--jobs", "1", "--config", str(config)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    state = tmp_path / "out" / ".grader-state"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(state.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # as a power cut or an impatient Ctrl-\\ would
    proc.wait()
    done_before = sum(_complete(path) for path in state.glob("*.json"))  # one may be cut short: graded again
    assert 2 <= done_before < 6, "the run was not interrupted halfway"
    killed_workdirs = list(Path(tempfile.gettempdir()).glob(f"nnb-grade-{proc.pid}-*"))
    assert killed_workdirs  # a killed run has no time to remove its working folder...
    resumed = run_grader(tmp_path / "class", tmp_path / "out", "--jobs", "1", config=config)
    assert resumed.returncode == 0, resumed.stderr
    assert f"kept {done_before} unchanged" in resumed.stdout
    assert not any(path.exists() for path in killed_workdirs)  # ...so the next run does
    rows = list(csv.DictReader(open(tmp_path / "out" / "grades.csv")))
    assert sorted(r["student"] for r in rows) == sorted(students)
    clean = run_grader(tmp_path / "class", tmp_path / "clean", "--jobs", "1", config=config)
    assert clean.returncode == 0
    assert (tmp_path / "out" / "grades.csv").read_bytes() == (tmp_path / "clean" / "grades.csv").read_bytes()


def test_a_state_file_cut_short_means_grading_again(tmp_path):
    """State files are written over the old ones: whatever a kill mid-write leaves is not taken as the new result."""
    from autograder.core.files import overwrite
    from autograder.outputs.results import ItemResult, StudentResult
    from autograder.coordinator.state import ResultStore

    store = ResultStore(tmp_path)
    old = StudentResult("s", [ItemResult("q1.step", "Step", 1.0, 4.0, "an old, longer explanation " * 40)])
    new = StudentResult("s", [ItemResult("q1.step", "Step", 4.0, 4.0, "right")])
    store.save(old, "old-fingerprint")
    old_text = (tmp_path / "s.json").read_text()
    store.save(new, "new-fingerprint")
    new_text = (tmp_path / "s.json").read_text()
    assert len(new_text) < len(old_text) and store.load("s", "new-fingerprint").items[0].score == 4.0
    for cut in range(0, len(new_text), 7):  # the new start over the old end, or the new start alone
        for torn in (new_text[:cut] + old_text[cut:], new_text[:cut]):
            overwrite(tmp_path / "s.json", torn)
            assert store.load("s", "new-fingerprint") is None, torn
    overwrite(tmp_path / "s.json", new_text + "x" * 50)  # written in full, killed before being cut to length
    assert store.load("s", "new-fingerprint") is None


def test_a_slow_import_costs_its_own_module_only(tmp_path):
    """A module that takes longer than the call limit to import costs its own items; the others are graded."""
    slow = "import time\ntime.sleep(1.5)  # longer than call_seconds\n"
    students = {"slow_backprop": variant(), "slow_step": variant(), "slow_both": variant()}
    students["slow_backprop"]["backprop.py"] = slow + students["slow_backprop"]["backprop.py"]
    students["slow_step"]["step_network.py"] = slow + students["slow_step"]["step_network.py"]
    for name in ("step_network.py", "backprop.py"):
        students["slow_both"][name] = slow + students["slow_both"][name]
    write_class(tmp_path / "class", students)
    proc = run_grader(tmp_path / "class", tmp_path / "out", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    grades = read_grades(tmp_path / "out")
    assert [grades["slow_backprop"][q] for q in ("q1", "q2", "q3")] == ["30", "20", "0"]
    assert [grades["slow_step"][q] for q in ("q1", "q2", "q3")] == ["0", "20", "50"]
    assert [grades["slow_both"][q] for q in ("q1", "q2", "q3")] == ["0", "20", "0"]
    assert read_result(tmp_path / "out", "slow_backprop")["q3.grad_W"]["output"].startswith("Not checked: backprop.py")
    reason = json.loads((tmp_path / "out" / "results" / "slow_backprop.json").read_text())["output"]  # the note
    assert "backprop.py could not be imported: it did not finish within 1 s (time limit per call)" in reason
    assert "slow work outside your functions" in reason
    assert "limits hit: 3 students, slow_backprop, slow_both, slow_step" in proc.stdout  # one line for the three
    assert "slow_step: step_network.py could not be imported" in (tmp_path / "out" / "report.html").read_text()
