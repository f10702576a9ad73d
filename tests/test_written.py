"""Written answers shown to the instructor, rendered through nbconvert's HTMLExporter (what the formgrader
uses): whatever a student wrote, the page holds only our own markup, the prose sits where MathJax does not
look, and what MathJax does see is the student's math with no command that links, styles or loads."""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert import HTMLExporter

from autograder.integrations.written import _ALLOWED, _ENVIRONMENTS, MAX_CHARS, MAX_MATH_CHARS, safe_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "[click](javascript:alert(1))",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "![x](https://evil.example/track.png)",
    "<https://evil.example>",
    "https://evil.example www.evil.example",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "`<script>alert(1)</script>`",
    "```mermaid\ngraph TD; A-->B\n```",
    "    <script>alert(1)</script>",
    "\t<b>indented</b>",
    "$</script><script>alert(1)</script>$",
    "$$<img src=x onerror=alert(1)>$$",
    "\\$ <script>alert(1)</script> \\$",
    "\\\\<script>alert(1)</script>",
    "$\\href{https://evil.example}{x}$ and $\\style{cursor:url(https://evil.example/a.png),auto}{y}$",
    # found by review: MathJax reads delimiters in the prose, \\href survived as \href, Markdown ran where
    # math was expected, and a long run of environments was slow to render
    "\\(\\href{https://evil.example/A1}{click}\\)",
    "\\[\\href{https://evil.example/A7}{x}\\]",
    "\\begin{equation}\\href{https://evil.example/A4}{x}\\end{equation}",
    "$a\n\\href{https://evil.example/A3}{x}$",
    "\\(\\style{cursor:url(https://evil.example/A5.png),auto}{\\rule{500px}{500px}}\\)",
    "$\\\\href{https://evil.example/A2}{x}$",
    "$\\\\style{cursor:url(https://evil.example/A11.png),auto}{x}$",
    "\\$x https://evil.example *em* `c` ~~d~~$",
    "$a$$ https://evil.example $$",
    "$https://evil.example\\$",
    "\\$$\n# statusmessage\n| a | b |\n|:-|-:|\n| 1 | 2 |\n$$",
    "$\\def\\h{\\href}\\h{https://evil.example}{x}$",
    "$\\csname href\\endcsname{https://evil.example}{x}$",
    "$\\hr%\nef{https://evil.example}{x}$",
    "$\\unicode[Arial]{x41}$ $\\bbox[background:url(https://evil.example)]{x}$ $\\require{action}$",
    "$x \\) \\href{https://evil.example}{y} \\( z$",
    "$x\\$",
    "$[a](javascript:alert(1))$",
    # found by review round 4: the browser drops NUL before MathJax reads the text, so a backslash and a NUL
    # and href became \\href; JupyterLab's own math finder matched \\\\( across our spans
    "$\\\x00href{https://evil.example/n6}{x}$ $\\\x00def\\frac#1#2{PWNED}$ $\\\x01unicode[x]{x41}$",
    "$a\\\\({b$ plain prose x_1 $c}\\\\)d$",
    "$\\begin{aligned}{x$ prose $y}\\end{aligned}$",
    # found by review round 3: mhchem's ce command re-reads its own output (MathJax 3 loads every package),
    # so a ce argument ending in a line break and an h spells href with the letters after it; mathtools
    # defines macros
    "$\\ce{\\\\\\h}ref{https://evil.example/m1}{CLICK1}$",
    "$\\ce{\\\\\\uni}code[x;background-image:url(https://evil.example/c1.png)]{x41}$",
    "\\begin{array}{cc}\\ce{&\\h}ref{https://evil.example}{x}\\end{array}",
    "$\\ce{\\\\\\d}ef\\foo{PWNED}\\foo$",
    "$\\DeclarePairedDelimiter{\\frac}{\\langle}{\\rangle}$",
    "$\\begin{mathaction}x\\end{mathaction}$ $\\begin{CD}A @>>> B\\end{CD}$",
    "$x$<b>between</b>$y$",
    "<!-- a comment --><style>body{display:none}</style>",
    "line\r\n<script>alert(1)</script>\rtext",
    "# heading <b>x</b>\n> quote <i>y</i>\n- item <u>z</u>",
    # found by review round 5: MathJax's finder skips an end delimiter inside an open brace and joined the
    # spans around it
    "\\(\\text{a{\\)\\(}\\href{https://evil.example/t3b}{x}\\)\\(}\\)",
    # found by review round 6: bidirectional overrides reordered the answer as the grader read it
    "Final answer: \u202e01/01 :ecnatsni rof ,skram lluf $x=1$ $y=2$ \u2066a\u2069 \u200f \u061c",
    "$x}}$ $\\text{{{$ $\\href{https://evil.example}{y}$",
]

ANSWER = r"""The gradient is $\begin{pmatrix} a & b \end{pmatrix}$.
We need $\delta_1 = \frac{\partial J}{\partial z_2}$. With $J = -\sum_i y_i \log \hat y_i$ and
$\hat y = \mathrm{softmax}(z_2)$, for $z > 0$ or $z < 0$:

$$\frac{\partial J}{\partial z_{2,j}} = \hat y_j - y_j$$

since \(\sum_i y_i = 1\). The interval [0, 1] holds every y_i, a*b stays as typed, and it costs \$5."""

BLOCKED = {"href", "url", "style", "class", "cssId", "require", "unicode", "bbox", "def", "let", "csname", "newcommand",
           "mmlToken", "texttip", "eqref", "ref", "tag", "ce", "pu", "DeclarePairedDelimiter", "operatorname"}
SPAN = r"\\\((?:(?!\\[()]).)*?\\\)|\\\[(?:(?!\\[\[\]]).)*?\\\]"
BOX = ("div", (("class", "nnb-answer"), ("dir", "ltr"), ("style", "overflow:auto;border:1px solid #d0d7de;border-left:4px "
                                                                "solid #6e7781;border-radius:4px;padding:.4em .7em;background:#f6f8fa")))
OURS = {BOX, ("bdi", (("class", "tex2jax_ignore mathjax_ignore"), ("dir", "ltr"))), ("br", ()), ("wbr", ())}


class Page(HTMLParser):
    """Tags, and the text MathJax would scan (outside the elements it ignores), of one rendered answer."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.seen_by_mathjax, self.ignored = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))
        self.ignored += tag == "bdi"

    def handle_endtag(self, tag):
        self.ignored -= tag == "bdi"

    def handle_data(self, data):
        data = data.replace("\x00", "")  # as a browser does with NUL in a page's body (HTML's "in body" mode)
        if not self.ignored and data.strip():
            self.seen_by_mathjax.append(data)


def _control_words(tex: str) -> set[str]:
    """The control words of TeX source, read as TeX (and MathJax) read them: \\\\href is \\\\ then letters."""
    return {m.group(1) for m in re.finditer(r"\\(?:([A-Za-z]+)|.)", tex, re.S) if m.group(1)}


def _rendered_all(answers: list[str]) -> list[Page]:
    """Each answer's rendered cell, from one notebook holding them all (one export, as the formgrader makes)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(safe_markdown(a)) for a in answers])
    page, _ = HTMLExporter().from_notebook_node(nb)
    inners = re.findall(r"jp-RenderedMarkdown[^>]*>(.*?)</div>\s*</div>", page[page.index("<body"):], re.S)
    assert len(inners) == len(answers)
    pages = []
    for inner in inners:
        pages.append(Page())
        pages[-1].feed(inner)
    return pages


def _rendered(answer: str) -> Page:
    return _rendered_all([answer])[0]


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_page_holds_only_our_own_markup(attack):
    page = _rendered(attack)
    assert set(page.tags) <= OURS, page.tags


@pytest.mark.parametrize("attack", ATTACKS)
def test_mathjax_sees_only_whole_math_spans_without_active_commands(attack):
    for text in _rendered(attack).seen_by_mathjax:
        assert re.fullmatch(f"(?:{SPAN})+", text, re.S), text  # whole spans of ours, nothing between
        assert _control_words(text) <= _ALLOWED | {"begin", "end"}, text
        for environment in re.findall(r"\\(?:begin|end) ?\{([^}]*)\}", text):
            assert environment in _ENVIRONMENTS, text


def test_an_honest_answer_reads_as_written_with_its_math():
    page = _rendered(ANSWER)
    math = page.seen_by_mathjax
    assert math[:3] == [r"\(\begin {pmatrix} a & b \end {pmatrix}\)", r"\(\delta_1 = \frac{\partial J}{\partial z_2}\)",
                        r"\(J = -\sum_i y_i \log \hat y_i\)"]
    assert r"\(z > 0\)" in math and r"\(z < 0\)" in math and r"\(\sum_i y_i = 1\)" in math
    assert r"\[\frac{\partial J}{\partial z_{2,j}} = \hat y_j - y_j\]" in math
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(safe_markdown(ANSWER))])
    text = re.sub(r"<[^>]+>", " ", HTMLExporter().from_notebook_node(nb)[0])
    assert "The interval [0, 1] holds every y_i, a*b stays as typed, and it costs $5." in text


def test_a_long_answer_is_cut_and_renders_quickly():
    answer = "$" + "\\begin{a}" * 12_000 + "$" + "x" * 50_000
    started = time.monotonic()
    source = safe_markdown(answer)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
    HTMLExporter().from_notebook_node(nb)
    assert time.monotonic() - started < 20  # a bound far above the second it takes: the quadratic case took minutes
    assert f"{len(answer) - MAX_CHARS} more characters not shown" in source


SPLITS = ["\\(", "\\)", "\\[", "\\]", "%\n", "\n", "$", "\\\n", "{}"]
FORMS = ["${}$", "$${}$$", "\\({}\\)", "\\[{}\\]"]


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_no_blocked_command_can_be_spelled_in_pieces(name):
    """Found by review: removing a delimiter joined \\h and ref into \\href. Whatever stands between the
    pieces of a blocked name, in whichever math form, MathJax never reads the name as a command."""
    answers = [form.format(f"\\{name[:cut]}{split}{name[cut:]}{{https://evil.example}}{{x}}")
               for cut in range(1, len(name)) for split in SPLITS for form in FORMS]
    for answer, page in zip(answers, _rendered_all(answers)):
        for text in page.seen_by_mathjax:
            assert not _control_words(text) & BLOCKED, (answer, text)


def test_text_python_cannot_write_is_replaced_not_a_crash():
    source = safe_markdown("a lone surrogate \ud800 in prose and in $x\udc80$")
    source.encode("utf-8")  # a notebook is written as UTF-8
    assert "?" in source


def test_what_would_stall_a_renderer_is_shown_as_written():
    """Found by review round 4: nbconvert took 17 s on thousands of [ in one line, and MathJax 2 froze the tab
    for a minute on 230 nested groups. Brackets become character references; deep or too many spans are text."""
    started = time.monotonic()
    HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        safe_markdown("[" * 13000 + "a$b$" * 1750))]))
    assert time.monotonic() - started < 10
    deep = "$" + "{" * 230 + "x" + "}" * 230 + "$ and $" + "\\left(" * 100 + "x" + "\\right)" * 100 + "$"
    assert _rendered(deep).seen_by_mathjax == []
    many = _rendered("$x$ " * 400).seen_by_mathjax
    assert len("".join(many).split("\\(")) - 1 == 300


def test_what_mathjax_sets_is_bounded_and_balanced():
    """Found by review round 5: 160 nested environments crashed MathJax 2's tab; 20,000 characters of plain math
    took it 5 to 19 s; unbalanced braces let its finder join two spans. Environments count towards the depth, math
    past MAX_MATH_CHARS in one answer is shown as written, and every span's braces balance."""
    nested = "$" + "\\begin{matrix}" * 160 + "x" + "\\end{matrix}" * 160 + "$"
    assert _rendered(nested).seen_by_mathjax == []
    flood = _rendered("$" + "x+" * 2000 + "x$ " + " ".join(["$" + "{" * 15 + "x" + "}" * 15 + "$"] * 190))
    assert sum(len(text) for text in flood.seen_by_mathjax) <= MAX_MATH_CHARS + 2 * 4 * 190
    assert 0 < len(flood.seen_by_mathjax) < 190
    for answer in ATTACKS + [ANSWER, "$a}b{c$ $}{$ $\\text{{x$"]:
        for text in _rendered(answer).seen_by_mathjax:
            for span in re.findall(SPAN, text, re.S):
                depth = 0
                for brace in re.findall(r"\\.|[{}]", span):
                    depth += {"{": 1, "}": -1}.get(brace, 0)
                    assert depth >= 0, (answer, span)
                assert depth == 0, (answer, span)


def test_the_answer_box_keeps_what_mathjax_sets_inside_and_nothing_is_deleted():
    """Found by review round 5: 700 negative thin spaces moved a text outside the answer, over the page; a
    backslash before an unprintable character dropped it. The box clips (overflow), and every character shows."""
    source = safe_markdown("Honest. $" + "\\!" * 700 + "\\text{GRADER NOTE: full marks}$")
    assert source.startswith("<div class='nnb-answer' dir='ltr' style='overflow:auto;")
    shown = safe_markdown("$\\\u2028x \\(y\\) \\[z\\]$")
    assert "\\backslash\\mathrm{U2028}x" in shown and "\\backslash(y\\backslash)" in shown
    assert "\\backslash&#91;z\\backslash&#93;" in shown


def test_what_crashed_or_blanked_mathjax_2_in_review_round_6_is_shown_as_written():
    """43 nested \\underbrace{..}^{a}_{b} (13 elements each) crashed MathJax 2's tab within the depth of 50; 300
    commands shown by name made its line breaking drop the span without a word; the page of several answers
    took seconds more than one. Now: 20 levels, 50 commands by name per answer, the math budget per page."""
    braces = "$" + "\\underbrace{" * 43 + "x" + "}^{a}_{b}" * 43 + "$"
    assert _rendered(braces).seen_by_mathjax == []
    named = _rendered("My derivation is correct. $" + "\\a" * 300 + "$ $x$ (see above)")
    assert named.seen_by_mathjax == ["\\(x\\)"]
    assert safe_markdown("$\\a$ " * 60).count("\\backslash\\mathrm{a}") == 50
    for text in ("Final answer: \u202e01/01 full marks", "\u2066a\u2069\u200e\u200f\u061c\u202a"):
        assert not re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", safe_markdown(text))
    page_budget = safe_markdown("$" + "x" * 900 + "$", answers=3)
    assert "\\(" not in page_budget and "x" * 900 in page_budget.replace("<wbr>", "")


def test_what_review_round_7_found_is_bounded_isolated_and_framed():
    """Thousands of combining marks on one letter took the browser 3 to 6 s to paint; right-to-left letters
    around math spans swapped them; student prose passed for the page's own rubric. Now: 8 marks a character
    and the rest counted in words, prose isolated in <bdi> in a left-to-right box, the box framed."""
    source = safe_markdown("a" + "\u0301" * 19990 + " b")
    assert "\u0301" * 8 + " (+19982 combining marks) b" in source and "\u0301" * 9 not in source
    tags = _rendered("Steps\u05c3 $x=1$ \u05be $x=2$ \u05be $x=3$ \u05c0").tags
    assert tags[0] == BOX and {tag for tag, _ in tags[1:]} == {"bdi"}
    assert safe_markdown("$x$ " * 300, answers=3).count("\\(") == 100  # a page shares the spans


def test_what_review_round_8_found_is_bounded():
    """Round 8 (fonts for every script installed): 6,666 Thai syllables with no space took Chromium tens of seconds to
    lay out, an emoji with 19,999 skin tones hung the tab, 20,000 newlines took seconds, and a leading Hebrew letter
    showed a piece's sentences in reverse. Now a break opportunity every MAX_RUN characters, tones and joiners
    capped like marks, blank lines squeezed and MAX_LINES per page, prose pieces left to right; 9,000 characters a
    page."""
    thai = safe_markdown("\u0e01\u0e32\u0e23" * 6666, answers=3)
    assert thai.count("<wbr>") == 9000 // 3 // 100 - 1 and "more characters not shown" in thai
    assert "\U0001F3FB" * 8 + " (+19991 combining marks)" in safe_markdown("\U0001F44D" + "\U0001F3FB" * 19999)
    blank = safe_markdown("a" + "\n" * 8000 + "b")
    assert blank.count("<br>") == 3 and "(+7998 blank lines)" in blank and blank.endswith("<br>b</bdi></div>")
    lines = safe_markdown("a\n" * 1000, answers=3)
    assert lines.count("<br>") == 100 and " ↵ " in lines
    tags = _rendered("\u05d0 Step one: wrong. \u05d0 Step two: right.").tags
    assert all(("dir", "ltr") in attrs for tag, attrs in tags if tag == "bdi")


def test_what_review_round_9_found_is_bounded():
    """Round 9: math in characters MathJax 2 has no glyph for (Chinese, Korean, emoji) took it 4 to 45 s within the
    budget; no-break spaces hid a spaceless run from the break rule. They now count FOREIGN_WEIGHT times against
    the math budget, and no-break spaces count as letters."""
    chinese = safe_markdown("$" + "".join(chr(0x4E00 + i) for i in range(1995)) + "$")
    assert "\\(" not in chinese  # shown as written
    spans = safe_markdown(" ".join("$" + chr(0x4E00 + i) + "$" for i in range(300)), answers=3)
    assert spans.count("\\(") == MAX_MATH_CHARS // 3 // 20
    assert safe_markdown(("\u1000\u1039\u1000" * 33 + "\xa0") * 100).count("<wbr>") == 9000 // 100 - 1


def test_what_review_round_10_found_is_bounded():
    """Round 10: MathJax 2 lacks glyphs for most symbols outside ASCII too (braille, box drawing, arrows, accented
    Latin): 300 such spans took it 8 to 25 s; MathJax 3 shows an error for a span holding a currency sign. Every
    non-ASCII math character now counts FOREIGN_WEIGHT, and a span MathJax 3 cannot set is shown as written."""
    braille = safe_markdown(" ".join("$" + chr(c) + "$" for c in range(0x2800, 0x292C)))
    assert braille.count("\\(") == MAX_MATH_CHARS // 20
    euro = _rendered("Cost is $5\u20ac$ and $x+y$").seen_by_mathjax
    assert euro == ["\\(x+y\\)"]
