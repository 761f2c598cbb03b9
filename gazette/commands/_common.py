"""What every command shares: turning content and gazette errors into one-line messages and exit codes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click

from gazette.errors import ContentErrors, GazetteError


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Content mistakes and other expected problems end the command with one line each and exit code 1,
    never a traceback."""
    try:
        yield
    except ContentErrors as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"发现 {len(exc.errors)} 处错误，未写入任何文件。", err=True)
        sys.exit(1)
    except GazetteError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
