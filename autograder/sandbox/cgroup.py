"""A memory cgroup for a worker slot, where the host lets the grader make one.

An rlimit bounds one process's address space; a submission may start `limits.processes`
of them, and the files in its /tmp are memory too. A cgroup bounds them all together:
the slot's sandbox (the zygote and the one submission it runs at a time) joins a cgroup
of its own whose limit is `limits.memory_mb + limits.scratch_mb` plus room for the zygote.
Past it the kernel's OOM killer ends a process of the submission (they ask to be chosen
first), which costs the call it was in.

cgroup v2 (memory.max) where this process's cgroup may have children with the memory
controller, else cgroup v1's memory controller (memory.limit_in_bytes). Neither needs more
than the grader running as root with the cgroup filesystem writable; where that is not so
(a container without it, macOS), `MemoryGroup.make` returns None and only the rlimits apply
(`python -m autograder doctor` says which).
"""
from __future__ import annotations

import time
from pathlib import Path

ZYGOTE_ROOM_MB = 256  # the zygote (numpy loaded) and bwrap, which share the slot's cgroup


class MemoryGroup:
    """One cgroup with a memory limit; `wrap(argv)` starts a command inside it."""

    def __init__(self, path: Path, version: int):
        self.path, self.version = path, version

    @classmethod
    def make(cls, name: str, limit_mb: int) -> MemoryGroup | None:
        """A new cgroup `name` beside this process's own, limited to limit_mb MiB; None where none can be made."""
        for version, parent in _parents():
            path = parent / name
            try:
                if path.is_dir():
                    path.rmdir()  # left by a run that was killed (its uid, so its name, is ours now)
                path.mkdir()
            except OSError:
                continue
            group = cls(path, version)
            try:
                group._limit(limit_mb << 20)
                return group
            except OSError:
                group.remove()
        return None

    def _limit(self, limit: int) -> None:
        if self.version == 2:
            (self.path / "memory.max").write_text(str(limit))
            if (self.path / "memory.swap.max").exists():
                (self.path / "memory.swap.max").write_text("0")
        else:
            (self.path / "memory.limit_in_bytes").write_text(str(limit))
            if (self.path / "memory.memsw.limit_in_bytes").exists():  # no swapping past the limit either
                (self.path / "memory.memsw.limit_in_bytes").write_text(str(limit))

    def wrap(self, argv: list[str]) -> list[str]:
        """argv, started in this cgroup (a shell moves itself in, then execs it: nothing runs outside first)."""
        procs = self.path / "cgroup.procs"
        return ["/bin/sh", "-c", 'echo $$ > "$0" && shift && exec "$@"', str(procs), "--", *argv]

    def peak_mb(self) -> float:
        """The most memory the cgroup has held, MiB (0 if the kernel does not say)."""
        for name in ("memory.peak", "memory.max_usage_in_bytes"):
            try:
                return int((self.path / name).read_text()) / (1 << 20)
            except (OSError, ValueError):
                continue
        return 0.0

    def remove(self) -> None:
        """Remove the (empty) cgroup; its last processes may take a moment to be gone."""
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


def _parents() -> list[tuple[int, Path]]:
    """Folders where a memory cgroup could be made beside ours: cgroup v2 first, then v1's memory hierarchy."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    own = {}
    for line in lines:
        number, controllers, path = line.split(":", 2)
        own["2" if number == "0" else controllers] = path
    found = []
    for line in mounts:
        fields = line.split()
        fstype = fields[fields.index("-") + 1]
        root, point, options = fields[3], Path(fields[4]), fields[-1].split(",")
        if fstype == "cgroup2" and "2" in own:
            parent = point / own["2"].removeprefix(root).lstrip("/")
            if "memory" in _words(parent / "cgroup.subtree_control"):
                found.insert(0, (2, parent))
        elif fstype == "cgroup" and "memory" in options:
            path = next((p for c, p in own.items() if "memory" in c.split(",")), None)
            if path is not None:
                found.append((1, point / path.removeprefix(root).lstrip("/")))
    return found


def _words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []
