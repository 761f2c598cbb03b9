"""Reading content: YAML files → validated `Site` and `Notice` objects, or one-line errors with positions.

Reading goes in stages, each bounded before the next starts: file size, then text encoding, then YAML
syntax (ruamel.yaml keeps line numbers), then shape (node count, no tags, no aliases), then the typed model
(pydantic). Pydantic's error locations are mapped back onto the YAML nodes, so every message names
file:line:column and the field by its YAML key and its Chinese name.

ruamel's parser is pure Python (9 ms for a notice), so a file is first read by libyaml (yaml_spans.plain_document)
and validated from that; only a file that is unusual or has an error is read again by ruamel, which then reports
it, and a valid file's round-trip tree is parsed only when a message needs a position (SourceFile.tree).
"""

from __future__ import annotations

import codecs
import difflib
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.events import (AliasEvent, CollectionStartEvent, MappingEndEvent, MappingStartEvent, NodeEvent,
                                ScalarEvent, SequenceEndEvent)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.tag import Tag

from gazette import wording
from gazette.errors import ContentError, ContentErrors, GazetteError, display_path
from gazette.model import Limits, Notice, Site
from gazette.yaml_spans import plain_document

SITE_FILE = "site.yaml"
NOTICES_DIR = "notices"


class SourceFile:
    """A YAML file as read: its text and the parsed (round-trip) data that still knows line numbers.

    A build keeps no notice's text (`text=None`: 50 MB at 10,000 notices, for the build's whole life; see
    gazette/build.py load): it is read from the file again, in the encoding it was read in, when first asked
    for, which only a message citing a position does."""

    def __init__(self, path: Path, text: str | None, data: Any = None, encoding: str = "utf-8",
                 text_spans: list[tuple[tuple[Any, ...], int, int]] | None = None) -> None:
        self.path = path
        self._text = text
        self.data = data  # None until something needs it: see tree
        self.encoding = encoding  # a Python codec name, as read_text returns it
        # (path, start, end) of each text value, when libyaml read the file: the lint's, so it need not parse
        # again
        self.text_spans = text_spans

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.path.read_bytes().decode(self.encoding)
            except (OSError, UnicodeDecodeError) as exc:  # deleted or saved again while the build ran
                raise GazetteError(f"{display_path(self.path)}: 构建期间文件被删除或改动，请重新运行"
                                   f"（file changed during the build: {exc}）") from None
        return self._text

    def __repr__(self) -> str:
        return f"SourceFile({str(self.path)!r}, {self.encoding})"

    def tree(self) -> Any:
        """The round-trip data. A valid file is read by libyaml (see load_notice) and a cached one keeps only
        its text (gazette/workers.py), so the tree is parsed here on first use: by a message that cites a
        position, which most files never need. The file was checked when it was read: no event checks."""
        if self.data is None:
            self.data = _new_yaml().load(self.text)
        return self.data


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
    """The file's text and the encoding it was in. UTF-8 is expected; a BOM, UTF-16 with a BOM and GBK/GB18030
    (what Windows editors in Chinese locales save) are read correctly; anything else is an error that names
    what was found. The size limit is checked before reading, and never more than the limit is read (a file
    that grows while we read it cannot get past it)."""
    raw = _read_bounded(path, limits.max_file_bytes, "max_file_bytes")
    if not raw.strip():
        raise _file_error(path, "文件是空的，应为 YAML 格式的公示内容（The file is empty）")
    if raw.startswith(codecs.BOM_UTF8):
        return _decode(path, raw[len(codecs.BOM_UTF8):], "utf-8", "带 BOM 的 UTF-8"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(path, raw, "utf-16", "UTF-16"), "utf-16"
    if b"\x00" in raw:
        if _looks_like_utf16(raw):
            raise _file_error(path, "文件是没有 BOM 的 UTF-16 编码，应保存为 UTF-8（found UTF-16 without BOM, expected UTF-8）")
        raise _file_error(path, "不是文本文件（含有二进制内容），应为 UTF-8 编码的 YAML 文件（binary file）")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        line = raw[: utf8_error.start].count(b"\n") + 1
        raise ContentErrors([ContentError(
            path, line, None, None,
            "无法识别的文字编码：既不是 UTF-8 也不是 GBK/GB18030，应保存为 UTF-8（unknown encoding, expected UTF-8）",
        )]) from None
    if _looks_like_text(text):
        return text, "gb18030"
    raise _file_error(path, "不是文本文件（无法识别的编码），应为 UTF-8 编码的 YAML 文件（binary file）")


def _read_bounded(path: Path, limit: int, setting: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_big(path, size, limit, setting)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise _file_error(path, f"无法读取文件：{exc.strerror}") from None
    if len(raw) > limit:
        raise _too_big(path, len(raw), limit, setting)
    return raw


def _too_big(path: Path, size: int, limit: int, setting: str) -> ContentErrors:
    return _file_error(path, f"文件过大：{size:,} 字节，上限 {limit:,} 字节（site.yaml 中 limits.{setting}）")


def _decode(path: Path, raw: bytes, codec: str, name: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentErrors([ContentError(path, line, None, None,
                                          f"文件标记为 {name} 编码，但内容不是有效的 {name}，应保存为 UTF-8")]) from None


def _looks_like_utf16(raw: bytes) -> bool:
    """ASCII-heavy UTF-16 has a zero in every other byte (YAML keys are ASCII)."""
    sample = raw[:400]
    return sample[1::2].count(0) > len(sample) * 0.4 or sample[0::2].count(0) > len(sample) * 0.4


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
    """YAML text → round-trip data. Every event is checked as it is parsed (see _EventCheck), so nothing is
    built from a file with tags, aliases, too deep nesting or too many nodes."""
    try:
        yaml = _new_yaml()
        yaml.event_check = _EventCheck(path, limits)
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ContentErrors([ContentError(
            path, mark.line + 1 if mark else None, mark.column + 1 if mark else None, None,
            "YAML 格式错误：" + _yaml_problem(exc))]) from None
    except ReaderError as exc:  # a character YAML does not allow (BEL, ESC …), found before any token
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else 0
        raise ContentErrors([ContentError(
            path, line, column, None, f"YAML 格式错误：含有不可见的控制字符 U+{code:04X}，请删除")]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _file_error(path, "YAML 格式错误：" + str(exc).replace("\n", " ")) from None
    except (NotImplementedError, AssertionError, AttributeError, IndexError, KeyError):
        # ruamel's own failures on text it does not expect (comments beside U+2028 line separators raise
        # NotImplementedError): a message about the file, never a traceback
        unusual = re.search("[\u2028\u2029\x85]", text)
        if unusual:
            line = text.count("\n", 0, unusual.start()) + 1
            column = unusual.start() - text.rfind("\n", 0, unusual.start())
            raise ContentErrors([ContentError(path, line, column, None, (
                f"YAML 格式错误：含有特殊换行符 U+{ord(unusual.group()):04X}（多由复制粘贴带入），请改为普通换行"))]) from None
        raise _file_error(path, "YAML 格式错误：无法解析这个文件，请检查缩进、引号和注释") from None


def _new_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Parser = _CheckedParser
    yaml.allow_duplicate_keys = False
    return yaml


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
    ("but found another document", "文件中只能有一个 YAML 文档（出现了第二个 ---）"),
    ("special characters are not allowed", "含有不可见的控制字符，请删除"),
    ("expected <block end>, but found", "缩进不一致"),
    ("expected alphabetic or numeric character", "“&”或“*”后面应是名称；普通文字中的 & * 请加引号"),
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
    return (problem or context or "无法解析").replace("\n", " ")


# Tags YAML gives plain values implicitly; any other tag (!!python/object/apply:os.system, !include …) asks
# for something a notice never needs.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in
               ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


# Characters YAML's escapes ("\x0b", "\ud800") can produce that no output can hold: XML (DOCX, the site)
# forbids C0 controls, lone surrogates cannot be written as UTF-8, U+FFFE/U+FFFF are not characters.
_UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass
class _Frame:
    """One open mapping or sequence while scanning events: where we are, for naming the field in an error."""

    is_map: bool
    line: int
    column: int
    key: Any = None
    expecting_key: bool = True
    items: int = 0

    @property
    def part(self) -> Any:
        return self.key if self.is_map else max(self.items - 1, 0)


class _EventCheck:
    """Bound the document before any object is built: every event ruamel's parser hands to the composer passes
    through here first (see _CheckedParser), and the first tag, anchor or alias (no object construction, no
    billion laughs), nesting deeper than max_depth, more than max_nodes nodes or a list longer than
    max_list_items stops the load. A bomb therefore costs at most a few thousand events, whatever it would
    expand to, and a good file is parsed once, not once to check and once to load."""

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        self.limits = limits
        self.stack: list[_Frame] = []
        self.nodes = 0

    def fail(self, event: Any, message: str) -> None:
        mark = event.start_mark
        loc = tuple(frame.part for frame in self.stack if frame.part is not None)
        raise ContentErrors([ContentError(self.path, mark.line + 1, mark.column + 1, _field_label(loc, _TITLES),
                                          message)])

    def __call__(self, event: Any) -> None:
        stack, limits, fail = self.stack, self.limits, self.fail
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            stack.pop()
            return
        if not isinstance(event, NodeEvent):
            return
        parent = stack[-1] if stack else None
        is_key = parent is not None and parent.is_map and parent.expecting_key
        if parent is not None:
            if parent.is_map:
                parent.expecting_key = not parent.expecting_key
                if is_key:
                    parent.key = event.value if isinstance(event, ScalarEvent) else "?"
            else:
                parent.items += 1
                if parent.items > limits.max_list_items:
                    fail(event, f"列表过长：超过 {limits.max_list_items:,} 项（site.yaml 中 limits.max_list_items）")
        self.nodes += 1
        if self.nodes > limits.max_nodes:
            fail(event, f"内容过多：超过 {limits.max_nodes:,} 个 YAML 节点（site.yaml 中 limits.max_nodes）")
        if isinstance(event, AliasEvent):
            fail(event, f"不支持 YAML 别名（*{event.anchor}），请直接写出内容")
        if event.anchor:
            fail(event, f"不支持 YAML 锚点（&{event.anchor}），请直接写出内容")
        if isinstance(event, ScalarEvent):
            # a folded (>) scalar carries ruamel's fold marks, U+0007, which its constructor removes
            bad = _UNUSABLE.search(event.value.replace("\a", "") if event.style == ">" else event.value)
            if bad:
                fail(event, f"含有不可用的字符 U+{ord(bad.group()):04X}（控制字符或无效编码，多由 \\x、\\u 转义写出），请删除")
        tag = str(getattr(event, "tag", None) or "")
        if tag and tag not in _PLAIN_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            fail(event, f"不支持 YAML 标签 {shown}（内容只是数据，不会按标签构造任何对象），请去掉以 ! 开头的标记")
        if isinstance(event, CollectionStartEvent):
            if len(stack) >= limits.max_depth:
                fail(event, f"嵌套过深：超过 {limits.max_depth} 层（site.yaml 中 limits.max_depth）")
            mark = event.start_mark
            stack.append(_Frame(isinstance(event, MappingStartEvent), mark.line, mark.column))


class _CheckedParser(RoundTripParser):
    """ruamel's parser, with every event checked (by the loader's `event_check`) before the composer sees it."""

    def get_event(self) -> Any:
        event = super().get_event()
        check = getattr(self.loader, "event_check", None)
        if check is not None:
            check(event)
        return event


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


def read_plain(source: SourceFile, model: type[BaseModel], limits: Limits) -> Any:
    """The validated model when the file is plain and valid (the fast path: libyaml's parser, values built as
    ruamel builds them), else None: then parse_yaml reads it again and the model is validated from ruamel's
    data, so an unusual file gets ruamel's values and every error its message and position as always."""
    document = plain_document(source.text, max_depth=limits.max_depth, max_nodes=limits.max_nodes,
                              max_list_items=limits.max_list_items, construct=_construct_scalar)
    if document is None or type(document.data) is not dict:
        return None
    try:
        validated = model.model_validate(document.data)
    except ValidationError:
        return None
    source.text_spans = document.text_spans
    return validated


_constructor: Any = None


def _construct_scalar(tag: str, value: str) -> Any:
    """A plain scalar that is not text (2022, 1.5, true, 2025-01-09), built by the constructor ruamel uses for
    the file: ScalarFloat, OctalInt, an impossible date left as text, exactly as parse_yaml gives them. The
    tag's constructor is called directly: construct_object's lookup by Tag costs more than the construction."""
    global _constructor
    if _constructor is None:
        _constructor = _new_yaml().constructor
    return _constructor.yaml_constructors[tag](_constructor, ScalarNode(Tag(suffix=tag), value))


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


@functools.cache  # check_against_site asks for every notice
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
        loc, parent, key = _resolve(source.tree(), error["loc"])
        if error["type"] == "extra_forbidden":
            line, col = _position_in(parent, key, of_key=True)
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"，是否应为 {close[0]}（{titles.get(close[0], '')}）？" if close else ""
            message = f"未知字段 {key!r}{hint or '（是否拼写错误？）'}"
            field_name = _field_label(loc, {})
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


# Every YAML key's Chinese name, for errors found before the data has a model (while scanning the YAML).
_TITLES = {**_field_titles(Site), **_field_titles(Notice)}


def _field_label(loc: tuple[Any, ...], titles: dict[str, str]) -> str | None:
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    dotted = ""
    for part in loc:
        dotted += f"[{part}]" if isinstance(part, int) else (("." if dotted else "") + str(part))
    # the innermost part that has a Chinese name: indicators[0].values.2022 is 各年数值
    title = next((titles[name] for name in reversed(names) if name in titles), None)
    return f"{title} ({dotted})" if title else dotted


# --- the content folder ---------------------------------------------------------------------------------

def load_site(root: Path) -> tuple[Site, SourceFile]:
    path = root / SITE_FILE
    if not path.exists():
        raise ContentErrors([ContentError(path, None, None, None,
                                          f"找不到站点配置文件 {SITE_FILE}，内容文件夹应包含 {SITE_FILE} 和 {NOTICES_DIR}/")])
    limits = Limits()
    text, encoding = read_text(path, limits)
    source = SourceFile(path=path, text=text, encoding=encoding)
    site = read_plain(source, Site, limits)
    if site is not None:
        return site, source
    source.data = parse_yaml(path, text, limits)
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
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and (p.is_file() or p.is_symlink()))


def check_inside(path: Path, root: Path, real_folders: dict[str, str] | None = None) -> None:
    """A content file must really be in the content folder: a symlink to /etc/shadow named notices/x.yaml
    would otherwise be read, quoted in error messages and embedded in the PDF as the notice's source.
    `real_folders` (a dict kept across calls) remembers resolved folders: a build checks 1,000 files in one."""
    if real_folders is not None:
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode)  # not a link: it is where its folder really is
        except OSError:
            regular = False
        if regular:
            folder, real_root = str(path.parent), str(root)
            for name in (folder, real_root):
                if name not in real_folders:
                    real_folders[name] = os.path.realpath(name)
            if Path(real_folders[folder]).is_relative_to(real_folders[real_root]):
                return
    if not path.resolve().is_relative_to(root.resolve()):
        raise _file_error(path, f"文件是指向内容文件夹之外的链接（{path.resolve()}），不能使用（symlink out of the content folder）")
    if not path.is_file():
        raise _file_error(path, "不是普通文件（链接无效或指向设备），不能使用")


def load_notice(path: Path, site: Site, root: Path) -> tuple[Notice, SourceFile]:
    check_inside(path, root)
    text, encoding = read_text(path, site.limits)
    source = SourceFile(path=path, text=text, encoding=encoding)
    notice = read_plain(source, Notice, site.limits)
    if notice is None:
        notice = _read_with_ruamel(source, site.limits)
    errors = check_against_site(notice, source, site, root)
    if errors:
        raise ContentErrors(errors)
    return notice, source


def _read_with_ruamel(source: SourceFile, limits: Limits) -> Notice:
    """A notice file that read_plain declined: parsed by ruamel, each error reported with its position."""
    path = source.path
    source.data = parse_yaml(path, source.text, limits)
    if source.data is None:
        raise _file_error(path, "文件中没有内容（只有注释或空行），应为 YAML 格式的公示内容")
    if not isinstance(source.data, CommentedMap):
        what = "列表" if isinstance(source.data, CommentedSeq) else "一段文字"
        raise ContentErrors([ContentError(path, 1, 1, None,
                                          f"公示文件应为键值表（“字段: 值”的形式），实际是{what}")])
    try:
        return Notice.model_validate(dict(source.data))
    except ValidationError as exc:
        errors = validation_errors(source, Notice, exc)
        raise ContentErrors(sorted(errors, key=lambda e: (e.line or 0, e.column or 0))) from None


def check_against_site(notice: Notice, source: SourceFile, site: Site, root: Path) -> list[ContentError]:
    """Rules that need the site file or the file system: kind and status known, days that add up, files
    that stay inside the content folder."""
    titles = _field_titles(Notice)
    errors: list[ContentError] = []

    def error(loc: tuple[Any, ...], message: str) -> None:
        clean, parent, key = _resolve(source.tree(), loc)
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
        problem = check_asset_path(notice.signature.seal, root) or check_image(
            root / notice.signature.seal, site.limits)
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
        return f"找不到文件 {relative!r}（路径相对于内容文件夹）"
    return None


IMAGE_FORMATS = ("PNG", "JPEG")


def _png_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR (always the first chunk, at a fixed offset)."""
    if len(head) >= 24 and head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    return None


def check_image(path: Path, limits: Limits) -> str | None:
    """An image must be a PNG or JPEG within the size and pixel limits. The limits are checked from the file
    size and the header (Pillow's open reads only the header; pixels are decoded by load(), after the check),
    so a 20,000 × 20,000 image is refused without allocating 1.6 GB. None when the image is fine."""
    from PIL import Image, UnidentifiedImageError  # here, not at the top: `gazette check` rarely needs it

    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"无法读取图片：{exc.strerror}"
    if size > limits.max_image_bytes:
        return f"图片过大：{size:,} 字节，上限 {limits.max_image_bytes:,} 字节（site.yaml 中 limits.max_image_bytes）"
    too_many = f"图片像素过多，上限 {limits.max_image_pixels:,} 像素（site.yaml 中 limits.max_image_pixels）"
    with open(path, "rb") as handle:
        head = handle.read(32)
    size_from_header = _png_size(head)
    if size_from_header and size_from_header[0] * size_from_header[1] > limits.max_image_pixels:
        return f"{too_many}，实际 {size_from_header[0]:,} × {size_from_header[1]:,}"
    is_image = size_from_header is not None or head.startswith(b"\xff\xd8\xff")
    if not is_image:
        return f"不是 PNG 或 JPEG 图片：{path.name}（文件内容不是图片）"
    try:
        with Image.open(path, formats=IMAGE_FORMATS) as image:  # lazy: reads the header only
            width, height = image.size
            if width * height > limits.max_image_pixels:
                return f"{too_many}，实际 {width:,} × {height:,}"
            image.load()  # decode now, within the limit: a corrupt seal fails here, not silently in the PDF
    except Image.DecompressionBombError:  # Pillow's own, larger limit, also checked from the header
        return too_many
    except UnidentifiedImageError:
        return f"图片已损坏，无法读取：{path.name}"
    except (OSError, ValueError, SyntaxError) as exc:  # a truncated or corrupt image
        return f"图片已损坏，无法读取：{path.name}（{exc}）"
    return None


def load_content(root: Path) -> Content:
    """Load and validate a whole content folder; raise ContentErrors with every error of every file."""
    root = root.resolve() if root.exists() else root
    site, _site_source = load_site(root)
    paths = notice_files(root)
    loaded: dict[Path, tuple[Notice, SourceFile]] = {}
    errors: list[ContentError] = []
    for path in paths:
        try:
            loaded[path] = load_notice(path, site, root)
        except ContentErrors as exc:
            errors.extend(exc.errors)
    return assemble_content(root, site, paths, loaded, errors)


def assemble_content(root: Path, site: Site, paths: list[Path], loaded: dict[Path, tuple[Notice, SourceFile]],
                     errors: list[ContentError]) -> Content:
    """The checks across files (a folder without notices, two notices with one id) and the order of notices,
    shared by load_content and the build's cached loading (gazette/build.py), so both report the same
    errors in the same order: file order."""
    errors = list(errors)
    if not paths:
        errors.append(ContentError(root / NOTICES_DIR, None, None, None, "没有找到任何公示文件（*.yaml）"))
    notices: list[Notice] = []
    sources: dict[str, SourceFile] = {}
    for path in paths:
        if path not in loaded:
            continue
        notice, source = loaded[path]
        if notice.id in sources:
            line, col = _position_in(source.tree(), "id")
            errors.append(ContentError(path, line, col, "编号 (id)",
                                       f"编号 {notice.id!r} 与 {sources[notice.id].path.name} 重复，每个公示的编号必须唯一"))
            continue
        notices.append(notice)
        sources[notice.id] = source
    if errors:
        order = {path: i for i, path in enumerate(paths)}
        errors.sort(key=lambda e: order.get(e.path, -1))  # stable: a file's own errors keep their order
        raise ContentErrors(errors)
    # newest first, then by id so that the order never depends on the file system
    notices.sort(key=lambda n: (n.published, n.id), reverse=True)
    return Content(root=root, site=site, notices=notices, sources=sources)


# --- where a piece of text came from -------------------------------------------------------------------------

def locate(text: str, root: Path, source: SourceFile | None = None) -> str | None:
    """Where `text` (a URL a renderer was asked to fetch) was written: a line of a template override in the
    content folder ("templates/print.css.j2:8") or a field of the notice's YAML ("notices/x.yaml:12:9 印章图片
    (signature.seal)"). Templates first: they are the only place a raw URL reaches a renderer (text fields are
    sanitised), so a URL also quoted in a field was still asked for by the template. None when neither has it."""
    if not text:
        return None
    folder = root / "templates"
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.stat().st_size < 1_000_000):
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if text in line:
                    return f"{display_path(path)}:{number}"
    if source is not None:
        found = _find_in_data(source.tree(), text, ())
        if found is not None:
            clean, parent, key = _resolve(source.tree(), found)
            line, col = _position_in(parent, key)
            return f"{display_path(source.path)}:{line}:{col} {_field_label(clean, _TITLES)}"
    return None


def _find_in_data(node: Any, text: str, loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
    if isinstance(node, str):
        return loc if text in node else None
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found = _find_in_data(value, text, (*loc, key))
        if found is not None:
            return found
    return None
