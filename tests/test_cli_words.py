"""What the command line and the pages say in the small places a user trips on: every command in --help,
make's own variables under make, the config file that was actually given, the misconception names a
rubric may use, the due date and rule behind a late penalty, a submission time that could not be read."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import datetime, timezone

import yaml

from autograder.grading.plugin import declared_tests
from autograder.outputs.feedback import to_html
from autograder.outputs.results import ItemResult, StudentResult
from autograder.spec.config import load_config
from helpers import ROOT, read_grades, run_grader, variant, write_class

CONFIG = load_config(ROOT / "config.yaml", declared_tests())


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env)


def test_help_lists_every_command_and_option():
    text = _cli("--help").stdout
    listed = [line.split()[0] for line in text.splitlines() if line.startswith("    ") and line[4] != " "]
    assert listed == ["grade", "release", "collect", "feedback", "export", "stubs", "doctor", "keys"], text
    assert "the rubric and run settings" in _cli("grade", "--help").stdout


def test_keys_lists_the_misconception_names_each_item_takes():
    text = _cli("keys").stdout
    line = next(line for line in text.splitlines() if line.strip().startswith("q3.grad_W:"))
    assert set(declared_tests()["q3.grad_W"]) == {name.strip() for name in line.split(":", 1)[1].split(",")}
    assert "  q2.xor_weights: (none)" in text


def test_under_make_a_rerun_names_make_s_variable(tmp_path):
    write_class(tmp_path / "class", {"ada": variant()})
    run_grader(tmp_path / "class", tmp_path / "out")
    outside = {key: value for key, value in os.environ.items() if key != "MAKELEVEL"}  # `make test` sets it
    plain = run_grader(tmp_path / "class", tmp_path / "out", env=outside)
    made = run_grader(tmp_path / "class", tmp_path / "out", env={**os.environ, "MAKELEVEL": "1"})
    assert "(--regrade-all to redo them)" in plain.stdout and "(make grade REGRADE=1 to redo them)" in made.stdout


def test_a_backend_that_cannot_run_names_the_config_file_given(tmp_path):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    raw["sandbox"]["backend"] = "bwrap"
    mine = tmp_path / "my-rubric.yaml"
    mine.write_text(yaml.safe_dump(raw))
    env = {**os.environ, "PATH": "/nonexistent"}  # no bwrap to be found
    proc = subprocess.run([sys.executable, "-m", "autograder", "doctor", "--config", str(mine)], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and f"{mine} asks for sandbox.backend: bwrap" in proc.stderr, proc.stderr


def test_a_late_page_says_the_due_date_and_the_rule():
    config = dataclasses.replace(CONFIG.without_written(), late_penalty="percent_per_day", late_percent_per_day=10,
                                 due=datetime(2026, 12, 15, 23, 59, tzinfo=timezone.utc))
    items = [ItemResult(i.id, i.title, i.points, i.points, "") for q in config.questions for i in q.items]
    page = to_html(StudentResult("ada", items, late_days=2, penalty=20.0, late_share=0.2), config)
    assert "Submitted 2 day(s) late (due 2026-12-15 23:59 UTC; 10% off per day started): 20 points off" in page


def test_an_unreadable_submission_time_is_said_even_without_a_penalty(tmp_path):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"].update(solutions=str(ROOT / "solutions"), late_penalty="none")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw))
    write_class(tmp_path / "class", {"ada": variant()})
    (tmp_path / "class" / "ada" / "timestamp.txt").write_text("yesterday-ish")
    run_grader(tmp_path / "class", tmp_path / "out", config=config)
    assert read_grades(tmp_path / "out")["ada"]["status"] == "timestamp unreadable"
