"""Make student stubs from reference solutions (like nbgrader's ClearSolutions).

A solution region is the lines between `### BEGIN SOLUTION` and `### END SOLUTION`.
Inside a function it becomes `raise NotImplementedError("<function> is not
implemented yet")`; outside a function it may only hold dict entries
(`"key": value,`), whose values become `None`. Anything else is an error that
names the file and line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.spec.assignment import MODULES

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"

_DEF = re.compile(r"^(\s*)def\s+(\w+)\s*\(")
_DICT_ENTRY = re.compile(r"""^(\s*)("[^"]*"|'[^']*')\s*:""")


class MarkerError(ValueError):
    """A malformed solution region; the message names the file and line."""


@dataclass(frozen=True)
class Region:
    """Lines [begin, end] (0-based, marker lines included) of one solution region."""

    begin: int
    end: int


def find_regions(lines: list[str], filename: str) -> list[Region]:
    """Locate every solution region, checking the markers pair up."""
    regions, open_at = [], None
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if open_at is not None:
                raise MarkerError(f"{filename}:{i + 1}: {BEGIN} inside the region opened at line {open_at + 1}; close it with {END} first")
            open_at = i
        elif marker == END:
            if open_at is None:
                raise MarkerError(f"{filename}:{i + 1}: {END} without a matching {BEGIN}")
            if i == open_at + 1:
                raise MarkerError(f"{filename}:{i + 1}: empty solution region (opened at line {open_at + 1})")
            regions.append(Region(open_at, i))
            open_at = None
        elif "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            raise MarkerError(f"{filename}:{i + 1}: marker must stand alone on its line as {BEGIN!r} or {END!r}")
    if open_at is not None:
        raise MarkerError(f"{filename}:{open_at + 1}: {BEGIN} is never closed with {END}")
    return regions


def _enclosing_function(lines: list[str], region: Region) -> str | None:
    indent = len(lines[region.begin]) - len(lines[region.begin].lstrip())
    for line in reversed(lines[: region.begin]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < indent:
            return match.group(2)
        if line.strip() and len(line) - len(line.lstrip()) == 0 and not line.startswith(("#", ")", "]", "}", '"', "'")):
            return None  # reached module level without finding a def
    return None


def _stub_region(lines: list[str], region: Region, filename: str) -> list[str]:
    marker = lines[region.begin]
    indent = marker[: len(marker) - len(marker.lstrip())]
    function = _enclosing_function(lines, region)
    if function is not None:
        return [f'{indent}raise NotImplementedError("{function} is not implemented yet")\n']
    stubbed = []
    for i in range(region.begin + 1, region.end):
        match = _DICT_ENTRY.match(lines[i])
        if not match:
            raise MarkerError(
                f"{filename}:{i + 1}: a solution region outside a function may only hold "
                f'dict entries like "key": value, (found {lines[i].strip()!r})'
            )
        stubbed.append(f"{match.group(1)}{match.group(2)}: None,\n")
    return stubbed


def make_stub(source: str, filename: str) -> str:
    """Return the stub text for one solution module's source."""
    lines = source.splitlines(keepends=True)
    regions = find_regions(lines, filename)
    if not regions:
        raise MarkerError(f"{filename}: no {BEGIN} / {END} region found; mark each answer")
    out, pos = [], 0
    for region in regions:
        out.extend(lines[pos : region.begin])
        out.extend(_stub_region(lines, region, filename))
        pos = region.end + 1
    out.extend(lines[pos:])
    stub = "".join(out)
    try:
        compile(stub, filename, "exec")
    except SyntaxError as exc:
        raise MarkerError(f"{filename}:{exc.lineno}: the stub would not be valid Python ({exc.msg}); "
                          "put each solution region around whole statements") from None
    return stub


def solution_lines(source: str, filename: str) -> set[str]:
    """The stripped lines inside solution regions that carry content (not bare brackets)."""
    lines = source.splitlines()
    found = set()
    for region in find_regions(lines, filename):
        for line in lines[region.begin + 1 : region.end]:
            text = line.strip()
            if text and not re.fullmatch(r"[\s\[\](){},:;]*", text):
                found.add(text)
    return found


def write_stubs(solutions_dir: Path, assignment_dir: Path) -> list[Path]:
    """Regenerate assignment/<module>.py from solutions/<module>.py; returns the written paths."""
    written = []
    for name in MODULES:
        source_path = solutions_dir / name
        target = assignment_dir / name
        target.write_text(make_stub(source_path.read_text(), str(source_path)))
        written.append(target)
    return written
