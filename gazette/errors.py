"""Errors that reach users: one line each, naming file, line, column and field, in plain Chinese."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


# C0/C1 controls, line and paragraph separators, bidi overrides: a message quotes what a user typed, and such a
# character would break the one-line rule, redraw the terminal (ESC sequences) or reorder the line on screen.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text made safe to print as one line: every unprintable character shown as its escape (\\n, \\x1b)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


@dataclass(frozen=True)
class ContentError:
    """One mistake in one content file."""

    path: Path
    line: int | None  # 1-based
    column: int | None  # 1-based
    field: str | None  # e.g. "整改时限 (deadline)"
    message: str

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return one_line(f"{where}{field} {self.message}")


class ContentErrors(Exception):
    """Raised when content cannot be used; carries every error found, not just the first."""

    def __init__(self, errors: list[ContentError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class GazetteError(Exception):
    """A problem that is not in one content file (fonts missing, output folder locked …): one line for the user."""

    def __str__(self) -> str:
        return one_line(super().__str__())
