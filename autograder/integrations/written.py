"""A student's written answer (Markdown with LaTeX) made safe to show in the instructor's browser.

The formgrader renders a submitted notebook's Markdown to HTML on the Jupyter server's origin, where
raw HTML, a `javascript:` link or an image from elsewhere would act with the instructor's session.
`safe_markdown` rewrites an answer so that whatever the student wrote reads as text, with the math
still set by MathJax:

- outside math, every ASCII punctuation character is backslash-escaped (CommonMark's escape), the
  backslash too: no Markdown or HTML construct can form, and each character shows as itself;
- inside math (`$...$`, `$$...$$`), `<`, `>`, `[`, `]` become `\\lt`, `\\gt`, `\\lbrack`, `\\rbrack`, and
  the MathJax commands that make links, styles or load code lose their backslash.

So no `<` (tag, autolink) or `[` (link, image) is left raw anywhere, whichever spans a renderer takes
for math: a span read differently from here is shown oddly at worst, never run.
"""
from __future__ import annotations

import re
import string

_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_IN_MATH = {"<": r"\lt ", ">": r"\gt ", "[": r"\lbrack ", "]": r"\rbrack "}
# MathJax commands that make links or carry HTML, styles or code: \href{javascript:...}, \style{...}, \require{...}
_ACTIVE = re.compile(r"\\(?=(?:href|url|style|class|cssId|require|html\w*|data\w*|unicode|toggle|mathtip|texttip|"
                     r"tooltip|bbox|special)\b)", re.I)


def safe_markdown(text: str) -> str:
    """`text` (a student's Markdown answer) as Markdown that renders as that text, with its math set.
    Lines lose their leading blanks, which could start a code block (harmless, but it would show the
    math as source)."""
    text = re.sub(r"(?m)^[ \t]+", "", text.replace("\r\n", "\n").replace("\r", "\n"))
    out, last = [], 0
    for match in _MATH.finditer(text):
        out.append(_as_text(text[last:match.start()]))
        out.append(_as_math(match.group()))
        last = match.end()
    out.append(_as_text(text[last:]))
    return "".join(out)


def _as_text(part: str) -> str:
    """Text as its own characters: every ASCII punctuation character escaped."""
    return _PUNCTUATION.sub(r"\\\1", part)


def _as_math(span: str) -> str:
    """A math span kept for MathJax, with nothing in it a renderer or MathJax could act on."""
    inner = _ACTIVE.sub("", span)
    return re.sub(r"[<>\[\]]", lambda m: _IN_MATH[m.group()], inner)
