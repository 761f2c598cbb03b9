"""`gazette serve` in the browser: the open page reloads after a rebuild and shows a content error over the
last good page."""

from __future__ import annotations

from pathlib import Path

from tests.test_site_serve import TITLE, ServeProcess


def test_open_page_reloads_and_shows_content_errors(page, content_copy: Path, tmp_path: Path) -> None:
    serve = ServeProcess(content_copy, tmp_path / "out")
    try:
        page.goto(serve.url + "notices/suma-243/index.html")
        assert page.locator("article.notice h1").inner_text() == TITLE
        source = content_copy / "notices" / "suma-243.yaml"
        original = source.read_text(encoding="utf-8")

        source.write_text(original.replace(f"title: {TITLE}", "title: 保存后自动刷新"), encoding="utf-8")
        page.wait_for_function("document.querySelector('article.notice h1').textContent === '保存后自动刷新'",
                               timeout=30_000)

        source.write_text(original.replace("region: ", "region: [不是文字] # "), encoding="utf-8")
        alert = page.get_by_role("alert")
        alert.wait_for(timeout=30_000)
        assert "suma-243.yaml" in alert.inner_text()
        assert page.locator("article.notice h1").inner_text() == "保存后自动刷新"  # the last good page

        source.write_text(original, encoding="utf-8")
        page.wait_for_function(f"document.querySelector('article.notice h1').textContent === '{TITLE}'",
                               timeout=30_000)
        assert page.get_by_role("alert").count() == 0
    finally:
        serve.stop()
