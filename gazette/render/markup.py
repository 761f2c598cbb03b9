"""Free-text fields: Markdown → sanitised HTML.

Staff may write emphasis, lists and tables. Raw HTML is limited to a small allowlist by nh3, so a pasted
<script>, an event handler or a javascript:/data: link never reaches the site, the PDF or the DOCX.
"""

from __future__ import annotations

import re

import markdown as markdown_lib
import nh3
from markupsafe import Markup, escape

from gazette import wording

ALLOWED_TAGS = {"p", "br", "em", "strong", "b", "i", "u", "sub", "sup", "ul", "ol", "li", "table", "thead",
                "tbody", "tr", "th", "td", "a", "span", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

def _new_markdown() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=["tables", "sane_lists"], output_format="html")


_md = _new_markdown()


# A notice's structure (一、（一）1.) comes from its sections, so a "# heading" or a code block typed in a
# field is a paragraph. Left to nh3 they would lose their tag and leave bare text beside the paragraphs of a
# list item, which the DOCX writer does not see.
_BLOCKS_AS_PARAGRAPHS = re.compile(r"<(/?)(?:h[1-6]|pre)\b[^>]*>")


def _clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


def _prepare(text: str) -> str:
    # A 发文字号 year is printed in 〔〕 whatever brackets were typed (乌水考﹝2022﹞3号 → 乌水考〔2022〕3号).
    text = wording.fix_document_number_brackets(text)
    # Trailing spaces carry no meaning in a notice (the seed's source has hundreds); Markdown would read two
    # of them as a line break.
    return _defuse("\n".join(line.rstrip() for line in text.splitlines()))


# Python-Markdown scans character by character from every "[" to its "]" (and from "](" to its ")"), and
# from every "<" to its ">": unclosed ones make a field quadratic (30,000 "[" took 90 s, 20,000 "<div " 34 s).
# A bracket that does not close on its line within a short distance cannot start a link or a tag, so it is
# made literal before Markdown sees it; what remains is bounded work per character.
_LINK_TEXT = re.compile(r"\[[^\[\]\n]{0,500}\]")
_LINK_TARGET = re.compile(r"\([^()\n]{0,2000}\)")
_TAG = re.compile(r"<[^<>\n]{0,1000}>")


def _defuse(text: str) -> str:
    if "[" not in text and "<" not in text:
        return text
    out: list[str] = []
    start = 0
    for match in re.finditer(r"[\[<]", text):
        at = match.start()
        if text[at] == "[":
            closed = _LINK_TEXT.match(text, at)
            keep = closed is not None and (not text.startswith("(", closed.end())
                                           or _LINK_TARGET.match(text, closed.end()) is not None)
            literal = "\\["
        else:
            keep = _TAG.match(text, at) is not None
            literal = "&lt;"
        if not keep:
            out.append(text[start:at] + literal)
            start = at + 1
    out.append(text[start:])
    return "".join(out)


def markdown_block(text: str | None) -> Markup:
    """Block Markdown: paragraphs, lists, tables."""
    if not text:
        return Markup("")
    global _md
    if len(_MARKUP_CHARACTERS.findall(text)) > MAX_MARKUP_CHARACTERS or _TOO_DEEP.search(text):
        return Markup(_plain(text))
    prepared = _prepare(text)
    simple = _simple_paragraphs(prepared)
    if simple is not None:
        return Markup(simple)
    _md.reset()
    try:
        html = _md.convert(prepared)
    except RecursionError:
        # nesting _TOO_DEEP did not catch; the instance is left half-way and is not reused
        _md = _new_markdown()
        return Markup(_plain(text))
    return Markup(_number_lists(_clean(_BLOCKS_AS_PARAGRAPHS.sub(r"<\1p>", html))))


# Python-Markdown's inline processing restarts its scan at every escape, entity or marker it replaces, so
# its time grows with the square of their number (60,000 escaped "[" took 4 s). No notice has thousands: a
# field with more is shown as the text that was typed, in plain paragraphs, instead of being interpreted.
MAX_MARKUP_CHARACTERS = 5000
# Lists and quotes nest by recursion in Python-Markdown: hundreds of levels raise RecursionError (which
# also leaves the instance broken). A line indented 64 spaces or quoted 16 deep is not a notice's Markdown.
_TOO_DEEP = re.compile(r"^(?: {64,}|(?:[ \t]*>){16,})", re.M)
_MARKUP_CHARACTERS = re.compile(r"[\[\]<>`\\&*_]")


# Most fields are plain prose. Python-Markdown costs ~0.2 ms a field even then (a 1,000-notice site renders
# 15,000 table cells), so text in which Markdown could find nothing to do is wrapped in <p> here: no character
# it or nh3 treats specially, no line that could open a block (list, quote, heading, setext or table line,
# indented code). The markup staff type most, bold (**每季度通报**, in most notices) and emphasis
# (*逐项销号*), is done here too when every pair of stars is on one line around text with no star that
# neither starts nor ends with a space: Python-Markdown pairs those stars the same way (its STRONG_RE and
# EMPHASIS_RE take the next closing stars; its not-strong rule needs stars between spaces). Any other star
# (***, a star left unpaired, pairs inside each other) goes to Python-Markdown.
# tests/test_markdown.py checks that this gives exactly Markdown's output.
_NOT_SIMPLE = re.compile(r"[^\x20-\x7e\n\u00a1-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd]|[\\`_\[\]<>&!#|~{}\u00a0]|^(?:[^\S\n]|[-+=>]|\d+[.)])", re.M)
_STRONG = re.compile(r"\*\*([^\s*](?:[^*\n]*[^\s*])?)\*\*")
_EMPHASIS = re.compile(r"\*([^\s*](?:[^*\n]*[^\s*])?)\*")


def _simple_paragraphs(prepared: str) -> str | None:
    if _NOT_SIMPLE.search(prepared):
        return None
    if "*" in prepared:
        if "***" in prepared:
            return None
        prepared = _STRONG.sub(r"<strong>\1</strong>", prepared)
        if "**" in prepared or "*" in _EMPHASIS.sub("", prepared):
            return None
        prepared = _EMPHASIS.sub(r"<em>\1</em>", prepared)
    paragraphs = [part.strip("\n") for part in re.split(r"\n{2,}", prepared)]
    return "\n".join(f"<p>{part}</p>" for part in paragraphs if part)


def _plain(text: str) -> str:
    return "".join(f"<p>{escape(part.strip())}</p>" for part in re.split(r"\n\s*\n", text) if part.strip())


def markdown_inline(text: str | None) -> Markup:
    """Markdown for text that continues a line (after a run-in heading, inside a list item): one paragraph
    loses its <p>; several paragraphs stay blocks."""
    html = str(markdown_block(text))
    match = re.fullmatch(r"\s*<p>(.*?)</p>\s*", html, flags=re.S)
    if match and "<p>" not in match.group(1):
        return Markup(match.group(1))
    return Markup(html)


_OL = re.compile(r"<ol>(.*?)</ol>", re.S)
_UL = re.compile(r"<ul>(.*?)</ul>", re.S)


def _number_lists(html: str) -> str:
    """Lists written in Markdown get visible markers in the text itself ((1) for numbered, · for bullets),
    so that the HTML, the PDF and the DOCX carry the same characters (CSS list markers are not text)."""

    def numbered(match: re.Match[str]) -> str:
        counter = iter(range(1, 1000))
        body = re.sub(r"<li>", lambda _: f'<li><span class="marker">{wording.list_marker("（1）", next(counter))}</span>',
                      match.group(1))
        return f'<ol class="md-list">{body}</ol>'

    def bullets(match: re.Match[str]) -> str:
        body = match.group(1).replace("<li>", '<li><span class="marker">·</span>')
        return f'<ul class="md-list">{body}</ul>'

    return _UL.sub(bullets, _OL.sub(numbered, html))
