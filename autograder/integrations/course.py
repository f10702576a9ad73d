"""The nbgrader course around the grader: set up, release, collect, feedback.

Runs nbgrader's own commands (0.9.x) in the course directory, with a local
exchange, except to collect: nbgrader's collect follows links and trusts owners
(exchange.py does it instead). Layout (COURSE_DIR, default `course/`):

    nbgrader_config.py    course id, exchange root, due date come from here and config.yaml
    gradebook.db          nbgrader's gradebook (one grade cell per rubric item)
    source/nn_backprop/   what students get: notebook, stub modules, public self-checks
    release/ feedback/    as nbgrader makes them
    submitted/            what `collect` took from the exchange (exchange.py), nbgrader's layout
    exchange/             the local exchange (world-writable and sticky, as nbgrader needs)
"""
from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.coordinator.trust import Untrusted, check_path, read_instructors_file, user_uid
from autograder.core.files import overwrite
from autograder.core.ids import PLAIN
from autograder.core.tree import remove_tree
from autograder.integrations.gradebook import NOTEBOOK, ensure_rubric, manual_grades, open_gradebook, record
from autograder.integrations.written import formgrader_notebook
from autograder.outputs.results import StudentResult, not_graded
from autograder.spec.assignment import RELEASED
from autograder.spec.config import Config

ROOT = Path(__file__).resolve().parents[2]
WRITTEN_BY = "# Written by `make release` (autograder/integrations/course.py); edit config.yaml instead."
MAX_COPY_BYTES = 16 << 20  # a file of a submission copied to autograded/ (collect accepts 16 MiB in all)


class CourseError(RuntimeError):
    """A course problem the instructor must fix; the message says how."""


def set_points(notebook: Path, config: Config) -> None:
    """The notebook's answer cells (nbgrader grade + solution cells) get their points from the config's written
    items: one cell per item, by its grade id (Item.cell), and no answer cell the rubric does not count."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells
             if cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata["nbgrader"].get("solution")}
    for item in config.written:
        if item.cell not in cells:
            raise CourseError(f"{ROOT / 'assignment' / notebook.name} has no answer cell with grade id {item.cell!r} for "
                              f"{config.path}: {item.id} (kind: manual): add it (tools/build_notebook.py), or remove "
                              "the item")
        cells[item.cell].metadata["nbgrader"]["points"] = item.points
    extra = sorted(set(cells) - {item.cell for item in config.written})
    if extra:
        raise CourseError(f"{ROOT / 'assignment' / notebook.name} has answer cells no written item of {config.path} "
                          f"counts ({', '.join(extra)}): add each under its question's items with kind: manual "
                          "(its id: the grade id with . for the first -), or remove the cell")
    nbformat.write(nb, notebook)


@dataclass(frozen=True)
class Course:
    root: Path
    course_id: str = "nn-backprop"
    exchange: Path | None = None

    def __post_init__(self):
        """The course folder and the exchange root are the instructor's (trust.py): the grader makes
        the exchange world-writable, and keeps submissions, secrets and the gradebook in the course."""
        try:
            check_path(self.root, "the course folder")
            check_path(self.exchange or self.root / "exchange", "the exchange")
        except Untrusted as exc:
            raise CourseError(str(exc)) from None

    @property
    def exchange_root(self) -> Path:
        return Path(self.exchange or self.root / "exchange").resolve()

    @property
    def db_url(self) -> str:
        return f"sqlite:///{(self.root / 'gradebook.db').resolve()}"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        """Run `nbgrader ARGS` in the course directory; raise CourseError with its log if it fails."""
        cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.course_id={self.course_id}",
               f"--CourseDirectory.root={self.root.resolve()}", f"--Exchange.root={self.exchange_root}"]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CourseError(f"`nbgrader {' '.join(args)}` failed in {self.root}:\n{proc.stdout}{proc.stderr}")
        return proc

    def write_config(self) -> None:
        """nbgrader_config.py, unless the course has one of its own (an existing course: it is left as it is;
        every nbgrader command is given the course id and exchange root, see nbgrader())."""
        self.root.mkdir(parents=True, exist_ok=True)
        mine = self.root / "nbgrader_config.py"
        if not mine.exists() or mine.read_text(errors="replace").startswith(WRITTEN_BY):
            mine.write_text(
                WRITTEN_BY + "\n"
                "c = get_config()  # noqa: F821\n"
                f"c.CourseDirectory.course_id = {self.course_id!r}\n"
                f"c.CourseDirectory.root = {str(self.root.resolve())!r}\n"
                f"c.Exchange.root = {str(self.exchange_root)!r}\n"
                "c.Exchange.timezone = 'UTC'\n")
        self.exchange_root.mkdir(parents=True, exist_ok=True)
        # The course's own folder in it is ours before anyone else may write there: a student who made it
        # first would stop every release (nbgrader refuses a course folder it does not own).
        course = self.exchange_root / self.course_id
        try:
            course.mkdir(mode=0o755)
        except FileExistsError:
            info = os.lstat(course)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                raise CourseError(f"{course} is not a folder of yours (someone else made it, or it is a link): "
                                  "remove it, as root, and release again") from None
        os.chmod(course, 0o755)
        # Every student writes their submission here; sticky, so nobody renames or removes another's folder.
        # A shared exchange (a JupyterHub's, with other courses) is its owner's to set up: checked, not changed.
        info = os.stat(self.exchange_root)
        if info.st_uid == os.geteuid():
            os.chmod(self.exchange_root, 0o1777)
        elif info.st_mode & 0o1777 != 0o1777:
            raise CourseError(f"the exchange {self.exchange_root} is not one every student may write to, sticky "
                              f"(mode {oct(info.st_mode & 0o7777)}): ask its owner to chmod 1777 it")

    def add_roster(self, roster: Path) -> int:
        """Students from a CSV with columns id, first_name, last_name, email (a header row is optional)."""
        with open(roster, newline="") as handle:
            rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
        if rows and rows[0][0].strip().lower() in ("id", "student", "student_id"):
            rows = rows[1:]
        with open_gradebook(self.db_url, self.course_id) as gb:
            for number, row in enumerate(rows, 1):
                cells = [cell.strip() for cell in row] + [""] * 4
                if not cells[0]:
                    raise CourseError(f"{roster}: row {number} has no student id (columns: id, first name, last name, email)")
                gb.update_or_create_student(cells[0], first_name=cells[1] or None, last_name=cells[2] or None,
                                            email=cells[3] or None)
        return len(rows)

    def release(self, config: Config, roster: Path | None = None) -> Path:
        """Create or update the course, put the assignment under source/, generate and release it."""
        self.write_config()
        source = self.root / "source" / config.name
        if source.exists():
            shutil.rmtree(source)
        for name in RELEASED:
            target = source / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / "assignment" / name, target)
        set_points(source / f"{NOTEBOOK}.ipynb", config)
        if roster is not None:
            self.add_roster(roster)
        with open_gradebook(self.db_url, self.course_id) as gb:
            ensure_rubric(gb, config)
        self.nbgrader("generate_assignment", config.name, "--force")
        with open_gradebook(self.db_url, self.course_id) as gb:  # generate_assignment rewrites the notebook's cells
            ensure_rubric(gb, config)
        self.nbgrader("release_assignment", config.name, "--force")
        self.lock_down()
        return self.root / "release" / config.name

    def collect(self, config: Config):
        """Each student's latest acceptable submission into submitted/ (exchange.py: nbgrader's
        inbound folders screened for links, special files and forged owners); returns the Collection."""
        from autograder.integrations import exchange

        inbound = self.exchange_root / self.course_id / "inbound"
        if not inbound.is_dir():
            raise CourseError(f"nothing to collect: {inbound} does not exist (run `make release`; students then "
                              "submit with `nbgrader submit`)")
        try:
            return exchange.collect(inbound, config.name, self.submitted)
        except exchange.Rejected as exc:
            raise CourseError(str(exc)) from None
        finally:
            self.lock_down()

    def publish(self, results: list[StudentResult], timestamps: dict, config: Config, out: Path) -> list[tuple[str, str]]:
        """After grading: every result into the gradebook, and each page grading just wrote (OUT/feedback)
        where nbgrader delivers it, marked autograded for the formgrader. A grader fault or a folder that
        was not read replaces no page a student may already have. Returns (student, what failed) pairs."""
        unrecorded = record(self.db_url, self.course_id, config, results, timestamps)
        for result in results:
            if result.fault or not_graded(result):
                continue
            try:
                self.write_autograded(result, config)
            except (OSError, UnicodeError, ValueError) as exc:
                unrecorded.append((result.name, f"not marked autograded for the formgrader: {exc}"))
            try:
                self.write_feedback(result.student, config.name, out / "feedback" / f"{result.file}.html")
            except (OSError, UnicodeError, ValueError) as exc:
                unrecorded.append((result.name, f"feedback not placed for nbgrader: {exc}"))
        self.lock_down()
        return unrecorded

    def write_feedback(self, student: str, assignment: str, page: Path) -> Path:
        """Copy a feedback page where `nbgrader release_feedback` looks for it, with the submission's
        timestamp and secret (ValueError, and no folder, if the submission lacks them: nbgrader's
        release_feedback would stop at it, for every student)."""
        if not PLAIN.fullmatch(student):
            raise ValueError("its id is not a plain user name, so nbgrader cannot deliver feedback to it")
        submitted = self.submitted / student / assignment
        folder = self.root / "feedback" / student / assignment
        missing = [name for name in ("timestamp.txt", "submission_secret.txt") if not (submitted / name).is_file()]
        if missing:
            remove_tree(folder)
            raise ValueError(f"its submission has no {' and no '.join(missing)} (it did not come through nbgrader "
                             "submit), so nbgrader cannot deliver feedback to it")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, folder / f"{NOTEBOOK}.html")
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copyfile(submitted / name, folder / name)
        return folder

    def write_autograded(self, result: StudentResult, config: Config) -> Path:
        """nbgrader's mark that a submission was autograded: the formgrader lists a student as graded
        only when autograded/<student>/<assignment>/ exists. It holds a copy of what was graded: the
        submitted folder's .py files and timestamp.txt (nothing is read through a link, and a file over
        MAX_COPY_BYTES is left out), and the notebook the formgrader shows: not the student's (the
        formgrader would show its HTML, and run its scripts, in the instructor's browser, on the Jupyter
        server's origin) but one of our own with their written answers (written.formgrader_notebook)."""
        student, assignment = result.student, config.name
        if not PLAIN.fullmatch(student):
            raise ValueError("its id is not a plain user name, so nbgrader cannot list it")
        folder = self.root / "autograded" / student / assignment
        remove_tree(folder)  # last run's copy: a file the student no longer submits goes too
        folder.mkdir(parents=True)
        source = os.open(self.submitted / student / assignment, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            for entry in os.scandir(source):
                if not (entry.name.endswith(".py") or entry.name == "timestamp.txt"):
                    continue
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_size <= MAX_COPY_BYTES:
                    fd = os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=source)
                    with os.fdopen(fd, "rb") as handle:
                        overwrite(folder / entry.name, handle.read(MAX_COPY_BYTES))
        finally:
            os.close(source)
        if config.written:
            overwrite(folder / f"{NOTEBOOK}.ipynb", formgrader_notebook(result, config))
        return folder

    def lock_down(self) -> None:
        """Only the instructor may read the course's own folders: submissions, feedback, secrets, the gradebook.

        Students reach the exchange inside the course folder, so the course folder lets them
        pass (0711) but not look around; everything else in it is the instructor's alone.
        """
        os.chmod(self.root, 0o711)
        for name in ("source", "release", "submitted", "autograded", "feedback"):
            if (self.root / name).is_dir():
                os.chmod(self.root / name, 0o700)
        if (self.root / "gradebook.db").is_file():
            os.chmod(self.root / "gradebook.db", 0o600)
        inbound = self.exchange_root / self.course_id / "inbound"
        if inbound.is_dir() and not inbound.is_symlink() and inbound.stat().st_uid == os.geteuid():
            os.chmod(inbound, inbound.stat().st_mode | 0o1000)  # sticky: nobody removes another's submission

    def export(self, to: Path) -> Path:
        """nbgrader export: the gradebook's grades as CSV (late penalties applied, and which students wait for
        manual grading: export.py), to `to`."""
        self.nbgrader("export", f"--to={Path(to).resolve()}",
                      "--ExportApp.plugin_class=autograder.integrations.export.ManualStatusCsv")
        return Path(to)

    def manual_grades(self, config: Config) -> dict:
        """What people gave the written items in the formgrader (gradebook.manual_grades)."""
        return manual_grades(self.db_url, self.course_id, config)

    def release_feedback(self, config: Config) -> None:
        """nbgrader release_feedback; then each page in the exchange readable by the student who fetches it
        (nbgrader copies a page's mode, and ours are private). nbgrader names a page by a hash of the
        submission's secret, which sits in the student's nbgrader cache, in their home: where that home is
        readable by others, so is the name. So, as root, a page whose student is a user of this machine
        becomes theirs, mode 0600; other pages (ids that are not users) are 0644, as nbgrader leaves them."""
        from nbgrader.utils import notebook_hash

        self.nbgrader("release_feedback", config.name)
        released = self.exchange_root / self.course_id / "feedback"
        owners = {}  # page name -> the uid of its student, where they are a user of this machine
        for folder in (self.root / "feedback").glob(f"*/{config.name}"):
            secret = read_instructors_file(folder / "submission_secret.txt", 1 << 16)
            uid = user_uid(folder.parent.name) if os.geteuid() == 0 else None
            if secret is not None:  # a page two students share (one copied the other's secret) is given to neither
                page = notebook_hash(secret=secret.decode("utf-8", "replace"), notebook_id=NOTEBOOK) + ".html"
                owners[page] = -1 if page in owners else uid
        for entry in os.scandir(released) if released.is_dir() else ():
            try:
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                info = os.fstat(fd)
                if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                    owner = owners.get(entry.name)  # None: an id that is no user here; -1: shared, nobody's
                    if owner is not None and owner >= 0:
                        os.fchown(fd, owner, -1)
                    os.fchmod(fd, 0o644 if owner is None else 0o600)
            finally:
                os.close(fd)
