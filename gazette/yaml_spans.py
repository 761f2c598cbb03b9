"""Where each value of a YAML file sits in its text, so that tools can change a value by editing exactly those
characters — and nothing else: comments, blank lines, key order and quoting stay as the author left them.

`gazette check --fix` (gazette/lint.py) and `gazette import` (gazette/ledger.py) edit files this way instead of
re-dumping the parsed YAML, which would reflow long lines and move comments.
"""

from __future__ import annotations

import bisect
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
    import json

    from ruamel.yaml import YAML as _YAML

    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value and "\n" not in value and value == value.strip():
        try:
            if _YAML(typ="safe").load(f"k: {value}\n") == {"k": value}:
                return value
        except Exception:  # noqa: BLE001 - not plain-safe: quote it
            pass
    return json.dumps(value, ensure_ascii=False)
