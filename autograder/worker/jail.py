"""The `namespaces` backend's filesystem view, built by the worker itself (as root, in new namespaces).

Mounts a tmpfs root holding read-only binds of the given folders, the slot's
scratch folder as /tmp, /proc of the new pid namespace and a few device nodes, then chroots into
it. Submissions later run there as an unprivileged uid, which cannot leave a chroot.
"""
import ctypes
import os

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)
DEVICES = ("null", "zero", "full", "random", "urandom")
_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source, target, fstype, flags, data=None):
    encode = lambda s: None if s is None else s.encode()  # noqa: E731
    if _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def enter(spec: dict) -> None:
    """spec: {"root": empty folder, "binds": [[source, target]], "symlinks": [[target, path]], "tmp": folder}."""
    root = spec["root"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    os.makedirs(root + "/tmp")  # before the binds: the project itself may live under /tmp
    _mount(spec["tmp"], root + "/tmp", None, MS_BIND)  # the slot's scratch, emptied by the grader
    os.makedirs(root + "/proc")
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/dev")
    for name in DEVICES:
        open(f"{root}/dev/{name}", "w").close()
        _mount(f"/dev/{name}", f"{root}/dev/{name}", None, MS_BIND)
    for source, target in spec["binds"]:
        where = root + target
        os.makedirs(where, mode=0o755, exist_ok=True)
        _mount(source, where, None, MS_BIND | MS_REC)
        _mount(None, where, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
    for target, path in spec["symlinks"]:
        os.symlink(target, root + path)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir("/")
