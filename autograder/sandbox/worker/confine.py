"""What a submission process may do: no capabilities, no new privileges, and a seccomp filter that
allows the ordinary system calls of a Python program (ALLOWED), refuses every other (ENOSYS), and,
among the allowed, refuses kernel state which could outlive a submission or escape its limits.

Refused (EPERM), so nothing one submission makes can reach the next one or hold memory
outside its address-space limit:
- new namespaces (unshare, setns, clone with CLONE_NEW*): a user namespace would let code
  mount a tmpfs of any size, or its own /proc;
- mounts of every kind;
- keyrings (add_key, request_key, keyctl): a user's keyring outlives its processes;
- sockets of every family (socket, socketpair): a network connection leaves state behind in
  the slot's network namespace (TIME_WAIT, counters), and socket buffers are kernel memory
  that counts against no limit; pipes (pipe, pipe2): each takes the next number of a counter
  of the kernel's that the next submission's pipes show (and graded code needs none);
- System V shared memory, semaphores and message queues, and POSIX message queues: they
  outlive their processes and, unattached, count against no limit; memory files (memfd),
  which count against no limit either (files in /tmp count against its tmpfs's size);
- the page cache's state: advice that evicts or probes it (fadvise, readahead, mincore,
  cachestat, madvise's MADV_COLD and MADV_PAGEOUT, preadv2/pwritev2 with their flags such as
  RWF_NOWAIT), and what reads which pages of a mapping are present (move_pages, whose status
  tells which neighbours a fault mapped: the cached ones) or moves them between memory nodes
  (migrate_pages, mbind): one submission could leave bits in which pages of a system file are
  cached;
- numbers from machine-wide counters that each submission's own mounts move: unique mount ids
  (statx's STATX_MNT_ID_UNIQUE, statmount, listmount, file handles) and file handles at all;
- kernel objects keyed by a file, which every submission shares read-only (the system, Python,
  the worker) with every other submission graded at the same time, in this run or another one:
  file locks (flock and fcntl's POSIX and open-file-description locks "succeed" and take no lock, so
  a program's own sqlite file still works; the queries are refused), leases,
  directory notifications (fcntl's F_NOTIFY) and inotify / fanotify watches, and futexes
  shared between processes (a futex not marked private on a page of a file is keyed by the
  file): waits on one return at once (EAGAIN; the C library's pthread_join then spins until
  the thread is gone), wakes and priority-inheritance operations are refused, and so are the
  futex2 calls, whose flags the filter cannot see. Any of these let two submissions running
  at once pass each other data;
- kernel interfaces graded code never needs: bpf, perf_event_open, userfaultfd, io_uring,
  Linux AIO, huge-page mappings, ptrace, pidfds (pidfd_open, clone's CLONE_PIDFD), module
  loading, kexec, swap, accounting. AIO contexts and huge-page mappings, like pipes, take inode
  numbers from a kernel counter; pidfds' numbers count the machine's processes.
clone3 answers ENOSYS, so the C library falls back to clone, whose flags the filter can see; so does
openat2, whose RESOLVE_CACHED answers from the kernel's cache of names looked up (names that do not
exist included), which every submission's lookups in the shared folders fill.

Built once in the zygote with libseccomp (through ctypes); each child drops every capability
and installs the exported program with two prctl calls just before it runs student code.
"""
import ctypes
import errno
import os

ALLOW = 0x7FFF0000
SCMP_FLTATR_CTL_OPTIMIZE = 8
_ERRNO = 0x00050000
CLONE_PIDFD = 0x00001000
STATX_MNT_ID_UNIQUE = 0x4000
MAP_HUGETLB = 0x40000
# System calls since Linux 5.1 have one number on every architecture (x86_64 and arm64 alike), and
# libseccomp 2.5 does not know the newest by name: cachestat (the page cache's state) and statmount /
# listmount (mount ids, from a machine-wide counter each submission's mounts move).
NEWER = {"cachestat": 451, "statmount": 457, "listmount": 458}
# futex2 (futex_waitv, futex_wake, futex_wait, futex_requeue: flags the filter cannot see, or that the C library
# does not use) is not on ALLOWED: refused (ENOSYS) like clone3.
FUTEX_PRIVATE_FLAG = 128
FUTEX_WAITS = (0, 9)  # FUTEX_WAIT, FUTEX_WAIT_BITSET: when shared, they return EAGAIN at once
FUTEX_REFUSED = (1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13)  # shared wakes, requeues and priority-inheritance operations
# fcntl(fd, cmd, ...): locks and their queries (32-bit F_*LK64 too), leases, directory notifications
FCNTL_REFUSED = (5, 6, 7, 12, 13, 14, 36, 37, 38, 1024, 1025, 1026)
FCNTL_TAKE_LOCK = (6, 7, 13, 14, 37, 38)  # F_SETLK(W)(64), F_OFD_SETLK(W): answered 0, no lock taken
# fcntl's other commands: descriptors, status flags, owner and signal, pipe sizes, seals, write hints
FCNTL_ALLOWED = (0, 1, 2, 3, 4, 8, 9, 10, 11, 15, 16, 1030, 1031, 1032, 1033, 1034, 1035, 1036, 1037, 1038)
MADV_ALLOWED = (0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 22, 23, 24, 25)  # all but 20, 21
REFINED = ("clone", "statx", "mmap", "mmap2", "madvise", "fcntl", "fcntl64", "futex", "futex_time64")
# Every other system call is refused (ENOSYS, so the C library falls back where it can): what a Python
# program computing with numpy, printing, timing itself, using threads or files in /tmp does, and nothing
# more. The rules above refine some of these (clone, futex, fcntl, mmap, madvise, statx). A system call a
# later kernel adds is refused until it is added here. Not ioctl (answered ENOTTY, below): a device's or a file
# system's own commands on the files every submission shares (ext4's extent cache, say).
ALLOWED = (
    # files, in /tmp and read-only elsewhere
    "read", "write", "readv", "writev", "pread64", "pwrite64", "open", "openat", "creat", "close", "close_range",
    "lseek", "_llseek", "stat", "fstat", "lstat", "newfstatat", "fstatat64", "stat64", "fstat64", "lstat64", "statx",
    "access", "faccessat", "faccessat2", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat",
    "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
    "readlink", "readlinkat", "chmod", "fchmod", "fchmodat", "umask", "truncate", "ftruncate", "fsync", "fdatasync",
    "utime", "utimes", "utimensat", "futimesat", "dup", "dup2", "dup3", "fcntl", "fcntl64", "statfs",
    "fstatfs", "statfs64", "fstatfs64", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
    "flistxattr", "mknod", "mknodat", "fallocate", "copy_file_range", "sendfile", "sendfile64",
    "poll", "ppoll", "select", "_newselect", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime",
    "signalfd", "signalfd4",
    # memory
    "brk", "mmap", "mmap2", "munmap", "mprotect", "mremap", "msync", "madvise", "membarrier", "get_mempolicy",
    "set_mempolicy",
    # processes, threads, signals, time
    "clone", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "kill", "tkill",
    "tgkill", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "getpgid", "getpgrp", "getsid", "setsid", "setpgid", "prctl", "arch_prctl", "set_tid_address",
    "set_robust_list", "get_robust_list", "futex", "futex_time64", "rseq", "sched_yield", "sched_getaffinity",
    "sched_setaffinity", "sched_getparam", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
    "getpriority", "setpriority", "getrlimit", "setrlimit", "prlimit64", "ugetrlimit", "getrusage", "times",
    "sysinfo", "uname", "capget", "sigaltstack", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn",
    "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pause", "alarm",
    "getitimer", "setitimer", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "getrandom", "restart_syscall", "getcpu",
)
_MASKED_EQ = 7  # SCMP_CMP_MASKED_EQ: (arg & datum_a) == datum_b. The kernel reads an int argument's low 32 bits
INT = 0xFFFFFFFF  # only: an equality on all 64 (SCMP_CMP_EQ) misses the same value with high bits set
MADV_COLD, MADV_PAGEOUT = 20, 21
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, _CAPABILITY_VERSION_3 = 47, 4, 0x20080522
NAMESPACE_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
                   "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000}
NAMESPACE_MASK = sum(NAMESPACE_FLAGS.values())
REFUSED = (
    "unshare", "setns",
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
    "open_tree", "mount_setattr",
    "add_key", "request_key", "keyctl",
    "socket", "socketpair", "pipe", "pipe2",
    "shmget", "shmat", "msgget", "semget", "mq_open", "mq_unlink", "ipc", "memfd_create", "memfd_secret",
    "fadvise64", "fadvise64_64", "arm_fadvise64_64", "readahead", "mincore", "preadv2", "pwritev2",
    "name_to_handle_at", "open_by_handle_at",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "ptrace", "pidfd_open", "pidfd_getfd", "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "io_setup", "io_submit", "io_getevents", "io_pgetevents", "io_cancel", "io_destroy",
    "swapon", "swapoff", "acct",
    "inotify_init", "inotify_init1", "inotify_add_watch", "fanotify_init", "fanotify_mark", "syslog",
    "move_pages", "migrate_pages", "mbind",
)
ESSENTIAL = ("unshare", "setns", "mount", "keyctl", "add_key", "shmget", "msgget", "semget", "mq_open", "clone3", "openat2",
             "move_pages", "ioctl",
             "socket", "socketpair", "pipe", "pipe2", "mincore", "preadv2", "flock", "inotify_init1")


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Filter:
    """The exported BPF program; `install()` applies it to the calling process (irreversibly)."""

    def __init__(self, program: bytes):
        self.buffer = ctypes.create_string_buffer(program, len(program))
        self.prog = _SockFprog(len(program) // 8, ctypes.cast(self.buffer, ctypes.c_void_p))
        self.libc = ctypes.CDLL(None, use_errno=True)

    def install(self) -> None:
        """Drop every capability (the zygote may hold some in a user namespace), then filter."""
        empty = (_CapData * 2)()
        if self.libc.capset(ctypes.byref(_CapHeader(_CAPABILITY_VERSION_3, 0)), empty) != 0 or \
                self.libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"dropping capabilities: {os.strerror(code)}")
        if self.libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
                self.libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(self.prog), 0, 0) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"installing the seccomp filter: {os.strerror(code)}")


def build() -> Filter:
    """The filter for this machine's architecture; OSError if libseccomp cannot be loaded or used."""
    try:  # by its soname: find_library would run ldconfig, and needs a writable temporary folder
        lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    except OSError as exc:
        raise OSError(errno.ENOENT, f"libseccomp is not installed ({exc}); apt-get install libseccomp2") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_ERRNO | errno.ENOSYS)  # every call not allowed below, whatever its number
    if not ctx:
        raise OSError(errno.EINVAL, "seccomp_init failed")
    # A binary tree over the system call numbers (libseccomp 2.5): every call a submission makes goes through
    # the filter, and a list of a thousand rules, tried one by one, made each call slower.
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)
    try:
        def rule(syscall: str, action: int, *compare: _ArgCmp) -> bool:
            number = lib.seccomp_syscall_resolve_name(syscall.encode())
            if number == -1:  # not a system call on this architecture
                return False
            args = (_ArgCmp * len(compare))(*compare) if compare else None
            return lib.seccomp_rule_add_array(ctx, action, number, len(compare), args) == 0

        allowed = [name for name in ALLOWED if name not in REFINED and rule(name, ALLOW)]
        if len(allowed) < 100:
            raise OSError(errno.EINVAL, f"seccomp: could allow only {len(allowed)} system calls")
        # The refined ones: allowed for the arguments below only (a rule allowing a call whatever its arguments
        # would make every rule on its arguments void). Each comparison masks what the kernel reads.
        never = NAMESPACE_MASK | CLONE_PIDFD
        refinements = [("clone", [_ArgCmp(0, _MASKED_EQ, never, 0)]),
                       ("statx", [_ArgCmp(3, _MASKED_EQ, STATX_MNT_ID_UNIQUE, 0)]),
                       ("mmap", [_ArgCmp(3, _MASKED_EQ, MAP_HUGETLB, 0)]), ("mmap2", [_ArgCmp(3, _MASKED_EQ, MAP_HUGETLB, 0)]),
                       *(("madvise", [_ArgCmp(2, _MASKED_EQ, INT, advice)]) for advice in MADV_ALLOWED),
                       *((name, [_ArgCmp(1, _MASKED_EQ, INT, command)]) for name in ("fcntl", "fcntl64")
                         for command in FCNTL_ALLOWED),
                       *((name, [_ArgCmp(1, _MASKED_EQ, FUTEX_PRIVATE_FLAG, FUTEX_PRIVATE_FLAG)])
                         for name in ("futex", "futex_time64"))]
        for name, compare in refinements:
            if not rule(name, ALLOW, *compare) and name in ("clone", "statx", "mmap", "madvise", "fcntl", "futex"):
                raise OSError(errno.EINVAL, f"seccomp: could not add the rules allowing {name}")
        added = {name for name in REFUSED if rule(name, _ERRNO | errno.EPERM)}
        # clone3, openat2 (flags behind a pointer; the C library falls back to clone / openat) and futex2 are
        # not on ALLOWED: the default answers them ENOSYS
        if rule("flock", _ERRNO | 0):  # "succeeds" and takes no lock, as fcntl's below: nothing shared is locked
            added.add("flock")
        if rule("ioctl", _ERRNO | errno.ENOTTY):  # "not a terminal": Python then uses fcntl (FIOCLEX) and isatty
            added.add("ioctl")  # says False; any other answer made tempfile.TemporaryFile fail
        for flag in [*NAMESPACE_FLAGS.values(), CLONE_PIDFD]:  # clone(flags, ...): refused with any of these
            if not rule("clone", _ERRNO | errno.EPERM, _ArgCmp(0, _MASKED_EQ, flag, flag)):
                raise OSError(errno.EINVAL, "seccomp: could not add the rule on clone's flags")
        for number in NEWER.values():  # newer than some libseccomp knows by name: the same number everywhere
            if lib.seccomp_rule_add_array(ctx, _ERRNO | errno.EPERM, number, 0, None) != 0:
                raise OSError(errno.EINVAL, f"seccomp: could not add the rule on system call {number}")
        # statx(dirfd, path, flags, mask, buffer): not the unique mount id, from a machine-wide counter
        if not rule("statx", _ERRNO | errno.EPERM, _ArgCmp(3, _MASKED_EQ, STATX_MNT_ID_UNIQUE, STATX_MNT_ID_UNIQUE)):
            raise OSError(errno.EINVAL, "seccomp: could not add the rule on statx")
        # mmap(addr, length, prot, flags, ...): no huge-page mappings (each takes an inode number from a counter)
        if not rule("mmap", _ERRNO | errno.EPERM, _ArgCmp(3, _MASKED_EQ, MAP_HUGETLB, MAP_HUGETLB)):
            raise OSError(errno.EINVAL, "seccomp: could not add the rule on mmap")
        # futex(uaddr, op, ...): op's low byte is the command and FUTEX_PRIVATE_FLAG; only shared ones match
        for name in ("futex", "futex_time64"):  # the second only where time_t was 32 bits
            for command in FUTEX_WAITS + FUTEX_REFUSED:
                action = _ERRNO | (errno.EAGAIN if command in FUTEX_WAITS else errno.EPERM)
                if not rule(name, action, _ArgCmp(1, _MASKED_EQ, 0xFF, command)) and name == "futex":
                    raise OSError(errno.EINVAL, "seccomp: could not add the rules on futex")
        for name in ("fcntl", "fcntl64"):
            for command in FCNTL_REFUSED:  # fcntl(fd, cmd, ...): taking a lock "succeeds" and takes none (a
                result = 0 if command in FCNTL_TAKE_LOCK else errno.EPERM  # program's own sqlite file still works)
                if not rule(name, _ERRNO | result, _ArgCmp(1, _MASKED_EQ, INT, command)) and name == "fcntl":
                    raise OSError(errno.EINVAL, "seccomp: could not add the rules on fcntl")
        for advice in (MADV_COLD, MADV_PAGEOUT):  # madvise(addr, length, advice)
            if not rule("madvise", _ERRNO | errno.EPERM, _ArgCmp(2, _MASKED_EQ, INT, advice)):
                raise OSError(errno.EINVAL, "seccomp: could not add the rules on madvise")
        missing = [name for name in ESSENTIAL if name not in added and name in allowed]
        if missing:
            raise OSError(errno.EINVAL, f"seccomp: could not add rules for {', '.join(missing)}")
        read, write = os.pipe()
        try:
            if lib.seccomp_export_bpf(ctx, write) != 0:
                raise OSError(errno.EINVAL, "seccomp_export_bpf failed")
            os.close(write)
            write = -1
            chunks = []
            while chunk := os.read(read, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(read)
            if write != -1:
                os.close(write)
        return Filter(b"".join(chunks))
    finally:
        lib.seccomp_release(ctx)
