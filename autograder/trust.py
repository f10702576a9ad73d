"""Which paths are the instructor's: nobody but root or the instructor can change what they hold.

The grader takes some paths as the instructor's own: the output folder, the course folder,
its exchange root, and an nbgrader course's own files (`nbgrader_config.py`, `submitted/`,
the record `collect` keeps). Students may share folders with them (a class folder or an
exchange open to all), so each is checked, not assumed. A path is the instructor's when
every folder on the way to it (as written, and where its links lead) belongs to root or to
the instructor and, if others may write in it (everyone, or a group with someone else in
it), is sticky (they cannot rename what is not theirs), and every link on the way belongs
to root or to the instructor.
"""
from __future__ import annotations

import functools
import os
import stat
from pathlib import Path


class Untrusted(ValueError):
    """A path someone else could change; the message names the step and says what to do."""


def is_instructors(info: os.stat_result) -> bool:
    """Owned by root or by us (the grader runs as the instructor, or as root)."""
    return info.st_uid in (0, os.geteuid())


def owner_name(uid: int) -> str:
    """`uid N (name)`, or `uid N` where the machine has no such user."""
    try:
        import pwd

        return f"uid {uid} ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def user_uid(name: str) -> int | None:
    """The uid of the user of this machine called `name`, or None."""
    try:
        import pwd

        return pwd.getpwnam(name).pw_uid
    except (ImportError, KeyError, ValueError, UnicodeError):
        return None


def others_may_write(info: os.stat_result) -> bool:
    """Someone besides root and us may change what this folder (or file) holds: everyone may write to it,
    or its group may, and that group has someone else in it (a group of the instructor's own is fine)."""
    if info.st_mode & 0o002:
        return True
    return bool(info.st_mode & 0o020) and _group_has_others(info.st_gid)


@functools.lru_cache(maxsize=64)
def _group_has_others(gid: int) -> bool:
    try:
        import grp
        import pwd

        members = set(grp.getgrgid(gid).gr_mem) | {user.pw_name for user in pwd.getpwall() if user.pw_gid == gid}
        me = {user.pw_name for user in pwd.getpwall() if user.pw_uid in (0, os.geteuid())}
    except (ImportError, KeyError):
        return True  # a group nobody can say who is in
    return bool(members - me)


def check_path(path: Path, what: str) -> None:
    """Raise Untrusted unless only root or we can change where `path` leads. What does not exist
    yet is not checked (we make it); `path` itself, if it exists, is checked like a folder on the way."""
    for chain in (os.path.abspath(path), os.path.realpath(path)):
        step = Path("/")
        for part in Path(chain).parts[1:]:
            step = step / part
            try:
                info = os.lstat(step)
            except FileNotFoundError:
                break
            others_write = others_may_write(info) and not info.st_mode & stat.S_ISVTX
            if not is_instructors(info) or (stat.S_ISDIR(info.st_mode) and others_write):
                kind = "a link" if stat.S_ISLNK(info.st_mode) else "a folder" if stat.S_ISDIR(info.st_mode) else "a file"
                raise Untrusted(f"{what} {path}: {step} is {kind} of {owner_name(info.st_uid)}, mode "
                                f"{oct(info.st_mode & 0o7777)}, so someone else could change what {path} holds; "
                                "use a path whose folders only you (or root) may change")


def read_instructors_file(path: Path, limit: int) -> bytes | None:
    """The bytes of a file only root or we can have made (None if it is not one, or is over `limit`
    bytes): a regular file, not a link nor hard-linked elsewhere, owned by root or us, that nobody
    else may write, in a folder whose path is the instructor's."""
    try:
        check_path(path.parent, "the folder of")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, Untrusted):
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or not is_instructors(info) or info.st_nlink != 1
                or others_may_write(info) or info.st_size > limit):
            return None
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) if size <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def readable_by_others(path: Path) -> bool:
    """Anyone may read `path`: it is readable by others and every folder on the way lets them through."""
    try:
        if not os.stat(path).st_mode & 0o004:
            return False
        return all(os.stat(folder).st_mode & 0o001 for folder in Path(os.path.abspath(path)).parents)
    except OSError:
        return False
