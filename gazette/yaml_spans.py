"""Where each value of a YAML file sits in its text, so that tools can change a value by editing exactly those
characters — and nothing else: comments, blank lines, key order and quoting stay as the author left them.

`gazette check --fix` (gazette/lint.py) and `gazette import` (gazette/ledger.py) edit files this way instead of
re-dumping the parsed YAML, which would reflow long lines and move comments.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


def find(text: str, path: tuple[Any, ...]) -> Span | None:
    for span in value_spans(text):
        if span.path == path:
            return span
    return None


class Positions:
    """Character offset → 1-based (line, column), for messages in the file:line:column form."""

    def __init__(self, text: str):
        self._starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

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
