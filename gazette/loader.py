"""Reading content: YAML files → validated `Site` and `Notice` objects, or one-line errors with positions.

Reading goes in stages, each bounded before the next starts: file size, then text encoding, then YAML
syntax (ruamel.yaml keeps line numbers), then shape (node count, no tags, no aliases), then the typed model
(pydantic). Pydantic's error locations are mapped back onto the YAML nodes, so every message names
file:line:column and the field by its YAML key and its Chinese name.
"""

from __future__ import annotations

import codecs
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from gazette import wording
from gazette.errors import ContentError, ContentErrors
from gazette.model import Limits, Notice, Site

SITE_FILE = "site.yaml"
NOTICES_DIR = "notices"


@dataclass
class SourceFile:
    """A YAML file as read: its text and the parsed (round-trip) data that still knows line numbers."""

    path: Path
    text: str
    data: Any
    encoding: str = "utf-8"


@dataclass
class Content:
    """Everything in a content folder, validated."""

    root: Path
    site: Site
    notices: list[Notice]
    sources: dict[str, SourceFile] = field(default_factory=dict)  # notice id → its file

    def source_of(self, notice: Notice) -> SourceFile:
        return self.sources[notice.id]


# --- reading a file -------------------------------------------------------------------------------------------

def read_text(path: Path, limits: Limits) -> tuple[str, str]:
    """The file's text and the encoding it was in. UTF-8 is expected; a BOM, UTF-16 and GBK/GB18030 (what
    Windows editors in Chinese locales save) are read correctly; anything else is an error."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _file_error(path, f"无法读取文件：{exc.strerror}") from None
    if size > limits.max_file_bytes:
        raise _file_error(path, f"文件过大：{size:,} 字节，上限 {limits.max_file_bytes:,} 字节（site.yaml 中 limits.max_file_bytes）")
    raw = path.read_bytes()
    if not raw.strip():
        raise _file_error(path, "文件是空的，应为 YAML 格式的公示内容")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _file_error(path, "文件以 UTF-16 标记开头，但内容不是有效的 UTF-16，应保存为 UTF-8") from None
    if b"\x00" in raw:
        raise _file_error(path, "不是文本文件（含有二进制内容），应为 UTF-8 编码的 YAML 文件")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        line = raw[: utf8_error.start].count(b"\n") + 1
        raise ContentErrors([ContentError(path, line, None, None,
                                          "无法识别的文字编码：既不是 UTF-8 也不是 GBK/GB18030，应保存为 UTF-8")]) from None
    if _looks_like_text(text):
        return text, "gb18030"
    raise _file_error(path, "不是文本文件（无法识别的编码），应为 UTF-8 编码的 YAML 文件")


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return controls == 0


def _file_error(path: Path, message: str) -> ContentErrors:
    return ContentErrors([ContentError(path, None, None, None, message)])


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves an impossible date (2025-13-01) as text, so that the model reports
    it with its field and position instead of ruamel failing with a bare ValueError."""

    def construct_yaml_timestamp(self, node, values=None):  # noqa: ANN001 - ruamel's signature
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def parse_yaml(path: Path, text: str, limits: Limits) -> Any:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ContentErrors([ContentError(
            path, mark.line + 1 if mark else None, mark.column + 1 if mark else None, None,
            "YAML 格式错误：" + _yaml_problem(exc))]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _file_error(path, f"YAML 格式错误：{exc}") from None
    _check_shape(path, data, limits)
    return data


_YAML_PROBLEMS = [
    ("found character '\\t' that cannot start any token", "含有制表符（Tab），YAML 缩进只能用空格"),
    ("found duplicate key", "重复的字段"),
    ("found unexpected end of stream", "引号没有闭合"),
    ("mapping values are not allowed here", "这里不能出现“:”，请检查缩进，或给含冒号的文字加引号"),
    ("could not find expected ':'", "缺少“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致"),
    ("did not find expected '-' indicator", "列表缩进不一致"),
    ("found undefined alias", "使用了未定义的别名（*）"),
    ("while scanning a quoted scalar", "引号没有闭合"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合"),
    ("expected ',' or '}'", "花括号 { } 没有闭合"),
    ("found unknown escape character", "双引号中有无效的转义字符（\\），可改用单引号"),
]


def _yaml_problem(exc: MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    context = str(exc.context or "")
    for needle, chinese in _YAML_PROBLEMS:
        if needle in problem or needle in context:
            if needle == "found duplicate key":
                key = re.search(r'found duplicate key "([^"]*)"', problem)
                return f"重复的字段 {key.group(1)!r}" if key else chinese
            return chinese
    return problem or context or "无法解析"


def _check_shape(path: Path, data: Any, limits: Limits) -> None:
    """No tags (no object construction), no aliases, bounded size: checked on the parsed tree with a node
    budget, so an alias bomb (billion laughs) stops after a few thousand steps instead of expanding."""
    budget = [limits.max_nodes]
    seen: set[int] = set()

    def fail(node: Any, message: str) -> None:
        line, col = _node_position(node)
        raise ContentErrors([ContentError(path, line, col, None, message)])

    def walk(node: Any, parent: Any, key: Any) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            line, col = _position_in(parent, key)
            raise ContentErrors([ContentError(
                path, line, col, None,
                f"内容过大：超过 {limits.max_nodes:,} 个 YAML 节点（site.yaml 中 limits.max_nodes）")])
        if isinstance(node, TaggedScalar):
            line, col = _position_in(parent, key)
            raise ContentErrors([ContentError(path, line, col, None,
                                              f"不支持 YAML 标签 {node.tag.value}，请去掉以 ! 开头的标记")])
        if isinstance(node, (CommentedMap, CommentedSeq)):
            tag = getattr(node, "tag", None)
            if tag is not None and tag.value is not None and tag.value.startswith("!") or (
                    tag is not None and tag.value is not None and "python/" in tag.value):
                fail(node, f"不支持 YAML 标签 {tag.value}，请去掉以 ! 开头的标记")
            if id(node) in seen or (getattr(node, "anchor", None) is not None and node.anchor.value):
                fail(node, "不支持 YAML 锚点和别名（& 和 *），请直接写出内容")
            seen.add(id(node))
            if isinstance(node, CommentedSeq) and len(node) > limits.max_list_items:
                fail(node, f"列表过长：{len(node):,} 项，上限 {limits.max_list_items:,}（site.yaml 中 limits.max_list_items）")
            items = node.items() if isinstance(node, CommentedMap) else enumerate(node)
            for k, v in items:
                walk(v, node, k)

    walk(data, None, None)


def _node_position(node: Any) -> tuple[int | None, int | None]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None, None
    return lc.line + 1, lc.col + 1


def _position_in(parent: Any, key: Any, *, of_key: bool = False) -> tuple[int | None, int | None]:
    """1-based position of parent[key]'s value (or of the key itself)."""
    if parent is None:
        return 1, 1
    try:
        if isinstance(parent, CommentedMap):
            line, col = parent.lc.key(key) if of_key else parent.lc.value(key)
        elif isinstance(parent, CommentedSeq):
            line, col = parent.lc.item(key)
        else:
            return None, None
    except (KeyError, IndexError, TypeError, AttributeError):
        return _node_position(parent)
    return line + 1, col + 1


def read_source(path: Path, limits: Limits) -> SourceFile:
    text, encoding = read_text(path, limits)
    data = parse_yaml(path, text, limits)
    return SourceFile(path=path, text=text, data=data, encoding=encoding)


# --- mapping validation errors onto the YAML --------------------------------------------------------------

_ERROR_MESSAGES = {
    "missing": "缺少必填字段",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表（每项以“- ”开头）",
    "dict_type": "应为键值表（“字段: 值”的形式）",
    "model_type": "应为键值表（“字段: 值”的形式）",
    "model_attributes_type": "应为键值表（“字段: 值”的形式）",
    "date_type": "应为日期（如 2025-01-09）",
    "date_parsing": "应为日期（如 2025-01-09）",
    "date_from_datetime_parsing": "应为日期（如 2025-01-09）",
    "string_too_short": "不能为空",
}


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"应为以下之一：{ctx.get('expected', '')}".replace("'", "")
    if kind == "string_pattern_mismatch":
        return f"格式不符（应匹配 {ctx.get('pattern')}）"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项，实际 {ctx.get('actual_length')} 项"
    if kind == "too_short":
        return f"至少 {ctx.get('min_length')} 项"
    if kind == "string_too_long":
        return f"过长：最多 {ctx.get('max_length')} 个字"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应不小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"应不大于 {ctx.get('le', ctx.get('lt'))}"
    message = _ERROR_MESSAGES.get(kind, error["msg"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        value = error.get("input")
        if value is not None and not isinstance(value, (dict, list)):
            message += f"，实际是 {str(value)[:40]!r}"
    return message


def _field_titles(model: type[BaseModel]) -> dict[str, str]:
    """YAML key → Chinese name, over the model and every model nested in it."""
    titles: dict[str, str] = {}
    pending: list[type[BaseModel]] = [model]
    done: set[type] = set()
    while pending:
        current = pending.pop()
        if current in done:
            continue
        done.add(current)
        for name, info in current.model_fields.items():
            if info.title and name not in titles:
                titles[name] = info.title
            for sub in _nested_models(info.annotation):
                pending.append(sub)
    return titles


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found.extend(_nested_models(meta))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and isinstance(origin, type) and issubclass(origin, BaseModel):
        found.append(origin)
    return found


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping at loc (for suggesting a fix to a typo)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str):
            continue
        info = current.model_fields.get(part)
        if info is None:
            continue
        nested = _nested_models(info.annotation)
        current = nested[0] if nested else None
    return list(current.model_fields) if current else []


def validation_errors(source: SourceFile, model: type[BaseModel], exc: ValidationError) -> list[ContentError]:
    titles = _field_titles(model)
    errors: list[ContentError] = []
    seen_locations: set[tuple[Any, ...]] = set()
    for error in exc.errors(include_url=False):
        loc, parent, key = _resolve(source.data, error["loc"])
        if error["type"] == "extra_forbidden":
            line, col = _position_in(parent, key, of_key=True)
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"，是否应为 {close[0]}（{titles.get(close[0], '')}）？" if close else ""
            message = f"未知字段 {key!r}{hint or '（是否拼写错误？）'}"
            field_name = None
        elif error["type"] == "missing":
            line, col = _position_in(parent, None) if parent is None else _node_position(parent)
            if parent is not None and line is None:
                line, col = 1, 1
            message = "缺少必填字段"
            field_name = _field_label(loc, titles)
        else:
            line, col = _position_in(parent, key)
            message = _describe(error)
            field_name = _field_label(loc, titles)
        if loc in seen_locations:
            continue  # a union (text or list) reports once per member: keep the first
        seen_locations.add(loc)
        errors.append(ContentError(source.path, line, col, field_name, message))
    return errors


def _resolve(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any, Any]:
    """Follow a pydantic location through the YAML data, skipping pydantic's union and validator tags.
    Returns the cleaned location, the mapping or list holding the last part, and that part."""
    clean: list[Any] = []
    parent: Any = None
    key: Any = None
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            parent, key, node = node, part, node[part]
            clean.append(part)
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            parent, key, node = node, part, node[part]
            clean.append(part)
        elif isinstance(part, str) and (part.startswith(("function-", "list[", "str", "constrained-str"))
                                        or "[" in part or part in ("str", "int", "date", "Deadline")):
            continue
        else:
            # a missing key: the error belongs to the mapping that should hold it
            clean.append(part)
            if isinstance(node, (CommentedMap, CommentedSeq)):
                parent, key = node, part
            break
    return tuple(clean), parent, key


def _field_label(loc: tuple[Any, ...], titles: dict[str, str]) -> str | None:
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    dotted = ""
    for part in loc:
        dotted += f"[{part}]" if isinstance(part, int) else (("." if dotted else "") + str(part))
    title = titles.get(names[-1])
    return f"{title} ({dotted})" if title else dotted


# --- the content folder ---------------------------------------------------------------------------------

def load_site(root: Path) -> tuple[Site, SourceFile]:
    path = root / SITE_FILE
    if not path.exists():
        raise ContentErrors([ContentError(path, None, None, None,
                                          f"找不到站点配置文件 {SITE_FILE}，内容文件夹应包含 {SITE_FILE} 和 {NOTICES_DIR}/")])
    source = read_source(path, Limits())
    if not isinstance(source.data, CommentedMap):
        raise ContentErrors([ContentError(path, 1, 1, None, "站点配置应为键值表（“字段: 值”的形式）")])
    try:
        site = Site.model_validate(dict(source.data))
    except ValidationError as exc:
        raise ContentErrors(validation_errors(source, Site, exc)) from None
    return site, source


def notice_files(root: Path) -> list[Path]:
    folder = root / NOTICES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_notice(path: Path, site: Site, root: Path) -> tuple[Notice, SourceFile]:
    source = read_source(path, site.limits)
    if not isinstance(source.data, CommentedMap):
        what = "列表" if isinstance(source.data, CommentedSeq) else "一段文字"
        raise ContentErrors([ContentError(path, 1, 1, None,
                                          f"公示文件应为键值表（“字段: 值”的形式），实际是{what}")])
    try:
        notice = Notice.model_validate(dict(source.data))
    except ValidationError as exc:
        errors = validation_errors(source, Notice, exc)
        raise ContentErrors(sorted(errors, key=lambda e: (e.line or 0, e.column or 0))) from None
    errors = check_against_site(notice, source, site, root)
    if errors:
        raise ContentErrors(errors)
    return notice, source


def check_against_site(notice: Notice, source: SourceFile, site: Site, root: Path) -> list[ContentError]:
    """Rules that need the site file or the file system: kind and status known, days that add up, files
    that stay inside the content folder."""
    titles = _field_titles(Notice)
    errors: list[ContentError] = []

    def error(loc: tuple[Any, ...], message: str) -> None:
        clean, parent, key = _resolve(source.data, loc)
        line, col = _position_in(parent, key)
        errors.append(ContentError(source.path, line, col, _field_label(clean, titles), message))

    if notice.kind not in site.kinds:
        error(("kind",), f"未知的公示类型 {notice.kind!r}，应为以下之一：{'、'.join(site.kinds)}")
    if notice.status not in site.status_names():
        close = difflib.get_close_matches(notice.status, site.status_names(), n=1, cutoff=0.5)
        hint = f"，是否应为 {close[0]!r}？" if close else f"，应为以下之一：{'、'.join(site.status_names())}"
        error(("status",), f"未知的整改状态 {notice.status!r}{hint}")
    if notice.publicity and notice.publicity.days is not None:
        counted = publicity_days(notice, site)
        if counted != notice.publicity.days:
            error(("publicity", "days"),
                  f"公示天数写的是 {notice.publicity.days} 天，按日期计算是 {counted} 个{notice.publicity.count}")
    if notice.signature and notice.signature.seal:
        problem = check_asset_path(notice.signature.seal, root)
        if problem:
            error(("signature", "seal"), problem)
    return errors


def publicity_days(notice: Notice, site: Site) -> int:
    period = notice.publicity
    assert period is not None
    if period.count == "日":
        return wording.calendar_days(period.start, period.end)
    return wording.working_days(period.start, period.end, frozenset(site.holidays), frozenset(site.workdays))


def check_asset_path(relative: str, root: Path) -> str | None:
    """An asset path must name a file inside the content folder (no absolute paths, no ../, no symlink out)."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", relative) and not re.match(r"^[a-zA-Z]:[\\/]", relative):
        return f"只能引用内容文件夹中的文件，不能是网址 {relative!r}"
    candidate = Path(relative)
    if candidate.is_absolute() or relative.startswith(("/", "\\")):
        return f"只能引用内容文件夹中的文件，不能用绝对路径 {relative!r}"
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return f"路径 {relative!r} 指向内容文件夹之外"
    if not resolved.is_file():
        return f"找不到文件 {relative!r}（相对于内容文件夹 {root}）"
    return None


def load_content(root: Path) -> Content:
    """Load and validate a whole content folder; raise ContentErrors with every error of every file."""
    root = root.resolve() if root.exists() else root
    site, site_source = load_site(root)
    notices: list[Notice] = []
    sources: dict[str, SourceFile] = {}
    errors: list[ContentError] = []
    paths = notice_files(root)
    if not paths:
        errors.append(ContentError(root / NOTICES_DIR, None, None, None, "没有找到任何公示文件（*.yaml）"))
    for path in paths:
        try:
            notice, source = load_notice(path, site, root)
        except ContentErrors as exc:
            errors.extend(exc.errors)
            continue
        if notice.id in sources:
            other = sources[notice.id].path
            line, col = _position_in(source.data, "id")
            errors.append(ContentError(path, line, col, "编号 (id)",
                                       f"编号 {notice.id!r} 与 {other.name} 重复，每个公示的编号必须唯一"))
            continue
        notices.append(notice)
        sources[notice.id] = source
    if errors:
        raise ContentErrors(errors)
    # newest first, then by id so that the order never depends on the file system
    notices.sort(key=lambda n: (n.published, n.id), reverse=True)
    return Content(root=root, site=site, notices=notices, sources=sources)
