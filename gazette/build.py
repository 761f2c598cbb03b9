"""The build pipeline: content folder → rendered notices → DOCX, PDF and site pages in one output folder.

load (gazette/loader.py) → render HTML once per notice (render/html.py) → write DOCX and PDF from it
(render/docx.py, render/pdf.py) → write the site around it (site.py), all into a staging folder that replaces
the output only when everything succeeded (publish.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gazette.loader import Content, load_content
from gazette.output import output_lock, staging_folder
from gazette.render.html import render_notice
from gazette.site import Download, NoticePage, notice_dir, write_site

ALL_FORMATS = ("html", "docx", "pdf")


@dataclass
class BuildReport:
    notices: int = 0
    files: dict[str, int] = field(default_factory=dict)  # format → files written
    seconds: float = 0.0


def build(content_root: Path, output: Path, *, formats: tuple[str, ...] = ALL_FORMATS,
          progress: Callable[[str], None] | None = None) -> BuildReport:
    """Build everything; raises ContentErrors for content mistakes and GazetteError for other problems.
    The output folder is replaced only when the whole build succeeded."""
    started = time.perf_counter()
    content = load_content(content_root)
    report = BuildReport(notices=len(content.notices))
    with output_lock(output), staging_folder(output) as staging:
        pages = [NoticePage(render_notice(notice, content)) for notice in content.notices]
        for page in pages:
            write_documents(page, content, staging, formats, report)
            if progress:
                progress(page.notice.id)
        if "html" in formats:
            write_site(content, pages, staging, previous=output)
            report.files["html"] = len(pages) + 1
    report.seconds = time.perf_counter() - started
    return report


def write_documents(page: NoticePage, content: Content, out: Path, formats: tuple[str, ...],
                    report: BuildReport) -> None:
    notice = page.notice
    folder = notice_dir(out, notice)
    folder.mkdir(parents=True, exist_ok=True)
    if "docx" in formats:
        from gazette.render.docx import render_docx  # imported only when needed: `check` stays fast

        target = folder / f"{notice.id}.docx"
        render_docx(page.rendered, content, target)
        page.downloads.append(Download("DOCX", target.name, target.stat().st_size))
        report.files["docx"] = report.files.get("docx", 0) + 1
    if "pdf" in formats:
        from gazette.render.pdf import render_pdf

        target = folder / f"{notice.id}.pdf"
        source = content.source_of(notice)
        render_pdf(page.rendered, content, target, source_yaml=source.path.read_bytes())
        page.downloads.append(Download("PDF", target.name, target.stat().st_size))
        report.files["pdf"] = report.files.get("pdf", 0) + 1
