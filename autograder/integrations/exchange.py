"""Collecting submissions from nbgrader's exchange, where anyone with an account can write.

nbgrader's `collect` copies inbound folders following links and only warns when a folder
claims a student who does not own it. Here each inbound folder
(`exchange/<course>/inbound/<student>+<assignment>+<time>+<random>/`) is read once, through
file descriptors opened without following links, into memory; what is copied to
`submitted/<student>/<assignment>/` is exactly what was read and checked, so nothing can
be swapped in between. A folder is rejected, and nothing of it is collected, when it is or
holds a link, a special file (FIFO, device, socket), more than MAX_FILES files, MAX_ENTRIES
files and folders or MAX_BYTES bytes, or anything owned by another uid than the student's
(where the student id is a user of this machine) or the folder's: a hard link to someone
else's file is theirs, so it is refused too. Of the rest, each student's latest is collected (as `nbgrader collect
--update` does: a newer one replaces an older one).
"""
from __future__ import annotations

import itertools
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.coordinator.late import MAX_TIMESTAMP_BYTES, decode_timestamp, parse_timestamp
from autograder.coordinator.trust import read_instructors_file
from autograder.core.files import overwrite_atomically
from autograder.core.ids import PLAIN, clip, printable
from autograder.core.tree import remove_tree

CLOCK_SLACK = 120  # seconds by which files may change after the submission time they claim (copying them)
# What nbgrader submit always writes, as it writes them (its release_feedback reads both as UTF-8 text).
REQUIRED = {"timestamp.txt": re.compile(rb"\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})? UTC\s*"),
            "submission_secret.txt": re.compile(rb"\s*[0-9a-fA-F]{16,256}\s*")}
COLLECTED = ".collected.json"
MAX_TRIES = 20  # a student's inbound folders read, newest first, to find one to collect
MAX_FILES = 64
MAX_ENTRIES = 4 * MAX_FILES  # files and folders: empty folders cost a look each
MAX_BYTES = 16 << 20  # a notebook and three modules are far less
MAX_DEPTH = 8
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Rejected(Exception):
    """Why an inbound folder is not collected: `kind` (one of KINDS) and a sentence."""

    def __init__(self, message: str, kind: str = "form"):
        super().__init__(clip(message, 300))
        self.kind = kind


# Kinds of rejection, the most alarming first: how the instructor sees them, grouped.
KINDS = {"owner": "claim to be another student's", "link": "are or hold links", "special": "hold special files",
         "changed": "changed while they were read", "form": "are not what nbgrader submit makes"}


@dataclass
class Inbound:
    name: str  # the inbound folder's name
    student: str
    timestamp: str
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> contents
    changed: float = 0.0  # the latest change time (ctime, set by the kernel) of the folder and its files
    entries: int = 0  # files and folders looked at

    def doubtful_time(self) -> str:
        """Why the submission time it claims cannot be true, or "": its files changed after it.

        nbgrader submit writes the files, then the time; a file changed later than CLOCK_SLACK
        after that time was changed after submitting (or the time was edited). It is reported,
        not corrected: an exchange copied from elsewhere has new change times too.
        """
        claimed = parse_timestamp(decode_timestamp(self.files.get("timestamp.txt", b""))[0])
        if claimed is None or self.changed <= claimed.timestamp() + CLOCK_SLACK:
            return ""
        changed = datetime.fromtimestamp(self.changed, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return f"files changed at {changed}, after the time it claims ({claimed.strftime('%Y-%m-%d %H:%M UTC')})"


@dataclass
class Collection:
    collected: list[Inbound] = field(default_factory=list)  # copied into submitted/ (see Inbound.doubtful_time)
    unchanged: list[Inbound] = field(default_factory=list)  # already there, as recent
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (inbound folder name, kind, why)


def collect(inbound: Path, assignment: str, submitted: Path) -> Collection:
    """Copy each student's latest acceptable inbound folder of `assignment` into `submitted`.

    A student's folders are read newest first, one at a time (memory holds one folder at most),
    until one is accepted; the older ones are not read. Raises Rejected if the inbound folder
    itself (or the course folder above it) is not ours.
    """
    result, record = Collection(), _load_record(submitted)
    _check_ours(inbound)
    folder = os.open(inbound, _DIR)
    try:
        candidates: dict[str, list] = {}
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries)
        for name in names:
            parts = name.rsplit("+", 3)
            if len(parts) != 4 or parts[1] != assignment:
                continue
            if not PLAIN.fullmatch(parts[0]):
                result.rejected.append((name, "form", f"the student id {clip(printable(parts[0]), 60)!r} is not "
                                                      "a plain user name"))
            elif parse_timestamp(parts[2]) is None:
                result.rejected.append((name, "form", f"{clip(printable(parts[2]), 60)!r} in its name is not a time"))
            else:
                candidates.setdefault(parts[0], []).append((parse_timestamp(parts[2]), name))
        first_with = _secrets(folder, candidates, submitted, assignment)
        for student in sorted(candidates):
            tries = 0  # of the student's own folders: forgeries by others (found by owner, first) do not count
            for stamp, name in sorted(candidates[student], reverse=True):
                if tries == MAX_TRIES:  # a flood of their own folders: the newest are enough to look at
                    result.rejected.append((name, "form", f"not read: {student} has more than {MAX_TRIES} "
                                                          "newer ones"))
                    continue
                try:
                    entry = _read(folder, name, student, name.rsplit("+", 3)[2])
                    secret = entry.files.get("submission_secret.txt", b"").strip()
                    if first_with.get(secret, student) != student:
                        raise Rejected(f"its submission_secret.txt is {first_with[secret]}'s, who submitted first "
                                       "(nbgrader makes a secret for each submission: this one was copied)", "owner")
                except Rejected as why:
                    result.rejected.append((name, why.kind, str(why)))
                    tries += why.kind != "owner"
                    continue
                target = submitted / student / assignment
                existing = _existing_time(target)
                if existing is not None and existing >= stamp:
                    result.unchanged.append(entry)
                else:
                    _write(target, entry)
                    result.collected.append(entry)
                    record[student] = {"from": name, "doubt": entry.doubtful_time()}
                break
    finally:
        os.close(folder)
    _save_record(submitted, record)
    return result


def _secrets(folder: int, candidates: dict[str, list], submitted: Path, assignment: str) -> dict[bytes, str]:
    """{secret: the student who had it first}. nbgrader names a student's released feedback page by the
    secret alone, so a student who submits with a classmate's (read from their nbgrader cache) would get
    that page. First: a submission collected before, else the inbound folder the kernel saw made first."""
    seen: dict[bytes, tuple[float, str]] = {}
    for path in submitted.glob(f"*/{assignment}/submission_secret.txt"):
        data = read_instructors_file(path, MAX_TIMESTAMP_BYTES)
        if data:
            seen.setdefault(data.strip(), (float("-inf"), path.parent.parent.name))
    for student, folders in candidates.items():
        tries = 0
        for _, name in sorted(folders, reverse=True):  # the student's own, newest first, as collect reads them
            try:
                info = os.stat(name, dir_fd=folder, follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode) or _owner(student, info.st_uid) != info.st_uid:
                    continue  # a link, or a forgery under the student's name: not theirs, and not read
                tries += 1
                if tries > MAX_TRIES:
                    break
                made = info.st_ctime
                top = os.open(name, _DIR, dir_fd=folder)
            except (OSError, Rejected):
                continue
            try:
                fd = os.open("submission_secret.txt", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=top)
                try:
                    secret_info = os.fstat(fd)
                    if not stat.S_ISREG(secret_info.st_mode):  # a FIFO or the like: _read rejects the folder
                        continue
                    made = max(made, secret_info.st_ctime)  # a secret written into an older folder is as new as it
                    secret = os.read(fd, MAX_TIMESTAMP_BYTES).strip()
                finally:
                    os.close(fd)
            except OSError:
                continue
            finally:
                os.close(top)
            if secret and (secret not in seen or made < seen[secret][0]):
                seen[secret] = (made, student)
    return {secret: student for secret, (_, student) in seen.items()}


def _load_record(submitted: Path) -> dict:
    data = read_instructors_file(submitted / COLLECTED, 16 << 20)
    try:
        students = json.loads(data)["students"] if data else {}
        return students if isinstance(students, dict) else {}
    except (ValueError, KeyError, TypeError, RecursionError):
        return {}


def _save_record(submitted: Path, students: dict) -> None:
    """submitted/.collected.json: for each student collected, the inbound folder their submission came
    from and any doubt about its time (grading shows it to the student and the instructor). An entry
    changes only when that student's submission is replaced. Students cannot write there."""
    submitted.mkdir(parents=True, exist_ok=True)
    overwrite_atomically(submitted / COLLECTED, json.dumps({"students": students}, indent=1, ensure_ascii=True))


def _check_ours(folder: Path) -> None:
    """The inbound folder (and the course folder above it) must be real folders owned by us or root."""
    for path in (folder.parent, folder):
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (os.geteuid(), 0):
            raise Rejected(f"{path} is not a folder of yours (owner uid {info.st_uid}): someone else made it; "
                           "remove it and release the assignment again")


def _read(inbound: int, name: str, student: str, timestamp: str) -> Inbound:
    """One inbound folder's files, checked as they are read (Rejected if anything is wrong)."""
    entry = Inbound(name, student, timestamp)
    try:
        info = os.stat(name, dir_fd=inbound, follow_symlinks=False)
        owner = _owner(student, info.st_uid)
        _check_owner(info, "the folder", owner)  # a forgery (a link too) is said as one, first
        if stat.S_ISLNK(info.st_mode):
            raise Rejected(f"it is a symbolic link (to {_target(inbound, name)})", "link")
        top = os.open(name, _DIR, dir_fd=inbound)
        try:
            _check_owner(os.fstat(top), "the folder", owner)  # the folder opened
            _required_first(top)
            _walk(top, "", entry, owner, 0)
        finally:
            os.close(top)
    except OSError as exc:  # it changed while it was read: nothing of it is taken
        raise Rejected(f"it changed while it was read ({exc.strerror})", "changed") from None
    missing = [required for required in REQUIRED if required not in entry.files]
    if missing:
        raise Rejected(f"it has no {' and no '.join(missing)}, which nbgrader submit always writes")
    for required, pattern in REQUIRED.items():  # nbgrader's release_feedback reads both as text
        if len(entry.files[required]) > MAX_TIMESTAMP_BYTES or not pattern.fullmatch(entry.files[required]):
            raise Rejected(f"its {required} is not what nbgrader submit writes")
    if decode_timestamp(entry.files["timestamp.txt"])[0] is None:  # the form of a time, but no real one
        raise Rejected("its timestamp.txt is not a time (a date or hour that does not exist)")
    return entry


def _required_first(top: int) -> None:
    """nbgrader's timestamp and secret, there and small, before anything else of the folder is read."""
    missing = []
    for required in REQUIRED:
        try:
            info = os.stat(required, dir_fd=top, follow_symlinks=False)
        except FileNotFoundError:
            missing.append(required)
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TIMESTAMP_BYTES:
            raise Rejected(f"its {required} is not what nbgrader submit writes")
    if missing:
        raise Rejected(f"it has no {' and no '.join(missing)}, which nbgrader submit always writes")


def _target(fd: int, name: str) -> str:
    """Where a link points, shortened and printable (it is the student's text)."""
    try:
        return clip(printable(os.readlink(name, dir_fd=fd)), 120)
    except OSError:
        return "?"


def _owner(student: str, folder_owner: int) -> int:
    """The uid everything in a student's inbound folder must belong to.

    Where the student id is a user of this machine, that user's uid. Otherwise the folder's
    owner, unless that is another user of this machine, who then claims to be someone else.
    (Without user accounts, as when an instructor tries the exchange alone, nothing tells
    people apart by owner; links and special files are refused all the same.)
    """
    import pwd

    try:
        return pwd.getpwnam(student).pw_uid
    except KeyError:
        pass
    try:
        other = pwd.getpwuid(folder_owner).pw_name
    except KeyError:
        return folder_owner
    if folder_owner in (0, os.geteuid()):
        return folder_owner
    raise Rejected(f"it claims to be {student}'s but belongs to {other} (uid {folder_owner})", "owner")


def _walk(fd: int, prefix: str, entry: Inbound, owner: int, depth: int) -> None:
    info = os.fstat(fd)
    _check_owner(info, clip(printable(prefix), 120) or "the folder", owner)
    entry.changed = max(entry.changed, info.st_ctime)
    if depth > MAX_DEPTH:
        raise Rejected(f"{clip(printable(prefix), 120)} is more than {MAX_DEPTH} folders deep")
    with os.scandir(fd) as listing:
        names = sorted(e.name for e in itertools.islice(listing, MAX_ENTRIES + 1))
    for name in names:
        path = f"{prefix}{name}"
        entry.entries += 1
        if entry.entries > MAX_ENTRIES:
            raise Rejected(f"it holds more than {MAX_ENTRIES} files and folders")
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            raise Rejected(f"{clip(printable(path), 120)} is a symbolic link (to {_target(fd, name)})", "link")
        if stat.S_ISDIR(info.st_mode):
            sub = os.open(name, _DIR, dir_fd=fd)
            try:
                _walk(sub, path + "/", entry, owner, depth + 1)
            finally:
                os.close(sub)
        elif stat.S_ISREG(info.st_mode):
            entry.files[path] = _read_file(fd, name, clip(printable(path), 120), entry, owner)
        else:
            raise Rejected(f"{clip(printable(path), 120)} is not a regular file (a FIFO, device or socket)", "special")


def _read_file(fd: int, name: str, path: str, entry: Inbound, owner: int) -> bytes:
    try:
        handle = os.open(name, _FILE, dir_fd=fd)
    except OSError as exc:
        raise Rejected(f"{path} cannot be read ({exc.strerror})", "changed") from None
    try:
        info = os.fstat(handle)  # the file actually opened: checked again, as it is read
        if not stat.S_ISREG(info.st_mode):
            raise Rejected(f"{path} is not a regular file", "special")
        if info.st_nlink > 1 and _protected_hardlinks():  # nobody could link another's file: it is one's own copy
            raise Rejected(f"{path} has other hard links (one file in several submissions)", "link")
        _check_owner(info, path, owner)
        entry.changed = max(entry.changed, info.st_ctime)
        if len(entry.files) >= MAX_FILES:
            raise Rejected(f"it holds more than {MAX_FILES} files")
        room = MAX_BYTES - sum(len(data) for data in entry.files.values())
        chunks, size = [], 0
        while chunk := os.read(handle, min(1 << 20, room + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > room:
                raise Rejected(f"it holds more than {MAX_BYTES >> 20} MiB")
        return b"".join(chunks)
    finally:
        os.close(handle)


def _protected_hardlinks() -> bool:
    """Whether users can hard-link only files they own or may write (then a link is never a classmate's file)."""
    try:
        return Path("/proc/sys/fs/protected_hardlinks").read_text().strip() == "1"
    except OSError:
        return False


def _check_owner(info: os.stat_result, path: str, owner: int) -> None:
    if info.st_uid != owner:
        raise Rejected(f"{path} is owned by uid {info.st_uid}{_name_of(info.st_uid)}, not by uid {owner}"
                       f"{_name_of(owner)}, whose submission it claims to be", "owner")


def _name_of(uid: int) -> str:
    try:
        import pwd

        return f" ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return ""


def _existing_time(folder: Path):
    try:
        return parse_timestamp(decode_timestamp((folder / "timestamp.txt").read_bytes()[:256])[0])
    except OSError:
        return None


def _write(target: Path, entry: Inbound) -> None:
    """The folder's files (as read) at target, replacing what was there."""
    staging = target.with_name(f".{target.name}.collecting")
    remove_tree(staging)
    for path, data in entry.files.items():
        destination = staging / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    staging.mkdir(parents=True, exist_ok=True)
    if target.exists():
        remove_tree(target)
    os.replace(staging, target)
