"""Command line: `python -m autograder grade|stubs|doctor|keys`.

Exit status: 0 when the command finished (whatever the submissions did), 2 for a
usage or config error (the message names the file and key), 1 for a grader fault.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import ITEM_KEYS, QUESTION_KEYS, SECTIONS, ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def _config(path: str):
    from .plugin import declared_tests

    return load_config(path, declared_tests())


def cmd_grade(args) -> int:
    from .batch import grade_folder
    from .sandbox import PLAIN_WARNING, select_backend

    config = _config(args.config)
    submissions = Path(args.submissions)
    if not submissions.is_dir():
        print(f"error: SUBMISSIONS {submissions} is not a folder; give a folder of student folders "
              "or an nbgrader course's submitted/ folder", file=sys.stderr)
        return 2
    backend = select_backend(config.backend)
    if not backend.sandboxed:
        print(PLAIN_WARNING + f" (why: {backend.why})", file=sys.stderr)
    out = Path(args.out)
    done = []

    def progress(result):
        done.append(result)
        if args.verbose:
            print(f"graded {result.student}: {result.total:g}", file=sys.stderr)

    report = grade_folder(submissions, out, config, args.jobs or os.cpu_count() or 1, progress)
    n = len(report.results)
    mean = sum(r.total for r in report.results) / n if n else 0.0
    print(f"Graded {n} submission{'s' if n != 1 else ''} in {report.seconds:.1f} s "
          f"(sandbox: {backend.name}); mean {mean:.1f} / {config.max_total:g}.")
    for r in report.results:
        if r.fault:
            print(f"  grader fault on {r.student}: {r.fault}", file=sys.stderr)
    print(f"Grades:   {out / 'grades.csv'}\nResults:  {out / 'results'}/<student>.json")
    return 1 if report.faults else 0


def cmd_stubs(args) -> int:
    from .stubs import MarkerError, write_stubs

    try:
        for path in write_stubs(ROOT / "solutions", ROOT / "assignment"):
            print(f"wrote {path.relative_to(ROOT)}")
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_doctor(args) -> int:
    from .sandbox import PLAIN_WARNING, select_backend

    try:
        backend = select_backend(_config(args.config).backend)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"sandbox backend: {backend.name}\nwhy: {backend.why}")
    if not backend.sandboxed:
        print(PLAIN_WARNING)
    print(f"python: {sys.executable}\ncpus: {os.cpu_count()}\nuid: {os.geteuid()}")
    return 0


def cmd_keys(args) -> int:
    for section, keys in [*SECTIONS.items(), ("questions.<q>", QUESTION_KEYS), ("questions.<q>.items.<id>", ITEM_KEYS)]:
        print(f"{section}:")
        for name, key in keys.items():
            default = "(required)" if key.required else f"default {key.default!r}"
            print(f"  {name}: {key.help}; {default}" + (f"; one of {', '.join(key.choices)}" if key.choices else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a folder of submissions")
    grade.add_argument("submissions", help="folder of student folders, or an nbgrader submitted/ tree")
    grade.add_argument("--out", required=True, help="output folder (grades.csv, results/)")
    grade.add_argument("--jobs", type=int, default=0, help="parallel graders (default: number of cores)")
    grade.add_argument("--config", default=str(ROOT / "config.yaml"))
    grade.add_argument("-v", "--verbose", action="store_true")
    grade.set_defaults(run=cmd_grade)
    stubs = sub.add_parser("stubs", help="regenerate assignment/*.py from solutions/*.py")
    stubs.set_defaults(run=cmd_stubs)
    doctor = sub.add_parser("doctor", help="say which sandbox backend is active and why")
    doctor.add_argument("--config", default=str(ROOT / "config.yaml"))
    doctor.set_defaults(run=cmd_doctor)
    keys = sub.add_parser("keys", help="list every config.yaml key with its default and meaning")
    keys.set_defaults(run=cmd_keys)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
