"""Per-student feedback pages: self-contained HTML, and the same content in Markdown.

Pure functions of a StudentResult and the Config: what was checked, what was
wrong, a hint. They show only what the grader's messages say, which never
include hidden inputs or reference values. Items whose rubric visibility is
`hidden` show their title but not their result.
"""
from __future__ import annotations

import html
import re
from datetime import datetime

from autograder.spec.config import Config
from autograder.core.ids import printable
from autograder.spec.mistakes import MISCONCEPTIONS
from autograder.outputs.results import ItemResult, cases_line, Seen, StudentResult, _num, held_back, seen, shown, without

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:860px;margin:2em auto;padding:0 1em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.total{font-size:2.2em;font-weight:600}.muted{color:#59636e}.note{background:#fff8c5;border:1px solid #d4a72c;padding:.5em .8em;border-radius:6px;margin:.5em 0}
.bar{height:8px;background:#eaeef2;border-radius:4px;overflow:hidden;margin:.2em 0 .6em}.bar>i{display:block;height:100%;background:#1a7f37}
.q{display:grid;grid-template-columns:1fr auto;gap:.2em 1em;align-items:baseline}
.item{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.6em .9em;margin:.6em 0;break-inside:avoid}
.item.full{border-left-color:#1a7f37}.item.part{border-left-color:#bf8700}.item.zero{border-left-color:#cf222e}.item.hidden{border-left-color:#8c959f}
.item header{display:flex;justify-content:space-between;gap:1em;font-weight:600}.item code{font-size:.85em;color:#59636e;font-weight:400}
ul{margin:.3em 0 .3em 1.2em;padding:0}li{margin:.15em 0}.hint{margin-top:.3em}.hint b{color:#0969da}
.tag{display:inline-block;font-size:.8em;background:#ddf4ff;color:#0969da;border-radius:10px;padding:0 .6em;margin-right:.3em}
@media print{body{margin:0;max-width:none}.item{page-break-inside:avoid}}
"""


def md(text: str) -> str:
    """Text for Markdown that renders as itself: on one line, control characters shown escaped (printable),
    every character Markdown or HTML would act on escaped (':' too: no autolinks)."""
    return re.sub(r"([\\`*_\[\]<>&|~#!:])", r"\\\1", printable(" ".join(str(text).split())))


def esc(text) -> str:
    """Text for HTML: control characters shown escaped (printable), then HTML-escaped."""
    return html.escape(printable(str(text)))


def _shared(items: list[ItemResult]) -> list[tuple[str, list[str]]]:
    """Recognised mistakes that cost points in more than one item: (label, item ids)."""
    by_mistake: dict[str, list[str]] = {}
    for item in items:
        for name in item.misconceptions:
            by_mistake.setdefault(name, []).append(item.id)
    return [(MISCONCEPTIONS[name].label, ids) for name, ids in by_mistake.items() if len(ids) > 1]


def _state(item: ItemResult) -> str:
    return "full" if item.score >= item.max_score else ("zero" if item.score <= 0 else "part")


def _problem(count: int, message: str) -> str:
    return (f"{count} cases: " if count > 1 else "") + message


def to_html(result: StudentResult, config: Config, now: datetime | None = None) -> str:
    """A self-contained feedback page (no scripts, no external files)."""
    e = esc
    whole, hidden = seen(result, config, now), held_back(result, config, now)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>Feedback: {e(config.name)} for {e(result.name)}</title><style>{CSS}</style></head><body>",
             f"<p class='muted'>{e(config.name)} · feedback for <b>{e(result.name)}</b></p>",
             f"<h1>Your score</h1><div class='total'>{_num(whole.score)} <span class='muted'>/ "
             f"{_num(whole.out_of)}</span></div>"]
    parts += [f"<div class='note'>{e(line)}</div>" for line in _score_notes(result, config, whole)]
    parts += [f"<div class='note'>{e(note)}</div>" for note in result.notes + [result.timestamp_note] if note]
    if result.fault:
        parts.append("<div class='note'>Part of your submission could not be graded because of a problem in "
                     "the grader, not in your code. Your instructor has been told.</div>")
    todo = [i for i in result.items if shown(i, config, now) and i.score < i.max_score]
    if todo:
        parts.append("<h2>Where you lost points</h2><ul id='todo'>" + "".join(
            f"<li><a href='#{e(i.id)}'>{e(i.title)}</a> <code>{e(i.id)}</code>: {_num(i.score)} / "
            f"{_num(i.max_score)}</li>" for i in todo) + "</ul>")
        parts += [f"<div class='note'>One mistake behind {len(items)} items: <b>{e(label)}</b> "
                  f"({', '.join(items)}). Fixing it once fixes them all.</div>" for label, items in _shared(todo)]
    for question in config.questions:
        part = seen(result, config, now, question.id)
        width = 100 * part.raw / part.out_of if part.out_of else 0
        parts.append(f"<h2 class='q'><span>{e(question.id.upper())} · {e(question.title)}</span>"
                     f"<span>{_num(part.raw)} / {_num(part.out_of)}{e(_more(part))}</span></h2>"
                     f"<div class='bar' role='img' aria-label='{_num(part.raw)} of {_num(part.out_of)}'>"
                     f"<i style='width:{width:.1f}%'></i></div>")
        for item in (i for i in result.items if i.id.split(".")[0] == question.id):
            parts.append(_item_html(item, config, now, hidden))
    parts.append("</body></html>")
    return "\n".join(parts)


def _item_html(item: ItemResult, config: Config, now, hidden: set[str]) -> str:
    e = esc
    head = (f"<header><span>{e(item.title)} <code>{e(item.id)}</code></span>"
            f"<span>{{score}}</span></header>")
    if not shown(item, config, now):
        return (f"<section class='item hidden'>{head.format(score='? / ' + _num(item.max_score))}"
                f"<p class='muted'>This item's result is not shown yet.</p></section>")
    body = []
    if item.checked:
        body.append(f"<div class='muted'>Checked: {e(item.checked)}.</div>")
    if item.cases:
        body.append(f"<div>{e(cases_line(item.passed, item.cases, item.partial))}</div>")
    problems = _problems(item, hidden)
    if problems:
        body.append("<ul>" + "".join(f"<li>{e(_problem(c, m))}</li>" for c, m in problems) + "</ul>")
    if item.status == "error" and not item.problems:
        body.append(f"<div>{e(without(item.output, hidden))}</div>")
    if item.hint:
        body.append(f"<div class='hint'><b>Hint:</b> {e(item.hint)}</div>")
    score = f"{_num(item.score)} / {_num(item.max_score)}"
    return f"<section class='item {_state(item)}' id='{e(item.id)}'>{head.format(score=score)}{''.join(body)}</section>"


def to_markdown(result: StudentResult, config: Config, now: datetime | None = None) -> str:
    """The same feedback as Markdown; everything that is not the grader's own words is escaped (md)."""
    whole, hidden = seen(result, config, now), held_back(result, config, now)
    lines = [f"# Feedback: {md(config.name)} for {md(result.name)}", "",
             f"**Score: {_num(whole.score)} / {_num(whole.out_of)}**", ""]
    lines += [x for line in _score_notes(result, config, whole) for x in (f"> {md(line)}", "")]
    notes = [note for note in result.notes + [result.timestamp_note] if note]
    lines += [f"> {md(note)}" for note in notes] + ([""] if notes else [])
    todo = [i for i in result.items if shown(i, config, now) and i.score < i.max_score]
    if todo:
        lines += ["Where you lost points:", ""] + [
            f"- {md(i.title)} (`{i.id}`): {_num(i.score)} / {_num(i.max_score)}" for i in todo] + [""]
        lines += [f"> One mistake behind {len(items)} items: **{md(label)}** ({', '.join(items)}). "
                  "Fixing it once fixes them all." for label, items in _shared(todo)] + [""]
    for question in config.questions:
        part = seen(result, config, now, question.id)
        lines += [f"## {question.id.upper()} · {md(question.title)}: "
                  f"{_num(part.raw)} / {_num(part.out_of)}{md(_more(part))}", ""]
        for item in (i for i in result.items if i.id.split(".")[0] == question.id):
            if not shown(item, config, now):
                lines += [f"### {md(item.title)} (`{item.id}`): ? / {_num(item.max_score)}", "",
                          "This item's result is not shown yet.", ""]
                continue
            lines += [f"### {md(item.title)} (`{item.id}`): {_num(item.score)} / {_num(item.max_score)}", ""]
            if item.checked:
                lines.append(f"Checked: {md(item.checked)}.")
            if item.cases:
                lines.append(md(cases_line(item.passed, item.cases, item.partial)))
            lines += [f"- {md(_problem(c, m))}" for c, m in _problems(item, hidden)]
            if item.status == "error" and not item.problems:
                lines.append(md(without(item.output, hidden)))
            if item.hint:
                lines.append(f"Hint: {md(item.hint)}")
            lines.append("")
    return "\n".join(lines)


def _score_notes(result: StudentResult, config: Config, whole: Seen) -> list[str]:
    """What stands beside the score: items not shown yet, the late penalty (as a share while some are)."""
    notes = []
    if whole.held_back:
        notes.append(f"Items worth {_num(whole.held_back)} more points are not shown yet: this score counts "
                     "only the items shown below.")
    if result.penalty and whole.held_back:
        notes.append(f"Submitted {result.late_days} day(s) late: {_num(100 * result.late_share)}% "
                     f"off (before the penalty: {_num(whole.raw)}).")
    elif result.penalty:
        notes.append(f"Submitted {result.late_days} day(s) late: {_num(result.penalty)} points off "
                     f"(before the penalty: {_num(result.raw_total)}).")
    return notes


def _more(part: Seen) -> str:
    return f" (+{_num(part.held_back)} not shown yet)" if part.held_back else ""


def _problems(item: ItemResult, hidden: set[str]) -> list[tuple[int, str]]:
    """An item's problems, less what they say of items not shown yet (held_back)."""
    kept = [(count, without(message, hidden)) for count, message in item.problems]
    return [(count, message) for count, message in kept if message]
