"""A student's written answer (Markdown with LaTeX) made safe to show in the instructor's browser.

The formgrader renders a submitted notebook's Markdown to HTML on the Jupyter server's origin, and
MathJax then typesets what the page's text holds between its delimiters. Raw HTML, a link or an image
from elsewhere, or a MathJax command that links or styles (\\href, \\style with url(), \\unicode fonts)
would act with the instructor's session. So the answer is not handed to either as the student wrote it:
`safe_markdown` writes the cell itself, as one line of HTML (a Markdown renderer passes an HTML block
through, and does no Markdown inside it):

- the prose is HTML-escaped text in an element MathJax skips (`tex2jax_ignore`, `mathjax_ignore`), its
  dollars and backslashes as character references, so neither renderer finds anything to act on
  (`\\$` there is a dollar, as in Markdown);
- each math span the student delimited (`$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`) goes to MathJax
  between our own delimiters, HTML-escaped, read as TeX tokens: a control word that is not on the
  allowlist of plain math (`_ALLOWED`, `_ENVIRONMENTS`) is shown as its name, and nothing can end the
  span early.

Tested through nbconvert and, with MathJax itself, in a browser (tests/test_written.py).
"""
from __future__ import annotations

import html
import re
import unicodedata

# Budgets of one page (a page of several answers shares them: safe_markdown's `answers`); past them, what is left is
# said in words or shown as written, never dropped unsaid. Each is what a browser renders in well under a second:
MAX_CHARS = 9_000  # shown: a written answer is a few paragraphs (Thai, say, with no spaces: seconds past 10,000)
MAX_LINES = 300  # line breaks; later ones are shown as ↵ (20,000 of them took seconds)
MAX_RUN = 100  # characters with no space between, before a break opportunity (<wbr>) is added: a long run of Thai,
# Lao or Myanmar costs the browser's dictionary line breaker time that grows faster than its length
MAX_SPANS = 300  # math spans set by MathJax in one answer; later ones are shown as their source
MAX_DEPTH = 20  # nested groups, \left or environments in one span: MathJax 2 stalls near 230 groups, and its tab
# crashes near 560 nested elements, which 43 nested \underbrace{..}^{a}_{b} make (13 each; honest math nests a few)
MAX_MATH_CHARS = 2_000  # of math MathJax sets on one page (later spans are shown as written; a page of several
# answers shares it: safe_markdown's math_chars): an honest derivation takes a few hundred; MathJax takes up to
# a millisecond and a half per character (line breaking, nesting, stretchy delimiters)
MAX_MARKS = 8  # combining marks, joiners, emoji modifiers and selectors on one character (more are counted, not
# drawn: a browser takes seconds to paint thousands stacked on one letter, and hangs on an emoji with 20,000 skin tones)
_EXTENDING = re.compile("[\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef]")
FOREIGN_WEIGHT = 20  # what a math character other than ASCII counts against the math budget: MathJax 2 has no glyph
# for most of them (Chinese, Korean, emoji, three quarters of the symbol blocks) and measures each through the
# browser, 25 s for 2,000 different ones on a page (TeX writes \alpha, \leq: plain ASCII)
_MATH_FONT = re.compile("[\x00-\x7f]")
_MATHJAX3_FAILS = re.compile("[\u20a0-\u20ff\u2400-\u245f]")  # currency, control pictures: MathJax 3.2 shows an
# error for the whole span (mathjax/MathJax#3033), so such a span is shown as written
_RUN = re.compile(rf"(?:[^\s]|[\xa0\u202f\u2007\u2060\ufeff]){{{MAX_RUN + 1},}}")  # no break: spaces that
# do not break (no-break, narrow, figure, word joiner) count as letters
MAX_SHOWN_BY_NAME = 50  # commands shown by name in one answer's math: MathJax 2's line breaking drops a span of
# some 250 (\backslash\mathrm{a} each), silently; past 50 a span is shown as written
# Control characters (the browser drops NUL before MathJax reads the text) and the bidirectional marks and
# overrides, which would reorder what the grader reads (two spans swapped, a sentence reversed)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<!\\)\$([^$\n]+?)(?<!\\)\$", re.S)
# The TeX control words math in an answer needs, and only those: anything else (links, styles, fonts,
# extensions, macro definitions, commands that re-read their own output such as mhchem's \ce) is shown by
# name. An allowlist, since MathJax 3 loads every package and some rebuild commands from their output.
_ALLOWED = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho varrho
sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
frac dfrac tfrac sqrt sum prod int iint oint partial nabla infty lim limsup liminf sup inf max min arg det exp log
ln lg sin cos tan sinh cosh tanh sec csc cot arcsin arccos arctan sgn
cdot times div pm mp ast star circ bullet oplus otimes odot setminus
leq le geq ge neq ne approx sim simeq cong equiv propto ll gg prec succ preceq succeq
in notin ni subset subseteq supset supseteq cup cap emptyset varnothing forall exists nexists neg lnot land lor
wedge vee implies impliedby iff to gets mapsto rightarrow leftarrow Rightarrow Leftarrow leftrightarrow
Leftrightarrow longrightarrow longleftarrow Longrightarrow uparrow downarrow
ldots cdots vdots ddots dots dotsc dotsb
hat widehat bar overline underline tilde widetilde vec dot ddot check breve acute grave prime top intercal perp
parallel mid nmid vert Vert lvert rvert lVert rVert langle rangle lceil rceil lfloor rfloor lbrace rbrace lbrack rbrack
backslash left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr
mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak boldsymbol text textrm textbf textit mbox
displaystyle textstyle scriptstyle quad qquad enspace thinspace
overbrace underbrace stackrel overset underset binom tbinom dbinom choose over atop
lt gt le ge leqslant geqslant Re Im ell hbar aleph imath jmath
""".split())
_ENVIRONMENTS = frozenset("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array cases aligned gathered "
                          "split align align* equation equation* gather gather*".split())
# Prose: in an element MathJax skips, isolated (<bdi>) so right-to-left letters in it cannot reorder the spans around
_IGNORED = "<bdi dir='ltr' class='tex2jax_ignore mathjax_ignore'>{}</bdi>"  # ltr: a leading Hebrew letter
# would otherwise make its piece right to left, its sentences shown in reverse order
# The answer's box: left to right, framed (so the student's words never pass for the page's own), and clipping
# whatever MathJax draws outside it (a run of negative spaces, say)
_BOX = ("<div class='nnb-answer' dir='ltr' style='overflow:auto;border:1px solid #d0d7de;border-left:4px solid "
        "#6e7781;border-radius:4px;padding:.4em .7em;background:#f6f8fa'>")


def safe_markdown(text: str, answers: int = 1) -> str:
    """The cell source that shows `text` (a student's Markdown answer) as its words, with its math set; `answers`:
    how many answers share the page's budgets (MAX_CHARS, MAX_LINES, MAX_SPANS, MAX_MATH_CHARS)."""
    chars, lines = MAX_CHARS // answers, MAX_LINES // answers
    math_chars, spans = MAX_MATH_CHARS // answers, max(1, MAX_SPANS // answers)
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    text = _cap_marks(_CONTROL.sub("?", text))
    cut = ""
    if len(text) > chars:
        text, cut = text[:chars], f" (… {len(text) - chars} more characters not shown)"
    text = re.sub(r"\n{3,}", lambda run: f"\n\n(+{len(run.group()) - 2} blank lines)\n", text)
    if text.count("\n") > lines:
        head, tail = text.split("\n", lines)[:lines], text.split("\n", lines)[lines]
        text = "\n".join(head) + "\n" + tail.replace("\n", " ↵ ")
    parts, last, typeset, by_name = [], 0, 0, 0
    for count, match in enumerate(_MATH.finditer(text)):
        tex = next(group for group in match.groups() if group is not None)
        cost = len(tex) + (FOREIGN_WEIGHT - 1) * len(_MATH_FONT.sub("", tex))
        if count >= spans or _depth(tex) > MAX_DEPTH or typeset + cost > math_chars or _MATHJAX3_FAILS.search(tex):
            continue  # shown as written, for the reader, not typeset
        safe, named = _tex(tex)
        if by_name + named > MAX_SHOWN_BY_NAME:
            continue
        typeset, by_name = typeset + cost, by_name + named
        parts.append(_prose(text[last:match.start()]))
        display = match.group(1) is not None or match.group(2) is not None
        parts.append(("\\[{}\\]" if display else "\\({}\\)").format(_html(safe)))
        last = match.end()
    parts.append(_prose(text[last:] + cut))
    return _BOX + "".join(parts) + "</div>"


def _cap_marks(text: str) -> str:
    """`text` with at most MAX_MARKS combining marks (and joiners, modifiers, selectors) on a character; the
    others counted in words instead."""
    out, run = [], 0
    for char in text:
        if unicodedata.category(char).startswith("M") or _EXTENDING.match(char):
            run += 1
            if run <= MAX_MARKS:
                out.append(char)
            continue
        if run > MAX_MARKS:
            out.append(f" (+{run - MAX_MARKS} combining marks)")
        run = 0
        out.append(char)
    if run > MAX_MARKS:
        out.append(f" (+{run - MAX_MARKS} combining marks)")
    return "".join(out)


def _prose(part: str) -> str:
    """Text shown as itself: escaped, line breaks kept, a break opportunity every MAX_RUN characters of a run with
    no space, nothing MathJax or Markdown could read."""
    if not part:
        return ""
    part, pieces, last = part.replace("\\$", "$"), [], 0
    for run in _RUN.finditer(part):
        cuts = range(run.start() + MAX_RUN, run.end(), MAX_RUN)
        for cut in cuts:
            pieces.append(part[last:cut])
            last = cut
    pieces.append(part[last:])
    escaped = "<wbr>".join(_html(piece).replace("$", "&#36;").replace("\\", "&#92;") for piece in pieces)
    return _IGNORED.format(escaped.replace("\n", "<br>"))


def _html(text: str) -> str:
    """HTML-escaped, brackets as character references too: nbconvert scans from each [ to the end of the
    line (the cell is one line), which on thousands of them takes seconds."""
    return html.escape(text, quote=False).replace("[", "&#91;").replace("]", "&#93;")


def _depth(tex: str) -> int:
    """How deeply groups, \\left...\\right and environments nest in a span, at most."""
    depth = deepest = 0
    for token in re.finditer(r"\\(?:left|right|begin|end)(?![A-Za-z])|\\.|[{}]", tex, re.S):
        step = {"{": 1, "}": -1, "\\left": 1, "\\right": -1, "\\begin": 1, "\\end": -1}.get(token.group(), 0)
        depth, deepest = depth + step, max(deepest, depth + step)
    return deepest


def _tex(tex: str) -> tuple[str, int]:
    """TeX with every control word not on the allowlist (environments too) shown by name instead, and no way out of the
    span: delimiters inside it shown as \\backslash and the bracket, dollars and comment signs literal, and the
    braces balanced (MathJax's math finder skips an end delimiter inside an open brace, and would join the
    spans around it): an unmatched closing brace is shown as \\}, open ones are closed at the end. Nothing is
    deleted, so no two pieces can join into a new control word. Returns it and how many commands it shows by name."""
    out, i, depth = [], 0, 0
    while i < len(tex):
        char = tex[i]
        if char == "\\" and i + 1 == len(tex):  # a lone backslash at the end would eat our closing delimiter
            out.append("\\backslash ")
            break
        if char == "\\":
            j = i + 1
            if tex[j].isascii() and tex[j].isalpha():
                while j < len(tex) and tex[j].isascii() and tex[j].isalpha():
                    j += 1
                name = tex[i + 1:j]
                if name in ("begin", "end"):  # allowed with an allowed environment only; the space keeps
                    environment = re.match(r"\{([A-Za-z]+\*?)\}", tex[j:])  # JupyterLab's own math finder off it
                    allowed = environment is not None and environment.group(1) in _ENVIRONMENTS
                    out.append(f"\\{name} " if allowed else f"\\backslash\\mathrm{{{name}}}")
                else:
                    out.append(tex[i:j] if name in _ALLOWED else f"\\backslash\\mathrm{{{name}}}")
            else:  # a control symbol: \\ \{ \$ ...; \( \) \[ \] would end or open a span: shown instead, which
                j += 1  # also keeps what precedes and follows apart (\h\(ref must not become \href)
                symbol = tex[i + 1]
                out.append(f"\\backslash{symbol}" if symbol in "()[]" else "\\ " if symbol == "\n"
                           else "\\\\{}" if symbol == "\\" else tex[i:j] if symbol.isprintable()
                           else f"\\backslash\\mathrm{{U{ord(symbol):04X}}}")
            i = j
            continue
        if char == "}" and not depth:
            char = "\\}"
        depth += {"{": 1, "}": -1}.get(char, 0)
        out.append({"$": "\\$", "%": "\\%", "\n": " "}.get(char, char))
        i += 1
    text = "".join(out) + "}" * depth
    return text, text.count("\\backslash")


def formgrader_notebook(result, config) -> str:
    """What the formgrader shows of `result` (a StudentResult), as notebook JSON: the auto-graded score, then
    per written item its rubric (config.yaml, for graders) and the answer cell, written by `safe_markdown`,
    with the nbgrader metadata of a manually graded answer (grade id `Item.cell`, its points)."""
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from autograder.coordinator.answers import answered

    written = {item.id for item in config.written}
    auto = [item for item in result.items if item.id not in written]
    cells = [new_markdown_cell(id="summary", source=
        f"# Written answers of {html.escape(result.name)}\n\n"
        f"The code was graded automatically: {sum(i.score for i in auto):g} of {sum(i.max_score for i in auto):g} "
        "points (item by item in the grader's feedback page). Below, each written answer after its rubric; "
        "give each a score and, for the student, a comment.")]
    answers = {item.id: item for item in result.items}
    for question in config.questions:
        if question.written:
            cells.append(new_markdown_cell(f"## {question.id.upper()} · {html.escape(question.title)}", id=question.id))
        for item in question.written:
            rubric = "\n".join(f"> {line}" for line in html.escape(item.rubric).split("\n")) if item.rubric else ""
            cells.append(new_markdown_cell(f"### {html.escape(item.title)} ({item.points:g} points)\n\n"
                                           + (f"**Rubric** (for graders; students do not see it):\n\n{rubric}"
                                              if rubric else ""), id=f"{item.cell}-rubric"))
            entry = answers.get(item.id)
            text = entry.answer if entry is not None else ""
            cell = new_markdown_cell(safe_markdown(text, len(config.written)) if answered(text) else "*(no answer: the cell was left empty or as "
                                     "released)*", id=item.cell)
            cell.metadata["nbgrader"] = {"grade": True, "solution": True, "task": False, "locked": True,
                                         "grade_id": item.cell, "points": item.points, "schema_version": 3}
            cells.append(cell)
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    return nbformat.writes(notebook)
