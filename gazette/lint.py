"""公文 typography and figures: what a careful 文秘 would mark in a notice before it is published.

Each rule looks at the text of the YAML values (never at keys or comments) and reports file:line:column, what
it found and what it should be. Rules whose fix cannot change the meaning (half-width punctuation between
Chinese characters, 〔〕 around a 发文字号 year, m³, leading zeros, doubled punctuation, stray spaces) carry an
edit that `gazette check --fix` applies to exactly those characters, so comments and layout stay. Rules that
need a person (unbalanced brackets, totals that do not add up, placeholders) only report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazette import wording
from gazette.errors import ContentErrors, GazetteError, display_path
from gazette.yaml_spans import Edit, Positions, apply_edits, text_spans, value_spans

if TYPE_CHECKING:
    from gazette.loader import Content

# Values that are identifiers, addresses or file names, not prose.
SKIP_KEYS = {"id", "key", "kind", "seal", "email", "mobile", "phone", "supervision_phone", "base_url"}

HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
# A Chinese "side" of a punctuation mark: a character, or full-width punctuation that closes or opens.
CHINESE_SIDE = rf"[{HAN}《》“”‘’（）〔〕、，。；：！？]"

FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
PAIRS = (("《", "》"), ("“", "”"), ("‘", "’"), ("（", "）"), ("〔", "〕"))
PLACEHOLDER = "待填写"


@dataclass(frozen=True)
class LintFinding:
    path: Path
    line: int
    column: int
    rule: str  # a short Chinese name of the rule
    message: str
    edits: tuple[Edit, ...] = ()  # present when the fix is safe to apply without reading the sentence

    @property
    def fixable(self) -> bool:
        return bool(self.edits)

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column} {self.rule}：{self.message}"


@dataclass(frozen=True)
class _Hit:
    """A finding before it knows its file and position."""

    start: int
    end: int
    rule: str
    message: str
    replacement: str | None = None  # for text[start:end]
    # or, when only some characters change (the two brackets of a pair): (start, end, replacement) each
    parts: tuple[tuple[int, int, str], ...] = ()

    @property
    def changes(self) -> tuple[tuple[int, int, str], ...]:
        if self.parts:
            return self.parts
        return ((self.start, self.end, self.replacement),) if self.replacement is not None else ()


# --- the rules, each over one text value (its raw characters in the file) -------------------------------------

def _document_number_brackets(raw: str) -> list[_Hit]:
    """乌水考﹝2022﹞3号, 新发改农价[2015]1724号 → 〔〕; and ﹝﹞ wherever they appear."""
    hits = []
    for m in re.finditer(r"([﹝\[［(（〔])(\d{4})([﹞\]］)）〕])(?=\s*第?\d+\s*号)", raw):
        if m.group(1) == "〔" and m.group(3) == "〕":
            continue
        right = f"〔{m.group(2)}〕"
        hits.append(_Hit(m.start(), m.end(), "发文字号", f"“{m.group(0)}”应为“{right}”（年份用六角括号）", right))
    for m in re.finditer(r"﹝([^﹝﹞\n]*)﹞", raw):
        right = f"〔{m.group(1)}〕"
        hits.append(_Hit(m.start(), m.end(), "发文字号", f"“{m.group(0)}”应为“{right}”", right))
    return hits


def _list_markers(raw: str) -> list[_Hit]:
    """1、 → 1.   (1) → （1）   (一) → （一）   at the start of an item or line."""
    hits = []
    forms = [
        (re.compile(r"(?m)^([ \t]*(?:[-*][ \t]+)?)(\d{1,2})[、．](?!\d)"), lambda m: f"{m.group(2)}."),
        (re.compile(r"(?m)^([ \t]*(?:[-*][ \t]+)?)[(（](\d{1,2}|[一二三四五六七八九十]{1,3})[)）]"),
         lambda m: f"（{m.group(2)}）"),
        (re.compile(r"(?m)^([ \t]*(?:[-*][ \t]+)?)([一二三四五六七八九十]{1,3})[.．,，](?!\d)"), lambda m: f"{m.group(2)}、"),
    ]
    for form, standard in forms:
        for m in form.finditer(raw):
            found = m.group(0)[len(m.group(1)):]
            right = standard(m)
            if found != right:
                hits.append(_Hit(m.start() + len(m.group(1)), m.end(), "条目编号", f"“{found}”应为“{right}”", right))
    return hits


def _half_width_brackets(raw: str) -> list[_Hit]:
    """(…) around or next to Chinese text → （…）; a pair that mixes the two widths → full width."""
    hits = []
    for m in re.finditer(r"[(（]([^()（）\n]*)[)）]", raw):
        found = m.group(0)
        if found[0] == "（" and found[-1] == "）":
            continue
        before = raw[m.start() - 1] if m.start() else ""
        after = raw[m.end()] if m.end() < len(raw) else ""
        chinese = re.search(f"[{HAN}]", m.group(1)) or re.match(CHINESE_SIDE, before or " ") or re.match(
            CHINESE_SIDE, after or " ")
        mixed = found[0] != found[-1].translate(str.maketrans("）)", "（("))
        if chinese or mixed:
            right = f"（{m.group(1)}）"
            # only the brackets change: a comma inside is another finding, fixed in the same run
            parts = tuple((i, i + 1, full) for i, full in ((m.start(), "（"), (m.end() - 1, "）"))
                          if raw[i] != full)
            hits.append(_Hit(m.start(), m.end(), "括号", f"半角括号“{found}”应为全角“{right}”", parts=parts))
    return hits


def _half_width_punctuation(raw: str) -> list[_Hit]:
    hits = []
    # between Chinese characters, or ending a Chinese sentence
    for m in re.finditer(rf"(?<={CHINESE_SIDE})([,:;?!]) ?(?={CHINESE_SIDE}|[ \t]*(?:\n|$))", raw):
        mark = m.group(1)
        hits.append(_Hit(m.start(), m.end(), "标点", f"汉字之间的半角“{mark}”应为全角“{FULL_WIDTH[mark]}”",
                         FULL_WIDTH[mark]))
    return hits


def _units(raw: str) -> list[_Hit]:
    """m3, m^3, M3 → m³; m2 → m² (after a number or 万/亿)."""
    hits = []
    for m in re.finditer(r"(?<=[\d万亿千百])( ?)(k?)[mM]\^?([23])(?![\dA-Za-z])", raw):
        right = f"{m.group(2)}m" + ("³" if m.group(3) == "3" else "²")
        found = m.group(0)[len(m.group(1)):]
        hits.append(_Hit(m.start() + len(m.group(1)), m.end(), "单位", f"“{found}”应为“{right}”", right))
    return hits


def _leading_zeros(raw: str) -> list[_Hit]:
    hits = []
    for m in re.finditer(r"(?<!\d)(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?", raw):
        month, day = m.group(2), m.group(3)
        if not month.startswith("0") and not (day or "").startswith("0"):
            continue
        right = f"{m.group(1)}年{int(month)}月" + (f"{int(day)}日" if day else "")
        hits.append(_Hit(m.start(), m.end(), "日期", f"“{m.group(0)}”应为“{right}”（月、日不加 0）", right))
    return hits


def _doubled_punctuation(raw: str) -> list[_Hit]:
    hits = []
    for m in re.finditer(r"[，。、；：！？]{2,}", raw):
        found = m.group(0)
        if len(set(found)) == 1:
            hits.append(_Hit(m.start(), m.end(), "标点重复", f"“{found}”应为“{found[0]}”", found[0]))
        else:
            hits.append(_Hit(m.start(), m.end(), "标点重复", f"“{found}”连用了几个标点，请保留一个"))
    return hits


def _full_width_spaces(raw: str) -> list[_Hit]:
    """A full-width space indents in Word, but here the layout is generated: at the start of a line it goes;
    inside a sentence someone has to decide (a separator? a slip?)."""
    hits = []
    for m in re.finditer(r"(?m)(^[ \t]*)?(\u3000+)(?=.)", raw):
        if m.group(1) is not None or m.start() == 0:
            start = m.start(2)
            hits.append(_Hit(start, m.end(2), "空格", "行首的全角空格应删除（缩进由程序生成）", ""))
        else:
            hits.append(_Hit(m.start(2), m.end(2), "空格", "句中有全角空格，请删除或改为顿号"))
    return hits


def _unbalanced(raw: str) -> list[_Hit]:
    hits = []
    # a half-width bracket counts as its full-width twin: "（定额)" is a width slip (fixed above), not a gap
    counted = raw.replace("(", "（").replace(")", "）")
    for opening, closing in PAIRS:
        stack: list[int] = []
        for m in re.finditer(f"[{opening}{closing}]", counted):
            if m.group(0) == opening:
                stack.append(m.start())
            elif stack:
                stack.pop()
            else:
                hits.append(_Hit(m.start(), m.end(), "符号不成对", f"“{closing}”前面缺少“{opening}”"))
        for start in stack:
            hits.append(_Hit(start, start + 1, "符号不成对", f"“{opening}”后面缺少“{closing}”"))
    return hits


def _placeholders(raw: str) -> list[_Hit]:
    return [_Hit(m.start(), m.end(), "未填写", f"还没有填写{m.group(1) or '这一项'}")
            for m in re.finditer(rf"{PLACEHOLDER}[：:]?([^\n\"'》]*)", raw)]


# --- totals -----------------------------------------------------------------------------------------------------

_UNIT = r"(?:万|亿)?(?:m³|m²|m3|m2|立方米|平方米|公顷|亩|吨|千瓦|公里|千米|个|眼|台|座|处|家|户|人|元)"
_QUANTITY = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*({_UNIT})(?![/\w])")
_TOTAL_WORD = re.compile(r"累计|合计|共计|总计|总共")


def _unit(text: str) -> str:
    return text.replace("m3", "m³").replace("m2", "m²")


def _quantities(text: str, offset: int = 0) -> list[tuple[int, Decimal, str]]:
    return [(offset + m.start(), Decimal(m.group(1)), _unit(m.group(2))) for m in _QUANTITY.finditer(text)]


def _totals(raw: str) -> list[_Hit]:
    """A stated total that disagrees with its stated parts. Conservative: only the two shapes real notices
    use — "…A万m³；…B万m³；…累计…T万m³" within one sentence, and "T个（…A个，…B个）" — and only when no run of
    the last parts (at least two) adds up to the total."""
    hits = []
    for word in _TOTAL_WORD.finditer(raw):
        total = _QUANTITY.search(raw, word.end(), word.end() + 25)
        if not total or re.search(r"[。；;]", raw[word.end():total.start()]):
            continue
        sentence_start = max(raw.rfind("。", 0, word.start()), raw.rfind("\n", 0, word.start())) + 1
        unit = _unit(total.group(2))
        parts = [q for q in _quantities(raw[sentence_start:word.start()], sentence_start) if q[2] == unit]
        hits += _check_sum(raw, total, [p[1] for p in parts], unit)
    for outer in _QUANTITY.finditer(raw):
        if raw[outer.end():outer.end() + 1] != "（":
            continue
        close = raw.find("）", outer.end())
        inner = raw[outer.end() + 1:close] if close > 0 else ""
        unit = _unit(outer.group(2))
        if not inner or inner.startswith(("含", "其中")):
            continue  # "197眼（含…6眼…）": a part named, not a breakdown
        parts = [q[1] for q in _quantities(inner) if q[2] == unit]
        hits += _check_sum(raw, outer, parts, unit)
    return hits


def _check_sum(raw: str, total: re.Match[str], parts: list[Decimal], unit: str) -> list[_Hit]:
    if len(parts) < 2:
        return []
    stated = Decimal(total.group(1))
    if any(sum(parts[-k:], Decimal(0)) == stated for k in range(2, len(parts) + 1)):
        return []
    shown = "+".join(wording.format_quantity(p) for p in parts)
    computed = wording.format_quantity(sum(parts, Decimal(0)))
    return [_Hit(total.start(), total.end(), "合计不符",
                 f"写的是 {total.group(1)}{unit}，但 {shown}={computed}{unit}，请核对")]


RULES = (
    _document_number_brackets, _list_markers, _half_width_brackets, _half_width_punctuation, _units,
    _leading_zeros, _doubled_punctuation, _full_width_spaces, _unbalanced, _totals, _placeholders,
)


# --- files --------------------------------------------------------------------------------------------------

def lint_text(path: Path, text: str, spans: list[tuple[tuple[Any, ...], int, int]] | None = None
              ) -> list[LintFinding]:
    """Every finding in one YAML file's text, in the order of the file. `spans` are the text values' spans if
    the loader has them (SourceFile.text_spans), else the text is parsed for them."""
    at = Positions(text)
    findings: list[LintFinding] = []
    for start, end in _text_values(text, spans):
        raw = text[start:end]
        taken: list[tuple[int, int]] = []
        for rule in RULES:
            for hit in rule(raw):
                if hit.changes:
                    # an earlier rule already rewrites these characters (〔2015〕 before the bracket rule)
                    if any(a < end and start < b for a, b, _ in hit.changes for start, end in taken):
                        continue
                    taken += [(a, b) for a, b, _ in hit.changes]
                findings.append(_finding(path, at, start, hit))
    findings += _trailing_spaces(path, text, at)
    return sorted(findings, key=lambda f: (f.line, f.column))


def _finding(path: Path, at: Positions, offset: int, hit: _Hit) -> LintFinding:
    line, column = at(offset + hit.start)
    edits = tuple(Edit(offset + a, offset + b, replacement) for a, b, replacement in hit.changes)
    return LintFinding(path, line, column, hit.rule, hit.message, edits)


def _text_values(text: str, spans: list[tuple[tuple[Any, ...], int, int]] | None) -> list[tuple[int, int]]:
    """[start, end) of every text value that is prose, from libyaml for a plain file (see text_spans)."""
    if spans is None:
        try:
            spans = text_spans(text)
        except Exception:  # noqa: BLE001 - a file that does not parse is reported by validation, not here
            return []
    return [(start, end) for path, start, end in spans if not (path and path[-1] in SKIP_KEYS)]


def _trailing_spaces(path: Path, text: str, at: Positions) -> list[LintFinding]:
    findings = []
    for m in re.finditer(r"[ \t\u3000]+(?=\r?\n|\Z)", text):
        line, column = at(m.start())
        findings.append(LintFinding(path, line, column, "空格", f"行尾有 {len(m.group(0))} 个多余的空格，应删除",
                                    (Edit(m.start(), m.end(), ""),)))
    return findings


def fix_text(text: str, findings: list[LintFinding]) -> str:
    return apply_edits(text, [edit for f in findings for edit in f.edits])


@dataclass
class FixResult:
    path: Path
    fixed: int


def fix_file(path: Path, text: str, encoding: str, findings: list[LintFinding]) -> FixResult:
    """Apply the safe fixes to one file, keeping everything else byte for byte. The result must still be YAML
    of the same shape; if not (which would be a bug in a rule), the file is left alone."""
    fixable = [f for f in findings if f.fixable]
    if not fixable:
        return FixResult(path, 0)
    fixed = fix_text(text, fixable)
    if _shape(fixed) != _shape(text):
        return FixResult(path, 0)
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(fixed)
    return FixResult(path, len(fixable))


def _shape(text: str) -> list[tuple[object, ...]]:
    try:
        return [(span.path, type(span.node).__name__) for span in value_spans(text)]
    except Exception:  # noqa: BLE001
        return [("unparseable",)]


# --- a content folder ---------------------------------------------------------------------------------------

@dataclass
class LintReport:
    findings: list[LintFinding]  # what is still there (after --fix: what needs a person)
    fixed: int = 0
    files_fixed: int = 0

    def lines(self, fix_requested: bool) -> list[str]:
        lines = [str(f) for f in self.findings]
        fixable = sum(1 for f in self.findings if f.fixable)
        if self.fixed:
            lines.append(f"排版检查：已在 {self.files_fixed} 个文件中修正 {self.fixed} 处。")
        if not self.findings:
            lines.append("排版检查：没有发现问题。" if not self.fixed else "排版检查：没有其他问题。")
        elif fixable == len(self.findings) and not fix_requested:
            lines.append(f"排版检查：发现 {fixable} 处问题，均可用 gazette check --fix 自动修正。")
        elif fixable and not fix_requested:
            lines.append(f"排版检查：发现 {len(self.findings)} 处问题，其中 {fixable} 处可用 gazette check --fix 自动修正。")
        else:
            lines.append(f"排版检查：还有 {len(self.findings)} 处问题需要人工核对。")
        return lines


def lint_content(content: "Content", *, fix: bool = False) -> LintReport:
    """Lint every notice of a loaded content folder; with fix, apply the safe fixes and re-check that the
    content still loads (if it does not, every file is put back as it was)."""
    from gazette.loader import load_content

    sources = sorted(content.sources.values(), key=lambda s: s.path)
    findings = {s.path: lint_text(s.path, s.text, s.text_spans) for s in sources}
    if not fix:
        return LintReport([f for s in sources for f in findings[s.path]])
    results = [fix_file(s.path, s.text, s.encoding, findings[s.path]) for s in sources]
    changed = [r for r in results if r.fixed]
    if changed:
        try:
            load_content(content.root)
        except ContentErrors as exc:
            # e.g. title fixed but title_lines (split inside the brackets) not: undo, the user's files come first
            for source in sources:
                with open(source.path, "w", encoding=source.encoding, newline="") as handle:
                    handle.write(source.text)
            raise GazetteError(f"自动修正后内容无法通过校验，已恢复原文件，请手工修正：{exc.errors[0]}") from None
    remaining = []
    for source in sources:
        text = source.path.read_text(encoding=source.encoding)
        remaining += lint_text(source.path, text)
    return LintReport(remaining, fixed=sum(r.fixed for r in changed), files_fixed=len(changed))
