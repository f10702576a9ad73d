"""Written answers shown to the instructor: rendered through nbconvert's HTMLExporter (what the formgrader
uses), whatever a student wrote comes out as text and math, never as HTML, a link or an image."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert import HTMLExporter

from autograder.integrations.written import safe_markdown

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
    "<javascript:alert(1)>",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "\t<b>indented</b>",
    "$</script><script>alert(1)</script>$",
    "$$<img src=x onerror=alert(1)>$$",
    "\\$ <script>alert(1)</script> \\$",
    "\\\\<script>alert(1)</script>",
    "$\\href{javascript:alert(1)}{x}$ and $\\style{background:url(https://evil.example)}{y}$",
    "$[a](javascript:alert(1))$",
    "$x$<b>between</b>$y$",
    "$$\n<script>\n$$",
    "<!-- a comment --><style>body{display:none}</style>",
    "line\r\n<script>alert(1)</script>\rtext",
    "# heading <b>x</b>\n> quote <i>y</i>\n- item <u>z</u>",
    "a $5 and $6 <script>alert(1)</script> then $",
]

ANSWER = r"""We need $\delta_1 = \frac{\partial J}{\partial z_2}$. With $J = -\sum_i y_i \log \hat y_i$ and
$\hat y = \mathrm{softmax}(z_2)$, for $z > 0$ or $z < 0$:

$$\frac{\partial J}{\partial z_{2,j}} = \hat y_j - y_j$$

since $\sum_i y_i = 1$. The interval [0, 1] holds every $y_i$, so a*b and x_1 stay as typed."""


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _rendered(*answers: str) -> list[str]:
    """The HTML nbconvert makes of each answer's Markdown cell (the inside of its rendered div)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(safe_markdown(a)) for a in answers])
    page, _ = HTMLExporter().from_notebook_node(nb)
    body = page[page.index("<body"):]
    return re.findall(r"jp-RenderedMarkdown[^>]*>(.*?)</div>", body, re.S)


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_a_student_writes_becomes_html(attack):
    [inner] = _rendered(attack)
    parser = Tags()
    parser.feed(inner)
    assert {tag for tag, _ in parser.tags} <= {"p"} and all(not attrs for _, attrs in parser.tags), inner


@pytest.mark.parametrize("attack", ATTACKS)
def test_mathjax_gets_no_command_that_links_or_styles(attack):
    [inner] = _rendered(attack)
    assert not re.search(r"\\(href|style|class|cssId|require|url|unicode|bbox)\b", html.unescape(inner))


def test_an_honest_answer_reads_as_written_with_its_math():
    [inner] = _rendered(ANSWER)
    text = html.unescape(re.sub(r"<[^>]+>", "", inner))
    for math in (r"$\delta_1 = \frac{\partial J}{\partial z_2}$", r"$\hat y = \mathrm{softmax}(z_2)$",
                 r"$$\frac{\partial J}{\partial z_{2,j}} = \hat y_j - y_j$$", r"$\sum_i y_i = 1$"):
        assert math in text  # math reaches MathJax as the student wrote it
    assert r"$z \gt  0$" in text and r"$z \lt  0$" in text  # < and > in math as MathJax's own commands
    assert "The interval [0, 1] holds every" in text and "a*b and x_1 stay as typed." in text
    assert "\\" not in re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", text, flags=re.S)  # no escape shows in the prose
