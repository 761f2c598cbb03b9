"""Where each value of a YAML file sits in its text, so that tools can change a value by editing exactly those
characters — and nothing else: comments, blank lines, key order and quoting stay as the author left them.

`gazette check --fix` (gazette/lint.py) and `gazette import` (gazette/ledger.py) edit files this way instead of
re-dumping the parsed YAML, which would reflow long lines and move comments.

`plain_document` reads a plain file (the common case) with libyaml's C parser instead: the loader's fast path and
the lint's text spans. It declines (None) anything unusual, and the caller then uses ruamel, so that the values, the
spans and every error are ruamel's own.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml's parser through PyYAML: ~100x faster than ruamel's pure-Python scanner and parser
    from yaml import YAMLError as LibyamlError
    from yaml._yaml import CParser
    from yaml.events import (AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent,
                             ScalarEvent, SequenceEndEvent, StreamEndEvent)
except ImportError:  # PyYAML built without libyaml: ruamel reads everything, only slower
    CParser = None

STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Span:
    """One value node: its path of keys and list indexes from the top, and its [start, end) in the text."""

    path: tuple[Any, ...]
    start: int
    end: int
    node: Node

    @property
    def is_text(self) -> bool:
        return isinstance(self.node, ScalarNode) and tag_of(self.node) == STR_TAG

    @property
    def style(self) -> str | None:
        """None for plain, '"' or "'" for quoted, '|' or '>' for block scalars."""
        return getattr(self.node, "style", None)


def tag_of(node: Node) -> str:
    return getattr(node.tag, "value", node.tag)


def compose(text: str) -> Node | None:
    return YAML(typ="rt").compose(text)


def value_spans(text: str) -> Iterator[Span]:
    """Every value node (scalars, lists and mappings; not keys), outermost first."""
    root = compose(text)
    if root is None:
        return
    yield from _walk(root, ())


def _walk(node: Node, path: tuple[Any, ...]) -> Iterator[Span]:
    yield Span(path, node.start_mark.index, node.end_mark.index, node)
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _walk(value, (*path, key.value))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index))


def text_spans(text: str) -> list[tuple[tuple[Any, ...], int, int]]:
    """(path, start, end) of every text value (a scalar whose tag is str; not keys), outermost first: what
    value_spans gives for them, from libyaml when the file is plain (see plain_document), else from ruamel."""
    document = plain_document(text)
    if document is not None:
        return document.text_spans
    return [(span.path, span.start, span.end) for span in value_spans(text) if span.is_text]


def find(text: str, path: tuple[Any, ...]) -> Span | None:
    for span in value_spans(text):
        if span.path == path:
            return span
    return None


# --- plain files through libyaml ----------------------------------------------------------------------------

# Characters on which libyaml (YAML 1.1) and ruamel (YAML 1.2) may read a file differently, or that the loader
# refuses: tabs, control characters, NEL/LS/PS (line breaks in YAML 1.1 only), a BOM inside the text, a CR that
# is not part of CRLF, surrogates and non-characters. A file with any of them is left to ruamel; so is a
# double-quoted value that an escape gives one of them.
_UNUSUAL = re.compile("[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
                      "|\r(?!\n)")
# A literal block scalar's first line as both read it: libyaml also takes a comment without a space (|#).
_LITERAL_HEADER = re.compile(r"\|(?:[1-9][-+]?|[-+][1-9]?)?(?: +#[^\n]*| *)\r?(?:\n|$)")
# Tags a plain scalar may resolve to and be read here; anything else (<<, a merge) is left to ruamel.
_SCALAR_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_implicit: dict[Any, list[tuple[str, Any]]] | None = None  # ruamel's YAML 1.2 resolvers: see _plain_tag
_NO_KEY = object()  # a mapping expecting its next key


@dataclass
class PlainDocument:
    """A plain file as libyaml read it: its values (dicts, lists, scalars) and the text values' spans."""

    data: Any
    text_spans: list[tuple[tuple[Any, ...], int, int]]


def plain_document(text: str, *, max_depth: int = 1_000, max_nodes: int = 10_000_000, max_list_items: int = 10_000_000,
                   construct: Callable[[str, str], Any] | None = None) -> PlainDocument | None:
    """The document of a plain file — one document of mappings, lists and untagged scalars, no anchors, aliases,
    tags, directives, duplicate keys or collection keys, within the limits — read by libyaml; None for anything
    else (and when libyaml is not installed or the file does not parse), for the caller to hand to ruamel.

    A plain scalar's tag is resolved by ruamel's own (YAML 1.2) resolvers, so `on`, `010` or `1:20` mean what
    they mean to ruamel. Its value is built by `construct(tag, text)` unless it is text; without `construct`
    (the spans are all that is wanted) every scalar stays text, and keys are not checked for duplicates."""
    if CParser is None or _UNUSUAL.search(text):
        return None
    try:
        return _read_events(text, CParser(text), max_depth, max_nodes, max_list_items, construct)
    except LibyamlError:
        return None


def _read_events(text: str, parser: Any, max_depth: int, max_nodes: int, max_list_items: int,
                 construct: Callable[[str, str], Any] | None) -> PlainDocument | None:
    get_event = parser.get_event
    get_event()  # the stream's start
    event = get_event()
    if type(event) is not DocumentStartEvent or event.version or event.tags:
        return None
    spans: list[tuple[tuple[Any, ...], int, int]] = []
    # open collections, innermost last: [container, its path, and for a mapping the key whose value comes next
    # (built, and as written: a span's path has keys as written, as value_spans has them)]
    stack: list[list[Any]] = []
    root: Any = None
    nodes = 0
    while True:
        event = get_event()
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            continue
        if kind is DocumentEndEvent:
            break
        if kind is AliasEvent or event.anchor is not None or event.tag is not None:
            return None
        nodes += 1
        if nodes > max_nodes:
            return None
        if kind is ScalarEvent:
            value = event.value
            if event.implicit[0]:
                tag = _plain_tag(value)
                if tag not in _SCALAR_TAGS:
                    return None
            else:
                tag = STR_TAG
                if event.style == '"' and _UNUSUAL.search(value):
                    return None
                if event.style == ">":  # ruamel's value has a \a at each fold: the loader refuses it (U+0007)
                    return None
                if event.style == "|" and not _LITERAL_HEADER.match(text, event.start_mark.index):
                    return None
            is_text = tag == STR_TAG
            if not is_text and construct is not None:
                try:
                    value = construct(tag, value)
                except Exception:  # noqa: BLE001 - a value ruamel cannot build either (2025-01-09 10:00): its error
                    return None
        elif len(stack) >= max_depth:
            return None
        else:
            value = {} if kind is MappingStartEvent else []
        if not stack:
            path: tuple[Any, ...] = ()
            root = value
        else:
            frame = stack[-1]
            container = frame[0]
            if type(container) is dict:
                if frame[2] is _NO_KEY:
                    if kind is not ScalarEvent or (construct is not None and value in container):
                        return None
                    frame[2] = value
                    frame[3] = event.value
                    continue
                path = (*frame[1], frame[3])
                container[frame[2]] = value
                frame[2] = _NO_KEY
            else:
                if len(container) >= max_list_items:
                    return None
                path = (*frame[1], len(container))
                container.append(value)
        if kind is ScalarEvent:
            if is_text:
                spans.append((path, event.start_mark.index, event.end_mark.index))
        else:
            stack.append([value, path, _NO_KEY, None])
    if type(get_event()) is not StreamEndEvent:
        return None  # a second document
    return PlainDocument(root, spans)


def _plain_tag(value: str) -> str:
    """The tag ruamel gives an untagged plain scalar: VersionedResolver.resolve for YAML 1.2 (a file with a
    %YAML directive is declined), without its per-call version lookups, which cost more than the parse."""
    global _implicit
    if _implicit is None:
        resolver = YAML(typ="rt").resolver
        assert not resolver.yaml_path_resolvers, "resolve() would consult them"
        _implicit = resolver.versioned_resolver
    for key in (value[:1], None):  # by the first character ("" for an empty value), then those for any
        for tag, regexp in _implicit.get(key, ()):
            if regexp.match(value):
                return tag
    return STR_TAG


class Positions:
    """Character offset → 1-based (line, column), for messages in the file:line:column form."""

    def __init__(self, text: str):
        self._text = text

    @cached_property  # on the first call: a lint of a file without findings needs no line starts
    def _starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self._text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `replacement`."""

    start: int
    end: int
    replacement: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; an edit that overlaps one already taken is skipped (the first wins)."""
    taken: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if taken and edit.start < taken[-1].end:
            continue
        taken.append(edit)
    for edit in reversed(taken):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return text


# --- writing values ---------------------------------------------------------------------------------------------

def scalar(value: object) -> str:
    """A value as YAML text: plain when it reads back as the same text (most Chinese sentences do), else
    double-quoted (JSON's quoting is valid YAML)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value and "\n" not in value and value == value.strip():
        try:
            if YAML(typ="safe").load(f"k: {value}\n") == {"k": value}:
                return value
        except Exception:  # noqa: BLE001 - not plain-safe: quote it
            pass
    return json.dumps(value, ensure_ascii=False)


def set_value(text: str, path: tuple[Any, ...], value: Any, order: list[str] | None = None) -> str:
    """text with the value at path replaced (or added), everything else unchanged.

    A scalar is replaced in place (a comment after it stays); a list of texts item by item when the number of
    items is the same (comments between items stay), else as a whole; a missing key is added after the last
    key of its mapping (or after the key that precedes it in `order`, the model's field order), and a missing
    mapping is created.
    """
    span = find(text, path)
    if span is None:
        return _insert(text, path, value, order or [])
    node = span.node
    if isinstance(value, list) and isinstance(node, SequenceNode):
        items = node.value
        if len(items) == len(value) and all(isinstance(i, ScalarNode) for i in items):
            edits = [Edit(i.start_mark.index, i.end_mark.index, scalar(v)) for i, v in zip(items, value)]
            return apply_edits(text, edits)
        if getattr(node, "flow_style", False) or not items:
            return _replace(text, span, "[" + ", ".join(scalar(v) for v in value) + "]")
        indent = " " * node.start_mark.column
        block = f"\n{indent}".join(f"- {scalar(v)}" for v in value)
        return _replace(text, span, block)
    if isinstance(value, list):
        # a list where there was text: write it in flow form on the same line
        return _replace(text, span, "[" + ", ".join(scalar(v) for v in value) + "]")
    return _replace(text, span, scalar(value))


def _replace(text: str, span: Span, replacement: str) -> str:
    end = span.end
    # block nodes end at the start of the next line: keep that line break
    while end > span.start and text[end - 1] == "\n":
        end -= 1
    return text[:span.start] + replacement + text[end:]


def _insert(text: str, path: tuple[Any, ...], value: Any, order: list[str]) -> str:
    """Add `key: value` at the end of the mapping that should hold it, creating parent mappings as needed."""
    for depth in range(len(path) - 1, -1, -1):
        parent = find(text, path[:depth]) if depth else _root_span(text)
        if parent is not None and isinstance(parent.node, MappingNode):
            break
    else:  # pragma: no cover - an empty file has no mapping
        raise ValueError("no mapping to insert into")
    indent = parent.node.value[0][0].start_mark.column if parent.node.value else 0
    lines = _block(path[depth:], value, indent)
    at = _line_end(text, _last_value_end(_predecessor(parent.node, path[depth], order)))
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return text[:at] + prefix + lines + text[at:]


def _block(keys: tuple[Any, ...], value: Any, indent: int) -> str:
    pad = " " * indent
    key, rest = keys[0], keys[1:]
    if rest:
        return f"{pad}{key}:\n" + _block(rest, value, indent + 2)
    if isinstance(value, list):
        return f"{pad}{key}:\n" + "".join(f"{pad}  - {scalar(v)}\n" for v in value)
    return f"{pad}{key}: {scalar(value)}\n"


def _root_span(text: str) -> Span | None:
    root = compose(text)
    return Span((), root.start_mark.index, root.end_mark.index, root) if root is not None else None


def _predecessor(mapping: MappingNode, key: Any, order: list[str]) -> Node:
    """The value after which `key` belongs: the last present key that comes before it in `order`, else the
    mapping's last value."""
    if key in order:
        earlier = set(order[:order.index(key)])
        before = [value for k, value in mapping.value if k.value in earlier]
        if before:
            return max(before, key=lambda v: v.end_mark.index)
    return mapping.value[-1][1] if mapping.value else mapping


def _last_value_end(node: Node) -> int:
    last = node
    while isinstance(last, (MappingNode, SequenceNode)) and last.value:
        last = last.value[-1][1] if isinstance(last, MappingNode) else last.value[-1]
    return last.end_mark.index


def _line_end(text: str, index: int) -> int:
    """The start of the line after the one holding index (a comment at the end of the line stays with it)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline == -1 else newline + 1
