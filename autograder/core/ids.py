"""Student ids are data: a student id is a folder name, and any name the filesystem allows is one.
(And so is any text that comes from a submission: `printable` and `clip` serve it too.)

Inside the grader an id is the folder's name as Python reads it (bytes that are not UTF-8
kept as surrogate escapes). From it come:
- `id_bytes`: the exact bytes, which seed the student's inputs (the same folder, the same grade);
- `printable`: the id for people, in CSV cells, pages and the terminal: bytes that are not
  UTF-8 as \\xNN, control and invisible formatting characters as \\n, \\x1b, \\u202e..., and
  (for ids) backslashes doubled, so no two ids print the same;
- `file_stem`: the name of the student's output files: the id itself when it is short and
  plain, else a plain prefix, "~" and a hash of its bytes. grades.csv records it (column `file`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # control, format (bidi), surrogate, private, unassigned


def id_bytes(student: str) -> bytes:
    return student.encode("utf-8", "surrogateescape")


def printable(text: str, exact: bool = False) -> str:
    """`text` with every character a terminal, spreadsheet or page could take as control shown escaped:
    bytes that are not UTF-8 as \\xNN, other surrogates, control and format characters as \\n, \\x1b, \\u202e...

    exact=True (for ids) also doubles backslashes, so two different ids never print the same.
    """
    text = str(text)
    if exact:
        text = text.replace("\\", "\\\\")
    if text.isascii() and text.isprintable():  # most text: nothing to escape (the rest below gives it unchanged)
        return text
    try:
        text = id_bytes(text).decode("utf-8", "backslashreplace")  # surrogate escapes: the bytes they stand for
    except UnicodeEncodeError:
        pass  # other lone surrogates: escaped below
    if text.isprintable():
        return text
    return "".join(c if c == " " or unicodedata.category(c) not in _HIDDEN and c.isprintable()
                   else c.encode("unicode_escape", "backslashreplace").decode("ascii") for c in text)


MESSAGE_CHARS = 300  # of one feedback message or note: a student's own text is part of some


def clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    """At most `limit` characters of `text`, "..." marking a cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def file_stem(student: str) -> str:
    """A file name for the student's outputs: the id when it is plain, else `<plain part>~<hash>`."""
    if PLAIN.fullmatch(student):
        return student
    plain = re.sub(r"[^A-Za-z0-9._@+-]+", "_", printable(student)).lstrip("._@+-").rstrip("._-")[:40] or "student"
    return f"{plain}~{hashlib.sha256(id_bytes(student)).hexdigest()[:12]}"  # "~": never in a plain id


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading =, +, -, @, tab or return would start a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else text  # "'": one-to-one
