"""Browser tests: the built site served over HTTP from a subfolder, one headless Chromium for the session.

The browser is Debian's chromium (never a downloaded one), driven by Playwright through executable_path; axe-core
and the Nu HTML Checker come from node_modules (package.json). `make test` installs all three; without them
these tests skip and say what is missing.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CONTENT, ROOT, run_gazette

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"
SUBFOLDER = "portal/zgwtgs"  # the site is served from a subfolder, as a portal column would be

# Chromium as root needs --no-sandbox; without the background-networking flags it tries to reach Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-features=Translate"]
PAGE_SIZE = 2  # small, so that the three shipped notices give listings with more than one page


@pytest.fixture(scope="session")
def e2e_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with a page size of 2, built through the real CLI."""
    work = tmp_path_factory.mktemp("e2e")
    content = work / "content"
    shutil.copytree(CONTENT, content)
    site_yaml = content / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    assert "  page_size: 20" in text
    site_yaml.write_text(text.replace("  page_size: 20", f"  page_size: {PAGE_SIZE}"), encoding="utf-8")
    out = work / "root" / SUBFOLDER
    result = run_gazette("build", str(content), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="session")
def site_url(e2e_site: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT/portal/zgwtgs/ : the site, served by a plain static web server."""
    root = e2e_site.parents[len(Path(SUBFOLDER).parts) - 1]
    handler = functools.partial(QuietHandler, directory=str(root))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{SUBFOLDER}/"
    server.shutdown()
    server.server_close()


# Package scope, not session: Playwright's sync API keeps an asyncio loop running while the browser is open,
# and pyHanko's asyncio.run() in the signing tests would then fail ("cannot be called from a running loop").
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A fresh context per test: its own localStorage and downloads."""
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test runs npm install)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
