"""Valid HTML: the W3C Nu HTML Checker (vnu.jar from npm, run with Java) over every page of the site, in one
call, reports no error. The notice fragment (templates/notice.html.j2) is checked as part of the notice pages."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import VNU


def test_every_page_is_valid_html(e2e_site: Path) -> None:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.skip("the Nu HTML Checker needs Java (default-jre-headless) and vnu-jar (npm); make test installs both")
    pages = sorted(str(p) for p in e2e_site.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) >= 15  # every page type, including a second listing page
    relative = {Path(p).relative_to(e2e_site).as_posix() for p in pages}
    assert "progress/index.html" in relative  # 整改进展
    assert any(p.startswith("summaries/") for p in relative)  # 整改情况一览表 of each batch
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f'{m.get("url", "")}:{m.get("lastLine", "")}: {m["message"]}' for m in messages if m["type"] != "info"]
    assert errors == [], "\n".join(errors)


def test_the_checker_catches_errors(tmp_path: Path) -> None:
    """The test above can fail: an invalid page is reported."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.skip("the Nu HTML Checker needs Java and vnu-jar; make test installs both")
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="zh-CN"><head><title>x</title></head><body><img src="a.png"></body></html>')
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", str(bad)],
                            capture_output=True, text=True, timeout=300)
    assert json.loads(result.stderr)["messages"]
