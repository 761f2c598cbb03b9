"""What `gazette build` shows while it works.

On a terminal: a rich progress bar per format (notices done, rate, time left). Elsewhere (CI, cron, a log
file): one plain line per stage, so logs stay readable and greppable. --verbose adds a line per rendered file;
--quiet shows errors only. rich is imported only for the terminal display (it costs 0.1 s to import).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from gazette.build import BuildReport

FORMAT_NAMES = {"html": "网页片段", "docx": "DOCX", "pdf": "PDF", "summary": "一览表文档"}


class PlainReporter:
    """One line per stage (and per file with verbose)."""

    def __init__(self, stream: TextIO | None = None, *, verbose: bool = False, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.quiet = quiet

    def __enter__(self) -> "PlainReporter":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _line(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def stage(self, name: str, detail: str) -> None:
        self._line(f"{name}：{detail}")

    def start_rendering(self, totals: dict[str, int]) -> None:
        todo = "，".join(f"{FORMAT_NAMES[f]} {n} 个" for f, n in totals.items() if n)
        if todo:
            self._line(f"渲染：{todo}")

    def rendered(self, fmt: str, notice_id: str, seconds: float) -> None:
        if self.verbose:
            self._line(f"  {FORMAT_NAMES[fmt]} {notice_id}（{seconds:.2f} 秒）")


class RichReporter(PlainReporter):
    """A progress bar per format while rendering; stage lines above it."""

    REFRESH_SECONDS = 0.1  # redrawing after every one of thousands of fragments would cost more than them

    def __init__(self, *, verbose: bool = False):
        super().__init__(sys.stderr, verbose=verbose)
        from rich.console import Console

        self.console = Console(stderr=True)
        self.progress = None
        self.bars: dict[str, int] = {}
        self.last_refresh = 0.0

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _line(self, text: str) -> None:
        self.console.print(text, highlight=False)

    def start_rendering(self, totals: dict[str, int]) -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        if not any(totals.values()):
            return
        # auto_refresh=False: no drawing thread, so the build's worker processes are never forked while
        # another thread holds a lock.
        self.progress = Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                                 console=self.console, auto_refresh=False, transient=False)
        self.progress.start()
        for fmt, total in totals.items():
            if total:
                self.bars[fmt] = self.progress.add_task(FORMAT_NAMES[fmt], total=total, rate="")

    def rendered(self, fmt: str, notice_id: str, seconds: float) -> None:
        if self.progress is None:
            return
        if self.verbose:
            self.progress.console.print(f"  {FORMAT_NAMES[fmt]} {notice_id}（{seconds:.2f} 秒）", highlight=False)
        self.progress.advance(self.bars[fmt])
        now = time.monotonic()
        if now - self.last_refresh >= self.REFRESH_SECONDS:
            for task in self.progress.tasks:
                speed = task.speed
                task.fields["rate"] = f"{speed:.1f}/秒" if speed else ""
            self.progress.refresh()
            self.last_refresh = now

    def stage(self, name: str, detail: str) -> None:
        if name == "渲染":
            self._stop()
        super().stage(name, detail)

    def _stop(self) -> None:
        if self.progress is not None:
            self.progress.refresh()
            self.progress.stop()
            self.progress = None


def reporter_for(stream: TextIO, *, quiet: bool, verbose: bool) -> PlainReporter:
    if quiet:
        return PlainReporter(stream, quiet=True)
    if stream.isatty():
        return RichReporter(verbose=verbose)
    return PlainReporter(stream, verbose=verbose)


def summary(report: BuildReport, out: str) -> str:
    """The last line: what was built, what was reused, how long it took."""
    if report.unchanged:
        return f"没有变化，未重新构建（nothing changed），用时 {report.seconds:.2f} 秒：{out}"
    parts = []
    for fmt in ("pdf", "docx", "html"):
        built, reused = report.built.get(fmt, 0), report.reused.get(fmt, 0)
        if built or reused:
            parts.append(f"{FORMAT_NAMES[fmt]} 新生成 {built} 个、未变沿用 {reused} 个")
    pages = report.files.get("html", 0)
    if pages:
        reused = f"，{report.pages_reused} 个未变沿用" if report.pages_reused else ""
        parts.append(f"网页 {pages} 个{reused}")
    return f"已构建 {report.notices} 个公示（{'；'.join(parts)}），用时 {report.seconds:.1f} 秒：{out}"
