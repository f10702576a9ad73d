"""The class report: one self-contained HTML page an instructor reads at a glance.

Score distributions per question (matplotlib, inline SVG), mean and spread per
rubric item, the recognised misconceptions ranked by how many students made
them, and the submissions that could not be graded normally, with the reason.
`summarise` is pure (and tested against the results files); `to_html` renders it.
"""
from __future__ import annotations

import html
import io
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from .config import Config
from .misconceptions import MISCONCEPTIONS
from .results import StudentResult, _num

TROUBLE_WORDS = ("could not be imported", "is missing from the submission", "time limit", "limit)", "ended the process",
                 "was killed")


@dataclass
class ClassSummary:
    students: int
    totals: list[float]
    by_question: dict[str, list[float]]
    items: list[dict]  # id, title, points, mean, std, full (share at full marks), zero (share at 0)
    misconceptions: list[dict]  # name, label, students, items; most common first
    troubled: list[tuple[str, list[str]]] = field(default_factory=list)  # (student, reasons)


def summarise(results: list[StudentResult], config: Config) -> ClassSummary:
    """Numbers for the report, straight from the results."""
    n = len(results)
    items = []
    for question in config.questions:
        for item in question.items:
            scores = np.array([next(i.score for i in r.items if i.id == item.id) for r in results]) if n else np.zeros(0)
            items.append({"id": item.id, "title": item.title, "points": item.points,
                          "mean": float(scores.mean()) if n else 0.0, "std": float(scores.std()) if n else 0.0,
                          "full": float(np.mean(scores >= item.points)) if n else 0.0,
                          "zero": float(np.mean(scores <= 0)) if n else 0.0})
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
        reasons = list(dict.fromkeys(
            ([f"grader fault: {r.fault}"] if r.fault else []) + r.limit_hits
            + [m for i in r.items for _, m in i.problems
               if any(w in m for w in TROUBLE_WORDS) and not m.startswith("was not run")]
            + [note for note in r.notes if note.startswith(("No graded", "Missing"))]))
        if reasons:
            troubled.append((r.student, reasons))
    return ClassSummary(n, [r.total for r in results],
                        {q.id: [r.question_score(q.id) for r in results] for q in config.questions},
                        items, misconceptions, troubled)


def _histograms(summary: ClassSummary, config: Config) -> str:
    """Score distribution of the total and of each question, as one inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("Total", summary.totals, config.max_total)] + [
        (f"{q.id.upper()} {q.title}", summary.by_question[q.id], q.points) for q in config.questions]
    with plt.rc_context({"svg.hashsalt": "nn-backprop", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False}):
        fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.3), constrained_layout=True)
        for ax, (title, values, top) in zip(np.atleast_1d(axes), panels):
            bins = np.linspace(0, top, 11)
            ax.hist(np.clip(values, 0, top), bins=bins, color="#2f6fb3", edgecolor="white")
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_xlim(0, top)
            ax.set_xlabel("points")
            ax.yaxis.get_major_locator().set_params(integer=True)
        np.atleast_1d(axes)[0].set_ylabel("students")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


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
    e = html.escape
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
        parts.append(f"<tr><td><code>{e(it['id'])}</code> {e(it['title'])}</td><td class='n'>{_num(it['points'])}</td>"
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

