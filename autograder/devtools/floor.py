"""The floor of sandboxed grading, for `make bench`: the least a grader with this one's isolation does.

    python -m autograder.devtools.floor CLASS_DIR [--jobs N] [--config config.yaml]

Per submission it does what no grader with this isolation can skip, and nothing else: the
coordinator reads the three modules and hands them to a grading process pinned to a core
(as the real grader's are); that process puts them in its worker slot (the same `Slot`: the
numpy zygote in bubblewrap, a child forked per submission with its own namespaces, uid,
limits and seccomp filter), sends the import and every graded call (the student's own
inputs, `Cases`, the stand-in tables included) in one write, reads and decodes each answer
(`loads_sized`) within the per-call limit, and compares every value with the reference
answer in one flat pass. No pytest, no misconceptions, no retry in a fresh process after a
crash, no feedback, no files written: a lower bound on the real grader's time, measured on
the same machine in the same run.

Prints one JSON object: {"students": n, "wall_s": ..., "full_marks": n}.
"""
from __future__ import annotations

import argparse
import json
import os
import select
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
AHEAD = 2  # jobs a grading process holds, as the real pool's


def _settings(config_path: Path) -> tuple:
    """(Limits, backend name, seed, solutions folder) from config.yaml (its rubric is not needed)."""
    from autograder.spec.config import load_sandbox

    raw = yaml.safe_load(config_path.read_text())["assignment"]
    return (*load_sandbox(config_path), raw["seed"], (config_path.parent / raw.get("solutions", "solutions")).resolve())


def _close(got, want, rtol: float = 1e-4, atol: float = 1e-8) -> bool:
    """Whether an answer matches the reference's (dicts by key, tuples by position, numbers normwise)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _close(got[k], w) for k, w in want.items())
    if isinstance(want, tuple):
        return isinstance(got, (list, tuple)) and len(got) == len(want) and all(map(_close, got, want))
    try:
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and bool(np.all(np.abs(got - want) <= atol + rtol * np.abs(want).max(initial=0)))


def _answers(child, count: int, limits) -> list:
    """`count` answer frames from the child (None for each that failed or never came)."""
    from autograder.sandbox.slot import read_some
    from autograder.sandbox.worker.wire import loads_sized

    _, _, resp_r, out_r = child
    inbox, answers = bytearray(), []
    while len(answers) < count:
        deadline = time.monotonic() + limits.call_seconds
        while len(inbox) < 4 or len(inbox) - 4 < int.from_bytes(inbox[:4], "big"):
            remaining = deadline - time.monotonic()
            ready = select.select([resp_r, out_r], [], [], max(0.0, remaining))[0] if remaining > 0 else []
            if not ready:
                return answers + [None] * (count - len(answers))
            if out_r in ready:
                read_some(out_r)  # printed output: drained, not kept
            if resp_r in ready:
                chunk = read_some(resp_r)
                if chunk == b"":
                    return answers + [None] * (count - len(answers))
                inbox += chunk or b""
        size = int.from_bytes(inbox[:4], "big")
        try:
            message, _ = loads_sized(bytes(inbox[4 : 4 + size]), writable=False)
        except Exception:  # noqa: BLE001 - the student's bytes
            message = None
        del inbox[: 4 + size]
        answers.append(message.get("ok") if isinstance(message, dict) else None)
    return answers


def _reference(reference, module: str, function: str, cases: list) -> list:
    """The reference's answers for one list of cases (a constant's value for a name that is not a function)."""
    value = getattr(reference.modules[module], function)
    return reference.each(module, function, cases) if callable(value) else [value]


def shard(config_path: Path, index: int, cpu: int | None) -> int:
    """One grading process: submissions in on stdin (JSON lines), one score line out per submission.
    It starts as the real one does: the zygote first, then its own imports, then both on one core."""
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        pass
    from autograder.sandbox.backends import select_backend
    from autograder.sandbox.slot import Slot

    limits, backend, seed, solutions = _settings(config_path)
    slot = Slot(select_backend(backend, str(config_path)), limits, index, os.environ.get("NNB_SLOT_PARENT"), cpu)
    slot.launch()
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    from autograder.grading.cases import Cases
    from autograder.grading.reference import Reference, load_solutions
    from autograder.sandbox.worker.wire import dumps
    from autograder.spec.assignment import MODULES

    reference = Reference(load_solutions(solutions))
    modules = [name[:-3] for name in MODULES]
    slot.wait_ready()
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            job = json.loads(line)
            reference.reset()
            calls = Cases(seed, job["student"]).calls()
            slot.take({name: data.encode() for name, data in job["files"].items()})
            child = slot.spawn_child()
            request = [{"module": m, "function": f, "kwargs": {}, "cases": [list(a) for a in cases],
                        "given": reference.stand_ins(m, f, cases) or {}} for m, f, cases in calls]
            frames = dumps({"op": "import", "modules": modules}), dumps({"op": "calls", "calls": request})
            os.set_blocking(child[1], True)
            data = memoryview(b"".join(len(f).to_bytes(4, "big") + f for f in frames))
            while data:
                data = data[os.write(child[1], data):]
            count = sum(len(cases) for _, _, cases in calls)
            answers = _answers(child, len(modules) + count, limits)[len(modules):]
            right = [want for m, f, cases in calls for want in _reference(reference, m, f, cases)]
            for fd in child[1:]:
                os.close(fd)
            slot.end_child_later()
            score = sum(got is not None and _close(got, want) for got, want in zip(answers, right))
            print(json.dumps({"student": job["student"], "right": score, "of": count}), flush=True)
    finally:
        slot.stop()
    return 0


def grade(class_dir: Path, jobs: int, config_path: Path) -> dict:
    """Grade every folder of class_dir with `jobs` floor processes; the wall time, start-up included."""
    started = time.monotonic()
    jobs = max(1, min(jobs, len(os.listdir(class_dir))))  # as the real grader: no more processes than students
    cores = sorted(os.sched_getaffinity(0))
    pins = cores[:jobs] if jobs <= len(cores) else [None] * jobs
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    procs = [subprocess.Popen([sys.executable, "-m", "autograder.devtools.floor", "--shard", str(i), str(config_path)]
                              + ([str(cpu)] if cpu is not None else []), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, bufsize=1, cwd=ROOT, env=env)
             for i, cpu in enumerate(pins)]
    from autograder.spec.assignment import MODULES

    queue = deque()
    for folder in sorted(class_dir.iterdir()):
        files = {}
        for name in MODULES:
            path = folder / name
            if path.is_file():
                files[name] = path.read_bytes().decode("utf-8", "replace")
        queue.append({"student": folder.name, "files": files})
    held = {p.stdout.fileno(): [p, 0] for p in procs}
    results = []

    def feed(entry):
        proc = entry[0]
        while queue and entry[1] < AHEAD:
            proc.stdin.write(json.dumps(queue.popleft()) + "\n")
            entry[1] += 1
        proc.stdin.flush()
        if not queue and not proc.stdin.closed:
            proc.stdin.close()

    while held:
        for fd in select.select(list(held), [], [])[0]:
            entry = held[fd]
            line = entry[0].stdout.readline()
            if not line:
                entry[0].wait()
                del held[fd]
                continue
            message = json.loads(line)
            if "student" in message:
                results.append(message)
                entry[1] -= 1
            if not entry[0].stdin.closed:
                feed(entry)
    wall = time.monotonic() - started
    if len(results) != len(students := sorted(p.name for p in class_dir.iterdir())):
        raise RuntimeError(f"the floor grader graded {len(results)} of {len(students)} submissions")
    return {"students": len(results), "wall_s": round(wall, 3),
            "full_marks": sum(r["right"] == r["of"] for r in results)}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--shard"]:
        return shard(Path(argv[2]), int(argv[1]), int(argv[3]) if len(argv) > 3 else None)
    parser = argparse.ArgumentParser(prog="python -m autograder.devtools.floor", description=__doc__.splitlines()[0])
    parser.add_argument("class_dir")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--config", default=str(ROOT / "config.yaml"))
    args = parser.parse_args(argv)
    print(json.dumps(grade(Path(args.class_dir), args.jobs, Path(args.config).resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
