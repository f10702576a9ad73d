"""Command line: `python -m autograder grade|release|collect|feedback|export|stubs|doctor|keys` (make wraps each).

Exit status: 0 when the command finished (whatever the submissions did), 2 for a
usage or config error (the message names the file and key), 1 for a grader fault.
"""
from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from autograder.core.ids import clip, printable

# Everything else is imported where it is used: `grade` starts its grading processes before the
# rest of the grader is imported (they take longest to be ready).
ROOT = Path(__file__).resolve().parent.parent


def _config(path: str):
    from autograder.grading.plugin import declared_tests
    from autograder.spec.config import load_config

    return load_config(path, declared_tests())


def cmd_grade(args) -> int:
    from autograder.coordinator.pool import Shards
    from autograder.coordinator.progress import Progress

    workers = args.jobs or os.cpu_count() or 1
    bar = Progress()
    try:
        with Shards(Path(args.config).resolve(), min(workers, _folders_in(args.submissions))) as shards:
            return _grade(args, workers, shards, bar)  # the shards start up while the rubric is read
    except KeyboardInterrupt:  # Ctrl-C: one line, no traceback; what was graded is saved
        bar.finish()
        print(f"\nInterrupted: {bar.done} of {bar.total} graded; run again to finish (what was graded is kept)",
              file=sys.stderr)
        return 130


def _flag(option: str, variable: str) -> str:
    """How to say an option to whoever runs us: make's variable under make (which sets MAKELEVEL), else the option."""
    return f"make grade {variable}" if os.environ.get("MAKELEVEL") else option


def _folders_in(path: str | None) -> int:
    """How many entries a submissions folder has (at most that many shards are worth starting)."""
    try:
        return len(os.listdir(path)) if path else os.cpu_count() or 1
    except OSError:
        return 0


def _grade(args, workers: int, shards, bar) -> int:
    from autograder.coordinator.batch import OutputError, grade
    from autograder.coordinator.discover import not_students, read_class
    from autograder.coordinator.trust import check_path, may_add
    from autograder.outputs.report import who
    from autograder.outputs.results import waiting as waiting_items
    from autograder.sandbox.backends import PLAIN_WARNING, select_backend
    from autograder.spec.assignment import MODULES

    config = _config(args.config)
    course = _course(args) if args.course_dir else None
    submissions = Path(args.submissions) if args.submissions else (course.submitted if course else None)
    if submissions is not None and course is None:
        submissions = _course_submissions(submissions)
    if submissions is None or not submissions.is_dir():
        print(f"error: SUBMISSIONS {submissions} is not a folder; give a folder of student folders, "
              f"an nbgrader course's submitted/ folder, or {'COURSE_DIR' if os.environ.get('MAKELEVEL') else '--course-dir'} "
              "after `make collect`", file=sys.stderr)
        return 2
    check_path(submissions, "SUBMISSIONS")  # every folder on the way to the class is the instructor's, or sticky
    graded_here = [name for name in MODULES if _instructors_file(submissions / name)]
    if graded_here:  # one student's folder, given by mistake for the class
        print(f"error: {submissions} looks like one student's submission (it holds {', '.join(graded_here)}); give "
              "the folder above it, which holds one folder per student", file=sys.stderr)
        return 2
    if not any(not e.name.startswith(".") and e.is_dir(follow_symlinks=False) for e in os.scandir(submissions)):
        print(f"error: {submissions} holds no student folders (it holds {len(os.listdir(submissions))} other "
              "entries); give the folder with one folder per student" + (", after make collect" if course else ""),
              file=sys.stderr)
        return 2
    fd = os.open(submissions, os.O_RDONLY | os.O_DIRECTORY)
    try:
        shared = may_add(os.fstat(fd), fd)
    finally:
        os.close(fd)
    if shared:
        print(f"note: anyone may add folders to {submissions}: a folder named after a user of this machine is graded "
              "only if that user (or you) owns it, and other ids are only as trustworthy as the folder", file=sys.stderr)
    try:
        backend = select_backend(config.backend, str(config.path))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not backend.sandboxed:
        print(PLAIN_WARNING + f" (why: {backend.why})", file=sys.stderr)
    out = Path(args.out)

    def progress(result):
        bar.update(result)
        if args.verbose:
            print(f"graded {result.name}: {result.total:g}", file=sys.stderr)

    manual = course.manual_grades(config) if course is not None else {}  # what people gave the written answers
    cells = frozenset(item.cell for item in config.written)
    try:
        count, students = read_class(submissions, config.name, cells)
        bar.start(count)
        report = grade(students, out, config, workers, args.regrade_all,
                       on_start=bar.start, on_result=progress, shards=shards, manual=manual)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bar.finish()
    n = len(report.results)
    mean = sum(r.total for r in report.results) / n if n else 0.0
    fresh = n - report.reused
    print(f"Graded {fresh} submission{'s' if fresh != 1 else ''} in {report.seconds:.1f} s (sandbox: {backend.name})"
          + (f"; kept {report.reused} unchanged ({_flag('--regrade-all', 'REGRADE=1')} to redo them)" if report.reused else "")
          + f"; mean {mean:.1f} / {config.max_total:g}.")
    groups = report.summary.groups
    if groups:  # one line per reason, however many students: the report lists them all
        print(f"Not graded normally ({sum(len(members) for _, members in groups)}):")
        for kind, members in groups:
            student, reasons = members[0]
            more = len(reasons) - 1
            print(f"  {kind}: " + (f"{len(members)} students, {who([name for name, _ in members])}; first, "
                                  if len(members) > 1 else "") + f"{student}: {clip(printable(reasons[0]), 240)}"
                  + (f" (+{more} more problem{'s' if more != 1 else ''}: see the report)" if more else ""))
    skipped: dict[str, list[str]] = {}
    for name, why in not_students(submissions).items():
        skipped.setdefault(why, []).append(name)
    for why, names in skipped.items():  # one line per reason
        print(f"Not taken for students ({len(names)}: {why}): " + ", ".join(printable(n) for n in names[:5])
              + (", ..." if len(names) > 5 else ""))
    faulty = [r for r in report.results if r.fault]
    if faulty:  # one line, however many: a fault is the grader's, and usually the same for all
        kept = sum(r.kept for r in faulty)
        print(f"Grader fault on {len(faulty)} submission(s) ({', '.join(r.name for r in faulty[:3])}"
              f"{', ...' if len(faulty) > 3 else ''}): {clip(printable(faulty[0].fault), 300)}; "
              + (f"their earlier results are kept ({kept} of them); " if kept else "")
              + "nothing of it reaches the gradebook or the course's feedback; run again once fixed", file=sys.stderr)
    print(f"Grades:   {out / 'grades.csv'}\nResults:  {out / 'results'}/<student>.json\n"
          f"Feedback: {out / 'feedback'}/<student>.html\nReport:   {out / 'report.html'}")
    if course is not None:
        unrecorded = course.publish(report.results, report.timestamps, config, out)
        print(f"Gradebook: {course.root / 'gradebook.db'} (nbgrader export, formgrader)\n"
              f"Course feedback: {course.root / 'feedback'}/<student>/{config.name}/ (make feedback releases it)")
        waiting = sum(bool(waiting_items(r)) for r in report.results)
        if waiting:
            print(f"Written answers of {waiting} student(s) wait for manual grading in the formgrader "
                  "(grades.csv: manual_grading); make feedback and make export take the grades given by then.")
        for student, why in unrecorded:
            print(f"  {student}: {printable(why)}")
    return 1 if report.faults else 0


def _instructors_file(path: Path) -> bool:
    from autograder.coordinator.trust import is_instructors

    """A regular file (not a link) of root's or the instructor's: one a student put in a shared class folder
    says nothing of what the folder is."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and is_instructors(info)


def _course_submissions(folder: Path) -> Path:
    from autograder.coordinator.trust import check_path, read_instructors_file

    """What to grade when given `folder`: its submitted/ if it is an nbgrader course (recognised by its
    nbgrader_config.py, a file, which no student folder is, and the instructor's: in a class folder open
    to students, one could be planted), else the folder itself. Untrusted if the course's submitted/
    is not the instructor's."""
    marker = folder / "nbgrader_config.py"
    if read_instructors_file(marker, 1 << 20) is not None:
        check_path(folder / "submitted", "the course's submitted folder")
        return folder / "submitted"
    if os.path.lexists(marker):
        print(f"note: {marker} is not the instructor's (someone else's, a link, or writable by others), so {folder} "
              "is graded as a folder of student folders, not as an nbgrader course", file=sys.stderr)
    return folder


def _course(args):
    from autograder.integrations.course import Course

    return Course(Path(args.course_dir), args.course_id, Path(args.exchange) if args.exchange else None)


def cmd_release(args) -> int:
    config = _config(args.config)
    course = _course(args)
    roster = Path(args.roster) if args.roster else None
    if roster is not None and not roster.is_file():
        print(f"error: roster {roster} not found; give a CSV with id, first name, last name, email", file=sys.stderr)
        return 2
    released = course.release(config, roster)
    due = config.due.isoformat() if config.due else "none"
    print(f"Released {config.name} (due {due}) to the exchange {course.exchange_root}\n"
          f"Students: nbgrader fetch_assignment {config.name} --course={course.course_id} "
          f"--Exchange.root={course.exchange_root}\nRelease folder: {released}")
    return 0


def cmd_collect(args) -> int:
    config = _config(args.config)
    course = _course(args)
    found = course.collect(config)
    print(f"Collected {len(found.collected)} submission(s) into {course.submitted}"
          + (f" ({len(found.unchanged)} more unchanged since the last collect)" if found.unchanged else "")
          + "; now run make grade")
    for entry in found.collected:
        doubt = entry.doubtful_time()
        print(f"  {entry.student}: {printable(entry.name)}"
              + (f"\n    WARNING: {doubt}: the claimed time is used; check it" if doubt else ""))
    if found.rejected:
        from autograder.integrations.exchange import KINDS

        listing = course.submitted / ".rejected.txt"
        lines = {kind: [f"{clip(printable(name), 160)}: {why}" for name, k, why in found.rejected if k == kind]
                 for kind in KINDS}
        listing.write_text("".join(f"{line}\n" for kind in KINDS for line in lines[kind][:5000]), encoding="utf-8")
        print(f"Rejected {len(found.rejected)} inbound folder(s) of the exchange; nothing of theirs was collected "
              f"(they stay in the exchange, for you to look at; all listed in {listing}):")
        for kind, text in KINDS.items():  # the most alarming first, a few of each
            if lines[kind]:
                print(f"  {len(lines[kind])} {text}:")
                for line in lines[kind][:3]:
                    print(f"    {line}")
                if len(lines[kind]) > 3:
                    print(f"    ... and {len(lines[kind]) - 3} more")
    return 0


def _refresh(args) -> int:
    """`make grade` of the course, before feedback or an export: what changed is graded, the rest kept, and
    every page, grades.csv and the gradebook's late penalties take the manual grades given so far."""
    args.submissions, args.jobs, args.regrade_all, args.verbose = None, 0, False, False
    return cmd_grade(args)


def cmd_feedback(args) -> int:
    config = _config(args.config)
    course = _course(args)
    status = _refresh(args)
    if status not in (0, 1):  # 1: a grader fault, whose earlier results stand; their pages are released as they were
        return status
    course.release_feedback(config)
    print(f"Released feedback; students run: nbgrader fetch_feedback {config.name} --course={course.course_id} "
          f"--Exchange.root={course.exchange_root}")
    return 0


def cmd_export(args) -> int:
    is_course = (Path(args.course_dir) / "nbgrader_config.py").is_file()
    if args.lms and not is_course:  # grades of a folder graded with make grade SUBMISSIONS=...: OUT/grades.csv as it is
        return _export_lms(args, Path(args.out) / f"grades-{args.lms}.csv", 0)
    course = _course(args)
    status = _refresh(args)
    if status not in (0, 1):
        return status
    if args.lms:
        return _export_lms(args, course.root / f"grades-{args.lms}.csv", status)
    to = Path(args.to) if args.to else course.root / "grades.csv"
    course.export(to)
    print(f"Exported the gradebook of {course.root} (nbgrader export; late penalties applied; needs_manual_grade: "
          f"yes where a written answer waits for a person) to {to}")
    return status


def _export_lms(args, default: Path, status: int) -> int:
    """OUT/grades.csv's final totals in the LMS's import format (outputs/lms.py)."""
    from autograder.outputs.lms import LmsError, export, read_grades, read_roster

    config = _config(args.config)
    to = Path(args.to) if args.to else default
    try:
        roster = read_roster(Path(args.lms_roster)) if args.lms_roster else {}
        made = export(args.lms, read_grades(Path(args.out) / "grades.csv"), roster, config.name, args.lms_assignment_id)
    except LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    to.write_text(made.text, encoding="utf-8")
    print(f"Wrote {made.exported} final grade(s) for {args.lms.capitalize()} to {to} (after late penalties"
          + (", written answers as graded so far" if config.written else "") + ")")
    if made.left_out:
        print(f"  left out ({len(made.left_out)}, no grade to send): "
              + ", ".join(f"{printable(s)} ({why})" for s, why in made.left_out[:5]) + (" ..." if len(made.left_out) > 5 else ""))
    if made.waiting:
        print(f"  {len(made.waiting)} student(s) still have written answers waiting for manual grading, counted 0: "
              + ", ".join(printable(s) for s in made.waiting[:5]) + (" ..." if len(made.waiting) > 5 else ""))
    if made.unmapped:
        print(f"  not in {args.lms_roster}, so exported under their course id ({len(made.unmapped)}): "
              + ", ".join(printable(s) for s in made.unmapped[:5]) + (" ..." if len(made.unmapped) > 5 else ""))
    return status


def cmd_stubs(args) -> int:
    from autograder.devtools.stubs import MarkerError, write_stubs

    try:
        for path in write_stubs(ROOT / "solutions", ROOT / "assignment"):
            print(f"wrote {path.relative_to(ROOT)}")
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_doctor(args) -> int:
    from autograder.coordinator.trust import readable_by_others
    from autograder.sandbox.backends import PLAIN_WARNING, select_backend

    config = _config(args.config)
    try:
        backend = select_backend(config.backend, str(config.path))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"sandbox backend: {backend.name}\nwhy: {backend.why}")
    for what, path in (("the reference solutions", config.solutions), ("the hidden tests", ROOT / "autograder" / "grading" / "hidden"),
                       ("the config", config.path)):
        if readable_by_others(path):
            print(f"warning: {path} ({what}) can be read by every user of this machine; on a shared machine, "
                  f"make the project's folder private: chmod 700 {ROOT}")
    if not backend.sandboxed:
        print(PLAIN_WARNING)
    from autograder.sandbox.cgroup import MemoryGroup

    group = MemoryGroup.make(f"nn-backprop-doctor-{os.getpid()}", 64) if backend.sandboxed and os.geteuid() == 0 else None
    print(f"memory per submission: cgroup v{group.version} ({group.path.parent}): all of a submission's processes "
          "together" if group else "memory per submission: rlimits only (each process within limits.memory_mb; "
          "no cgroup can be made here)")
    if group:
        group.remove()
    print(f"python: {sys.executable}\ncpus: {os.cpu_count()}\nuid: {os.geteuid()}")
    return 0


def cmd_keys(args) -> int:
    from autograder.grading.plugin import declared_tests
    from autograder.spec.config import ITEM_KEYS, QUESTION_KEYS, SECTIONS

    for section, keys in [*SECTIONS.items(), ("questions.<q>", QUESTION_KEYS), ("questions.<q>.items.<id>", ITEM_KEYS)]:
        print(f"{section}:")
        for name, key in keys.items():
            default = "(required)" if key.required else f"default {key.default!r}"
            print(f"  {name}: {key.help}; {default}" + (f"; one of {', '.join(key.choices)}" if key.choices else ""))
    print("misconceptions each auto-graded item can be given credit for (questions.<q>.items.<id>.misconceptions):")
    for item, names in declared_tests().items():
        print(f"  {item}: {', '.join(names) if names else '(none)'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a folder of submissions")
    grade.add_argument("submissions", nargs="?", help="folder of student folders, or an nbgrader submitted/ tree "
                       "(default with --course-dir: COURSE_DIR/submitted)")
    grade.add_argument("--out", required=True, help="output folder (grades.csv, results/, feedback/)")
    grade.add_argument("--jobs", type=int, default=0, help="parallel graders (default: number of cores)")
    grade.add_argument("--regrade-all", action="store_true", help="regrade even submissions that did not change")
    grade.add_argument("-v", "--verbose", action="store_true")
    grade.set_defaults(run=cmd_grade)
    for name, run, text in (("release", cmd_release, "set up the nbgrader course and release the assignment"),
                            ("collect", cmd_collect, "nbgrader collect: latest submission of each student"),
                            ("feedback", cmd_feedback, "grade what changed, with the manual grades given, then nbgrader "
                             "release_feedback"),
                            ("export", cmd_export, "grade what changed, with the manual grades given, then nbgrader export: "
                             "the gradebook's grades as CSV")):
        command = sub.add_parser(name, help=text)
        command.set_defaults(run=run)
        if name == "release":
            command.add_argument("--roster", help="CSV of students: id, first name, last name, email")
        if name == "export":
            command.add_argument("--to", help="the CSV file to write (default: COURSE_DIR/grades.csv, with --lms "
                                 "COURSE_DIR/grades-<lms>.csv, or OUT/grades-<lms>.csv outside a course)")
            command.add_argument("--lms", choices=("canvas", "moodle"), help="write the final grades in this LMS's "
                                 "import format instead of nbgrader's export (from OUT/grades.csv)")
            command.add_argument("--lms-roster", help="CSV mapping the course's student ids to the LMS's: columns "
                                 "student, and any of name, first_name, last_name, lms_id, sis_user_id, "
                                 "sis_login_id, section, email, id_number")
            command.add_argument("--lms-assignment-id", default="", help="the LMS's id of the assignment (Canvas: "
                                 "the number in its URL; without it Canvas makes a new assignment)")
        if name in ("feedback", "export"):  # both grade first (what changed), taking the manual grades given
            command.add_argument("--out", default="out", help="the grader's output folder, as for grade (default: out)")
    for command in (grade, *(sub.choices[n] for n in ("release", "collect", "feedback", "export"))):
        command.add_argument("--config", default=str(ROOT / "config.yaml"),
                             help="the rubric and run settings (default: the project's config.yaml; `keys` lists them)")
        command.add_argument("--course-dir", default=None if command is grade else "course",
                             help="the nbgrader course directory (default: course)")
        command.add_argument("--course-id", default="nn-backprop", help="nbgrader course id")
        command.add_argument("--exchange", default=None, help="exchange root (default: COURSE_DIR/exchange)")
    stubs = sub.add_parser("stubs", help="regenerate assignment/*.py from solutions/*.py")
    stubs.set_defaults(run=cmd_stubs)
    doctor = sub.add_parser("doctor", help="say which sandbox backend is active and why")
    doctor.add_argument("--config", default=str(ROOT / "config.yaml"),
                        help="the rubric and run settings (default: the project's config.yaml)")
    doctor.set_defaults(run=cmd_doctor)
    keys = sub.add_parser("keys", help="list every config.yaml key with its default and meaning")
    keys.set_defaults(run=cmd_keys)
    args = parser.parse_args(argv)
    if args.command in ("grade", "release", "collect", "feedback", "export"):
        # What these make (outputs, the course's submissions, feedback, gradebook) is private from its first
        # byte: a file readable for a moment stays readable to whoever opened it then. The exchange and the
        # course folder are opened up deliberately (course.py), and nbgrader sets what students fetch.
        os.umask(0o077)
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets an escape, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return args.run(args)
    except Exception as exc:  # the errors that are the user's to fix: one line each, no traceback
        from autograder.coordinator.trust import Untrusted
        from autograder.integrations.course import CourseError
        from autograder.spec.config import ConfigError

        if isinstance(exc, ConfigError):
            print(f"config error: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, (CourseError, Untrusted)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
