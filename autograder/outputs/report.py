"""The class report: one self-contained HTML page an instructor reads at a glance.

Score distributions per question (inline SVGs), mean and spread per rubric item, the recognised
misconceptions ranked by how many students made them and who, the submissions that could not be
graded normally grouped by why, and every student's row with a link to their feedback page.
`summarise` is pure (and tested against the results files); `to_html` renders it, from phone width
to print, with landmarks and labels a screen reader needs (checked with axe-core).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from autograder.outputs.feedback import esc
from autograder.outputs.results import NOT_CHECKED, StudentResult, _num, manual_grading, status
from autograder.spec.config import Config
from autograder.spec.mistakes import MISCONCEPTIONS

TROUBLE_WORDS = ("could not be imported", "is missing from the submission", "was not graded: it", "time limit", "limit)", "ended the process",
                 "was killed")


@dataclass
class ClassSummary:
    students: int
    totals: list[float]
    by_question: dict[str, list[float]]
    items: list[dict]  # id, title, points, mean, std, full (share at full marks), zero (share at 0), waiting (written
    # answers no person graded yet: the other numbers leave them out)
    misconceptions: list[dict]  # name, label, students (how many), names (who), items; most common first
    troubled: list[tuple[str, list[str]]] = field(default_factory=list)  # (student, reasons)
    groups: list[tuple[str, list[tuple[str, list[str]]]]] = field(default_factory=list)  # troubled by why (the
    # status grades.csv gives: limits hit, module not imported, ...), the largest group first


def summarise(results: list[StudentResult], config: Config) -> ClassSummary:
    """Numbers for the report, straight from the results."""
    n = len(results)
    items, by_id = [], [{i.id: i for i in r.items} for r in results]
    for question in config.questions:
        for item in question.items + question.written:  # a written answer waiting for a person is not counted yet
            entries = [of[item.id] for of in by_id]
            scores = np.array([i.score for i in entries if i.status != "waiting"], dtype=float)
            m = len(scores)
            items.append({"id": item.id, "title": item.title, "points": item.points,
                          "mean": float(scores.mean()) if m else 0.0, "std": float(scores.std()) if m else 0.0,
                          "full": float(np.mean(scores >= item.points)) if m else 0.0,
                          "zero": float(np.mean(scores <= 0)) if m else 0.0, "waiting": n - m})
    students_with, items_with = defaultdict(set), defaultdict(set)
    for r in results:
        for i in r.items:
            for name in i.misconceptions:
                students_with[name].add(r.student)
                items_with[name].add(i.id)
    ranked = sorted(students_with, key=lambda name: (-len(students_with[name]), name))
    names = {r.student: r.name for r in results}
    misconceptions = [{"name": name, "label": MISCONCEPTIONS[name].label, "students": len(students_with[name]),
                       "names": sorted(names[s] for s in students_with[name]), "items": sorted(items_with[name])}
                      for name in ranked]
    troubled, by_kind = [], defaultdict(list)
    for r in results:
        unread = [note for note in r.notes if note.startswith(("Not graded", "Your submission folder"))]
        reasons = unread or list(dict.fromkeys(  # a folder not read: that is the reason, not what it then lacked
            ([f"grader fault: {r.fault}"] if r.fault else [])
            + ([f"output not written: {r.write_error}"] if r.write_error else [])
            + ([r.timestamp_note] if r.timestamp_note else []) + r.limit_hits
            + [note for note in r.notes if NOT_CHECKED in note]  # a module not imported: said once, with why
            + [m for i in r.items for _, m in i.problems
               if any(w in m for w in TROUBLE_WORDS) and not m.startswith(("was not run", "Not checked:"))
               and not any(hit.endswith(m) for hit in r.limit_hits)]  # said already, with its module
            + [note for note in r.notes if note.startswith(("No graded", "Missing"))]))
        if reasons:
            troubled.append((r.name, reasons))
            kind = status(r)
            by_kind["other" if kind == "ok" else kind].append((r.name, reasons))
    groups = sorted(by_kind.items(), key=lambda group: (-len(group[1]), group[0]))
    return ClassSummary(n, [r.total for r in results],
                        {q.id: [r.question_score(q.id) for r in results] for q in config.questions},
                        items, misconceptions, troubled, groups)


def who(names: list[str], shown: int = 3) -> str:
    """'ada, ben, cai and 4 more students' (plain text, for the terminal)."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more student{'s' if more != 1 else ''}" if more > 0 else "")


def _nice_ticks(top: float, most: int = 5, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least `top`: steps of 1, 2, 2.5 or 5 times a power of ten (whole: >= 1)."""
    if top <= 0:
        return [0.0]
    raw = top / most
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, float(np.ceil(step)))
    return [float(i * step) for i in range(int(np.ceil(top / step - 1e-9)) + 1)]


def _histograms(summary: ClassSummary, config: Config) -> str:
    """Score distributions of the total and of each question, side by side, as one inline SVG.

    Drawn directly (ten bins from 0 to full marks, nice axis ticks): a plotting library
    would cost about a second to import for four bar charts.
    """
    e = esc
    panels = [("Total", summary.totals, config.max_total)] + [
        (f"{q.id.upper()} {q.title}", summary.by_question[q.id], q.points) for q in config.questions]
    width, height, left, top_pad, plot_w, plot_h = 250, 220, 52, 30, 180, 140
    counts = [np.histogram(np.clip(values, 0, full), bins=10, range=(0, full))[0] if len(values) and full > 0
              else np.zeros(10, int) for _, values, full in panels]
    y_ticks = _nice_ticks(max(1, max(int(c.max()) for c in counts)), 4, whole=True)
    y_top = y_ticks[-1]
    out = []
    for p, ((title, _, full), count) in enumerate(zip(panels, counts)):  # one chart each: they wrap on a phone
        x0, y0 = left, top_pad + plot_h  # the plot's origin (bottom left)
        label = f"{title}: " + ", ".join(f"{n} scored {lo:g} to {hi:g}" for n, lo, hi in zip(
            count, np.linspace(0, full, 11)[:-1], np.linspace(0, full, 11)[1:]) if n) if full > 0 else title
        out.append(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
                   f'height="{height}" font-family="system-ui,sans-serif" font-size="11" role="img" '
                   f'aria-label="{e(label or title)}">')
        out.append(f'<g><text x="{x0}" y="{top_pad - 12}" font-size="12" fill="#1f2328">{e(_short(title))}</text>')
        for t in y_ticks:
            y = y0 - plot_h * t / y_top
            out.append(f'<line x1="{x0}" x2="{x0 + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eaeef2"/>'
                       f'<text x="{x0 - 5}" y="{y + 4:.1f}" text-anchor="end" fill="#59636e">{t:g}</text>')
        bar = plot_w / 10
        for i, n in enumerate(count):
            if n:
                h = plot_h * n / y_top
                out.append(f'<rect x="{x0 + i * bar + 0.5:.1f}" y="{y0 - h:.1f}" width="{bar - 1:.1f}" '
                           f'height="{h:.1f}" fill="#2f6fb3"><title>{n} student{"s" if n != 1 else ""}</title></rect>')
        for t in [t for t in _nice_ticks(full) if t <= full + 1e-9] if full > 0 else [0.0]:
            x = x0 + plot_w * t / full if full > 0 else x0
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y0 + 4}" stroke="#59636e"/>'
                       f'<text x="{x:.1f}" y="{y0 + 16}" text-anchor="middle" fill="#59636e">{t:g}</text>')
        out.append(f'<line x1="{x0}" x2="{x0 + plot_w}" y1="{y0}" y2="{y0}" stroke="#59636e"/>'
                   f'<text x="{x0 + plot_w / 2}" y="{y0 + 32}" text-anchor="middle" fill="#1f2328">points</text>')
        out.append(f'<text transform="translate({x0 - 38} {y0 - plot_h / 2}) rotate(-90)" text-anchor="middle" '
                   'fill="#1f2328">students</text>')
        out.append("</g></svg>")
    return "".join(out)


def _short(title: str, most: int = 34) -> str:
    """A chart's title cut to fit its width (the full one is in the chart's label)."""
    return title if len(title) <= most else title[:most - 1].rstrip() + "…"


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:1100px;margin:1.5em auto;padding:0 1em}
h1{font-size:1.5em;margin:.2em 0;overflow-wrap:anywhere}h2{font-size:1.15em;margin:1.5em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.kpi{display:flex;flex-wrap:wrap;gap:.8em 2.5em;margin:.6em 0}.kpi div{font-size:.9em;color:#59636e}.kpi b{display:block;font-size:1.6em;color:#1f2328}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-weight:600;background:#f6f8fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.track{display:inline-block;width:80px;height:.7em;background:#eaeef2;border-radius:2px;vertical-align:middle;margin-left:.5em}
.bar{display:block;height:100%;background:#2f6fb3;border-radius:2px}
.muted{color:#59636e}code{font-size:.9em}.charts{display:flex;flex-wrap:wrap;gap:.5em;margin:0}
.charts svg{flex:1 1 250px;max-width:340px;height:auto}summary{cursor:pointer;color:#0969da}
@media (max-width:600px){body{margin:.8em auto}th,td{padding:.25em .35em}.track{width:40px}}
@media print{body{max-width:none;margin:0;font-size:11px}h2{break-after:avoid}tr,svg{break-inside:avoid}
.scroll{overflow:visible}a{color:inherit;text-decoration:none}.charts svg{max-width:24%}}
"""


def _names(names: list[str], shown: int = 5) -> str:
    """Who, in HTML: the first few by name, the rest in a disclosure that says how many."""
    e = esc
    if len(names) <= shown:
        return ", ".join(e(n) for n in names)
    rest = names[shown:]
    return (", ".join(e(n) for n in names[:shown]) + f" <details><summary>and {len(rest)} more student"
            f"{'s' if len(rest) != 1 else ''}</summary>{', '.join(e(n) for n in rest)}</details>")


def to_html(results: list[StudentResult], config: Config, summary: ClassSummary | None = None) -> str:
    """The class report; `summary`: summarise(results, config), if the caller has it already."""
    s = summary or summarise(results, config)
    e = esc
    totals = np.array(s.totals) if s.totals else np.zeros(1)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Class report: {e(config.name)}</title>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{CSS}</style></head><body>"
             "<main>",
             f"<h1>Class report: {e(config.name)}</h1>",
             "<div class='kpi'>"
             f"<div><b>{s.students}</b>submission{'s' if s.students != 1 else ''}</div>"
             f"<div><b>{np.mean(totals):.1f}</b>mean of {_num(config.max_total)}</div>"
             f"<div><b>{np.median(totals):.1f}</b>median</div>"
             f"<div><b>{np.std(totals):.1f}</b>spread (sd)</div>"
             f"<div><b>{len(s.troubled)}</b>not graded normally</div></div>",
             "<h2>Score distributions</h2>", f"<figure id='distributions' class='charts'>{_histograms(s, config)}</figure>",
             "<h2>Rubric items</h2><div class='scroll' tabindex='0' role='region' aria-label='rubric items (scrolls sideways)'><table id='items'><tr><th scope='col'>item</th>"
             "<th scope='col' class='n'>points</th><th scope='col'>mean (bar: share of the points)</th>"
             "<th scope='col' class='n'>sd</th><th scope='col' class='n'>full marks</th><th scope='col' class='n'>zero</th></tr>"]
    for it in s.items:
        share = min(1.0, it["mean"] / it["points"]) if it["points"] else 0
        waiting = f" <span class='muted'>({it['waiting']} waiting for manual grading)</span>" if it["waiting"] else ""
        parts.append(f"<tr><td><code>{e(it['id'])}</code> {e(it['title'])}{waiting}</td>"
                     f"<td class='n'>{_num(it['points'])}</td>"
                     f"<td class='n'>{it['mean']:.2f}<span class='track' role='img' aria-label='{100 * share:.0f}% of the "
                     f"points'><span class='bar' style='width:{100 * share:.0f}%'></span></span></td>"
                     f"<td class='n'>{it['std']:.2f}</td><td class='n'>{100 * it['full']:.0f}%</td>"
                     f"<td class='n'>{100 * it['zero']:.0f}%</td></tr>")
    parts.append("</table></div><h2>Misconceptions, most common first</h2>")
    if s.misconceptions:
        parts.append("<div class='scroll' tabindex='0' role='region' aria-label='misconceptions (scrolls sideways)'><table id='misconceptions'><tr><th scope='col' class='n'>students</th>"
                     "<th scope='col'>mistake</th><th scope='col'>who</th><th scope='col'>items</th></tr>")
        for m in s.misconceptions:
            parts.append(f"<tr><td class='n'>{m['students']} of {s.students}</td><td>{e(m['label'])}</td>"
                         f"<td>{_names(m['names'])}</td>"
                         f"<td>{', '.join(f'<code>{e(i)}</code>' for i in m['items'])}</td></tr>")
        parts.append("</table></div>")
    else:
        parts.append("<p class='muted' id='misconceptions'>No recognised misconception in this class.</p>")
    parts.append("<h2>Submissions not graded normally</h2>")
    if s.groups:
        parts.append("<div class='scroll' tabindex='0' role='region' aria-label='submissions not graded normally (scrolls sideways)'><table id='troubled'><tr><th scope='col'>why</th><th scope='col' class='n'>"
                     "students</th><th scope='col'>who, and what happened</th></tr>")
        for kind, members in s.groups:
            first = members[0]
            rest = "".join(f"<li>{e(name)}: {'; '.join(e(r) for r in reasons)}</li>" for name, reasons in members[1:])
            more = (f"<details><summary>{len(members) - 1} more</summary><ul>{rest}</ul></details>" if rest else "")
            parts.append(f"<tr><td>{e(kind)}</td><td class='n'>{len(members)}</td><td>{e(first[0])}: "
                         f"{'<br>'.join(e(r) for r in first[1])}{more}</td></tr>")
        parts.append("</table></div>")
    else:
        parts.append("<p class='muted' id='troubled'>Every submission was graded normally.</p>")
    parts.append("<h2>Students</h2><div class='scroll' tabindex='0' role='region' aria-label='students (scrolls sideways)'><table id='students'><tr><th scope='col'>student</th>"
                 + "".join(f"<th scope='col' class='n'>{e(q.id)}</th>" for q in config.questions)
                 + "<th scope='col' class='n'>total</th><th scope='col'>status</th>"
                 + ("<th scope='col'>manual grading</th>" if config.written else "") + "</tr>")
    for r in sorted(results, key=lambda r: r.student):
        parts.append(f"<tr><td><a href='feedback/{e(r.file)}.html'>{e(r.name)}</a></td>"
                     + "".join(f"<td class='n'>{_num(r.question_score(q.id))}</td>" for q in config.questions)
                     + f"<td class='n'>{_num(r.total)}</td><td>{e(status(r))}</td>"
                     + (f"<td>{e(manual_grading(r, config))}</td>" if config.written else "") + "</tr>")
    parts.append("</table></div></main></body></html>")
    return "\n".join(parts)
