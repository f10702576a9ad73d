"""Find student submissions and read their files, once, safely.

SUBMISSIONS is a folder of student folders (folder name = student id, any name the
filesystem allows), such as an nbgrader course's `submitted/` tree
(`submitted/<student>/<assignment>/`). Which folder that is, is the instructor's
choice (the command line's SUBMISSIONS or --course-dir), never inferred from the
names of the folders in it: those are the students'.

Everything in a student's folder is the student's, and may change while the class is
graded (a student who owns it can swap it for a link). So it is read once, when it is
found, through directory descriptors each opened without following a link, from the
class folder down: regular files only, size-capped, decoded tolerantly. Those bytes are
the ones fingerprinted and graded; the folder is not read again.
"""
from __future__ import annotations

import errno
import itertools
import json
import os
import stat
from pathlib import Path
from typing import Iterator

from autograder.coordinator.answers import MAX_NOTEBOOK_BYTES, parse_answers
from autograder.coordinator.late import MAX_TIMESTAMP_BYTES, decode_timestamp
from autograder.coordinator.trust import (
    is_instructors,
    may_add,
    named_user_uid,
    owner_name,
    read_instructors_file,
    user_name,
)
from autograder.core.ids import clip, printable
from autograder.grading.job import SubmissionDir, SubmissionFiles
from autograder.spec.assignment import MODULES, NOTEBOOK

MAX_FILE_BYTES = 512 * 1024
MAX_SUBMISSION_BYTES = 2 << 20  # all .py files of one submission together: what one student costs in memory
MAX_FILES = 32
MAX_FOLDERS = 500  # folders looked through for the modules, when they are not at the top
MAX_DEPTH = 3  # how deep below the submission folder the modules are looked for
MAX_ENTRIES = 10_000  # entries of one folder looked at
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def find_submissions(root: Path, assignment: str, answer_cells: frozenset[str] = frozenset()) -> list[SubmissionDir]:
    """Student folders directly under root, sorted by id, each read (its `assignment` subfolder if it has one),
    with the notebook's cells of the grade ids `answer_cells` (the written answers), if any.

    Entries that are not folders (files, links) and names starting with "." are not students.
    What is read is bounded per folder (MAX_SUBMISSION_BYTES), and, in a class folder others may
    add to, per user (_class_folders).
    """
    return list(read_class(root, assignment, answer_cells)[1])


def read_class(root: Path, assignment: str, answer_cells: frozenset[str] = frozenset()) \
        -> tuple[int, Iterator[SubmissionDir]]:
    """(how many students, find_submissions' students one at a time): each folder is read when it is
    reached, so grading can start with the first while the rest are read."""
    root = Path(os.path.abspath(root))
    top = os.open(root, os.O_RDONLY | os.O_DIRECTORY)  # the instructor's folder
    try:
        folders, _ = _class_folders(top)
    finally:
        os.close(top)

    def students() -> Iterator[SubmissionDir]:
        doubts = _collect_doubts(root)
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for name, identity in folders:  # each checked against the folder counted (identity)
                yield _read_student(top, name, root, assignment, doubts, identity, answer_cells)
        finally:
            os.close(top)
    return len(folders), students()


def _class_folders(top: int) -> tuple[list[tuple[str, tuple[int, int]]], dict[str, str]]:
    """(the student folders of the class folder open as `top`, sorted, each with the (device, inode) it
    was counted as; {other entry: why it is not one}).

    Not students: entries that are not folders (files, links), names starting with ".", and, in a
    class folder others may add to, the folders of a user (not root, not us) who owns several there,
    except the one named exactly after them: one user's flood of folders (look-alikes of names
    included) costs the grader nothing.
    """
    names, others, owners, seen = [], {}, {}, {}
    for entry in sorted(os.scandir(top), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            others[entry.name] = "not a folder, or a name starting with '.'"
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:  # gone between listing and looking: not counted, so not taken
            others[entry.name] = "changed while the class folder was read"
            continue
        names.append(entry.name)
        seen[entry.name] = (info.st_dev, info.st_ino)
        if not is_instructors(info):
            owners.setdefault(info.st_uid, []).append(entry.name)
    if may_add(os.fstat(top), top):
        for uid, theirs in owners.items():
            for name in theirs if len(theirs) > 1 else ():
                if name != user_name(uid):  # their exact name: their one folder; look-alikes and the rest are not
                    others[name] = (f"one of {len(theirs)} folders of {owner_name(uid)} in a class folder others may "
                                    "add to: of one user's folders, only the one named exactly after them is a student")
        names = [name for name in names if name not in others]
    return [(name, seen[name]) for name in names], others


def _read_student(top: int, name: str, root: Path, assignment: str, doubts: dict,
                  identity: tuple[int, int] | None = None, answer_cells: frozenset[str] = frozenset()) -> SubmissionDir:
    """One student's folder (or its `assignment` subfolder, nbgrader's layout, when the graded modules
    are there): its timestamp and files, through descriptors."""
    job = SubmissionDir(name, root / name)
    try:
        folder = os.open(name, _DIR, dir_fd=top)
    except OSError as exc:  # no longer a folder (swapped for a link?): nothing of it is read
        job.submitted.notes.append(f"Your submission folder could not be read ({exc.strerror}).")
        return job
    try:
        info = os.fstat(folder)
        someone_else = _not_theirs(name, info)
        if identity is not None and (info.st_dev, info.st_ino) != identity:  # swapped since it was counted
            someone_else = "Not graded: this folder changed while the class was read; run the grader again."
        if someone_else:
            job.submitted.notes.append(someone_else)
            return job
        chosen, nested = folder, _open_parts(folder, [assignment])
        if nested is None:
            job.submitted = read_files(folder, answer_cells)
        else:
            job.submitted = read_files(nested, answer_cells)
            above = None if _graded(job.submitted) else read_files(folder, answer_cells)
            if above is not None and _graded(above):  # an empty or stray subfolder of that name: the files are above
                job.submitted = above
                os.close(nested)
                nested = None
            else:
                chosen, job.path = nested, job.path / assignment
        try:
            job.timestamp, job.timestamp_problem = read_timestamp(chosen)
        finally:
            if nested is not None:
                os.close(nested)
        job.timestamp_doubt = doubts.get(name, "") if job.timestamp else ""
    finally:
        os.close(folder)
    return job


def _graded(files: SubmissionFiles) -> bool:
    return any(module in files.files for module in MODULES)


def _not_theirs(student: str, info: os.stat_result) -> str:
    """Why a student folder is not graded as `student`'s ("" if it may be): it belongs to another user
    of this machine than the one it names. A folder of root's or the instructor's was copied there by
    them; where ids are not user names, ownership tells nothing."""
    if is_instructors(info):  # (before looking the name up: a user lookup per student costs 60 us)
        return ""
    uid = named_user_uid(student)
    if uid is None or info.st_uid == uid:
        return ""
    return (f"Not graded: this folder belongs to {owner_name(info.st_uid)}, not to {owner_name(uid)}, whose "
            "submission its name claims it is; only they, or the instructor, can hand it in.")


def _collect_doubts(root: Path) -> dict[str, str]:
    """{student: why the submission time is doubtful} from root/.collected.json, which collect writes
    (exchange.py), read only if it is the instructor's: where students may write in the class folder,
    one of theirs is ignored."""
    data = read_instructors_file(root / ".collected.json", 16 << 20)
    try:
        students = json.loads(data)["students"] if data else {}
        return {str(k): clip(str(v.get("doubt") or "")) for k, v in students.items() if isinstance(v, dict)}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def not_students(root: Path) -> dict[str, str]:
    """{entry of root that find_submissions does not take for a student: why} (for the instructor's summary)."""
    try:
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return {}
    try:
        return _class_folders(top)[1]
    except OSError:
        return {}
    finally:
        os.close(top)


def read_timestamp(folder: int) -> tuple[str | None, str]:
    """(nbgrader's timestamp.txt as text, "") or (None, why it is not a time); (None, "") if there is none.

    `folder`: a descriptor of the submission folder.
    """
    try:
        os.stat("timestamp.txt", dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None, ""
    data = _read_regular("timestamp.txt", MAX_TIMESTAMP_BYTES, folder)
    if data is None:
        return None, f"timestamp.txt is not a regular file of at most {MAX_TIMESTAMP_BYTES} bytes"
    return decode_timestamp(data)


def _read_regular(path, limit: int = MAX_FILE_BYTES, dir_fd: int | None = None) -> bytes | None:
    """A regular file's bytes (path relative to dir_fd, if given), refusing a symlink, devices, FIFOs
    and files over `limit` bytes."""
    return _read_or_why(path, limit, dir_fd)[0]


def _read_or_why(path, limit: int, dir_fd: int | None) -> tuple[bytes | None, str]:
    """(the bytes, "") as _read_regular reads them, or (None, why not: words that follow "it")."""
    try:
        fd = os.open(path, _FILE, dir_fd=dir_fd)
    except OSError as exc:
        return None, ("is a symbolic link (submit the file itself)" if exc.errno == errno.ELOOP
                      else f"could not be opened ({exc.strerror})")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file (a FIFO, a device or a socket)"
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, f"is larger than {limit // 1024} KiB, the most the grader reads of a file"
        return b"".join(chunks), ""
    except OSError as exc:
        return None, f"could not be read ({exc.strerror})"
    finally:
        os.close(fd)


def _entries(folder: int) -> list[tuple[str, bool]]:
    """(name, is a real folder) of the first MAX_ENTRIES entries of the folder open as `folder`, sorted."""
    try:
        with os.scandir(folder) as listing:
            return sorted((e.name, e.is_dir(follow_symlinks=False)) for e in itertools.islice(listing, MAX_ENTRIES))
    except OSError:
        return []


def _module_folder(folder: int) -> list[str]:
    """Where the graded modules are, as names of folders from `folder` down: [] for the folder itself,
    else the one subfolder (at most MAX_DEPTH deep) with the most of them, the shallowest first."""
    def count(entries) -> int:
        return sum(1 for name, is_dir in entries if name in MODULES and not is_dir)

    if count(_entries(folder)):
        return []
    best, pending, seen = None, [[]], 0
    while pending and seen < MAX_FOLDERS:
        parts = pending.pop(0)  # breadth first: the shallowest folders first
        fd = _open_parts(folder, parts)
        if fd is None:
            continue
        try:
            entries = _entries(fd)
        finally:
            os.close(fd)
        seen += 1
        found = count(entries)
        if found and (best is None or found > best[0]):
            best = (found, parts)
        if len(parts) < MAX_DEPTH:
            pending += [parts + [name] for name, is_dir in entries if is_dir and not name.startswith((".", "__"))]
    return best[1] if best else []


def _open_parts(folder: int, parts: list[str]) -> int | None:
    """The folder at `parts` below `folder`, each step opened without following a link (None if it cannot be)."""
    fd = os.dup(folder)
    for part in parts:
        try:
            deeper = os.open(part, _DIR, dir_fd=fd)
        except OSError:
            os.close(fd)
            return None
        os.close(fd)
        fd = deeper
    return fd


def read_files(folder: int, answer_cells: frozenset[str] = frozenset()) -> SubmissionFiles:
    """The .py files next to the graded modules (modules, and helpers they may import), from the
    submission folder open as `folder`; and the notebook's cells of the grade ids `answer_cells`."""
    result = SubmissionFiles()
    parts = _module_folder(folder)
    where = _open_parts(folder, parts)
    if parts:
        result.notes.append(f"Graded the files found in {clip(printable('/'.join(parts)), 200)}/ "
                            "(put them at the top of your submission next time).")
    if where is not None:
        try:
            names = [name for name, is_dir in _entries(where) if name.endswith(".py") and not is_dir]
            names = [m for m in MODULES if m in names] + [n for n in names if n not in MODULES]  # graded ones first
            room, left_out = MAX_SUBMISSION_BYTES, []
            for name in names[:MAX_FILES]:
                data, why = _read_or_why(name, MAX_FILE_BYTES, where)
                over = data is not None and len(data) > room
                if over:
                    data, why = None, (f"would take the submission's .py files past {MAX_SUBMISSION_BYTES >> 20} MiB "
                                       "together, the most the grader reads")
                if data is not None and name[:-3].isidentifier():
                    result.files[name] = data
                    room -= len(data)
                elif name in MODULES:  # there, but not graded: said as it is, not as missing
                    result.refused[name] = why
                    result.notes.append(f"{name} was not graded: it {why}.")
                elif over:
                    left_out.append(name)
            if left_out:
                result.notes.append(f"Not read: {len(left_out)} more .py file(s) ({clip(printable(left_out[0]), 60)} "
                                    f"first), past the {MAX_SUBMISSION_BYTES >> 20} MiB of .py files the grader reads "
                                    "of a submission.")
            if answer_cells:
                result.answers, result.notebook_problem = _notebook_answers(where, answer_cells, result.notes)
        finally:
            os.close(where)
    missing = [m for m in MODULES if m not in result.files and m not in result.refused]
    if missing and len(missing) == len(MODULES):
        notebooks = [clip(printable(name), 80) for name, _ in _entries(folder) if name.endswith(".ipynb")][:4]
        shown = ", ".join(notebooks[:3]) + (" and more" if len(notebooks) > 3 else "")
        result.notes.append("No graded .py file found: " + ", ".join(MODULES) + " belong beside the notebook"
                            + (f" (only {shown} was submitted: the code is graded from the .py files)" if notebooks else ""))
    elif missing:
        result.notes.append("Missing: " + ", ".join(missing))
    return result


def _notebook_answers(folder: int, cells: frozenset[str], notes: list[str]) -> tuple[dict[str, str], str]:
    """The written answers in the notebook beside the graded modules (answers.parse_answers), or why there are
    none. A notebook saved under another name is read when it is the only one (and the student told so)."""
    names = [name for name, is_dir in _entries(folder) if name.endswith(".ipynb") and not is_dir
             and not name.startswith(".")]
    name = NOTEBOOK if NOTEBOOK in names else names[0] if len(names) == 1 else None
    if name is None:
        return {}, f"the submission has no {NOTEBOOK}" + (
            f" (it has {len(names)} other notebooks, so which one holds the answers is not clear)" if names else "")
    data, why = _read_or_why(name, MAX_NOTEBOOK_BYTES, folder)
    if data is None:
        return {}, f"{clip(printable(name), 80)} {why}"
    answers, why = parse_answers(data, cells)
    if name != NOTEBOOK and not why:
        notes.append(f"The written answers were read from {clip(printable(name), 80)} (submit them in {NOTEBOOK} "
                     "next time).")
    return answers, f"{clip(printable(name), 80)} {why}" if why else ""


def read_submission(folder: Path, answer_cells: frozenset[str] = frozenset()) -> SubmissionFiles:
    """read_files of a folder given by path (its last step not a link): for tools and tests."""
    try:
        fd = os.open(folder, _DIR)
    except OSError as exc:
        return SubmissionFiles(notes=[f"Your submission folder could not be read ({exc.strerror})."])
    try:
        return read_files(fd, answer_cells)
    finally:
        os.close(fd)
