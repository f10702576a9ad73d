"""The report and the feedback pages as people open them: in Chromium (driven by Playwright) at phone width
(420 px), at desktop width (1280 px) and printed, audited by axe-core each time. Every page must have no
accessibility violation at all and nothing wider than the window; the report names the students behind
its numbers and links each one's page."""
from __future__ import annotations

import dataclasses
import re
import shutil

import pytest

from autograder.coordinator.answers import Manual, add_written
from autograder.grading.plugin import declared_tests
from autograder.outputs.feedback import to_html
from autograder.outputs.report import summarise
from autograder.outputs.report import to_html as report_html
from autograder.outputs.results import ItemResult, StudentResult
from autograder.spec.config import load_config
from helpers import CHROMIUM, ROOT, run_grader

playwright = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
CONFIG = load_config(ROOT / "config.yaml", declared_tests())
WIDTHS = (420, 1280)


def _perfect() -> StudentResult:
    items = [ItemResult(i.id, i.title, i.points, i.points, "", checked="everything") for q in CONFIG.questions
             for i in q.items]
    answers = {i.cell: "An answer." for i in CONFIG.written}
    return add_written(StudentResult("perfect", items), answers, "", CONFIG,
                       {i.id: Manual(i.points, "Well argued.") for i in CONFIG.written})


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The sample class graded, plus a perfect page and a late one: {kind: path}."""
    out = tmp_path_factory.mktemp("pages") / "out"
    proc = run_grader(ROOT / "examples" / "submissions", out)
    assert proc.returncode == 0, proc.stderr
    perfect = _perfect()
    (out / "feedback" / "perfect.html").write_text(to_html(perfect, CONFIG))
    late = dataclasses.replace(perfect, student="late", late_days=2, penalty=24.0, late_share=0.2)
    (out / "feedback" / "late.html").write_text(to_html(late, CONFIG))
    return {"report": out / "report.html", "perfect": out / "feedback" / "perfect.html",
            "mistakes": out / "feedback" / "ben.html", "not graded normally": out / "feedback" / "eve.html",
            "late": out / "feedback" / "late.html"}


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_is_accessible_and_fits_the_window(pages, browser, width, media, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.emulate_media(media=media)
    for kind, path in pages.items():
        page.goto(path.as_uri())
        result = axe_module.Axe().run(page)
        assert result.violations_count == 0, (kind, width, media, result.generate_report())
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (kind, width, media)
        clipped = page.evaluate("""[...document.querySelectorAll('h1,h2')].filter(h => h.scrollWidth > h.clientWidth)
                                   .map(h => h.textContent)""")
        assert clipped == [], (kind, width, clipped)
        if media == "screen":
            page.screenshot(path=str(tmp_path / f"{kind}-{width}.png"), full_page=True)
    page.close()


def test_the_report_names_the_students_behind_its_numbers(pages):
    report = pages["report"].read_text()
    assert re.search(r"<td class='n'>1 of 8</td><td>dJ/dU transposed</td><td>ben</td>", report)
    students = report[report.index("<table id='students'>"):]
    for student in ("ada", "ben", "eve", "hal"):
        assert f"<a href='feedback/{student}.html'>{student}</a>" in students
    assert "<td>module not imported</td><td class='n'>1</td><td>eve: xor_relu.py could not be imported" in report
    assert "waiting: q1.explain q2.explain q3.derivation" in students


def test_a_large_class_is_grouped_and_collapsed():
    """400 students, 100 of them over a limit the same way: one group with its count, five names and the rest
    behind a disclosure that says how many."""
    results = []
    for n in range(400):
        items = [ItemResult(i.id, i.title, i.points, i.points, "") for q in CONFIG.questions for i in q.items]
        result = add_written(StudentResult(f"s{n:03d}", items), {}, "the submission has no notebook", CONFIG, {})
        if n % 4 == 0:
            result.limit_hits = [f"backprop.py: backprop did not finish within 1 s (time limit per call), student {n}"]
            items[-1].misconceptions = ["dW_transposed"]  # the last auto-graded item: q3.grad_W
        results.append(result)
    summary = summarise(results, CONFIG)
    assert [(kind, len(members)) for kind, members in summary.groups] == [("limits hit", 100)]
    html = report_html(results, CONFIG)
    assert "<td>limits hit</td><td class='n'>100</td>" in html and "<summary>99 more</summary>" in html
    assert "s000, s004, s008, s012, s016 <details><summary>and 95 more students</summary>" in html
