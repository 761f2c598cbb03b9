"""The site in a real browser: a reader's journey, accessibility (axe-core, WCAG 2.1 A/AA and AAA contrast in
high-contrast mode), requests that never leave the site, 375 px phones, the keyboard and file://."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import CONTENT


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def page_types(site: Path) -> dict[str, str]:
    """One page of each kind the site has, as paths from the site root."""
    first = lambda pattern: next(p for p in sorted(site.glob(pattern)) if "page" not in p.parts).relative_to(site)
    return {
        "home": "index.html",
        "home-page-2": "page/2/index.html",
        "inspection": first("inspections/*/index.html").as_posix(),
        "region": first("regions/*/index.html").as_posix(),
        "status": first("statuses/*/index.html").as_posix(),
        "groups": "regions/index.html",
        "notice": "notices/wusu-16/index.html",
        "notice-with-publicity": "notices/puyang-43/index.html",
        "search": "search/index.html?q=地下水",
        "data": "data/index.html",
        "summary": first("summaries/*/index.html").as_posix(),
        "progress": "progress/index.html",
    }


PAGE_TYPES = ["home", "home-page-2", "inspection", "region", "status", "groups", "notice", "notice-with-publicity",
              "search", "data", "summary", "progress"]


def open_page(page, url: str) -> list[str]:
    """Load `url` and return every URL the page requested; every one of them must have been found."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    missing: list[str] = []
    page.goto(url, wait_until="networkidle")
    if "search/" in url and "?q=" in url:
        page.wait_for_selector("#search-results li")
    assert missing == []
    return requests


def axe(page, axe_source: str, options: dict) -> list[dict]:
    """axe-core's violations, shortened to rule and first elements; asserts that the rules checked something."""
    page.add_script_tag(content=axe_source)  # injected inline: no request, nothing fetched
    result = page.evaluate("options => axe.run(document, options)", options)
    assert result["passes"], "axe checked nothing"
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_in_browser(page, site_url: str, e2e_site: Path, axe_source: str, artifacts: Path, kind: str) -> None:
    url = site_url + page_types(e2e_site)[kind]
    requests = open_page(page, url)

    # Nothing leaves the site: every request (CSS, JS, images, the search index) is to the site itself.
    assert requests, "the page made no request at all"
    foreign = [r for r in requests if not r.startswith(site_url)]
    assert foreign == []

    violations = axe(page, axe_source, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert violations == [], json.dumps(violations, ensure_ascii=False)

    # Every page shows its publication date.
    assert page.locator(".page-date time").inner_text().endswith("日")
    page.screenshot(path=str(artifacts / f"{kind}-desktop.png"), full_page=True)

    # A 375 px phone: no horizontal scrolling.
    page.set_viewport_size({"width": 375, "height": 812})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{kind}: page is {width}px wide at 375px"
    page.screenshot(path=str(artifacts / f"{kind}-375.png"), full_page=True)


@pytest.mark.parametrize("kind", ["home", "notice-with-publicity", "search", "data", "summary", "progress"])
def test_high_contrast_mode_meets_7_to_1(page, site_url: str, e2e_site: Path, axe_source: str, kind: str) -> None:
    page.goto(site_url + "index.html")
    page.get_by_role("button", name="高对比度").click()
    open_page(page, site_url + page_types(e2e_site)[kind])
    assert "high-contrast" in page.evaluate("document.documentElement.className")
    enhanced = {"runOnly": {"type": "rule", "values": ["color-contrast-enhanced", "color-contrast"]}}
    violations = axe(page, axe_source, enhanced)
    assert violations == [], json.dumps(violations, ensure_ascii=False)
    # The check can fail: grey text on black (5.9:1, enough for AA, not for 7:1) is reported.
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = '对比度不足的文字';
        p.style.color = '#888'; document.querySelector('main').appendChild(p); }""")
    assert [v["id"] for v in axe(page, axe_source, enhanced)] == ["color-contrast-enhanced"]


def test_reader_journey(page, site_url: str, artifacts: Path) -> None:
    """Home → a notice → its PDF → search in Chinese → the hit → large text that persists."""
    page.goto(site_url + "index.html")
    assert page.locator("h1").inner_text() == "生态环境保护督察整改情况公示"
    page.get_by_role("link", name="关于塔城地区自治区第一轮第二批生态环境保护督察反馈问题（自治区，兵团督察序号16）整改情况公示").click()
    assert page.url.endswith("/notices/wusu-16/index.html")
    assert "乌苏市地下水超采问题没有得到有效缓解" in page.locator("article.notice").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF 文件").click()
    download = download_info.value
    assert download.suggested_filename == "wusu-16.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    page.get_by_label("站内搜索").fill("黑臭水体")
    page.get_by_label("站内搜索").press("Enter")
    hit = page.locator("#search-results li a").first
    hit.wait_for()
    assert page.locator("#search-results li").count() == 1
    assert "找到 1 个" in page.locator("#search-status").inner_text()
    hit.click()
    assert page.url.endswith("/notices/puyang-43/index.html")
    assert "黑臭水体" in page.locator("article.notice").inner_text()

    size_before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    large = page.get_by_role("button", name="大字版")
    large.click()
    assert large.get_attribute("aria-pressed") == "true"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= size_before * 1.2
    page.get_by_role("link", name="首页", exact=True).first.click()
    assert "large-text" in page.evaluate("document.documentElement.className")  # remembered across pages
    assert page.get_by_role("button", name="大字版").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(artifacts / "journey-large-text.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})  # large text on a phone still needs no sideways scrolling
    for path in ("index.html", "notices/wusu-16/index.html", "search/index.html?q=地下水"):
        page.goto(site_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.screenshot(path=str(artifacts / "journey-large-text-375.png"), full_page=True)


def test_summary_of_a_batch_from_the_inspections_index(page, site_url: str) -> None:
    """按督察批次 → a batch's 整改情况一览表 → its PDF (named after its title) → a notice of the table;
    整改进展 from the navigation."""
    page.goto(site_url + "inspections/index.html")
    page.get_by_role("link", name=re.compile(r"^整改情况一览表\s*：自治区第一轮第二批生态环境保护督察$")).click()
    assert "/summaries/" in page.url
    assert page.locator("h1").inner_text() == "自治区第一轮第二批生态环境保护督察反馈问题整改情况一览表"
    assert page.locator("table.summary-table tbody tr").count() == 1
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF 文件").click()
    download = download_info.value
    assert download.suggested_filename == "自治区第一轮第二批生态环境保护督察反馈问题整改情况一览表.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    page.get_by_role("link", name=re.compile(r"^查看公示\s*（乌苏市，序号16）$")).click()
    assert page.url.endswith("/notices/wusu-16/index.html")
    page.get_by_role("link", name="整改进展").click()
    assert page.url.endswith("/progress/index.html")
    assert page.get_by_role("table", name="各地区的问题数、已完成数和逾期未完成数").is_visible()


def test_print_stylesheet_prints_the_notice_without_the_site_furniture(page, site_url: str) -> None:
    page.goto(site_url + "notices/wusu-16/index.html")
    page.emulate_media(media="print")
    for furniture in (".site-nav", ".header-tools", ".downloads", ".prev-next", ".breadcrumbs"):
        assert not page.locator(furniture).is_visible(), furniture
    assert page.locator("article.notice").is_visible()
    assert page.locator(".page-date").is_visible()


def test_search_finds_groundwater(page, site_url: str) -> None:
    page.goto(site_url + "search/index.html?q=地下水")
    page.wait_for_selector("#search-results li")
    links = [a.get_attribute("href") for a in page.locator("#search-results li a").all()]
    assert any(link.endswith("notices/wusu-16/index.html") for link in links), links
    wusu = page.locator("#search-results li", has=page.locator('a[href$="notices/wusu-16/index.html"]'))
    assert "地区\n乌苏市" in wusu.inner_text() and "发布日期\n2025年6月30日" in wusu.inner_text()
    assert wusu.locator(".excerpt").inner_text().strip()  # an excerpt of the notice text
    page.goto(site_url + "search/index.html?q=zzqqxxjj")
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('没有找到')")
    assert page.locator("#search-results li").count() == 0


def test_search_merges_the_shards_of_a_large_sites_index(page, site_url: str, e2e_site: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A large site's index comes in shards (gazette/site/search.py) that the search page merges. With two
    notices a shard, the three notices make two shards (wusu-16 and puyang-43 in the first, suma-243 in the
    second), and each notice is found whichever shard holds it."""
    from gazette.build import build
    from gazette.site import search

    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    out = e2e_site.parent / "sharded"
    build(CONTENT, out, formats=("html",), jobs=1)
    assert search.shards(["puyang-43", "suma-243", "wusu-16"]) == [["puyang-43", "wusu-16"], ["suma-243"]]
    assert (out / "pagefind" / "shard-1" / "pagefind-entry.json").is_file()
    url = site_url.replace(f"/{e2e_site.name}/", "/sharded/")
    for query, notice in (("地下水", "wusu-16"), ("濮阳市", "puyang-43"), ("宿马园区", "suma-243")):
        page.goto(url + f"search/index.html?q={query}")
        page.wait_for_selector("#search-results li")
        links = [a.get_attribute("href") for a in page.locator("#search-results li a").all()]
        assert any(link.endswith(f"notices/{notice}/index.html") for link in links), (query, links)


def test_keyboard_only(page, site_url: str) -> None:
    page.goto(site_url + "notices/wusu-16/index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Every control can be reached with Tab and shows where the focus is.
    page.reload()  # back to the top: from here Tab walks the whole page
    seen: list[str] = []
    positions: set[int] = set()
    for _ in range(100):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName, e.textContent.trim().slice(0, 20), s.outlineStyle, s.outlineWidth,
                    [...document.querySelectorAll('*')].indexOf(e)]; }""")
        if info[0] == "BODY" or info[4] in positions:
            break  # past the last control
        assert info[2] != "none" and info[3] != "0px", info
        seen.append(info[1])
        positions.add(info[4])
    assert {"跳到正文", "大字版", "高对比度", "PDF 文件"} <= set(seen), seen
    assert len(seen) >= 20
    page.get_by_role("button", name="大字版").focus()
    page.keyboard.press("Enter")
    assert "large-text" in page.evaluate("document.documentElement.className")


def test_works_from_file_urls_except_search(page, e2e_site: Path) -> None:
    page.goto((e2e_site / "notices" / "wusu-16" / "index.html").as_uri())
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(139, 0, 0)"  # the stylesheet loaded through a relative link
    page.get_by_role("link", name="按地区").click()
    assert page.url.endswith("/regions/index.html")
    page.get_by_label("站内搜索").fill("地下水")
    page.get_by_label("站内搜索").press("Enter")
    # the search page's script shows the notice once it has run (is_visible() alone does not wait for it)
    page.wait_for_selector("#search-offline", state="visible", timeout=10_000)
    assert "预览服务器" in page.locator("#search-offline").inner_text()
