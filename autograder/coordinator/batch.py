"""Grading a class: find what changed, grade it on the shards (pool.py), write the outputs (`grade`)."""
from __future__ import annotations

import functools
import gc
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from autograder.coordinator.answers import Manual, add_written
from autograder.coordinator.late import days_late, penalty
from autograder.coordinator.pool import Shards
from autograder.coordinator.state import ResultStore, fingerprint
from autograder.coordinator.trust import Untrusted, check_path
from autograder.core.files import overwrite, overwrite_atomically
from autograder.grading.job import SubmissionDir
from autograder.outputs.feedback import page, page_html, page_markdown
from autograder.outputs.report import ClassSummary, summarise
from autograder.outputs.report import to_html as report_html
from autograder.outputs.results import StudentResult, grades_csv, gradescope_json
from autograder.spec.config import Config


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    overwrite_atomically(path, text)


class OutputError(RuntimeError):
    """OUT cannot be written safely; the message says why and what to do."""


def check_output_folder(out: Path) -> None:
    """OUT: made private if new; else it must be a real folder of ours that nobody else can write.

    Grades, feedback and the saved state that a rerun trusts go there: in a folder someone else
    owns or can write, they could be read, swapped, or made links to files of ours.
    """
    try:  # nobody else may move OUT, or put one there: each missing folder on the way is made by us, then checked
        path = Path(os.path.abspath(out))
        for folder in [*reversed(path.parents), path][1:]:
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:  # there already (perhaps just made by someone else): checked like the rest
                pass
            if folder != path:
                check_path(folder, f"--out {out} is inside")
        info = os.lstat(out)
    except Untrusted as exc:
        raise OutputError(str(exc)) from None
    except OSError as exc:
        raise OutputError(f"--out {out} could not be made ({exc.strerror}): give a folder you may create") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise OutputError(f"--out {out} is not a folder of yours that only you can write "
                          f"(owner uid {info.st_uid}, mode {oct(info.st_mode & 0o7777)}): give a new folder, "
                          "or one you own with mode 0700")


def write_student(out: Path, config: Config, result: StudentResult) -> None:
    """OUT/results/<file>.json and OUT/feedback/<file>.html and .md (file: ids.file_stem of the student).

    Written in place, not atomically: they are rewritten from the saved state on every
    run, so a run killed halfway leaves nothing wrong for long. A file that cannot be
    written (a full disk, a folder in its place) is this student's problem only: it is
    recorded in `result.write_error` and the batch goes on.
    """
    result.write_error = ""
    seen = functools.cache(lambda: page(result, config))  # what the student sees, decided once for both pages
    for path, render in ((out / "results" / f"{result.file}.json", lambda: gradescope_json(result, config)),
                         (out / "feedback" / f"{result.file}.html", lambda: page_html(seen())),
                         (out / "feedback" / f"{result.file}.md", lambda: page_markdown(seen()))):
        try:
            overwrite(path, render())
        except (OSError, UnicodeError, ValueError) as exc:
            result.write_error = f"could not write {path}: {exc}"


def apply_late(result: StudentResult, job: SubmissionDir, config: Config) -> StudentResult:
    """Late days and penalty from the submission's timestamp; a timestamp that is not a date is said so."""
    result.late_days = days_late(job.timestamp, config)
    result.penalty = penalty(result.raw_total, result.late_days, config)
    result.late_share = penalty(1.0, result.late_days, config)
    result.timestamp_note, result.timestamp_state = "", ""
    if config.due:  # a time that cannot be read is said even with no penalty: late_days counts from it
        if job.timestamp_problem:
            result.timestamp_state = "unreadable"
            result.timestamp_note = (f"The submission time in timestamp.txt could not be read ({job.timestamp_problem}), "
                                     "so it was graded as on time; your instructor has been told.")
        elif job.timestamp_doubt:
            result.timestamp_state = "doubtful"
            result.timestamp_note = (f"The submission's {job.timestamp_doubt}: the claimed time was used, and your "
                                     "instructor has been told.")
    return result


@dataclass
class BatchReport:
    """What one grading run did: every student's result (sorted by id), and how it went."""

    results: list[StudentResult] = field(default_factory=list)
    faults: int = 0  # submissions the grader itself failed on this run
    seconds: float = 0.0
    reused: int = 0  # results kept from an earlier run (nothing they depend on changed)
    timestamps: dict[str, str | None] = field(default_factory=dict)  # nbgrader's submission time, by student
    summary: ClassSummary | None = None  # the class report's numbers (report.summarise)


def grade(jobs: Iterable[SubmissionDir], out: Path, config: Config, workers: int = 1, regrade_all: bool = False,
          on_start: Callable[[int], None] = lambda n: None,
          on_result: Callable[[StudentResult], None] = lambda r: None, shards: Shards | None = None,
          manual: dict[str, dict[str, Manual]] | None = None) -> BatchReport:
    """Grade what changed among `jobs` (everything with regrade_all) and write OUT: the one way into
    grading, for the command line, the nbgrader course, Gradescope and the benchmark. `jobs` may be
    read as they are found (discover.read_class): the first is graded while the rest are read.

    Each result is saved as soon as it is graded (OUT/.grader-state), so an interrupted run loses
    nothing; grades.csv and the report are rebuilt from every student's result. The written items
    (answers.py) are made on every run, from the answers read with the jobs and what people gave them
    (`manual`: student -> item id -> Manual, from the gradebook). `shards`: grading processes the
    caller started already (they warm up while it does other work); else started here.
    """
    check_output_folder(out)
    manual = manual or {}
    if shards is not None:
        return _grade_changed(jobs, shards, out, config, on_result, regrade_all, on_start, manual)
    jobs = list(jobs)
    with Shards(config.path, min(workers, len(jobs))) as started:  # they start while we look for what changed
        return _grade_changed(jobs, started, out, config, on_result, regrade_all, on_start, manual)


def _finish(result: StudentResult, job: SubmissionDir, config: Config, manual: dict[str, Manual]) -> StudentResult:
    """A graded (or kept) result made whole: its written items as of now, then the late penalty on all."""
    if config.written:
        add_written(result, job.submitted.answers, job.submitted.notebook_problem, config, manual)
    return apply_late(result, job, config)


def _grade_changed(jobs: Iterable[SubmissionDir], shards: Shards, out: Path, config: Config, on_result,
                   regrade_all: bool, on_start, manual: dict[str, dict[str, Manual]]) -> BatchReport:
    store = ResultStore(out / ".grader-state")
    prints, by_student, kept = {}, {}, []

    def changed():
        """The jobs to grade, each as it is found (the shards take them meanwhile); kept: the saved results
        that still hold. on_start is told how many there are to grade once all are found."""
        count = 0
        for job in jobs:
            by_student[job.student], prints[job.student] = job, fingerprint(job, config)
            saved = None if regrade_all else store.load(job.student, prints[job.student])
            if saved:
                kept.append(saved)
            else:
                count += 1
                yield job
        on_start(count)

    def finished(result: StudentResult) -> None:
        earlier = store.load(result.student, None) if result.fault else None
        if earlier is not None:  # a grader fault replaces no result: the last good one stands, its files as they were
            vars(result).update(vars(earlier), fault=result.fault, kept=True)
            on_result(result)
            return
        _finish(result, by_student[result.student], config, manual.get(result.student, {}))
        write_student(out, config, result)
        if not result.fault:  # a grader fault is retried next time
            try:
                store.save(result, prints[result.student])
            except (OSError, UnicodeError, ValueError) as exc:  # graded again next time
                result.write_error = result.write_error or f"could not save the grading state: {exc}"
        on_result(result)

    # While results come in, the cycle collector would walk every result kept so far again and again (0.2 ms
    # a student); they hold no cycles, and what a student's outputs leave is a few dozen objects: collected after.
    gc.disable()
    try:
        graded = shards.run(changed(), config, finished)
    finally:
        gc.enable()
    for result in kept:
        _finish(result, by_student[result.student], config, manual.get(result.student, {}))
        write_student(out, config, result)
    report = BatchReport(sorted(kept + graded, key=lambda r: r.student), faults=sum(bool(r.fault) for r in graded),
                         seconds=time.monotonic() - shards.started, reused=len(kept),
                         timestamps={student: job.timestamp for student, job in by_student.items()})
    report.summary = summarise(report.results, config)
    for name, render in (("grades.csv", lambda: grades_csv(report.results, config)),
                         ("report.html", lambda: report_html(report.results, config, report.summary))):
        try:
            _atomic_write(out / name, render())
        except OSError as exc:  # a full disk, say: every result is saved per student; this can be written again
            raise OutputError(f"{out / name} could not be written ({exc.strerror}): make room, then run again "
                              "(what was graded is kept and not graded again)") from None
    _prune(out, {r.file for r in report.results})
    return report


def _prune(out: Path, stems: set[str]) -> None:
    """Results, pages and saved state of students no longer in the class go: OUT shows this class only."""
    for folder, suffixes in (("results", (".json",)), ("feedback", (".html", ".md")), (".grader-state", (".json",))):
        try:
            entries = list(os.scandir(out / folder))
        except OSError:
            continue
        for entry in entries:
            stem, suffix = os.path.splitext(entry.name)
            if suffix in suffixes and stem not in stems and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
