"""Free-text fields: Markdown → sanitised HTML.

Staff may write emphasis, lists and tables. Raw HTML is limited to a small allowlist by nh3, so a pasted
<script>, an event handler or a javascript:/data: link never reaches the site, the PDF or the DOCX.
"""

from __future__ import annotations

import re

import markdown as markdown_lib
import nh3
from markupsafe import Markup

from gazette import wording

ALLOWED_TAGS = {"p", "br", "em", "strong", "b", "i", "u", "sub", "sup", "ul", "ol", "li", "table", "thead",
                "tbody", "tr", "th", "td", "a", "span", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_md = markdown_lib.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def _clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


def _prepare(text: str) -> str:
    # A 发文字号 year is printed in 〔〕 whatever brackets were typed (乌水考﹝2022﹞3号 → 乌水考〔2022〕3号).
    text = wording.fix_document_number_brackets(text)
    # Trailing spaces carry no meaning in a notice (the seed's source has hundreds); Markdown would read two
    # of them as a line break.
    return "\n".join(line.rstrip() for line in text.splitlines())


def markdown_block(text: str | None) -> Markup:
    """Block Markdown: paragraphs, lists, tables."""
    if not text:
        return Markup("")
    _md.reset()
    return Markup(_number_lists(_clean(_md.convert(_prepare(text)))))


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
