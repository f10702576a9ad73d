"""The Gradescope autograder zip, unpacked into a folder laid out like /autograder and run
on a correct, a wrong and a hostile submission: valid results.json, the local grader's scores."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from helpers import ROOT, read_result, run_grader, variant, write_class

# Gradescope's results.json, as its autograder specification describes it.
TEST_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"}, "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"},
        "name_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "number": {"type": "string"}, "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
    },
    "required": ["score", "max_score", "name"],
    "additionalProperties": False,
}
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_name_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST_SCHEMA},
        "leaderboard": {"type": "array"},
    },
    "required": ["score", "tests"],
    "additionalProperties": False,
}
HOSTILE = variant(backprop=[('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)'), ("def softmax(z):", '''def _forge():
    import os, json
    fake = json.dumps({"score": 100, "tests": []})
    for where in ("/autograder/results", "RESULTS_DIR", "/tmp", "."):
        try:
            with open(os.path.join(where, "results.json"), "w") as handle:
                handle.write(fake)
        except OSError:
            pass
    print('{"score": 100, "tests": []}')
    for path in ("/autograder/source/solutions/backprop.py", "SOURCE_DIR/solutions/backprop.py"):
        try:
            open(path).read()
            raise SystemExit("read the reference")
        except OSError:
            pass


_forge()


def softmax(z):''')])
SUBMISSIONS = {"ada": variant(), "ben": variant(backprop=[('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')]),
               "mallory": HOSTILE}


@pytest.fixture(scope="module")
def zipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "autograder.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder.gradescope", "build", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def autograder_root(tmp, zipped, student, files):
    """A folder laid out like Gradescope's /autograder for one submission."""
    root = tmp / student / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    files = {name: text.replace("RESULTS_DIR", str(root / "results")).replace("SOURCE_DIR", str(root / "source"))
             for name, text in files.items()}
    write_class(root, {"submission": files})
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"email": student, "id": 7}]}))
    return root


@pytest.fixture(scope="module")
def graded(tmp_path_factory, zipped):
    tmp = tmp_path_factory.mktemp("gradescope")
    runs = {}
    for student, files in SUBMISSIONS.items():
        root = autograder_root(tmp, zipped, student, files)
        env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
        proc = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                              timeout=300)
        runs[student] = (proc, root)
    write_class(tmp / "local", SUBMISSIONS)
    local = run_grader(tmp / "local", tmp / "local-out")
    assert local.returncode == 0, local.stderr
    return runs, tmp / "local-out"


def test_zip_has_the_gradescope_layout(zipped):
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert {"config.yaml", "solutions/backprop.py", "autograder/hidden/test_q3.py"} <= set(names)
    assert not any(n.startswith(("tests/", "examples/", "assignment/")) or "__pycache__" in n for n in names)
    setup = zipfile.ZipFile(zipped).read("setup.sh").decode()
    assert "bubblewrap" in setup and "chmod -R go-rwx /autograder/source" in setup


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_results_are_valid_and_match_the_local_grader(graded, student):
    runs, local = graded
    proc, root = runs[student]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(doc, RESULTS_SCHEMA)
    assert doc["stdout_visibility"] == "hidden"
    assert doc["output"].startswith("Total: ")
    here = {t["name"].split()[0]: t["score"] for t in doc["tests"]}
    there = {k: v["score"] for k, v in read_result(local, student).items()}
    assert here == there
    assert doc["score"] == pytest.approx(sum(here.values()))


def test_scores(graded):
    runs, _ = graded
    scores = {s: json.loads((root / "results" / "results.json").read_text())["score"] for s, (_, root) in runs.items()}
    assert scores["ada"] == 100 and scores["ben"] == 96
    assert scores["mallory"] == 96  # dJ/dU transposed, like ben: the forged files and lines changed nothing


def test_hostile_submission_forged_nothing(graded):
    runs, _ = graded
    proc, root = runs["mallory"]
    doc = json.loads((root / "results" / "results.json").read_text())
    assert len(doc["tests"]) == 15 and doc["score"] == 96
    assert not (root / "submission" / "results.json").exists()
    assert "RESULTS_DIR" not in (root / "submission" / "backprop.py").read_text()  # the attack aimed at the real path
    softmax = next(t for t in doc["tests"] if t["name"].startswith("q3.softmax"))
    assert "read the reference" not in softmax["output"]  # the reference was out of its reach


def test_visibility_maps_to_gradescope(graded, tmp_path, zipped):
    root = autograder_root(tmp_path, zipped, "vis", SUBMISSIONS["ada"])
    config = (root / "source" / "config.yaml").read_text().replace(
        "q2.relu: {title: ReLU, points: 4}", "q2.relu: {title: ReLU, points: 4, visibility: after_due_date}")
    (root / "source" / "config.yaml").write_text(config)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, check=True, capture_output=True)
    doc = json.loads((root / "results" / "results.json").read_text())
    visibility = {t["name"].split()[0]: t["visibility"] for t in doc["tests"]}
    assert visibility["q2.relu"] == "after_due_date" and visibility["q2.xor_weights"] == "visible"
