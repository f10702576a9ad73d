"""The class report: one self-contained HTML page an instructor reads at a glance.

Score distributions per question (an inline SVG), mean and spread per
rubric item, the recognised misconceptions ranked by how many students made
them, and the submissions that could not be graded normally, with the reason.
`summarise` is pure (and tested against the results files); `to_html` renders it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from autograder.outputs.feedback import esc
from autograder.outputs.results import NOT_CHECKED, StudentResult, _num
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
    misconceptions: list[dict]  # name, label, students, items; most common first
    troubled: list[tuple[str, list[str]]] = field(default_factory=list)  # (student, reasons)


def summarise(results: list[StudentResult], config: Config) -> ClassSummary:
    """Numbers for the report, straight from the results."""
    n = len(results)
    items = []
    for question in config.questions:
        for item in question.items + question.written:  # a written answer waiting for a person is not counted yet
            entries = [next(i for i in r.items if i.id == item.id) for r in results]
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
    misconceptions = [{"name": name, "label": MISCONCEPTIONS[name].label, "students": len(students_with[name]),
                       "items": sorted(items_with[name])} for name in ranked]
    troubled = []
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
    return ClassSummary(n, [r.total for r in results],
                        {q.id: [r.question_score(q.id) for r in results] for q in config.questions},
                        items, misconceptions, troubled)


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
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width * len(panels)} {height}" '
           f'width="{width * len(panels)}" height="{height}" font-family="system-ui,sans-serif" font-size="11" '
           'role="img" aria-label="score distributions">']
    for p, ((title, _, full), count) in enumerate(zip(panels, counts)):
        x0, y0 = p * width + left, top_pad + plot_h  # the plot's origin (bottom left)
        out.append(f'<g><text x="{x0}" y="{top_pad - 12}" font-size="12" fill="#1f2328">{e(title)}</text>')
        for t in y_ticks:
            y = y0 - plot_h * t / y_top
            out.append(f'<line x1="{x0}" x2="{x0 + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eaeef2"/>'
                       f'<text x="{x0 - 5}" y="{y + 4:.1f}" text-anchor="end" fill="#59636e">{t:g}</text>')
        bar = plot_w / 10
        for i, n in enumerate(count):
            if n:
                h = plot_h * n / y_top
                out.append(f'<rect x="{x0 + i * bar + 0.5:.1f}" y="{y0 - h:.1f}" width="{bar - 1:.1f}" '
                           f'height="{h:.1f}" fill="#2f6fb3"><title>{n} students</title></rect>')
        for t in [t for t in _nice_ticks(full) if t <= full + 1e-9] if full > 0 else [0.0]:
            x = x0 + plot_w * t / full if full > 0 else x0
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y0 + 4}" stroke="#59636e"/>'
                       f'<text x="{x:.1f}" y="{y0 + 16}" text-anchor="middle" fill="#59636e">{t:g}</text>')
        out.append(f'<line x1="{x0}" x2="{x0 + plot_w}" y1="{y0}" y2="{y0}" stroke="#59636e"/>'
                   f'<text x="{x0 + plot_w / 2}" y="{y0 + 32}" text-anchor="middle" fill="#1f2328">points</text>')
        if p == 0:
            out.append(f'<text transform="translate({x0 - 38} {y0 - plot_h / 2}) rotate(-90)" text-anchor="middle" '
                       'fill="#1f2328">students</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:1100px;margin:1.5em auto;padding:0 1em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.5em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.kpi{display:flex;gap:2.5em;margin:.6em 0}.kpi div{font-size:.9em;color:#59636e}.kpi b{display:block;font-size:1.6em;color:#1f2328}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-weight:600;background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:inline-block;height:.7em;background:#2f6fb3;border-radius:2px;vertical-align:middle}
.muted{color:#59636e}code{font-size:.9em}svg{max-width:100%;height:auto}
@media print{body{max-width:none;margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}
"""


def to_html(results: list[StudentResult], config: Config) -> str:
    s = summarise(results, config)
    e = esc
    totals = np.array(s.totals) if s.totals else np.zeros(1)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Class report: {e(config.name)}</title>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{CSS}</style></head><body>",
             f"<h1>Class report: {e(config.name)}</h1>",
             "<div class='kpi'>"
             f"<div><b>{s.students}</b>submissions</div>"
             f"<div><b>{np.mean(totals):.1f}</b>mean of {_num(config.max_total)}</div>"
             f"<div><b>{np.median(totals):.1f}</b>median</div>"
             f"<div><b>{np.std(totals):.1f}</b>spread (sd)</div>"
             f"<div><b>{len(s.troubled)}</b>not graded normally</div></div>",
             "<h2>Score distributions</h2>", f"<figure id='distributions'>{_histograms(s, config)}</figure>",
             "<h2>Rubric items</h2><table id='items'><tr><th>item</th><th>points</th><th>mean</th><th></th>"
             "<th>sd</th><th>full marks</th><th>zero</th></tr>"]
    for it in s.items:
        share = it["mean"] / it["points"] if it["points"] else 0
        waiting = f" <span class='muted'>({it['waiting']} waiting for manual grading)</span>" if it["waiting"] else ""
        parts.append(f"<tr><td><code>{e(it['id'])}</code> {e(it['title'])}{waiting}</td>"
                     f"<td class='n'>{_num(it['points'])}</td>"
                     f"<td class='n'>{it['mean']:.2f}</td><td><span class='bar' style='width:{100 * share:.0f}px'>"
                     f"</span></td><td class='n'>{it['std']:.2f}</td><td class='n'>{100 * it['full']:.0f}%</td>"
                     f"<td class='n'>{100 * it['zero']:.0f}%</td></tr>")
    parts.append("</table><h2>Misconceptions, most common first</h2>")
    if s.misconceptions:
        parts.append("<table id='misconceptions'><tr><th>students</th><th>mistake</th><th>items</th></tr>")
        for m in s.misconceptions:
            parts.append(f"<tr><td class='n'>{m['students']} of {s.students}</td><td>{e(m['label'])}</td>"
                         f"<td>{', '.join(f'<code>{e(i)}</code>' for i in m['items'])}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p class='muted' id='misconceptions'>No recognised misconception in this class.</p>")
    parts.append("<h2>Submissions not graded normally</h2>")
    if s.troubled:
        parts.append("<table id='troubled'><tr><th>student</th><th>what happened</th></tr>")
        for student, reasons in s.troubled:
            parts.append(f"<tr><td>{e(student)}</td><td>{'<br>'.join(e(r) for r in reasons)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p class='muted' id='troubled'>Every submission was graded normally.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)

