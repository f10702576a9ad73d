"""`make bench`: grade a synthetic class beside a floor grader and nbgrader's autograde, in one run.

    python -m autograder.devtools.bench [--students 1000] [--small 100] [--rounds 3] [--nbgrader-sample 20]
                                        [--jobs N] [--out bench-out]

The class is a realistic mix, drawn with a fixed seed: most submissions correct, many
with one common mistake, some that crash, a few endless loops. Through the real command
line, it is graded `rounds` times, each time beside the floor grader (devtools/floor.py:
the same sandbox, worker, inputs and reference, nothing else), the two alternating which
goes first; the ratio of their wall times is the grader's distance from the floor. A
smaller class and a single submission (Gradescope's path, `run_autograder`) show the
start-up cost; the full class's memory is compared with the small one's. The same student
code then goes into nbgrader notebooks with test cells covering the same items, and
`nbgrader autograde` is timed on a sample. Every ratio is computed from this run's
measurements only.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat

from autograder.devtools.samples import CRASHES, ENDLESS, MISTAKES, ROOT, stubs, variant, write_class
from autograder.sandbox.backends import select_backend
from autograder.spec.assignment import MODULES

MIX = [("correct", 0.50), ("mistake", 0.38), ("crash", 0.08), ("stub", 0.036), ("endless", 0.004)]


def synthetic_class(root: Path, n: int, seed: int = 7) -> dict[str, str]:
    """n student folders under root, in the proportions of MIX (shuffled, fixed seed); {student: kind}."""
    rng = random.Random(seed)
    counts = {kind: round(n * share) for kind, share in MIX}
    counts["correct"] += n - sum(counts.values())
    plan = [kind for kind, count in counts.items() for _ in range(count)]
    rng.shuffle(plan)
    kinds, students = {}, {}
    for i, kind in enumerate(plan):
        if kind == "mistake":
            name = rng.choice(sorted(MISTAKES))
            files, kind = variant(*MISTAKES[name]), f"mistake:{name}"
        elif kind == "crash":
            name = rng.choice(sorted(CRASHES))
            files, kind = variant(*CRASHES[name]), f"crash:{name}"
        elif kind == "stub":
            files = stubs()
        elif kind == "endless":
            files = variant(*ENDLESS)
        else:
            files = variant()
        student = f"student{i:05d}"
        students[student], kinds[student] = files, kind
    write_class(root, students)
    return kinds


class TreeMemory:
    """Peak of the summed PSS of a process and all its descendants, sampled every 0.5 s (each sample costs a few ms of kernel time)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _descendants(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._descendants():
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as f:
                        total += next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
                except (OSError, StopIteration, ValueError):
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.5)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def measured(cmd: list[str]) -> tuple[float, int, str]:
    """Run a command to the end: (wall seconds, peak memory of its process tree, its stdout); RuntimeError if it fails."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    peak = memory.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:4])} failed ({proc.returncode}):\n{stdout}\n{stderr}")
    return wall, peak, stdout


def grade_class(class_dir: Path, out: Path, jobs: int, config: Path) -> dict:
    """Grade through the command line; wall time, peak memory and per-submission numbers."""
    wall, peak, _ = measured([sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(out),
                              "--jobs", str(jobs), "--regrade-all", "--config", str(config)])
    states = [json.loads(p.read_text())["result"] for p in (out / ".grader-state").glob("*.json")]
    seconds = sorted(s["seconds"] for s in states)
    graded = sum(seconds)
    return {"students": len(states), "wall_s": round(wall, 3), "per_s": round(len(states) / wall, 1),
            "median_ms": round(1000 * statistics.median(seconds), 1),
            "p95_ms": round(1000 * seconds[int(0.95 * (len(seconds) - 1))], 1),
            "peak_mib": round(peak / 2**20, 1),
            "outside_student_code": round(1 - sum(s["student_seconds"] for s in states) / graded, 3) if graded else 0}


def floor_class(class_dir: Path, jobs: int, config: Path) -> dict:
    """The floor grader (devtools/floor.py) on the same class, through its own command line, measured alike."""
    wall, peak, stdout = measured([sys.executable, "-m", "autograder.devtools.floor", str(class_dir),
                                   "--jobs", str(jobs), "--config", str(config)])
    return dict(json.loads(stdout.strip().splitlines()[-1]), wall_s=round(wall, 3), peak_mib=round(peak / 2**20, 1))


# -- the nbgrader side: the same code in notebooks, test cells for the same items -------------
TESTS = {  # rubric id -> (points, test cell source): fixed inputs, as a typical nbgrader assignment has
    "q1.representable": (8, 'assert REPRESENTABLE == {"linear": False, "hinge": False, "quadratic": False, '
                            '"piecewise_constant": True}'),
    "q1.step": (4, "assert np.array_equal(step(np.array([-1.0, 0.0, 2.0])), [0.0, 1.0, 1.0])"),
    "q1.step_network": (6, "assert np.allclose(step_network(np.array([-1.0, 0.0, 1.0]), 0.5, np.array([1.0, -2.0]), "
                           "np.array([0.0, -0.5]), np.array([1.0, 1.0])), [0.5, 1.5, -0.5])"),
    "q1.indicator": (6, "p = indicator_params(-1.0, 2.0, 3.0)\nx = np.array([-2.0, -1.0, 0.0, 2.0, 3.0])\n"
                        "assert np.allclose(step_network(x, **p), [0, 3, 3, 0, 0])"),
    "q1.piecewise_constant": (6, "p = piecewise_constant_params(np.array([0.0, 1.0]), np.array([1.0, 2.0, -1.0]))\n"
                                 "assert np.allclose(step_network(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), **p), "
                                 "[1, 2, 2, -1, -1])"),
    "q2.relu": (4, "assert np.array_equal(relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])"),
    "q2.relu_network": (6, "W1 = np.array([[1.0, 2.0], [-1.0, 0.5]])\nf = relu_network(np.array([[1.0, 1.0], "
                           "[0.0, -1.0]]), W1, np.array([0.5, 0.0]), np.array([1.0, -1.0]), 0.25)\n"
                           "assert np.allclose(f, [3.75, 0.25])"),
    "q2.xor_weights": (10, "wts = xor_weights()\nassert np.all(np.sign(relu_network(X, **wts)) == Y)"),
    "q3.softmax": (6, "s = softmax(np.array([1000.0, -1000.0, 999.0]))\nassert np.all(np.isfinite(s)) "
                      "and np.isclose(s.sum(), 1.0)\nassert np.allclose(softmax(np.array([0.0, np.log(3.0)])), "
                      "[0.25, 0.75])"),
    "q3.cross_entropy": (4, "assert np.isclose(cross_entropy(np.array([0.0, 1.0]), np.array([0.5, 0.5])), "
                            "np.log(2.0))"),
    "q3.forward": (8, "h, y_hat = forward(np.array([1.0, -1.0]), np.eye(2), np.zeros(2), np.ones((3, 2)), "
                      "np.zeros(3))\nassert np.allclose(h, [1, 0]) and np.allclose(y_hat, [1 / 3] * 3)"),
}
for _key, _name in (("q3.grad_b2", "b2"), ("q3.grad_U", "U"), ("q3.grad_b1", "b1"), ("q3.grad_W", "W")):
    TESTS[_key] = (8, "rng = np.random.default_rng(0)\nx, y = rng.normal(size=3), np.eye(4)[1]\n"
                      "W, b1, U, b2 = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(4, 5)), "
                      "rng.normal(size=4)\ng = backprop(x, y, W, b1, U, b2)\nP = dict(W=W, b1=b1, U=U, b2=b2)\n"
                      f"num = np.zeros_like(P['{_name}'])\nfor i in np.ndindex(num.shape):\n"
                      f"    up = {{k: v.copy() for k, v in P.items()}}; up['{_name}'][i] += 1e-6\n"
                      f"    dn = {{k: v.copy() for k, v in P.items()}}; dn['{_name}'][i] -= 1e-6\n"
                      "    num[i] = (loss(x, y, **up) - loss(x, y, **dn)) / 2e-6\n"
                      f"assert np.allclose(g['{_name}'], num, atol=1e-5)")


def _cell(kind: str, source: str, grade_id: str, points: float | None = None) -> nbformat.NotebookNode:
    meta = {"grade": points is not None, "grade_id": grade_id.replace(".", "-"), "locked": kind != "solution",
            "schema_version": 3, "solution": kind == "solution", "task": False}
    if points is not None:
        meta["points"] = points
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta}, id=grade_id.replace(".", "-"))


def source_notebook(files: dict[str, str]) -> nbformat.NotebookNode:
    """The assignment as one nbgrader notebook: a solution cell per module, a test cell per rubric item."""
    cells = [_cell("setup", "import numpy as np", "setup")]
    for name in MODULES:
        body = files[name]
        cells.append(_cell("solution", body, f"code_{name[:-3]}"))
    cells += [_cell("test", source, item, points) for item, (points, source) in TESTS.items()]
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                          "language": "python"}})


def nbgrader_autograde(work: Path, class_dir: Path, students: list[str]) -> dict:
    """Build the equivalent nbgrader course, submit `students`' code as notebooks, time `nbgrader autograde`."""
    course = work / "nbgrader-course"
    shutil.rmtree(course, ignore_errors=True)
    (course / "source" / "nn_backprop").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
                                               "c.CourseDirectory.course_id = 'bench'\n")
    reference = {name: "### BEGIN SOLUTION\n" + variant()[name] + "\n### END SOLUTION\n" for name in MODULES}
    nbformat.write(source_notebook(reference), course / "source" / "nn_backprop" / "nn_backprop.ipynb")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")

    def nbgrader(*args):
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                              env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    nbgrader("generate_assignment", "nn_backprop", "--force")
    released = nbformat.read(course / "release" / "nn_backprop" / "nn_backprop.ipynb", as_version=4)
    for student in students:
        nb = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                module = meta["grade_id"][len("code_"):] + ".py"
                path = class_dir / student / module
                cell.source = path.read_text() if path.is_file() else ""
        folder = course / "submitted" / student / "nn_backprop"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / "nn_backprop.ipynb")
    started = time.monotonic()
    nbgrader("autograde", "nn_backprop", "--force", "--ExecutePreprocessor.timeout=30")
    wall = time.monotonic() - started
    from autograder.integrations.gradebook import open_gradebook

    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "bench") as gb:
        scores = {s: gb.find_submission("nn_backprop", s).score for s in students}
    return {"students": len(scores), "wall_s": round(wall, 3), "per_s": round(len(scores) / wall, 3),
            "scores": scores}


def one_submission(work: Path, student_dir: Path, repeat: int) -> dict:
    """Gradescope's case: `run_autograder`'s command on one submission laid out as Gradescope does, `repeat`
    times (median wall), and the floor grader on a class of that one submission."""
    root = work / "gradescope"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(student_dir, root / "submission")
    (root / "source").symlink_to(ROOT)  # what setup.sh unpacks there: this project
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": student_dir.name}]}))
    alone = work / "one"
    shutil.rmtree(alone, ignore_errors=True)
    shutil.copytree(student_dir, alone / student_dir.name)
    ours, floor = [], []
    for _ in range(repeat):
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "autograder.integrations.gradescope", "run", "--root", str(root)],
                              cwd=ROOT, capture_output=True, text=True)
        ours.append(time.monotonic() - started)
        if proc.returncode != 0 or not (root / "results" / "results.json").is_file():
            raise RuntimeError(f"run_autograder failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        floor.append(floor_class(alone, 1, ROOT / "config.yaml")["wall_s"])
    return {"wall_s": round(statistics.median(ours), 3), "floor_wall_s": round(statistics.median(floor), 3),
            "runs": [round(x, 3) for x in ours], "floor_runs": [round(x, 3) for x in floor]}


def run(students: int, small: int, sample: int, jobs: int, out: Path, rounds: int = 3) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    config = ROOT / "config.yaml"
    backend = select_backend("auto")
    results = {"backend": backend.name, "jobs": jobs, "cores": os.cpu_count(),
               "machine": os.uname().machine}
    sizes = sorted({min(small, students), students})
    for n in sizes:
        class_dir = out / f"class{n}"
        shutil.rmtree(class_dir, ignore_errors=True)
        kinds = synthetic_class(class_dir, n)
        # Side by side: the grader and the floor alternately, each going first in every other round.
        ours, floor = [], []
        for i in range(rounds if n == students else 1):
            for who in (("ours", "floor") if i % 2 == 0 else ("floor", "ours")):
                if who == "ours":
                    ours.append(grade_class(class_dir, out / f"graded{n}", jobs, config))
                else:
                    floor.append(floor_class(class_dir, jobs, config))
        pairs = [round(o["wall_s"] / f["wall_s"], 3) for o, f in zip(ours, floor)]
        best = sorted(ours, key=lambda o: o["wall_s"])[len(ours) // 2]  # the median run's numbers
        results[f"ours_{n}"] = dict(best, mix={k: sum(1 for v in kinds.values() if v.split(":")[0] == k)
                                               for k, _ in MIX},
                                    runs=[o["wall_s"] for o in ours], floor_runs=[f["wall_s"] for f in floor],
                                    floor_wall_s=round(statistics.median(f["wall_s"] for f in floor), 3),
                                    floor_ratios=pairs, floor_ratio=round(statistics.median(pairs), 3))
    class_dir = out / f"class{students}"
    results["one"] = one_submission(out, class_dir / sorted(os.listdir(class_dir))[0], rounds)
    picked = sorted(random.Random(1).sample(sorted(os.listdir(class_dir)), min(sample, students)))
    results["nbgrader"] = nbgrader_autograde(out, class_dir, picked)
    ours = results[f"ours_{students}"]["per_s"]
    theirs = results["nbgrader"]["per_s"]
    results["ratio"] = round(ours / theirs, 1)
    (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def report(r: dict, students: int, small: int) -> str:
    full, lines = r[f"ours_{students}"], []
    lines.append(f"sandbox backend: {r['backend']}   jobs: {r['jobs']}   cores: {r['cores']}   ({r['machine']})")
    lines.append(f"class of {full['students']}: {full['mix']}")
    lines.append(f"  grade:     {full['wall_s']:.2f} s wall (median of {len(full['runs'])} runs: "
                 f"{', '.join(f'{x:.2f}' for x in full['runs'])})   {full['per_s']:.1f} submissions/s   "
                 f"median {full['median_ms']:.0f} ms   p95 {full['p95_ms']:.0f} ms per submission")
    lines.append(f"  floor:     {full['floor_wall_s']:.2f} s wall (same sandbox, worker, inputs and reference; no "
                 f"pytest, feedback or outputs: {', '.join(f'{x:.2f}' for x in full['floor_runs'])})")
    lines.append(f"  to the floor: {full['floor_ratio']:.2f}x (each run beside its floor run: "
                 f"{', '.join(f'{x:.2f}' for x in full['floor_ratios'])})")
    lines.append(f"  memory:    peak {full['peak_mib']:.0f} MiB (whole process tree, PSS)")
    if small < students:
        part = r[f"ours_{small}"]
        lines.append(f"             {part['peak_mib']:.0f} MiB for {small} students, {full['peak_mib']:.0f} MiB for {students}")
        lines.append(f"class of {small}: {part['wall_s']:.2f} s wall (floor {part['floor_wall_s']:.2f} s)")
    lines.append(f"  time outside student code: {100 * full['outside_student_code']:.0f}% of grading time")
    one = r["one"]
    lines.append(f"one submission (Gradescope's run_autograder): {one['wall_s']:.2f} s wall, median of "
                 f"{len(one['runs'])} (floor {one['floor_wall_s']:.2f} s): nearly all of it start-up")
    nb = r["nbgrader"]
    lines.append(f"nbgrader autograde: {nb['students']} notebooks in {nb['wall_s']:.1f} s = {nb['per_s']:.2f}/s "
                 f"({1000 / nb['per_s']:.0f} ms per notebook)")
    lines.append(f"throughput ratio: {full['per_s']:.1f} / {nb['per_s']:.2f} = {r['ratio']}x")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.devtools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="a smaller class, to compare memory")
    parser.add_argument("--rounds", type=int, default=3, help="runs of the full class, each beside a floor run")
    parser.add_argument("--nbgrader-sample", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", default=str(ROOT / "bench-out"))
    args = parser.parse_args(argv)
    results = run(args.students, args.small, args.nbgrader_sample, args.jobs, Path(args.out), args.rounds)
    print(report(results, args.students, min(args.small, args.students)))
    print(f"(all numbers: {Path(args.out) / 'bench.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
