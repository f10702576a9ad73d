"""Find student submissions and read their files safely.

SUBMISSIONS is a folder of student folders (folder name = student id), or an
nbgrader course's `submitted/` tree (`submitted/<student>/<assignment>/`).
Files are read without following symlinks, regular files only, size-capped:
a submission cannot point the grader at a file outside itself.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .stubs import MODULES

MAX_FILE_BYTES = 512 * 1024
MAX_FILES = 32


@dataclass
class SubmissionDir:
    student: str
    path: Path
    timestamp: str | None = None  # nbgrader's submission time, if any


@dataclass
class SubmissionFiles:
    files: dict[str, bytes] = field(default_factory=dict)  # module file name -> bytes
    notes: list[str] = field(default_factory=list)  # remarks for the student (where files were found, what is missing)


def find_submissions(root: Path, assignment: str) -> list[SubmissionDir]:
    """Student folders under root, sorted by id; accepts nbgrader's submitted/<student>/<assignment>/."""
    root = Path(root).resolve()
    if (root / "submitted").is_dir():
        root = root / "submitted"
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir() or entry.is_symlink():
            continue
        nested = entry / assignment
        folder = nested if nested.is_dir() and not nested.is_symlink() else entry
        stamp_file = folder / "timestamp.txt"
        stamp = stamp_file.read_text().strip()[:64] if stamp_file.is_file() and not stamp_file.is_symlink() else None
        found.append(SubmissionDir(entry.name, folder, stamp))
    return found


def _inside(path: Path, top: Path) -> bool:
    """Whether path, with every symlink resolved, is inside top (resolved)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(top))
    except (OSError, ValueError):
        return False


def _read_regular(path: Path) -> bytes | None:
    """A regular file's bytes, refusing a symlink (the folders on the way are checked by the caller),
    devices and oversized files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, MAX_FILE_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:MAX_FILE_BYTES]
    finally:
        os.close(fd)


def _module_folder(folder: Path) -> Path:
    """Where the graded modules are: the folder itself, or the one subfolder a student put them in."""
    def count(d: Path) -> int:
        return sum((d / m).is_file() and not (d / m).is_symlink() for m in MODULES)

    if count(folder) or not folder.is_dir():
        return folder
    candidates = []
    for dirpath, dirnames, _ in os.walk(folder):
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
        result.notes.append(f"Graded the files found in {where.relative_to(folder)}/ "
                            "(put them at the top of your submission next time).")
    try:
        names = sorted(p.name for p in where.iterdir() if p.suffix == ".py")
    except OSError:
        names = []
    inside = _inside(where, folder)  # no symlinked folder on the way out of the submission
    for name in names[:MAX_FILES] if inside else []:
        data = _read_regular(where / name)
        if data is not None and name[:-3].isidentifier():
            result.files[name] = data
    missing = [m for m in MODULES if m not in result.files]
    if missing and len(missing) == len(MODULES):
        notebooks = [p.name for p in Path(folder).glob("*.ipynb")]
        result.notes.append("No graded .py file found: " + ", ".join(MODULES) + " belong beside the notebook"
                            + (f" (only {', '.join(notebooks)} was submitted: the notebook is not graded)" if notebooks else ""))
    elif missing:
        result.notes.append("Missing: " + ", ".join(missing))
    return result
