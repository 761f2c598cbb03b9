"""Open data: every notice as one row of notices.csv and one object of notices.json, under data/.

The field names are a published contract (docs/data.md): add fields, never rename or remove one. Values are
plain: dates as YYYY-MM-DD, empty values as null in JSON and as an empty cell in CSV, lists joined with "；" in
CSV. Nothing depends on the clock, so the same content gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from gazette.model import Site
from gazette.site.pages import NoticePage

DATA_DIR = "data"
JSON_FILE = "notices.json"
CSV_FILE = "notices.csv"
FORMAT_VERSION = 1
LIST_SEPARATOR = "；"

FIELDS = (
    "id", "url", "permalink", "title", "kind", "published", "region",
    "inspection_level", "inspection_round", "inspection_batch", "inspection_type", "inspection_name",
    "inspection_group", "finding_number", "status", "status_done", "deadline", "deadline_due",
    "deadline_ongoing", "subjects", "acceptance_unit", "publicity_start", "publicity_end", "docx", "pdf",
    "signed_pdf",
)


def record(page: NoticePage, site: Site) -> dict[str, Any]:
    n = page.notice
    done = {s.name for s in site.statuses if s.done}
    files = {d.label: page.url + d.filename for d in page.downloads}
    base = site.base_url.rstrip("/") + "/" if site.base_url else None
    row: dict[str, Any] = {
        "id": n.id,
        "url": page.url,
        "permalink": base + page.url if base else None,
        "title": n.title,
        "kind": n.kind,
        "published": n.published.isoformat(),
        "region": n.region,
        "inspection_level": n.inspection.level,
        "inspection_round": n.inspection.round,
        "inspection_batch": n.inspection.batch,
        "inspection_type": n.inspection.type,
        "inspection_name": n.inspection.name,
        "inspection_group": n.inspection.group,
        "finding_number": n.finding.number,
        "status": n.status,
        "status_done": n.status in done,
        "deadline": n.deadline.text if n.deadline else None,
        "deadline_due": n.deadline.due.isoformat() if n.deadline and n.deadline.due else None,
        "deadline_ongoing": n.deadline.ongoing if n.deadline else None,
        "subjects": list(n.subjects),
        "acceptance_unit": n.acceptance_unit,
        "publicity_start": n.publicity.start.isoformat() if n.publicity else None,
        "publicity_end": n.publicity.end.isoformat() if n.publicity else None,
        "docx": files.get("DOCX"),
        "pdf": files.get("PDF"),
        "signed_pdf": files.get("SIGNED"),
    }
    assert tuple(row) == FIELDS  # the documented order is the CSV column order
    return row


def write(site: Site, ordered: list[NoticePage], out: Path) -> list[tuple[str, int]]:
    """Write both files; returns (path from the site root, size in bytes) for the data page."""
    rows = [record(page, site) for page in ordered]
    folder = out / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    document = {"format": "gazette-notices", "version": FORMAT_VERSION, "count": len(rows), "fields": list(FIELDS),
                "notices": rows}
    (folder / JSON_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # UTF-8 with a byte-order mark: without it, Excel on a Chinese Windows opens the file as GBK and garbles it.
    (folder / CSV_FILE).write_bytes(b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8"))
    return [(f"{DATA_DIR}/{name}", (folder / name).stat().st_size) for name in (JSON_FILE, CSV_FILE)]


def csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _not_a_formula(LIST_SEPARATOR.join(value))
    if isinstance(value, str):
        return _not_a_formula(value)
    return str(value)


def _not_a_formula(text: str) -> str:
    """Excel and WPS run a cell starting with = + - @ (or a tab or CR before them) as a formula: staff open this
    CSV, so such text gets a leading apostrophe, which both show as plain text (OWASP's CSV-injection advice)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
