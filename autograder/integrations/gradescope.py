"""The same grader as a Gradescope autograder: one container per submission, one config.

    python -m autograder.integrations.gradescope build [--out dist/autograder.zip]   (make gradescope)
    python -m autograder.integrations.gradescope run [--root /autograder]            (what run_autograder calls)

Gradescope unpacks the zip into /autograder/source, runs setup.sh once to build the
image, then run_autograder for each submission in /autograder/submission, expecting
/autograder/results/results.json. The zip carries the grader, the hidden tests, the
reference solutions and config.yaml; student code still runs in the sandbox, as an
unprivileged uid that cannot read /autograder/source or write /autograder/results.
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("autograder", "solutions", "config.yaml", "pyproject.toml", "README.md", "grader-requirements.txt")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image (Ubuntu).
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y python3 python3-venv bubblewrap libseccomp2
# The pinned numpy needs Python 3.11 or newer: Ubuntu 24.04's python3; 22.04 has python3.11 beside its 3.10.
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  apt-get install -y python3.11 python3.11-venv
  PYTHON=python3.11
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir --requirement /autograder/source/grader-requirements.txt
/autograder/venv/bin/python -m compileall -q /autograder/source  # compiled once here, not per submission
# Only root may read the grader, the hidden tests and the solutions, whatever backend ends up running.
chown -R root:root /autograder/source
chmod -R go-rwx /autograder/source
chmod 755 /autograder
/autograder/venv/bin/python -c "import sys; sys.path.insert(0, '/autograder/source'); from autograder.cli import main; main(['doctor', '--config', '/autograder/source/config.yaml'])"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root, in a fresh container of the image setup.sh built.
cd /autograder/source && exec /autograder/venv/bin/python -m autograder.integrations.gradescope run --root /autograder
"""


def build(out: Path) -> Path:
    """dist/autograder.zip: setup.sh and run_autograder at the root, then the grader's files."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            archive.writestr(info, text)
        for top in SHIPPED:
            path = ROOT / top
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                if "__pycache__" in file.parts or file.suffix == ".pyc":
                    continue
                info = zipfile.ZipInfo(file.relative_to(ROOT).as_posix(), date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                archive.writestr(info, file.read_bytes())
    return out


def student_id(root: Path) -> str:
    """Who submitted (from Gradescope's submission_metadata.json): seeds their own test cases."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text()).get("users") or []
        user = users[0]
        text = str(user.get("email") or user.get("id") or "submission")
        # as a folder name would be: its UTF-8 bytes (a lone surrogate too), undecodable ones escaped
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogateescape")
    except (OSError, ValueError, IndexError, AttributeError):
        return "submission"


def run(root: Path) -> int:
    """Grade /autograder/submission; write /autograder/results/results.json (fail closed on any error)."""
    from autograder.coordinator.pool import Shards

    config_path = (root / "source" / "config.yaml").resolve()
    # The grading process starts first (its sandbox takes longest to be ready) while the rest is read.
    with Shards(config_path, 1) as shards:
        return _run(root, config_path, shards)


def _run(root: Path, config_path: Path, shards) -> int:
    from autograder.coordinator.batch import grade
    from autograder.coordinator.discover import read_submission
    from autograder.coordinator.pool import fault_result
    from autograder.core.ids import printable
    from autograder.grading.job import SubmissionDir
    from autograder.grading.plugin import declared_tests
    from autograder.outputs.results import gradescope_json
    from autograder.spec.config import load_config

    # The written items are a separate Gradescope assignment (README, "Gradescope"): not in this score.
    config = load_config(config_path, declared_tests()).without_written()
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    job = SubmissionDir(student_id(root), root / "submission", submitted=read_submission(root / "submission"))
    try:
        with tempfile.TemporaryDirectory(prefix="nnb-gradescope-") as out:  # the grader's own outputs: not kept
            result = grade([job], Path(out) / "out", config, regrade_all=True, shards=shards).results[0]
    except Exception as exc:  # noqa: BLE001 - Gradescope must still get every item, at 0, with a reason
        result = fault_result(job, config, f"grader error: {exc}")
    text = gradescope_json(result, config)
    tmp = results_dir / ".results.json.tmp"
    tmp.write_text(text)
    os.replace(tmp, results_dir / "results.json")
    print(f"graded {result.name}: {result.total:g} / {config.max_total:g}"
          + (f" (fault: {printable(result.fault)})" if result.fault else ""))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.integrations.gradescope", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="make the autograder zip to upload to Gradescope")
    b.add_argument("--out", default=str(ROOT / "dist" / "autograder.zip"))
    r = sub.add_parser("run", help="grade one submission laid out as Gradescope does")
    r.add_argument("--root", default="/autograder")
    args = parser.parse_args(argv)
    if args.command == "build":
        path = build(Path(args.out))
        print(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")
        return 0
    return run(Path(args.root))


if __name__ == "__main__":
    sys.exit(main())
