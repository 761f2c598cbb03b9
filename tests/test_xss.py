"""Content is data, not code: XSS payloads in every text field never run on any page of the site.

A content folder is made with a payload in every text field of two notices (one of each list layout) and in
the site file's texts (title, organisation, portal lines, a status and a kind's headings). It is built through
the real CLI, and every HTML page is opened in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is downloaded). Every payload calls alert(), so a script that runs opens a dialog:
there must be none. The DOM is also checked for what could run later (event handlers, javascript:/data: URLs,
frames, objects, CSS expressions), and the page may request nothing but local files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, run_gazette

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# {n} is replaced by a number per use, so a dialog names the payload and field that ran.
PAYLOADS = [
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "<svg onload=alert({n})>",
    "<a href=\"javascript:alert({n})\">点我</a>",
    "[点我](javascript:alert({n}))",
    "[点我](JaVaScRiPt:alert({n}))",
    "![图](javascript:alert({n}))",
    "<javascript:alert({n})>",
    "<a href=\"data:text/html,<script>alert({n})</script>\">x</a>",
    "<a href=\"jav&#x09;ascript:alert({n})\">x</a>",
    "<a href=\" javascript:alert({n})\">x</a>",
    "<iframe src=\"javascript:alert({n})\"></iframe>",
    "<object data=\"data:text/html,<script>alert({n})</script>\"></object>",
    "<embed src=\"data:text/html,<script>alert({n})</script>\">",
    "<style>body{{background:url(\"javascript:alert({n})\")}} .x{{width:expression(alert({n}))}}</style>",
    "<div style=\"width: expression(alert({n})); background:url(javascript:alert({n}))\">x</div>",
    "\"><script>alert({n})</script>",
    "'onmouseover='alert({n})'",
    "</title><script>alert({n})</script>",
    "</textarea></script><script>alert({n})</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert({n})>",
    "<details open ontoggle=alert({n})>",
    "<body onload=alert({n})>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert({n})\">",
    "<base href=\"javascript:alert({n})//\">",
    "<form action=\"javascript:alert({n})\"><button>x</button></form>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert({n})>\"></noscript>",
    "<a href=\"#\" onclick=\"alert({n})\">x</a>",
    "{{{{ 1234*5678 }}}}{{% print(1234*5678) %}}",  # template injection: 7006652 must never appear
]


class Numbers:
    """Hands out payloads with fresh numbers, so each occurrence is identifiable."""

    def __init__(self) -> None:
        self.n = 100

    def one(self, index: int) -> str:
        self.n += 1
        return PAYLOADS[index % len(PAYLOADS)].format(n=self.n)

    def all(self) -> str:
        """Every payload, as separate Markdown paragraphs."""
        return "\n\n".join(self.one(i) for i in range(len(PAYLOADS)))


def hostile_notice(ids: Numbers, notice_id: str, status: str, kind: str) -> dict:
    short = iter(range(1000))

    def s() -> str:  # a short field: one payload, cycling through them
        return ids.one(next(short))

    return {
        "id": notice_id, "kind": kind, "title": "关于" + s() + "的整改情况公示", "published": "2025-06-30",
        "inspection": {"level": s(), "group": s(), "name": s()},
        "finding": {"number": 3, "label": s()}, "region": s(), "basis": s(), "status": status,
        "intro": ids.all(), "task": ids.all(), "goal": ids.all(), "subjects": [s(), s()], "acceptance_unit": s(),
        "deadline": "2025年12月底",
        "measures": [ids.all(), {"text": ids.all(), "deadline": "立行立改"}],
        "completion": [ids.all(), ids.all()],
        "publicity": {"start": "2025-07-01", "end": "2025-07-07", "office": s()},
        "contact": {"office": s(), "person": s(), "mobile": s(), "phone": s(), "supervision_phone": s(),
                    "email": "\"onmouseover=alert(1)\"@example.cn", "address": s()},
        "closing_phrase": True,
        "signature": {"organisations": [s(), s()], "date": "2025-07-01"},
        "attachments": [{"title": s(), "body": ids.all()}],
        "indicators": [{"key": "cut", "name": s(), "unit": s(), "values": {s(): 1, s(): 2}, "target": 3,
                        "target_label": s()}],
        "sections": [{"field": "task", "heading": s()}, {"field": "measures", "heading": s()},
                     {"field": "completion", "heading": s()}, {"field": "indicators", "heading": s()},
                     {"field": "text", "heading": s(), "text": ids.all()}, {"field": "goal", "heading": s(),
                                                                            "inline": True}],
    }


def hostile_content(folder: Path) -> Path:
    ids = Numbers()
    (folder / "notices").mkdir(parents=True)
    yaml = YAML(typ="rt")
    site = yaml.load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
    site["title"] = "督察整改" + ids.one(0)
    site["organisation"] = "办公室" + ids.one(1)
    status = ids.one(2)
    site["statuses"].append({"name": status})
    kind = "整改情况公示" + ids.one(16)
    site["kinds"][kind] = {"sections": [{"field": "task", "heading": ids.one(3)},
                                        {"field": "deadline", "heading": ids.one(4), "inline": True}],
                           "objection": "如有异议请在{{ period }}向{{ office }}反映。"}
    portal = site.get("portal") or {}
    for i, key in enumerate(("sponsor", "operator", "contact", "icp", "police_record", "column_type",
                             "column_description")):
        portal[key] = ids.one(5 + i)
    portal["keywords"] = [ids.one(12), ids.one(13)]
    site["portal"] = portal
    with open(folder / "site.yaml", "w", encoding="utf-8") as handle:
        yaml.dump(site, handle)
    for notice in (hostile_notice(ids, "xss-1", status, kind), hostile_notice(ids, "xss-2", "已完成", "整改情况公示")):
        (folder / "notices" / f"{notice['id']}.yaml").write_text(json.dumps(notice, ensure_ascii=False),
                                                                  encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("xss")
    content = hostile_content(base / "content")
    out = base / "public"
    result = run_gazette("build", str(content), "--out", str(out), "-q", "-f", "html")
    assert result.returncode == 0, result.stderr
    return out


def test_site_was_built_from_every_field(hostile_site: Path) -> None:
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) >= 4
    page = (hostile_site / "notices" / "xss-1" / "index.html").read_text(encoding="utf-8")
    # the payloads are there, as text: escaped, not dropped
    assert "&lt;script&gt;alert(" in page
    assert "7006652" not in "".join(p.read_text(encoding="utf-8") for p in pages)


# What may never be in a page's DOM, whatever the templates do. Returns a list of findings.
DOM_AUDIT = r"""
() => {
  const found = [];
  const bad = /^\s*(javascript|data|vbscript):/i;
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      if (['href', 'src', 'action', 'formaction', 'data', 'poster', 'xlink:href', 'srcdoc', 'background']
          .includes(name) && bad.test(attr.value.replace(/[\u0000-\u0020]/g, ''))) found.push(`${el.tagName} ${name}=${attr.value}`);
      if (name === 'style' && /expression|javascript|url\(/i.test(attr.value)) found.push(`${el.tagName} style=${attr.value}`);
    }
    if (['IFRAME', 'OBJECT', 'EMBED', 'BASE', 'FRAME', 'APPLET'].includes(el.tagName)) found.push(el.tagName);
    if (el.tagName === 'META' && /refresh/i.test(el.getAttribute('http-equiv') || '')) found.push('META refresh');
    if (el.tagName === 'SCRIPT' && /alert\(/.test(el.textContent)) found.push('SCRIPT ' + el.textContent.slice(0, 40));
    if (el.tagName === 'STYLE' && /expression|javascript/i.test(el.textContent)) found.push('STYLE ' + el.textContent.slice(0, 40));
  }
  return found;
}
"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make test-setup)")
def test_no_payload_runs_in_chromium(hostile_site: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    pages = sorted(hostile_site.rglob("*.html"))
    dialogs: list[str] = []
    requests: list[str] = []
    findings: dict[str, list[str]] = {}
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("request", lambda request: requests.append(request.url))
            for path in pages:
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_timeout(50)  # let onerror/onload/ontoggle handlers fire, if any exist
                # hover and focus everything a handler could hang on (there should be none to hang on)
                page.evaluate("() => document.querySelectorAll('*').forEach(e => {"
                              "e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); })")
                problems = page.evaluate(DOM_AUDIT)
                if problems:
                    findings[path.relative_to(hostile_site).as_posix()] = problems
        finally:
            browser.close()
    assert dialogs == [], f"scripts ran: {dialogs[:5]}"
    assert findings == {}
    assert [url for url in requests if not url.startswith("file://")] == []


def test_feeds_and_data_carry_no_markup(hostile_site: Path) -> None:
    """Feeds and sitemaps are XML that readers render: the payloads must be escaped inside them too."""
    from lxml import etree

    for path in list(hostile_site.rglob("*.xml")):
        tree = etree.parse(str(path))
        tags = {etree.QName(el).localname.lower() for el in tree.iter() if isinstance(el.tag, str)}
        assert not tags & {"script", "img", "iframe", "svg", "object"}, path
    for path in hostile_site.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # well-formed: no payload broke out of a string


def test_csv_cells_are_never_formulas(content_copy: Path, tmp_path: Path) -> None:
    notice = content_copy / "notices" / "wusu-16.yaml"
    text = notice.read_text(encoding="utf-8").replace("region: 乌苏市", 'region: "=HYPERLINK(\\"http://example.com\\",\\"x\\")"', 1)
    notice.write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    assert run_gazette("build", str(content_copy), "--out", str(out), "-q", "-f", "html").returncode == 0
    import csv

    for path in out.rglob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                assert not [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], row
