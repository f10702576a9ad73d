"""Removing a folder a submission may have filled: never following a link, never recursing.

A submission's files can be anything its code could make: links to the grader's own
folders, folders thousands of levels deep, folders without permissions. `remove_tree`
works through directory file descriptors opened with O_NOFOLLOW, so a link is removed,
never entered or changed through; and it flattens instead of descending: each
subfolder is moved up to the top folder and emptied there, so depth costs neither
stack nor open files. It never raises: False means something is left, and the
caller gives the next submission a new folder instead.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def remove_tree(path: Path | str) -> bool:
    """Remove `path` (a folder, a file or a link) and everything under it; True if it is gone."""
    path = os.fspath(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(info.st_mode):
            os.unlink(path)
            return True
        top = os.open(path, _DIR)
    except OSError:
        return False
    try:
        _flatten_and_empty(top)
    except OSError:
        pass
    finally:
        os.close(top)
    try:
        os.rmdir(path)
        return True
    except OSError:
        return False


def _flatten_and_empty(top: int) -> None:
    """Empty the folder open as `top`: files and links unlinked; each subfolder moved into a staging
    folder of our own (where no name can collide), emptied there the same way, then removed."""
    _writable(top)
    stage_name = _new_folder(top)
    stage = os.open(stage_name, _DIR, dir_fd=top)
    try:
        pending, count = [None], 0  # names of folders in stage; None is top itself
        while pending:
            name = pending.pop()
            try:
                fd = top if name is None else os.open(name, _DIR, dir_fd=stage)
            except OSError:
                continue
            try:
                _writable(fd)
                with os.scandir(fd) as entries:
                    found = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
                for entry, is_dir in found:
                    if fd == top and entry == stage_name:
                        continue
                    try:
                        if is_dir:
                            count += 1
                            os.rename(entry, str(count), src_dir_fd=fd, dst_dir_fd=stage)
                            pending.append(str(count))
                        else:
                            os.unlink(entry, dir_fd=fd)
                    except OSError:
                        pass
            finally:
                if fd != top:
                    os.close(fd)
            if name is not None:
                try:
                    os.rmdir(name, dir_fd=stage)
                except OSError:
                    pass
    finally:
        os.close(stage)
    os.rmdir(stage_name, dir_fd=top)


def _new_folder(top: int) -> str:
    for n in range(1000):
        name = f".nnb-remove-{os.getpid()}-{n}"
        try:
            os.mkdir(name, 0o700, dir_fd=top)
            return name
        except FileExistsError:
            continue
    raise OSError("no staging folder could be made")


def _writable(fd: int) -> None:
    """Give the folder open as `fd` owner permissions: a submission may have taken them away."""
    try:
        os.fchmod(fd, 0o700)
    except OSError:
        pass
