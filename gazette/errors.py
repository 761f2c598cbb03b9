"""Errors that reach users: one line each, naming file, line, column and field, in plain Chinese."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
        return f"{where}{field} {self.message}"


class ContentErrors(Exception):
    """Raised when content cannot be used; carries every error found, not just the first."""

    def __init__(self, errors: list[ContentError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class GazetteError(Exception):
    """A problem that is not in one content file (fonts missing, output folder locked …): one line for the user."""
