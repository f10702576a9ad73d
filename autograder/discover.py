"""Find student submissions and read their files safely.

SUBMISSIONS is a folder of student folders (folder name = student id, any name the
filesystem allows), such as an nbgrader course's `submitted/` tree
(`submitted/<student>/<assignment>/`). Which folder that is, is the instructor's
choice (the command line's SUBMISSIONS or --course-dir), never inferred from the
names of the folders in it: those are the students'.

Everything in a student's folder is the student's: files are read without following
symlinks, regular files only, size-capped, and decoded tolerantly. A submission cannot
point the grader at a file outside itself, or stall it with a huge or endless file.
"""
from __future__ import annotations

import itertools
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .ids import clip, printable
from .late import MAX_TIMESTAMP_BYTES, decode_timestamp
from .stubs import MODULES

MAX_FILE_BYTES = 512 * 1024
MAX_FILES = 32
MAX_FOLDERS = 500  # folders looked through for the modules, when they are not at the top


@dataclass
class SubmissionDir:
    student: str
    path: Path
    timestamp: str | None = None  # nbgrader's submission time, if any
    timestamp_problem: str = ""  # why timestamp.txt could not be read as a time (it is then ignored)
    timestamp_doubt: str = ""  # why collect doubts the time (files changed after it): used, and reported


@dataclass
class SubmissionFiles:
    files: dict[str, bytes] = field(default_factory=dict)  # module file name -> bytes
    notes: list[str] = field(default_factory=list)  # remarks for the student (where files were found, what is missing)


def find_submissions(root: Path, assignment: str) -> list[SubmissionDir]:
    """Student folders directly under root, sorted by id; in each, its `assignment` subfolder if it has one.

    Entries that are not folders (files, links) and names starting with "." are not students.
    """
    root = Path(root).resolve()
    doubts = _collect_doubts(root)
    found = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        nested = folder / assignment
        if nested.is_dir() and not nested.is_symlink():
            folder = nested
        stamp, problem = read_timestamp(folder)
        found.append(SubmissionDir(entry.name, folder, stamp, problem, doubts.get(entry.name, "") if stamp else ""))
    return found


def _collect_doubts(root: Path) -> dict[str, str]:
    """{student: why the submission time is doubtful} from root/.collected.json, which collect writes
    (exchange.py; a file at the top of the class folder, where students cannot write)."""
    data = _read_regular(root / ".collected.json", 16 << 20)
    try:
        students = json.loads(data)["students"] if data else {}
        return {str(k): str(v.get("doubt") or "") for k, v in students.items() if isinstance(v, dict)}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def not_students(root: Path) -> list[str]:
    """Entries of root that find_submissions does not take for students (for the instructor's summary)."""
    try:
        return sorted(e.name for e in os.scandir(root)
                      if e.name.startswith(".") or not e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def read_timestamp(folder: Path) -> tuple[str | None, str]:
    """(nbgrader's timestamp.txt as text, "") or (None, why it is not a time); (None, "") if there is none."""
    if not os.path.lexists(folder / "timestamp.txt"):
        return None, ""
    data = _read_regular(folder / "timestamp.txt", MAX_TIMESTAMP_BYTES)
    if data is None:
        return None, f"timestamp.txt is not a regular file of at most {MAX_TIMESTAMP_BYTES} bytes"
    return decode_timestamp(data)


def _inside(path: Path, top: Path) -> bool:
    """Whether path, with every symlink resolved, is inside top (resolved)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(top))
    except (OSError, ValueError):
        return False


def _read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """A regular file's bytes, refusing a symlink (the folders on the way are checked by the caller),
    devices, FIFOs and files over `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _module_folder(folder: Path) -> Path:
    """Where the graded modules are: the folder itself, or the one subfolder a student put them in."""
    def count(d: Path) -> int:
        return sum((d / m).is_file() and not (d / m).is_symlink() for m in MODULES)

    if count(folder) or not folder.is_dir():
        return folder
    candidates, seen = [], 0
    for dirpath, dirnames, _ in os.walk(folder):
        seen += 1
        if seen > MAX_FOLDERS:  # a submission of thousands of folders: the modules are not that far down
            break
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        if len(Path(dirpath).relative_to(folder).parts) > 3:
            dirnames[:] = []
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        if count(Path(dirpath)):
            candidates.append((-count(Path(dirpath)), len(Path(dirpath).parts), dirpath))
    return Path(min(candidates)[2]) if candidates else folder


def read_submission(folder: Path) -> SubmissionFiles:
    """The .py files next to the graded modules (modules, and helpers they may import)."""
    result = SubmissionFiles()
    where = _module_folder(Path(folder))
    if where != Path(folder):
        result.notes.append(f"Graded the files found in {clip(printable(str(where.relative_to(folder))), 200)}/ "
                            "(put them at the top of your submission next time).")
    try:
        names = sorted(p.name for p in where.iterdir() if p.suffix == ".py")
    except OSError:
        names = []
    names = [m for m in MODULES if m in names] + [n for n in names if n not in MODULES]  # graded ones first
    inside = _inside(where, folder)  # no symlinked folder on the way out of the submission
    for name in names[:MAX_FILES] if inside else []:
        data = _read_regular(where / name)
        if data is not None and name[:-3].isidentifier():
            result.files[name] = data
    missing = [m for m in MODULES if m not in result.files]
    if missing and len(missing) == len(MODULES):
        notebooks = sorted(clip(printable(p.name), 80) for p in itertools.islice(Path(folder).glob("*.ipynb"), 4))
        shown = ", ".join(notebooks[:3]) + (" and more" if len(notebooks) > 3 else "")
        result.notes.append("No graded .py file found: " + ", ".join(MODULES) + " belong beside the notebook"
                            + (f" (only {shown} was submitted: the notebook is not graded)" if notebooks else ""))
    elif missing:
        result.notes.append("Missing: " + ", ".join(missing))
    return result
