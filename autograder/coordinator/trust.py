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


def user_name(uid: int) -> str | None:
    """The name of the user of this machine with this uid, or None."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return None


def owner_name(uid: int) -> str:
    """`uid N (name)`, or `uid N` where the machine has no such user."""
    name = user_name(uid)
    return f"uid {uid} ({name})" if name is not None else f"uid {uid}"


def user_uid(name: str) -> int | None:
    """The uid of the user of this machine called `name`, or None."""
    try:
        import pwd

        return pwd.getpwnam(name).pw_uid
    except (ImportError, KeyError, ValueError, UnicodeError):
        return None


def named_user_uid(name: str) -> int | None:
    """The uid of the user a folder name stands for: the user called `name`, or the one it looks like
    ("alice ", "Alice", a full-width "ａｌｉｃｅ": spaces trimmed, Unicode compatibility forms and case folded)."""
    uid = user_uid(name)
    if uid is None:
        import unicodedata

        plain = unicodedata.normalize("NFKC", name).strip().casefold()
        uid = _users_by_folded_name().get(plain)
    return uid


@functools.lru_cache(maxsize=1)
def _users_by_folded_name() -> dict[str, int]:
    try:
        import pwd

        return {user.pw_name.casefold(): user.pw_uid for user in pwd.getpwall()}
    except ImportError:
        return {}


def others_may_write(info: os.stat_result, where: str | os.PathLike | int | None = None) -> bool:
    """Someone besides root and us may change what this folder (or file) holds: everyone may write to it,
    or its group may, and that group has someone else in it (a group of the instructor's own is fine), or
    its access control list (read from `where`, a path not followed or a descriptor) lets another user or
    such a group write."""
    if info.st_mode & 0o002:
        return True
    if info.st_mode & 0o020 and _group_has_others(info.st_gid):
        return True
    return where is not None and _acl_lets_others_write(where)


def may_add(info: os.stat_result, where: str | os.PathLike | int | None = None) -> bool:
    """Someone besides root and us may add to this folder: it is theirs, or they may write to it."""
    return not is_instructors(info) or others_may_write(info, where)


def _acl_lets_others_write(where) -> bool:
    """A POSIX access ACL with a named user (not root, not us) or named group (with someone else in it) that
    may write, as far as its mask allows. No ACL (or none readable): False."""
    import struct

    try:
        if isinstance(where, int):
            acl = os.getxattr(where, "system.posix_acl_access")
        else:
            acl = os.getxattr(where, "system.posix_acl_access", follow_symlinks=False)
    except OSError:
        return False
    entries = [struct.unpack_from("<HHI", acl, offset) for offset in range(4, len(acl) - 7, 8)]
    mask = next((perm for tag, perm, _ in entries if tag == 0x10), 7)
    for tag, perm, ident in entries:
        if not perm & mask & 2:
            continue
        if tag == 0x02 and ident not in (0, os.geteuid()):  # ACL_USER
            return True
        if tag == 0x08 and _group_has_others(ident):  # ACL_GROUP
            return True
    return False


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
            others_write = others_may_write(info, step) and not info.st_mode & stat.S_ISVTX
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
                or others_may_write(info, fd) or info.st_size > limit):
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
