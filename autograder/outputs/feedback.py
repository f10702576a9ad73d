"""Per-student feedback pages: self-contained HTML, and the same content in Markdown.

Pure functions of a StudentResult and the Config: what was checked, what was wrong, a hint. They show
only what the grader's messages say, which never include hidden inputs or reference values. Items held
back (rubric visibility `hidden`, or `after_due_date` before it) show their title but not their result.

`page` decides what a page says, once; `to_html` and `to_markdown` only lay it out, escaping every piece
of text that is not the grader's own words (`esc`, `md`). They are plain f-strings, not Jinja2 templates,
because each fits on a screen while Jinja2's escaping (markupsafe's &#39;, not esc's &#x27;) would have
to be overridden in both environments and the templates shipped as package data.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from autograder.core.ids import printable
from autograder.outputs.results import (
    ItemResult,
    Seen,
    StudentResult,
    _num,
    cases_line,
    held_back,
    seen,
    shown,
    without,
)
from autograder.spec.config import Config
from autograder.spec.mistakes import MISCONCEPTIONS

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:860px;margin:2em auto;padding:0 1em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.total{font-size:2.2em;font-weight:600}.muted{color:#59636e}.note{background:#fff8c5;border:1px solid #d4a72c;padding:.5em .8em;border-radius:6px;margin:.5em 0}
.bar{height:8px;background:#eaeef2;border-radius:4px;overflow:hidden;margin:.2em 0 .6em}.bar>i{display:block;height:100%;background:#1a7f37}
.q{display:grid;grid-template-columns:1fr auto;gap:.2em 1em;align-items:baseline}
.item{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.6em .9em;margin:.6em 0;break-inside:avoid}
.item.full{border-left-color:#1a7f37}.item.part{border-left-color:#bf8700}.item.zero{border-left-color:#cf222e}.item.hidden{border-left-color:#8c959f}
.item header{display:flex;justify-content:space-between;gap:1em;font-weight:600}.item header>span:last-child{white-space:nowrap}.item code{font-size:.85em;color:#59636e;font-weight:400}
ul{margin:.3em 0 .3em 1.2em;padding:0}li{margin:.15em 0}.hint{margin-top:.3em}.hint b{color:#0969da}
.item.waiting{border-left-color:#8c959f}.answer{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border-radius:6px;padding:.5em .8em;margin:.3em 0;font-size:.92em}
details summary{cursor:pointer;color:#0969da}
.tag{display:inline-block;font-size:.8em;background:#ddf4ff;color:#0969da;border-radius:10px;padding:0 .6em;margin-right:.3em}
@media print{body{margin:0;max-width:none}.item{page-break-inside:avoid}}
"""
NOT_YET = "This item's result is not shown yet."
WAITING = "Your answer is waiting to be graded by your instructor."
FAULT = ("Part of your submission could not be graded because of a problem in the grader, not in your code. "
         "Your instructor has been told.")


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>&|~#!:"})  # what Markdown or HTML would act on


def md(text: str) -> str:
    """Text for Markdown that renders as itself: on one line, control characters shown escaped (printable),
    every character Markdown or HTML would act on escaped (':' too: no autolinks)."""
    return _md(str(text))


def esc(text) -> str:
    """Text for HTML: control characters shown escaped (printable), then HTML-escaped."""
    return _esc(str(text))


# Most of a page's text (titles, what was checked, hints, common problems) is the same on every student's
# page: each is escaped once. Pure functions of a string, so a cache changes nothing but the time.
@functools.lru_cache(maxsize=8192)
def _md(text: str) -> str:
    return printable(" ".join(text.split())).translate(_MARKDOWN)


@functools.lru_cache(maxsize=8192)
def _esc(text: str) -> str:
    return html.escape(printable(text))


@dataclass
class ItemView:
    """One rubric item as a student may see it now; scores are formatted numbers."""
    state: str  # full | part | zero; hidden: its result is not shown yet (then only title, id, out_of);
    # waiting: a written answer no person graded yet
    title: str
    id: str
    score: str  # "?" while hidden
    out_of: str
    checked: str = ""  # what was checked, in a few words
    cases: str = ""  # "Passed 2 of 6 cases."
    problems: list[str] = field(default_factory=list)
    error: str | None = None  # what an item that could not be judged, and names no problem, says instead
    hint: str = ""
    comment: str = ""  # a written item: the comment of the person who graded it
    note: str = ""  # a written item: that it waits for grading, or why there is no answer
    answer: str = ""  # a written item: the student's answer, as written

    @property
    def hidden(self) -> bool:
        """Whether its result is not shown yet."""
        return self.state == "hidden"


@dataclass
class QuestionView:
    label: str  # "Q1"
    title: str
    score: str
    out_of: str
    more: str  # " (+8 not shown yet)", " (+8 waiting for grading)" or ""
    width: float  # of the score bar, in percent
    items: list[ItemView]


@dataclass
class Page:
    """Everything a feedback page says, in order."""
    course: str
    student: str
    score: str
    out_of: str
    score_notes: list[str]  # beside the score: items not shown yet, the late penalty
    notes: list[str]  # the submission's notes
    fault: bool  # the grader failed on part of it
    lost: list[ItemView]  # where the student lost points
    shared: list[tuple[str, list[str]]]  # a mistake that cost points in several items: (label, item ids)
    questions: list[QuestionView]


def page(result: StudentResult, config: Config, now: datetime | None = None) -> Page:
    """The Page of `result`, showing only what its student may see at `now`."""
    whole, hidden = seen(result, config, now), held_back(result, config, now)
    views = [(item, _item(item, config, now, hidden)) for item in result.items]
    lost = [(item, view) for item, view in views if view.state in ("part", "zero")]
    questions = []
    for question in config.questions:
        part = seen(result, config, now, question.id)
        questions.append(QuestionView(
            question.id.upper(), question.title, _num(part.raw), _num(part.out_of),
            (f" (+{_num(part.held_back)} not shown yet)" if part.held_back else "")
            + (f" ({_num(part.waiting)} waiting for grading)" if part.waiting else ""),
            100 * part.raw / part.out_of if part.out_of else 0,
            [view for item, view in views if item.id.split(".")[0] == question.id]))
    return Page(config.name, result.name, _num(whole.score), _num(whole.out_of), _score_notes(result, whole, config),
                [note for note in result.notes + [result.timestamp_note] if note], bool(result.fault),
                [view for _, view in lost], _shared([item for item, _ in lost]), questions)


def _item(item: ItemResult, config: Config, now, hidden: set[str]) -> ItemView:
    """The ItemView of `item`: its title and points only while it is not shown."""
    if not shown(item, config, now):
        return ItemView("hidden", item.title, item.id, "?", _num(item.max_score))
    state = "full" if item.score >= item.max_score else ("zero" if item.score <= 0 else "part")
    rubric = config.items.get(item.id)
    if rubric is not None and rubric.kind == "manual":  # a written answer: its grade, the comment, the answer
        if item.status == "waiting":
            return ItemView("waiting", item.title, item.id, "–", _num(item.max_score), item.checked, note=WAITING,
                            answer=item.answer)
        if item.status == "unanswered":
            return ItemView(state, item.title, item.id, _num(item.score), _num(item.max_score), item.checked,
                            note=item.output)
        return ItemView(state, item.title, item.id, _num(item.score), _num(item.max_score), item.checked,
                        comment=item.output, answer=item.answer)
    kept = ((count, without(message, hidden)) for count, message in item.problems)
    return ItemView(state, item.title, item.id, _num(item.score), _num(item.max_score), item.checked,
                    cases_line(item.passed, item.cases, item.partial) if item.cases else "",
                    [(f"{count} cases: " if count > 1 else "") + message for count, message in kept if message],
                    without(item.output, hidden) if item.status == "error" and not item.problems else None, item.hint)


def late_policy(config: Config) -> str:
    """'due 2026-12-15 23:59 UTC; 10% off per day started' (the due date and the rule that made a penalty)."""
    due = config.due.strftime("%Y-%m-%d %H:%M %Z").strip() if config.due else "no due date"
    rule = {"zero": "a late submission scores 0",
            "percent_per_day": f"{_num(config.late_percent_per_day)}% off per day started"}.get(config.late_penalty, "")
    return f"due {due}" + (f"; {rule}" if rule else "")


def _score_notes(result: StudentResult, whole: Seen, config: Config) -> list[str]:
    """What stands beside the score: items not shown yet, the late penalty (as a share while some are)."""
    notes = []
    if whole.held_back:
        notes.append(f"Items worth {_num(whole.held_back)} more points are not shown yet: this score counts "
                     "only the items shown below.")
    if whole.waiting:
        notes.append(f"Written answers worth {_num(whole.waiting)} points are waiting to be graded by your "
                     "instructor: this score counts them as 0 until then.")
    if result.penalty and whole.held_back:
        notes.append(f"Submitted {result.late_days} day(s) late ({late_policy(config)}): "
                     f"{_num(100 * result.late_share)}% off (before the penalty: {_num(whole.raw)}).")
    elif result.penalty:
        notes.append(f"Submitted {result.late_days} day(s) late ({late_policy(config)}): {_num(result.penalty)} "
                     f"points off (before the penalty: {_num(result.raw_total)}).")
    return notes


def _shared(items: list[ItemResult]) -> list[tuple[str, list[str]]]:
    """Recognised mistakes behind more than one of `items`: (label, item ids)."""
    by_mistake: dict[str, list[str]] = {}
    for item in items:
        for name in item.misconceptions:
            by_mistake.setdefault(name, []).append(item.id)
    return [(MISCONCEPTIONS[name].label, ids) for name, ids in by_mistake.items() if len(ids) > 1]


def to_html(result: StudentResult, config: Config, now: datetime | None = None) -> str:
    """A self-contained feedback page (no scripts, no external files)."""
    return page_html(page(result, config, now))


def page_html(p: Page) -> str:
    """The HTML of a Page (to_html)."""
    e = esc
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>Feedback: {e(p.course)} for {e(p.student)}</title><style>{CSS}</style></head><body><main>",
             f"<p class='muted'>{e(p.course)} · feedback for <b>{e(p.student)}</b></p>",
             f"<h1>Your score</h1><div class='total'>{p.score} <span class='muted'>/ {p.out_of}</span></div>"]
    parts += [f"<div class='note'>{e(note)}</div>" for note in p.score_notes + p.notes]
    parts += [f"<div class='note'>{FAULT}</div>"] if p.fault else []
    if p.lost:
        parts.append("<h2>Where you lost points</h2><ul id='todo'>" + "".join(
            f"<li><a href='#{e(i.id)}'>{e(i.title)}</a> <code>{e(i.id)}</code>: {i.score} / {i.out_of}</li>"
            for i in p.lost) + "</ul>")
    parts += [f"<div class='note'>One mistake behind {len(ids)} items: <b>{e(label)}</b> ({', '.join(ids)}). "
              "Fixing it once fixes them all.</div>" for label, ids in p.shared]
    for q in p.questions:
        parts.append(f"<h2 class='q'><span>{e(q.label)} · {e(q.title)}</span>"
                     f"<span>{q.score} / {q.out_of}{e(q.more)}</span></h2>"
                     f"<div class='bar' role='img' aria-label='{q.score} of {q.out_of}'>"
                     f"<i style='width:{q.width:.1f}%'></i></div>")
        parts += [_item_html(item) for item in q.items]
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _item_html(i: ItemView) -> str:
    """One item's <section>."""
    e = esc
    head = f"<header><span>{e(i.title)} <code>{e(i.id)}</code></span><span>{i.score} / {i.out_of}</span></header>"
    if i.hidden:
        return f"<section class='item hidden'>{head}<p class='muted'>{NOT_YET}</p></section>"
    body = [f"<div class='muted'>Checked: {e(i.checked)}.</div>" if i.checked else "",
            f"<div>{e(i.cases)}</div>" if i.cases else "",
            "<ul>" + "".join(f"<li>{e(problem)}</li>" for problem in i.problems) + "</ul>" if i.problems else "",
            f"<div>{e(i.error)}</div>" if i.error is not None else "",
            f"<div class='hint'><b>Hint:</b> {e(i.hint)}</div>" if i.hint else "",
            f"<div><b>Comment from your instructor:</b> {e(i.comment)}</div>" if i.comment else "",
            f"<div>{e(i.note)}</div>" if i.note else "",
            f"<details><summary>Your answer</summary><div class='answer'>{html.escape(_lines(i.answer))}</div></details>"
            if i.answer else ""]
    return f"<section class='item {i.state}' id='{e(i.id)}'>{head}{''.join(body)}</section>"


def to_markdown(result: StudentResult, config: Config, now: datetime | None = None) -> str:
    """The same feedback as Markdown; everything that is not the grader's own words is escaped (md)."""
    return page_markdown(page(result, config, now))


def page_markdown(p: Page) -> str:
    """The Markdown of a Page (to_markdown)."""
    lines = [f"# Feedback: {md(p.course)} for {md(p.student)}", "", f"**Score: {p.score} / {p.out_of}**", ""]
    lines += [x for note in p.score_notes for x in (f"> {md(note)}", "")]
    lines += [f"> {md(note)}" for note in p.notes] + ([""] if p.notes else [])
    lines += [f"> {FAULT}", ""] if p.fault else []
    if p.lost:
        lines += ["Where you lost points:", ""] + [
            f"- {md(i.title)} (`{i.id}`): {i.score} / {i.out_of}" for i in p.lost] + [""]
        lines += [f"> One mistake behind {len(ids)} items: **{md(label)}** ({', '.join(ids)}). "
                  "Fixing it once fixes them all." for label, ids in p.shared] + [""]
    for q in p.questions:
        lines += [f"## {q.label} · {md(q.title)}: {q.score} / {q.out_of}{md(q.more)}", ""]
        for i in q.items:
            lines += [f"### {md(i.title)} (`{i.id}`): {i.score} / {i.out_of}", ""]
            if i.hidden:
                lines += [NOT_YET, ""]
                continue
            lines += [f"Checked: {md(i.checked)}."] if i.checked else []
            lines += [md(i.cases)] if i.cases else []
            lines += [f"- {md(problem)}" for problem in i.problems]
            lines += [md(i.error)] if i.error is not None else []
            lines += [f"Hint: {md(i.hint)}"] if i.hint else []
            lines += [f"Comment from your instructor: {md(i.comment)}"] if i.comment else []
            lines += [md(i.note)] if i.note else []
            lines += ["", "Your answer:", "", *_fenced(i.answer)] if i.answer else []
            lines.append("")
    return "\n".join(lines)


def _fenced(text: str) -> list[str]:
    """`text` as a fenced block Markdown shows as written: a fence longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", _lines(text), fence]


def _lines(text: str) -> str:
    """Each line of `text` with its control characters shown escaped (printable), the line breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))
