"""The floor grader of `make bench`: the same sandbox, inputs and reference as the grader, and it really grades."""
import json
import subprocess
import sys

from autograder.devtools.samples import MISTAKES, stubs, variant, write_class
from helpers import ROOT


def test_the_floor_gives_full_marks_to_correct_code_only(tmp_path):
    write_class(tmp_path / "class", {"right": variant(), "also-right": variant(),
                                     "transposed": variant(*MISTAKES["W1_not_transposed"]), "stubs": stubs()})
    proc = subprocess.run([sys.executable, "-m", "autograder.devtools.floor", str(tmp_path / "class"), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    done = json.loads(proc.stdout.strip().splitlines()[-1])
    assert done["students"] == 4 and done["full_marks"] == 2 and done["wall_s"] > 0
