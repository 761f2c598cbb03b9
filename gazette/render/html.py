"""The one rendering of a notice: `templates/notice.html.j2` → a semantic HTML fragment.

Every output starts here. The PDF is this fragment plus a print stylesheet (render/pdf.py), the DOCX is built
by walking this fragment (render/docx.py), and the site page embeds it. All wording of a notice lives in that
template, in site.yaml and in the notice's own YAML; this module only supplies data and filters.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from gazette import wording
from gazette.errors import GazetteError, display_path
from gazette.loader import Content, publicity_days
from gazette.model import Notice
from gazette.render.markup import markdown_block, markdown_inline

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


@dataclass(frozen=True)
class RenderedNotice:
    """A notice rendered once: the HTML fragment every output is made from."""

    notice: Notice
    html: str  # <article class="notice">…</article>


def template_dirs(content_root: Path | None) -> list[Path]:
    """A content folder may carry its own templates/ that override the shipped ones file by file."""
    dirs = []
    if content_root is not None and (content_root / "templates").is_dir():
        dirs.append(content_root / "templates")
    dirs.append(TEMPLATES_DIR)
    return dirs


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only temp folder: the template is compiled again next time
            pass


@lru_cache(maxsize=1)
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _BytecodeCache()
    except (RuntimeError, OSError):  # no private temp folder could be made: compile every time
        return None


@lru_cache(maxsize=8)
def environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,  # every template escapes; only sanitised Markdown is marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Compiling the templates took ~0.25 s of every build process and worker. Jinja keeps the compiled
        # code in a private folder of the temp dir, keyed by a checksum of the template's source.
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(
        markdown=markdown_block,
        markdown_inline=markdown_inline,
        official_date=wording.official_date,
        chinese_numeral=wording.chinese_numeral,
        marker=lambda n, style: wording.list_marker(style, n),
        quantity=wording.format_quantity,
        em_width=em_width,
        render_with=render_with,
        run_in_heading=run_in_heading,
        chart_text=_chart_text,
    )
    env.globals.update(balance_title=balance_title)
    return env


# Site-level wording templates (a kind's intro and objection sentences) are written by the web team in
# site.yaml; they run sandboxed and autoescaped, with only the notice's data in reach.
class MissingValue(Exception):
    """A site-level wording template used a field the notice leaves empty."""


def _no_empty_values(value: Any) -> Any:
    # "根据，None督察反馈……" must never reach a public notice
    if value is None:
        raise MissingValue
    return value


_sandbox = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_no_empty_values)


@lru_cache(maxsize=64)
def _wording_template(source: str) -> jinja2.Template:
    return _sandbox.from_string(source)  # compiled once per distinct sentence, not once per notice


def render_with(template: str, **values: Any) -> Markup:
    try:
        return Markup(_wording_template(template).render(**values))
    except (MissingValue, jinja2.UndefinedError):
        used = dict.fromkeys(re.findall(r"{{\s*([A-Za-z_][\w.]*)", template))
        empty = [name for name in used if _lookup(values, name) is None]
        raise GazetteError(f"措辞模板 “{template[:30]}…” 用到了没有填写的字段 {'、'.join(empty) or '（未知）'}："
                           "请在公示中填写，或直接写出这句话（如 intro）") from None


def _lookup(values: dict[str, Any], dotted: str) -> Any:
    current: Any = values
    for part in dotted.split("."):
        current = current.get(part) if isinstance(current, dict) else getattr(current, part, None)
        if current is None:
            return None
    return current


def _chart_text(indicator) -> str:
    from gazette.charts import indicator_chart_text  # only when a notice has a chart

    return indicator_chart_text(indicator)


def chart_files(notice: Notice) -> dict[str, bytes]:
    """The SVG files a notice's page refers to, by file name (written beside the page)."""
    from gazette.charts import indicator_chart_svg

    return {chart_name(notice, ind.key, "svg"): indicator_chart_svg(ind).encode("utf-8")
            for ind in notice.indicators if ind.chart}


def chart_name(notice: Notice, key: str, extension: str) -> str:
    return f"{notice.id}-{key}.{extension}"


def run_in_heading(text: str, longest: int = 40) -> tuple[str, str]:
    """Split an item into its heading sentence (up to the first 。, if that comes soon) and the rest:
    "强化组织领导。成立工作专班……" → ("强化组织领导。", "成立工作专班……"). No short first sentence: no heading text."""
    end = text.find("。")
    if 0 < end < longest:
        return text[: end + 1], text[end + 1:]
    return "", text


def em_width(text: str) -> float:
    """Width of text in em at the body size: CJK and full-width characters take one cell, ASCII half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


# --- titles ------------------------------------------------------------------------------------------------

# Words that must not be split across title lines. The title is short and its vocabulary narrow, so a small
# lexicon does what a segmenter would; a title the lexicon does not cover can give its breaks in `title_lines`.
TITLE_WORDS = (
    "生态环境保护督察", "生态环境保护", "督察组", "督察", "整改情况公示", "整改情况", "整改任务", "整改问题", "反馈问题",
    "验收销号公示", "验收公示", "验收销号", "突出生态环境问题", "生态环境问题", "自治区", "兵团", "第一轮", "第二轮",
    "第三轮", "第一批", "第二批", "第三批", "第四批", "第五批", "回头看", "专项督察", "地区", "关于", "省委", "中央",
    "序号", "公示", "问题", "反馈", "整改",
)


def balance_title(title: str, max_em: float = 20.0) -> list[str]:
    """Break a long title into the fewest lines that fit (22 pt on a 156 mm 版心 holds 20 characters), as
    equal in length as possible, breaking only between words and never before closing punctuation."""
    if em_width(title) <= max_em:
        return [title]
    allowed = _title_breaks(title)
    lines_needed = math.ceil(em_width(title) / max_em)
    for n in range(lines_needed, lines_needed + 3):
        best = _best_split(title, allowed, n, max_em)
        if best:
            return best
    return [title]


def _title_breaks(title: str) -> set[int]:
    """Positions i where a line may end before title[i]."""
    protected: set[int] = set()  # positions inside a word
    i = 0
    while i < len(title):
        for word in TITLE_WORDS:
            if title.startswith(word, i):
                protected.update(range(i + 1, i + len(word)))
                i += len(word) - 1
                break
        i += 1
    breaks = set()
    for pos in range(1, len(title)):
        before, after = title[pos - 1], title[pos]
        if pos in protected:
            continue
        if after in "，。、；：！？）》”’" or before in "（《“‘":
            continue
        if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
            continue  # keep numbers whole
        breaks.add(pos)
    return breaks


def _best_split(title: str, allowed: set[int], n: int, max_em: float) -> list[str] | None:
    ideal = em_width(title) / n
    best: tuple[float, list[str]] | None = None

    def search(start: int, remaining: int, acc: list[str], cost: float) -> None:
        nonlocal best
        if remaining == 1:
            last = title[start:]
            if em_width(last) > max_em:
                return
            total = cost + (em_width(last) - ideal) ** 2
            if best is None or total < best[0]:
                best = (total, acc + [last])
            return
        for pos in sorted(p for p in allowed if p > start):
            line = title[start:pos]
            width = em_width(line)
            if width > max_em:
                break
            if width < ideal * 0.5:
                continue
            search(pos, remaining - 1, acc + [line], cost + (width - ideal) ** 2)

    search(0, n, [], 0.0)
    return best[1] if best else None


# --- the notice ----------------------------------------------------------------------------------------------

def section_value(notice: Notice, field: str) -> Any:
    """The value a section shows, or None when the notice leaves it empty (the section is then left out)."""
    if field == "text":
        return True
    value = getattr(notice, field)
    if value in (None, "", []):
        return None
    return value


def render_notice(notice: Notice, content: Content) -> RenderedNotice:
    env = environment(tuple(template_dirs(content.root)))
    kind = content.site.kinds[notice.kind]
    try:
        html = _render_template(env, notice, content, kind)
    except GazetteError as exc:
        source = content.sources.get(notice.id)
        raise GazetteError(f"{display_path(source.path) if source else notice.id}: {exc}") from None
    return RenderedNotice(notice=notice, html=html)


def _render_template(env: jinja2.Environment, notice: Notice, content: Content, kind) -> str:
    """The notice template, with a mistake in a template (a local override in content/templates, say) turned
    into one line naming the template file and line instead of a traceback."""
    try:
        return env.get_template("notice.html.j2").render(**_template_values(notice, content, kind))
    except jinja2.TemplateSyntaxError as exc:
        raise GazetteError(f"模板错误 {exc.filename or exc.name}:{exc.lineno}：{exc.message}") from None
    except jinja2.TemplateError as exc:
        raise GazetteError(f"模板错误 {_template_position(exc)}：{exc}") from None


def _template_position(exc: BaseException) -> str:
    """file:line of the innermost template frame in a Jinja error's traceback."""
    position = "notice.html.j2"
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            position = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return position


def _template_values(notice: Notice, content: Content, kind) -> dict[str, Any]:
    return dict(
        notice=notice,
        site=content.site,
        kind=kind,
        sections=notice.sections or kind.sections,
        section_value=section_value,
        publicity_days=publicity_days(notice, content.site) if notice.publicity else None,
        title_lines=notice.title_lines or balance_title(notice.title),
        contact=notice.contact or content.site.contact,
    )
