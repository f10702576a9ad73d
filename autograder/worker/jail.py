"""The worker's view of the system: the `namespaces` backend's jail; a fresh /tmp and pid namespace per submission.

`enter(spec)` (namespaces backend only, as root in new namespaces): mounts a tmpfs root
holding read-only binds of the given folders, /proc of the new pid namespace and a few
device nodes, then chroots into it. Submissions later run there as an unprivileged uid,
which cannot leave a chroot.

`fresh_tmp(spec)` (every sandboxed backend, in the zygote before each child): detaches the
last submission's /tmp and mounts a new tmpfs of a fixed size there, so nothing a submission
leaves (files, links, folders of any depth) reaches the next one, and nothing needs
cleaning: the kernel frees the old tmpfs once its last process is gone. Binds the sandbox
needs under /tmp (a project that lives there) are made again from their stash.

`private_proc()` (every sandboxed backend, once): other processes' /proc entries hidden.

`fresh_pid_namespace(own)` (every sandboxed backend, in the zygote before each fork): the
next child starts a pid namespace of its own, as its pid 1, so process ids (and how many
processes the last submission started) say nothing about earlier submissions, and the
kernel ends every process in it when the child ends.
"""
import ctypes
import os

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)
MNT_DETACH = 2
CLONE_NEWPID = 0x20000000
DEVICES = ("null", "zero", "full", "random", "urandom")
_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source, target, fstype, flags, data=None):
    encode = lambda s: None if s is None else s.encode()  # noqa: E731
    if _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def _bind_readonly(source, target):
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def enter(spec: dict) -> None:
    """spec: {"root": empty folder, "binds": [[source, target]], "symlinks": [[target, path]]}."""
    root = spec["root"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for folder in ("/tmp", "/proc", "/dev"):
        os.makedirs(root + folder)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for name in DEVICES:
        open(f"{root}/dev/{name}", "w").close()
        _mount(f"/dev/{name}", f"{root}/dev/{name}", None, MS_BIND)
    for source, target in spec["binds"]:
        os.makedirs(root + target, mode=0o755, exist_ok=True)
        _bind_readonly(source, root + target)
    for target, path in spec["symlinks"]:
        os.symlink(target, root + path)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir("/")


def fresh_tmp(spec: dict) -> None:
    """spec: {"size_mb": n, "inodes": n, "keep": [[stash, target under /tmp]]}: a new, empty /tmp."""
    _libc.umount2(b"/tmp", MNT_DETACH)  # the last submission's (EINVAL the first time: nothing there yet)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={int(spec['size_mb'])}m,nr_inodes={int(spec['inodes'])},mode=1777")
    for stash, target in spec.get("keep", []):
        os.makedirs(target, mode=0o755, exist_ok=True)
        _bind_readonly(stash, target)


def fresh_pid_namespace(own: int) -> None:
    """Make the next fork's child pid 1 of a new pid namespace; `own`: an fd of the zygote's own one.

    unshare(CLONE_NEWPID) works once per namespace the children go to: going back to our own
    first (setns) lets the next submission have a new one too.
    """
    for call, args, what in ((_libc.setns, (own, CLONE_NEWPID), "setns"), (_libc.unshare, (CLONE_NEWPID,), "unshare")):
        if call(*args) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"{what} (pid namespace): {os.strerror(errno)}")


def private_proc() -> None:
    """Remount /proc so that a submission sees its own processes only, not the zygote or pid 1.

    Their counters (a parent's total of its children's page faults and CPU time, in /proc/<pid>/stat)
    would tell one submission what the one before did. Root (gid 0), the zygote, still sees all.
    """
    _mount(None, "/proc", None, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible,gid=0")
