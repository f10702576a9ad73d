"""The worker's view of the system: the `namespaces` backend's jail, and each submission's own view.

`enter(spec)` (namespaces backend only, as root in new namespaces): mounts a tmpfs root
holding read-only binds of the given folders, /proc of the new pid namespace and a few
device nodes, then chroots into it. Submissions later run there as an unprivileged uid,
which cannot leave a chroot.

In every sandboxed backend, each submission's first process starts with:
- `fresh_pid_namespace(own)`, in the zygote before the fork: the child is pid 1 of a pid
  namespace of its own, so process ids say nothing about earlier submissions, and the
  kernel ends every process in it when the child ends;
- `own_view(spec)`, in the child before it drops privileges: a mount namespace of its own
  with a new tmpfs of fixed size as /tmp (binds the sandbox needs under /tmp, for a project
  that lives there, made again from their stash), its files in a new read-only tmpfs as
  /submission, and an empty /proc (procfs shows kernel-wide counters).
  Nothing a submission leaves there (files, links, folders of any depth) reaches the next
  one, and nothing needs cleaning: the kernel frees it all when its last process is gone.
`quiet_devices()`, in the zygote once: no pseudo-terminals (their buffers are kernel memory
no cgroup counts).
"""
import ctypes
import os

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)
CLONE_NEWNS, CLONE_NEWPID = 0x00020000, 0x20000000
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
    for folder in ("/tmp", "/proc", "/dev", "/submission", PIPES):
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


def own_view(spec: dict) -> None:
    """spec: {"size_mb": n, "inodes": n, "keep": [[stash, target under /tmp]], "staging": dir, "submission": dir}:
    this process's own mounts, a new /tmp, its files as /submission, and an empty /proc.

    No procfs at all: graded code needs none, and what it shows is the kernel's (inode numbers
    from a global counter, counts of cached names in /proc/sys) that one submission can move
    and the next read."""
    if _libc.unshare(CLONE_NEWNS) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare (mount namespace): {os.strerror(errno)}")
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={int(spec['size_mb'])}m,nr_inodes={int(spec['inodes'])},mode=1777")
    for stash, target in spec.get("keep", []):
        os.makedirs(target, mode=0o755, exist_ok=True)
        _bind_readonly(stash, target)
    _mount("tmpfs", "/proc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    _own_submission(spec["staging"], spec["submission"])
    for shared in ("/", "/dev"):  # the sandbox's own folders, the same for every child: read-only here, so that
        if os.path.ismount(shared):  # not even their access times move (the jail's /dev is in its read-only root)
            _mount(None, shared, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def _own_submission(staging: str, submission: str) -> None:
    """The submission's files, copied from the slot's staging folder into a new read-only tmpfs.

    Nothing about them (folder size, inode numbers, times) then tells of an earlier submission,
    as the slot's own folder, written over and over, would; the staging folder is hidden.
    """
    _mount("tmpfs", submission, "tmpfs", MS_NOSUID | MS_NODEV, "size=20m,nr_inodes=64,mode=0755")
    for name in sorted(os.listdir(staging)):
        source = os.open(os.path.join(staging, name), os.O_RDONLY | os.O_NOFOLLOW)
        try:
            target = os.open(os.path.join(submission, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                while chunk := os.read(source, 1 << 20):
                    os.write(target, chunk)
            finally:
                os.close(target)
        finally:
            os.close(source)
    _mount(None, submission, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _mount("tmpfs", staging, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0755")


def quiet_devices() -> None:
    """Devices that keep nothing: an empty, read-only /dev/pts (no pseudo-terminals), and /dev/null and
    the others bound read-only (they are the host's nodes: writing to them works, changing their times,
    which any later process could read, does not). Also: what children mount stays theirs."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    if os.path.isdir("/dev/pts"):
        _mount("tmpfs", "/dev/pts", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0755")
    for name in (*DEVICES, "tty"):
        if os.path.exists(f"/dev/{name}"):
            _mount(None, f"/dev/{name}", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def fresh_pid_namespace(own: int) -> None:
    """Make the next fork's child pid 1 of a new pid namespace; `own`: an fd of the zygote's own one.

    unshare(CLONE_NEWPID) works once per namespace the children go to: going back to our own
    first (setns) lets the next submission have a new one too.
    """
    for call, args, what in ((_libc.setns, (own, CLONE_NEWPID), "setns"), (_libc.unshare, (CLONE_NEWPID,), "unshare")):
        if call(*args) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"{what} (pid namespace): {os.strerror(errno)}")


PIPES = "/.nnb-pipes"  # where the FIFOs of each child are made, in a tmpfs of their own, then let go


def fresh_pipes() -> tuple[list[int], list[int]]:
    """([requests read, answers write, output write] for the child, [requests write, answers read,
    output read] for the grader): FIFOs in a new tmpfs, so their inode numbers are the same for
    every child (pipes' come from a kernel counter that tells of earlier children's pipes)."""
    _libc.umount2(PIPES.encode(), 2)  # the last child's (MNT_DETACH; EINVAL the first time)
    _mount("tmpfs", PIPES, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,nr_inodes=8,mode=0700")
    child, grader = [], []
    for name, child_reads in (("requests", True), ("answers", False), ("output", False)):
        path = f"{PIPES}/{name}"
        os.mkfifo(path, 0o600)
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a reader first: then a writer opens
        writer = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        os.set_blocking(reader, False)
        (child if child_reads else grader).append(reader)
        (grader if child_reads else child).append(writer)
    os.set_blocking(child[0], True)  # the child waits for requests
    _libc.umount2(PIPES.encode(), 2)  # open, they need no name
    for fd in child:
        os.set_inheritable(fd, True)
    return child, grader
