"""The Gradescope autograder zip, unpacked into a folder laid out like /autograder and run
on a correct, a wrong and a hostile submission: valid results.json, the local grader's scores."""
import json
import os
import shutil
import subprocess
import sys
import time
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
               "mallory": HOSTILE, "broken": variant(backprop=[("def softmax(z):", "def softmax(z)")])}


@pytest.fixture(scope="module")
def zipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "autograder.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder.integrations.gradescope", "build", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


APT_GET = """#!/usr/bin/env bash
# apt-get for the test: what is installed already is not fetched again; anything else is, for real.
echo "$*" >> "$(dirname "$0")/apt-get.log"
[ "$1" = install ] || exit 0
missing=()
for package in "${@:2}"; do
  [[ $package == -* ]] && continue
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] || { /usr/bin/apt-get update -qq && /usr/bin/apt-get install -y -qq "${missing[@]}"; }
"""
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # a fresh Ubuntu image's, as root


def in_autograder(mount: str, command: str, extra_path: str = "") -> subprocess.CompletedProcess:
    """`command` as root with `mount` (a mount(8) option string) on /autograder, in a private mount namespace,
    with a clean environment: what Gradescope's image build and each submission's container see."""
    script = f"mount {mount} /autograder && cd /autograder && {command}"
    env = {"PATH": f"{extra_path}:{PATH}" if extra_path else PATH, "HOME": "/root", "LANG": "C.UTF-8"}
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script], env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def image(tmp_path_factory, zipped):
    """The image Gradescope builds: the zip unpacked into /autograder/source, then setup.sh run in it for real
    (as root, /autograder a bind mount of a temporary folder; apt-get fetches only what is missing)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("the image is built as Gradescope does: as root, in a private mount namespace")
    tmp = tmp_path_factory.mktemp("image")
    built, shims = tmp / "autograder", tmp / "bin"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(built / "source")
    for name in ("setup.sh", "run_autograder"):  # zipfile keeps no modes; Gradescope's harness does
        os.chmod(built / "source" / name, 0o755)
    shutil.copy(built / "source" / "run_autograder", built / "run_autograder")
    shims.mkdir()
    (shims / "apt-get").write_text(APT_GET)
    os.chmod(shims / "apt-get", 0o755)
    made = not os.path.exists("/autograder")
    if made:
        os.mkdir("/autograder", 0o755)  # the mount point; the image itself lives in tmp
    try:
        started = time.monotonic()
        proc = in_autograder(f"--bind {built}", "bash source/setup.sh", extra_path=str(shims))
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
        yield built, proc, (shims / "apt-get.log").read_text(), time.monotonic() - started
    finally:
        if made:
            os.rmdir("/autograder")


def run_container(image_dir, tmp, student, files, config_text=None):
    """One submission in a fresh container of the image (an overlay on it, as Docker's layers are):
    its files in /autograder/submission, run_autograder run, and the container's own layer returned."""
    layer, work = tmp / student / "layer", tmp / student / "work"
    write_class(layer, {"submission": files})
    (layer / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"email": student, "id": 7}]}))
    if config_text is not None:
        (layer / "source").mkdir()
        (layer / "source" / "config.yaml").write_text(config_text)
    work.mkdir()
    made = not os.path.exists("/autograder")
    if made:
        os.mkdir("/autograder", 0o755)
    try:
        started = time.monotonic()
        proc = in_autograder(f"-t overlay overlay -o lowerdir={image_dir},upperdir={layer},workdir={work}",
                             "./run_autograder")
        return proc, layer, time.monotonic() - started
    finally:
        if made:
            os.rmdir("/autograder")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, image):
    tmp = tmp_path_factory.mktemp("gradescope")
    runs = {}
    for student, files in SUBMISSIONS.items():
        files = {name: text.replace("RESULTS_DIR", "/autograder/results").replace("SOURCE_DIR", "/autograder/source")
                 for name, text in files.items()}
        runs[student] = run_container(image[0], tmp, student, files)
    write_class(tmp / "local", SUBMISSIONS)
    local = run_grader(tmp / "local", tmp / "local-out")
    assert local.returncode == 0, local.stderr
    return runs, tmp / "local-out"


def test_setup_builds_the_image(image):
    built, proc, apt_calls, seconds = image
    assert "install -y python3 python3-venv bubblewrap libseccomp2" in apt_calls
    installed = subprocess.run([str(built / "venv" / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True,
                               text=True, check=True).stdout.lower().split()
    pinned = [line for line in (ROOT / "grader-requirements.txt").read_text().lower().splitlines()
              if line and not line.startswith("#")]
    assert set(pinned) <= set(installed), (pinned, installed)
    assert "sandbox backend: bwrap" in proc.stdout  # doctor, at the end of setup.sh: the real sandbox
    assert "can be read by every user" not in proc.stdout  # and nothing secret left readable
    for path in (built / "source").rglob("*"):  # the grader, hidden tests and references: root's alone
        info = path.lstat()
        assert info.st_uid == 0 and info.st_mode & 0o077 == 0, (path, oct(info.st_mode))


def test_zip_has_the_gradescope_layout(zipped):
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert {"config.yaml", "solutions/backprop.py", "autograder/grading/hidden/test_q3.py"} <= set(names)
    assert not any(n.startswith(("tests/", "examples/", "assignment/")) or "__pycache__" in n for n in names)
    setup = zipfile.ZipFile(zipped).read("setup.sh").decode()
    assert "bubblewrap" in setup and "chmod -R go-rwx /autograder/source" in setup


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_results_are_valid_and_match_the_local_grader(graded, student):
    runs, local = graded
    proc, root, _ = runs[student]
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
    scores = {s: json.loads((root / "results" / "results.json").read_text())["score"] for s, (_, root, _) in runs.items()}
    assert scores["ada"] == 100 and scores["ben"] == 96
    assert scores["mallory"] == 96  # dJ/dU transposed, like ben: the forged files and lines changed nothing


def test_hostile_submission_forged_nothing(graded):
    runs, _ = graded
    proc, root, _ = runs["mallory"]
    doc = json.loads((root / "results" / "results.json").read_text())
    assert len(doc["tests"]) == 15 and doc["score"] == 96
    assert not (root / "submission" / "results.json").exists()
    assert "RESULTS_DIR" not in (root / "submission" / "backprop.py").read_text()  # the attack aimed at the real path
    softmax = next(t for t in doc["tests"] if t["name"].startswith("q3.softmax"))
    assert "read the reference" not in softmax["output"]  # the reference was out of its reach


def test_visibility_maps_to_gradescope(graded, image, tmp_path):
    config = (image[0] / "source" / "config.yaml").read_text().replace(
        "q2.relu: {title: ReLU, points: 4}", "q2.relu: {title: ReLU, points: 4, visibility: after_due_date}")
    proc, layer, _ = run_container(image[0], tmp_path, "vis", SUBMISSIONS["ada"], config_text=config)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((layer / "results" / "results.json").read_text())
    visibility = {t["name"].split()[0]: t["visibility"] for t in doc["tests"]}
    assert visibility["q2.relu"] == "after_due_date" and visibility["q2.xor_weights"] == "visible"


def test_a_broken_submission_costs_its_own_module(graded):
    runs, _ = graded
    proc, layer, _ = runs["broken"]
    doc = json.loads((layer / "results" / "results.json").read_text())
    by_question = {}
    for test in doc["tests"]:
        by_question.setdefault(test["name"][:2], []).append(test)
    assert all(t["score"] == t["max_score"] for q in ("q1", "q2") for t in by_question[q])
    assert all(t["score"] == 0 and t["output"].startswith("Not checked: backprop.py could not be imported")
               for t in by_question["q3"]), by_question["q3"]
    assert "has a syntax error at line 20" in doc["output"]  # said once, at the top
    assert "graded broken: 50 / 100" in proc.stdout


def test_any_email_gradescope_reports_is_an_id(tmp_path):
    """An email that is not valid Unicode (a lone surrogate) grades as any id does."""
    root = tmp_path / "autograder"
    root.mkdir()
    os.symlink(ROOT, root / "source")
    write_class(root, {"submission": SUBMISSIONS["ada"]})
    (root / "submission_metadata.json").write_text('{"id": 1, "users": [{"email": "\\ud800x@example.org"}]}')
    proc = subprocess.run([sys.executable, "-m", "autograder.integrations.gradescope", "run", "--root", str(root)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((root / "results" / "results.json").read_text())
    assert doc["score"] == 100 and not doc["extra_data"]["fault"], doc["extra_data"]
