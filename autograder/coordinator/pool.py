"""Grading processes (shards), fed submissions one after another, with their results collected.

Each shard (`autograder.grading.shard`) is a clean process with its own pytest session
and worker slot, on a core of its own when there are enough. Submissions go out
to whichever shard is free, each holding the next one too. A shard that dies
takes nobody else with it: its submission is recorded as a grader fault (every
item present, 0 points, a reason) and a new shard takes over.

Light to import: the command line starts the shards first, and does the rest
(reading the rubric, finding what changed) while they start. `Shards.run` is used by
batch.grade only, the one way into grading; the messages are grading/protocol.py's.
"""
from __future__ import annotations

import json
import os
import selectors
import stat
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from autograder.core.tree import remove_tree
from autograder.grading import protocol
from autograder.grading.job import SubmissionDir
from autograder.outputs.results import ItemResult, StudentResult

if TYPE_CHECKING:
    from autograder.spec.config import Config


AHEAD = 2  # jobs a shard holds: the one it grades and the next, so it never waits for this process


SHARD = [sys.executable, "-m", "autograder.grading.shard"]  # run as SHARD + [CONFIG, INDEX, (CPU)]


class _Pending:
    """Jobs not yet handed out, as a deque to the pool: those given back first, then the rest of `jobs`,
    each taken from it only when needed (a class read while it is graded)."""

    def __init__(self, jobs: Iterable[SubmissionDir]):
        self.back: deque[SubmissionDir] = deque()
        self.rest = iter(jobs)

    def __bool__(self) -> bool:
        if not self.back:
            for job in self.rest:
                self.back.append(job)
                break
        return bool(self.back)

    def popleft(self) -> SubmissionDir:
        if not self:
            raise IndexError("no more jobs")
        return self.back.popleft()

    def extendleft(self, jobs) -> None:
        self.back.extendleft(jobs)

    def __iter__(self):
        while self:
            yield self.popleft()


class _Shard:
    def __init__(self, command: list[str], config_path: Path, index: int, workdir: Path, cpu: int | None):
        self.index, self.cpu = index, cpu
        self.jobs: deque[SubmissionDir] = deque()  # given and not yet answered, in order
        self.closed = self.ready = self.stalled = False
        self.since = time.monotonic()  # when the submission it grades now started (its last answer, or ready)
        with open(workdir / f"shard{index}.log", "ab") as log:
            self.proc = subprocess.Popen(
                [*command, str(config_path), str(index)]
                + ([str(cpu)] if cpu is not None else []),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1,
                cwd=Path(__file__).resolve().parents[2],
                env=dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                         PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", NNB_SLOT_PARENT=str(workdir)))

    def feed(self, queue: _Pending) -> None:
        """Top up this shard's jobs from the queue; tell it when there will be no more. (Taking a job may read
        the next student's folder: its errors are not the shard's, so only the writes are guarded.)"""
        lines = []
        while not self.closed and len(self.jobs) < AHEAD and queue:
            job = queue.popleft()
            self.jobs.append(job)
            lines.append(json.dumps(job.to_message()) + "\n")
        if self.closed:
            return
        try:
            self.proc.stdin.write("".join(lines))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.closed = True  # the shard died; its end of file is handled by the loop
            return
        if not queue:
            self.close()

    def close(self) -> None:
        """No more jobs: it ends after the ones it holds."""
        if not self.closed:
            self.closed = True
            try:
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass


def fault_result(job: SubmissionDir, config: Config, why: str) -> StudentResult:
    """Every item at 0 with a reason, for a submission the grader itself failed on."""
    items = [ItemResult(i.id, i.title, 0.0, i.points, "Could not be graded because of a grader error; "
                        "your instructor has been told.", i.visibility, [], "error")
             for q in config.questions for i in q.items]
    return StudentResult(job.student, items, fault=why)


def _sweep_stale_workdirs() -> None:
    """Working folders of our own runs that were killed (SIGKILL leaves no time to remove them): gone."""
    for path in Path(tempfile.gettempdir()).glob("nnb-grade-*-*"):
        try:
            pid, info = int(path.name.split("-")[2]), path.lstat()
        except (ValueError, OSError):
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not _alive(pid):
            remove_tree(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Shards:
    """Grading processes, started on entry (they take a moment to be ready) and ended on exit."""

    def __init__(self, config_path: Path, workers: int, command: list[str] = SHARD, stall: float | None = None):
        """`command` runs one shard (tests give a stand-in that speaks protocol.py); `stall`: seconds one
        submission may hold a shard before it is taken for stuck (default: stall_seconds(config))."""
        self.config_path, self.workers, self.started = Path(config_path), workers, time.monotonic()
        self.command, self.stall, self.faults = command, stall, 0
        _sweep_stale_workdirs()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"nnb-grade-{os.getpid()}-"))
        os.chmod(self.workdir, 0o711)  # the slots' folders in it: passed through, never listed
        self.selector = selectors.DefaultSelector()
        self.launched = 0

    def __enter__(self) -> Shards:
        for cpu in _cores_to_pin(self.workers) or [None] * self.workers:
            self._launch(cpu)
        return self

    def __exit__(self, *exc) -> None:
        """Shards told there is no more work end by themselves; others are killed (their folders go with ours)."""
        for key in list(self.selector.get_map().values()):
            shard = key.data
            try:
                shard.proc.wait(timeout=10 if shard.closed and exc[0] is None else 0)
            except subprocess.TimeoutExpired:
                shard.proc.kill()
                shard.proc.wait()
        deadline = time.monotonic() + 10  # a killed shard's sandbox may still be ending (Ctrl-C): it lets go soon
        while not remove_tree(self.workdir) and time.monotonic() < deadline:
            time.sleep(0.1)

    def _launch(self, cpu: int | None) -> None:
        shard = _Shard(self.command, self.config_path, self.launched, self.workdir, cpu)
        self.launched += 1
        self.selector.register(shard.proc.stdout, selectors.EVENT_READ, shard)

    def _end_stalled(self, stall: float) -> None:
        """Kill a shard that has held one submission past `stall` s: whatever kept it, the batch goes on."""
        for key in self.selector.get_map().values():
            shard = key.data
            if shard.jobs and not shard.stalled and time.monotonic() - shard.since > stall:
                shard.stalled = True
                shard.proc.kill()  # its end of file records the submission as a fault; a new shard takes over

    def _log(self) -> str:
        return "".join((self.workdir / f"shard{i}.log").read_text(errors="replace") for i in range(self.launched))

    def run(self, jobs: Iterable[SubmissionDir], config: Config,
            on_result: Callable[[StudentResult], None] = lambda r: None) -> list[StudentResult]:
        """Every job's result, in the order they finish (the shards were started with config.path);
        `on_result` is called as each comes in. A job the grader failed on gets a fault result.
        `jobs` is read only as the shards need the next one.

        Returns when every result is in; the shards are ending meanwhile (see __exit__).
        """
        results, queue = [], _Pending(jobs)

        def finished(result: StudentResult) -> None:
            self.faults += bool(result.fault)
            results.append(result)
            on_result(result)

        selector = self.selector
        if queue and not selector.get_map():  # started with none (an empty-looking folder): one is needed
            self._launch(None)
        for key in list(selector.get_map().values()):  # shards already ready wait for their first job
            if key.data.ready:
                key.data.feed(queue)
        stall = self.stall if self.stall is not None else stall_seconds(config)
        while queue or any(key.data.jobs for key in selector.get_map().values()):  # until every result is in
            if not selector.get_map():
                break
            self._end_stalled(stall)
            for key, _ in selector.select(timeout=min(1.0, stall)):
                shard: _Shard = key.data
                line = shard.proc.stdout.readline()
                try:
                    kind, data = protocol.read(line) if line else (None, None)
                except ValueError:  # a shard that says something else is not to be trusted with more
                    shard.proc.kill()
                    kind = None
                if kind is None:  # the shard ended (or was ended)
                    selector.unregister(shard.proc.stdout)
                    code = shard.proc.wait()
                    if shard.jobs:  # the one it was grading is recorded; the one waiting goes back
                        why = (f"grading was stopped after {stall:g} s on this submission (a grading process that "
                               "long on one submission is stuck)" if shard.stalled
                               else f"grading process ended (exit {code}) on this submission")
                        finished(fault_result(shard.jobs.popleft(), config, why))
                        queue.extendleft(reversed(shard.jobs))
                    if queue and self.launched < 2 * self.workers + 3 + self.faults:
                        self._launch(shard.cpu)  # the one that ended leaves its core free
                    continue
                shard.since = time.monotonic()
                if kind == protocol.READY:
                    shard.ready = True
                    shard.feed(queue)
                elif not shard.jobs:  # a result for no job: the shard is not to be trusted with more
                    shard.proc.kill()
                else:
                    job = shard.jobs.popleft()
                    shard.feed(queue)  # keep the shard busy first, then write
                    result = StudentResult.from_dict(data)
                    if result.student != job.student:  # answers come in order: anything else is the shard's fault
                        result = fault_result(job, config, "grading process answered for another submission")
                    finished(result)
        for key in selector.get_map().values():  # they end while the outputs are written
            key.data.close()
        for job in queue:  # fail closed: the shards kept dying, so nobody left is lost without a reason
            finished(fault_result(job, config, "not graded: grading processes kept failing; "
                                  + self._log().strip()[-300:]))
        return results


def stall_seconds(config: Config) -> float:
    """How long one submission may hold a grading process before it is taken for stuck: twice the time its
    calls may take, and a minute for the rest (starting processes, checking answers, a busy machine)."""
    return 2 * config.limits.submission_seconds + 60


def _cores_to_pin(shards: int) -> list[int]:
    """A core of its own for each shard when there are enough, else none (the scheduler places them).

    A shard and its sandboxed process take turns (a call, then checking the answer); on one
    core they share warm caches and nothing migrates: 8% less wall time on 2 cores.
    """
    try:
        cores = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS has no affinity
        return []
    return cores[:shards] if shards <= len(cores) else []

