"""The two feedback renderers draw one view model (feedback.page): the HTML and the Markdown page say the
same things, escape what students wrote, and say nothing of an item not shown yet."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from html.parser import HTMLParser

from autograder.grading.plugin import declared_tests
from autograder.outputs.feedback import page, to_html, to_markdown
from autograder.outputs.results import ItemResult, StudentResult
from autograder.spec.config import load_config
from helpers import ROOT

CONFIG = load_config(ROOT / "config.yaml", declared_tests())
BEFORE = CONFIG.due - timedelta(seconds=1)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _html_text(page_html: str) -> str:
    """What a browser shows of the page (character references resolved), whitespace collapsed."""
    parser = _Text()
    parser.feed(page_html)
    return " ".join(" ".join(parser.parts).split())


def _md_text(page_md: str) -> str:
    """What a reader sees of the Markdown (md's backslash escapes removed), whitespace collapsed."""
    return " ".join(re.sub(r"\\(.)", r"\1", page_md).split())


def _result(**changes) -> StudentResult:
    items = []
    for n, item in enumerate(i for q in CONFIG.questions for i in q.items):
        score = item.points if n % 3 == 0 else item.points / 4
        items.append(ItemResult(item.id, item.title, score, item.points, "", misconceptions=["ce_sign"] if n % 3 else [],
                                checked=f"what {item.id} checks", passed=1, cases=4, partial=n % 2,
                                problems=[] if n % 3 == 0 else [[n % 4, f"problem of {item.id}: got 1, want 2"]],
                                hint="" if n % 3 == 0 else f"hint for {item.id}: look at the sign"))
    items[4].status, items[4].problems, items[4].output = "error", [], "crashed in a helper"
    return dataclasses.replace(StudentResult("ada", items, notes=["a note from the grader"], late_days=1,
                                             penalty=2.0, late_share=0.02), **changes)


def test_html_and_markdown_say_the_same_things():
    result = _result()
    view = page(result, CONFIG, BEFORE)
    texts = _html_text(to_html(result, CONFIG, BEFORE)), _md_text(to_markdown(result, CONFIG, BEFORE))
    said = [view.course, view.student, f"{view.score} / {view.out_of}", *view.score_notes, *view.notes]
    said += [label for label, _ in view.shared]
    for q in view.questions:
        said += [q.label, q.title, f"{q.score} / {q.out_of}"]
        for item in q.items:
            said += [item.id, item.title, f"{item.score} / {item.out_of}", item.checked, item.cases, *item.problems,
                     item.hint, item.error or ""]
    assert view.score_notes and view.notes and view.shared and any(i.error for q in view.questions for i in q.items)
    assert any(" cases: " in p for q in view.questions for i in q.items for p in i.problems)
    for words in filter(None, said):
        for text in texts:
            assert " ".join(words.split()) in text, words


def test_what_students_wrote_is_escaped_in_both():
    note = "<script>alert(1)</script> **bold** [x](y)"
    result = _result(notes=[note])
    page_html, page_md = to_html(result, CONFIG, BEFORE), to_markdown(result, CONFIG, BEFORE)
    assert "<script>" not in page_html and "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [x](y)" in page_html
    assert note in _html_text(page_html)
    assert "<script>" not in page_md and "**bold**" not in page_md and "[x](y)" not in page_md
    assert r"\<script\>alert(1)\</script\> \*\*bold\*\* \[x\](y)" in page_md


def test_an_item_not_shown_yet_shows_neither_its_score_nor_its_problems():
    result = _result()
    item = next(i for i in result.items if i.id == "q3.softmax")
    item.visibility = "after_due_date"  # held back until CONFIG.due
    item.score, item.problems, item.hint = 1.375, [[2, "softmax is SECRET-PROBLEM"]], "SECRET-HINT"
    lost = page(result, CONFIG, BEFORE).lost
    assert lost and item.id not in {i.id for i in lost}
    html_text, md_text = _html_text(to_html(result, CONFIG, BEFORE)), _md_text(to_markdown(result, CONFIG, BEFORE))
    assert f"{item.title} q3.softmax ? / 6 This item's result is not shown yet." in html_text
    assert f"{item.title} (`q3.softmax`): ? / 6 This item's result is not shown yet." in md_text
    for text in (html_text, md_text):
        assert "1.375" not in text and "SECRET" not in text
