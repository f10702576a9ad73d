"""The benchmark itself runs, on a small class, and its ratio comes from its own measurements."""
import json
import subprocess
import sys

from helpers import ROOT


def test_bench_smoke(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder.devtools.bench", "--students", "12", "--small", "6",
                           "--nbgrader-sample", "2", "--jobs", "2", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads((tmp_path / "bench.json").read_text())
    ours, small, theirs = r["ours_12"], r["ours_6"], r["nbgrader"]
    assert ours["students"] == 12 and small["students"] == 6
    assert ours["wall_s"] > 0 and ours["peak_mib"] > 10 and 0 < ours["outside_student_code"] <= 1
    assert ours["median_ms"] <= ours["p95_ms"]
    assert theirs["students"] == 2 and theirs["wall_s"] > 0.5  # nbgrader really executed the notebooks
    assert all(0 <= s <= 100 for s in theirs["scores"].values())
    assert r["ratio"] == round(ours["per_s"] / theirs["per_s"], 1)
    assert "throughput ratio" in proc.stdout and r["backend"] in proc.stdout
