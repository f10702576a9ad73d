"""What people open after grading: feedback that names each sample student's mistake,
a class report whose counts match the results, both rendered in a real browser."""
import csv
import json
import re
from datetime import datetime, timedelta, timezone
import shutil

import pytest
import yaml

from helpers import ROOT, browse, needs_chromium, read_markdown, run_grader, variant, write_class

MISTAKES = {  # sample student -> words their feedback must contain
    "ben": ["dJ/dU must have U's shape (k, m)", "dJ/dW must have W's shape (m, n)"],
    "cai": ["multiply U^T delta_1 by the ReLU mask 1{h > 0}"],
    "dee": ["g(0) = 1, so compare with z >= 0, not z > 0"],
    "eve": ["syntax error at line 30", "xor_relu.py could not be imported"],
    "fay": ["piecewise_constant_params did not finish within 1 s (time limit per call)"],
    "gus": ["step is not implemented yet", "backprop is not implemented yet", "not answered yet"],
    "hal": ["subtract max(z) from z", "dJ/dz2 = y_hat - y, not y - y_hat",
            "One mistake behind 4 items", "delta_1 = y - y_hat (sign flipped)"],
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "out"
    proc = run_grader(ROOT / "examples" / "submissions", out)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_feedback_names_the_actual_mistake(sample, student):
    out, _ = sample
    for page in (out / "feedback" / f"{student}.md", out / "feedback" / f"{student}.html"):
        text = read_markdown(page) if page.suffix == ".md" else \
            page.read_text().replace("&#x27;", "'").replace("&gt;", ">").replace("&lt;", "<")
        for words in MISTAKES[student]:
            assert words in text, (page.name, words)
        assert "Where you lost points" in text


def test_perfect_feedback_has_nothing_to_fix(sample):
    out, _ = sample
    text = (out / "feedback" / "ada.md").read_text()
    assert "**Score: 100 / 120**" in text and "Where you lost points" not in text  # her written answers wait:
    assert "Written answers worth 20 points are waiting to be graded by your instructor" in text  # not lost


def test_report_counts_equal_the_results_files(sample):
    out, _ = sample
    counts = {}
    for path in (out / "results").glob("*.json"):
        tags = {tag for test in json.loads(path.read_text())["tests"] for tag in test["tags"]}
        for tag in tags:
            counts[tag] = counts.get(tag, 0) + 1
    report = (out / "report.html").read_text()
    rows = re.findall(r"<tr><td class='n'>(\d+) of (\d+)</td><td>([^<]+)</td>", report)
    from autograder.spec.mistakes import MISCONCEPTIONS

    by_label = {m.label: name for name, m in MISCONCEPTIONS.items()}
    shown = {by_label[label.replace("&#x27;", "'")]: int(k) for k, n, label in rows}
    assert shown == counts and len(shown) >= 5
    assert all(n == "8" for _, n, _ in rows)
    assert [int(k) for k, _, _ in rows] == sorted((int(k) for k, _, _ in rows), reverse=True)
    troubled = re.search(r"<table id='troubled'>(.*?)</table>", report, re.S).group(1)
    assert "eve" in troubled and "fay" in troubled and "ada" not in troubled


def test_summary_names_where_things_are_and_who_was_not_graded_normally(sample):
    _, stdout = sample
    assert "Not graded normally (2):" in stdout and "  limits hit: fay: " in stdout
    assert "  module not imported: eve: " in stdout
    for words in ("grades.csv", "report.html", "feedback"):
        assert words in stdout


def test_hidden_items_show_no_result(tmp_path):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["questions"]["q3"]["items"]["q3.grad_U"]["visibility"] = "hidden"
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    (tmp_path / "class").mkdir()
    shutil.copytree(ROOT / "examples" / "submissions" / "ben", tmp_path / "class" / "ben")
    proc = run_grader(tmp_path / "class", tmp_path / "out", config=path)
    assert proc.returncode == 0, proc.stderr
    for page in ("ben.html", "ben.md"):
        text = (tmp_path / "out" / "feedback" / page).read_text()
        assert "dJ/dU must have" not in text and "not shown yet" in text
        assert "dJ/dW must have" in text  # the other items are still shown
    doc = json.loads((tmp_path / "out" / "results" / "ben.json").read_text())
    assert {t["name"].split()[0]: t["visibility"] for t in doc["tests"]}["q3.grad_U"] == "hidden"


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date"])
def test_a_held_back_items_result_cannot_be_worked_out_from_what_is_shown(tmp_path, visibility):
    """Two students who differ only in an item not shown yet get the same pages and the same Gradescope
    output: no total, subtotal or late penalty in points counts it."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["questions"]["q2"]["items"]["q2.xor_weights"]["visibility"] = visibility
    now = datetime.now(timezone.utc)
    due = now - timedelta(days=3) if visibility == "hidden" else now + timedelta(days=3)
    raw["assignment"].update(solutions=str(ROOT / "solutions"), due=due.isoformat(), late_penalty="percent_per_day",
                             late_percent_per_day=10)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    wrong = variant(xor_relu=[('"b2": -1.0', '"b2": 1.0')])
    write_class(tmp_path / "class", {"annok": variant(), "beaxor": wrong})
    for student in ("annok", "beaxor"):  # both submitted at the same time (late, where the due date has passed)
        (tmp_path / "class" / student / "timestamp.txt").write_text(now.strftime("%Y-%m-%d %H:%M:%S UTC"))
    proc = run_grader(tmp_path / "class", tmp_path / "out", config=path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in csv.DictReader(open(tmp_path / "out" / "grades.csv"))}
    assert rows["annok"]["q2"] == "20" and rows["beaxor"]["q2"] == "10"  # the instructor sees the difference
    for page in ("{}.html", "{}.md"):
        right, wrong = ((tmp_path / "out" / "feedback" / page.format(s)).read_text().replace(s, "S")
                        for s in ("annok", "beaxor"))
        assert right == wrong and "not shown yet" in right
    outputs = [json.loads((tmp_path / "out" / "results" / f"{s}.json").read_text())["output"] for s in ("annok", "beaxor")]
    assert outputs[0] == outputs[1] and "not shown yet" in outputs[0], outputs


@needs_chromium
def test_the_console_check_can_fail(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<script>console.error('boom'); nosuch();</script>")
    _, console = browse(bad, tmp_path, "--dump-dom")
    assert console


@needs_chromium
@pytest.mark.parametrize("page", ["report.html", "feedback/hal.html"])
def test_pages_render_in_a_browser_without_console_errors(sample, tmp_path, page):
    out, _ = sample
    dom, console = browse(out / page, tmp_path, "--dump-dom")
    assert console == []
    if page == "report.html":
        assert re.search(r"<figure id=\"distributions\" class=\"charts\"><svg", dom)
        assert dom.count("<tr><td><code>q") == 18  # every rubric item, the written ones too
        assert "id=\"misconceptions\"" in dom and "id=\"troubled\"" in dom
    else:
        assert "Where you lost points" in dom and dom.count("class=\"item ") == 18
    shot = tmp_path / "shot.png"
    browse(out / page, tmp_path, f"--screenshot={shot}", "--window-size=1280,1600")
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_what_other_items_say_of_a_held_back_one_is_not_shown(tmp_path):
    """The gradients are judged with the grader's softmax and forward in place of the student's, and say so when
    those are wrong: with q3.softmax and q3.forward hidden, that remark would tell their result."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    for item in ("q3.softmax", "q3.forward"):
        raw["questions"]["q3"]["items"][item]["visibility"] = "hidden"
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    off = variant(backprop=[("    return e / np.sum(e)", "    return 1.01 * e / np.sum(e)")])
    assert off["backprop.py"] != variant()["backprop.py"]
    write_class(tmp_path / "class", {"annok": variant(), "beasoft": off})
    proc = run_grader(tmp_path / "class", tmp_path / "out", config=path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in csv.DictReader(open(tmp_path / "out" / "grades.csv"))}
    assert rows["annok"]["q3"] != rows["beasoft"]["q3"]  # the instructor sees the difference
    for page in ("{}.html", "{}.md"):
        pages = [(tmp_path / "out" / "feedback" / page.format(s)).read_text().replace(s, "S") for s in ("annok", "beasoft")]
        assert pages[0] == pages[1]
    outputs = [json.loads((tmp_path / "out" / "results" / f"{s}.json").read_text()) for s in ("annok", "beasoft")]
    shown = [[t["output"] for t in doc["tests"] if t["visibility"] != "hidden"] for doc in outputs]
    assert shown[0] == shown[1]
