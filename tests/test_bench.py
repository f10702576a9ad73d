"""The benchmark itself runs, on a small class, and its ratio comes from its own measurements."""
import json
import subprocess
import sys

from helpers import ROOT


def test_bench_smoke(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder.devtools.bench", "--students", "12", "--small", "6",
                           "--rounds", "2", "--nbgrader-sample", "2", "--jobs", "2", "--out", str(tmp_path)],
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
    # beside the floor grader: one floor run per run of ours, the ratio from those pairs
    assert len(ours["runs"]) == len(ours["floor_runs"]) == 2 and len(small["runs"]) == 1
    assert ours["floor_ratios"] == [round(o / f, 3) for o, f in zip(ours["runs"], ours["floor_runs"])]
    assert min(ours["floor_ratios"]) <= ours["floor_ratio"] <= max(ours["floor_ratios"])
    assert "to the floor" in proc.stdout
    # the single submission went through Gradescope's run_autograder path, and the floor on it
    assert len(r["one"]["runs"]) == 2 and r["one"]["wall_s"] > 0 and r["one"]["floor_wall_s"] > 0
    results = json.loads((tmp_path / "gradescope" / "results" / "results.json").read_text())
    assert len(results["tests"]) == 15 and results["score"] >= 0
