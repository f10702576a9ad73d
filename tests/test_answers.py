"""Written answers read from a submission's notebook, and the rubric items made of them (coordinator/answers.py),
and the config's written items (kind: manual): whatever the notebook holds, the grader says what it found."""
from __future__ import annotations

import json
import os

import pytest
import yaml

from autograder.coordinator.answers import STUB, Manual, add_written, parse_answers
from autograder.coordinator.discover import find_submissions
from autograder.grading.plugin import declared_tests
from autograder.outputs.feedback import to_html, to_markdown
from autograder.outputs.results import StudentResult, grades_csv
from autograder.spec.config import ConfigError, load_config
from helpers import ROOT, variant

CONFIG = load_config(ROOT / "config.yaml", declared_tests())
CELLS = frozenset(item.cell for item in CONFIG.written)


def notebook(**answers) -> bytes:
    cells = [{"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": gid.replace("_", "-"), "grade": True}},
              "source": text} for gid, text in answers.items()]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_answers_are_read_by_grade_id_whatever_the_cell_became():
    data = json.dumps({"cells": [
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "q1-explain"}}, "source": ["a ", "$x$"]},
        {"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "q1-explain"}}, "source": "a copy"},
        {"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "intro"}}, "source": "not an answer"},
        {"cell_type": "markdown", "metadata": [], "source": "odd metadata"}, "not a cell"]}).encode()
    assert parse_answers(data, CELLS) == ({"q1-explain": "a $x$"}, "")  # the first, turned into code: still theirs


@pytest.mark.parametrize("data, why", [
    (b"{not json", "not valid JSON"), (b"[1, 2]", "no list of cells"), (b'{"cells": 3}', "no list of cells"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"), (b"\xff\xfe", "not valid JSON")])
def test_a_notebook_that_cannot_be_read_is_said_so(data, why):
    answers, problem = parse_answers(data, CELLS)
    assert answers == {} and why in problem


def _result() -> StudentResult:
    return StudentResult("ada", [])


def test_each_written_item_is_waiting_graded_or_unanswered():
    answers = {"q1-explain": "Only piecewise constant ones.", "q2-explain": STUB, "q3-derivation": "  \n"}
    manual = {"q1.explain": Manual(None), "q3.derivation": Manual(5.0, "Say where sum y_i = 1 is used.")}
    items = {i.id: i for i in add_written(_result(), answers, "", CONFIG, manual).items}
    assert (items["q1.explain"].status, items["q1.explain"].score) == ("waiting", 0.0)
    assert items["q2.explain"].status == "unanswered"
    assert items["q2.explain"].output == "No answer: the answer cell was left as released."
    assert (items["q3.derivation"].status, items["q3.derivation"].score) == ("graded", 5.0)  # a person decides
    assert items["q3.derivation"].output == "Say where sum y_i = 1 is used."
    again = add_written(add_written(_result(), answers, "", CONFIG, manual), answers, "", CONFIG, {})
    assert [i.id for i in again.items] == ["q1.explain", "q2.explain", "q3.derivation"]  # replaced, not added twice


def test_pages_and_grades_csv_say_what_waits_and_what_a_person_said():
    answers = {"q1-explain": "Steps <b>sum</b> to steps.\nLine two.", "q2-explain": "x"}
    result = add_written(_result(), answers, "", CONFIG, {"q2.explain": Manual(3.0, "Close: why can't it?")})
    page, text = to_html(result, CONFIG), to_markdown(result, CONFIG)
    assert "Written answers worth 8 points are waiting to be graded by your instructor" in page
    assert "Steps &lt;b&gt;sum&lt;/b&gt; to steps.\nLine two." in page and "<b>sum</b>" not in page
    assert "<b>Comment from your instructor:</b> Close: why can&#x27;t it?" in page
    assert "No answer: the submission" not in page and "No answer: the answer cell" not in page
    assert "```text\nSteps <b>sum</b> to steps.\nLine two.\n```" in text
    assert grades_csv([result], CONFIG).splitlines()[1].endswith(",waiting: q1.explain,ada")


def test_discovery_reads_the_notebook_beside_the_modules_or_the_only_one(tmp_path):
    for student, files in {"ada": {"nn_backprop.ipynb": notebook(q1_explain="A")},
                           "ben": {"my copy.ipynb": notebook(q1_explain="B")},
                           "cyd": {"a.ipynb": notebook(q1_explain="C"), "b.ipynb": notebook()},
                           "dee": {"nn_backprop.ipynb": b"\x00" * 10}, "eve": {}}.items():
        folder = tmp_path / student
        folder.mkdir()
        for name, text in {**variant(), **files}.items():
            (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    os.symlink(tmp_path / "ada" / "nn_backprop.ipynb", tmp_path / "eve" / "nn_backprop.ipynb")
    jobs = {job.student: job.submitted for job in find_submissions(tmp_path, "nn_backprop", CELLS)}
    assert jobs["ada"].answers == {"q1-explain": "A"} and not jobs["ada"].notebook_problem
    assert jobs["ben"].answers == {"q1-explain": "B"}
    assert any("read from my copy.ipynb" in note for note in jobs["ben"].notes)
    assert jobs["cyd"].answers == {} and "2 other notebooks" in jobs["cyd"].notebook_problem
    assert "nn_backprop.ipynb is not a notebook that could be read" in jobs["dee"].notebook_problem
    assert "nn_backprop.ipynb is a symbolic link" in jobs["eve"].notebook_problem  # another's answers: not read
    assert all(job.submitted.answers == {} for job in find_submissions(tmp_path, "nn_backprop"))  # no written items: not read


def _config_with(tmp_path, item: dict):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    raw["questions"]["q2"]["items"]["q2.explain"] = item
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("item, key, words", [
    ({"title": "t", "points": 4, "kind": "manual", "misconceptions": {"x": 1}}, "q2.explain.misconceptions",
     "graded by people"),
    ({"title": "t", "points": 4, "kind": "manual", "scoring": "all_or_nothing"}, "q2.explain.scoring", "remove it"),
    ({"title": "t", "points": 4, "kind": "written"}, "q2.explain.kind", "not one of auto, manual"),
    ({"title": "t", "points": 4, "rubric": "r"}, "q2.explain", "no hidden test grades this rubric id"),
])
def test_a_written_item_that_cannot_be_is_a_config_error_naming_the_key(tmp_path, item, key, words):
    with pytest.raises(ConfigError, match=words) as raised:
        load_config(_config_with(tmp_path, item), declared_tests())
    assert key in str(raised.value) and str(tmp_path / "config.yaml") in str(raised.value)


def test_written_items_count_in_the_total_and_leave_for_gradescope():
    assert [i.id for i in CONFIG.written] == ["q1.explain", "q2.explain", "q3.derivation"]
    assert (CONFIG.max_total, CONFIG.without_written().max_total) == (120, 100)
    assert [i.cell for i in CONFIG.written] == ["q1-explain", "q2-explain", "q3-derivation"]


def test_release_sets_the_answer_cells_points_from_the_config_and_refuses_a_mismatch(tmp_path):
    import dataclasses
    import shutil

    import nbformat

    from autograder.integrations.course import CourseError, set_points

    path = tmp_path / "nn_backprop.ipynb"
    shutil.copy(ROOT / "assignment" / "nn_backprop.ipynb", path)
    more = dataclasses.replace(CONFIG, questions=tuple(
        dataclasses.replace(q, written=tuple(dataclasses.replace(i, points=i.points + 1) for i in q.written))
        for q in CONFIG.questions))
    set_points(path, more)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points")
             for c in nbformat.read(path, as_version=4).cells}
    assert (cells["q1-explain"], cells["q2-explain"], cells["q3-derivation"]) == (9, 5, 9)
    fewer = dataclasses.replace(CONFIG, questions=tuple(dataclasses.replace(q, written=q.written[:0] if q.id == "q2"
                                                                            else q.written) for q in CONFIG.questions))
    with pytest.raises(CourseError, match="answer cells no written item of .* counts \\(q2-explain\\)"):
        set_points(path, fewer)
    renamed = dataclasses.replace(CONFIG, questions=tuple(dataclasses.replace(q, written=tuple(
        dataclasses.replace(i, id="q2.why") if i.id == "q2.explain" else i for i in q.written)) for q in CONFIG.questions))
    with pytest.raises(CourseError, match="no answer cell with grade id 'q2-why' for .*q2.why \\(kind: manual\\)"):
        set_points(path, renamed)


def test_extra_credit_a_person_gave_counts_as_nbgrader_counts_it():
    """nbgrader's score of a cell is the manual score plus its extra credit; the total here is the same."""
    result = add_written(_result(), {"q3-derivation": "x"}, "", CONFIG, {"q3.derivation": Manual(8.0 + 1.5)})
    assert [i.score for i in result.items if i.id == "q3.derivation"] == [9.5]
