"""`gazette serve`: serves the site on localhost, rebuilds on change, tells the page to reload, shows content
errors in the terminal and the browser while the last good pages stay served. Run through the real CLI."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GAZETTE, ROOT

TITLE = "突出生态环境问题整改验收销号公示"


class ServeProcess:
    """`gazette serve` in the background; its terminal output collected line by line."""

    def __init__(self, content: Path, out: Path):
        self.process = subprocess.Popen([*GAZETTE, "serve", str(content), "--port", "0", "--format", "html",
                                         "--out", str(out), "--build-date", "2023-08-01"],
                                        cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.terminal: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for_line(r"(http://127\.0\.0\.1:\d+/)").group(1)

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for_line(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "gazette serve exited:\n" + "".join(self.terminal)
                continue
            self.terminal.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "".join(self.terminal))

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get("__gazette/status"))

    def wait_for_status(self, check, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if check(status):
                return status
            time.sleep(0.2)
        raise AssertionError(f"status never matched; last: {status}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture()
def serve(content_copy: Path, tmp_path: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(content_copy, tmp_path / "out")
    yield process
    process.stop()


def test_serves_the_site_with_the_reload_script_that_is_never_published(serve: ServeProcess, tmp_path: Path) -> None:
    page = serve.get("notices/suma-243/index.html")
    assert TITLE in page
    assert '<script src="/__gazette/reload.js"></script></body>' in page
    assert "__gazette" not in (tmp_path / "out" / "notices" / "suma-243" / "index.html").read_text(encoding="utf-8")
    assert "location.reload" in serve.get("__gazette/reload.js")
    assert serve.status() == {"build": 1, "error": None}
    assert "公示中" in page  # --build-date 2023-08-01 falls inside the 公示期 (2023-07-27 to 2023-08-09)


def test_rebuilds_on_change_and_keeps_the_last_good_site_on_error(serve: ServeProcess, content_copy: Path) -> None:
    source = content_copy / "notices" / "suma-243.yaml"
    original = source.read_text(encoding="utf-8")
    source.write_text(original.replace(f"title: {TITLE}", "title: 改过的标题"), encoding="utf-8")
    serve.wait_for_status(lambda s: s["build"] == 2)
    assert "改过的标题" in serve.get("notices/suma-243/index.html")

    source.write_text(original.replace("published: ", "published: 不是日期 # "), encoding="utf-8")
    status = serve.wait_for_status(lambda s: s["error"])
    assert "suma-243.yaml" in status["error"] and status["build"] == 2
    serve.wait_for_line(r"suma-243\.yaml")  # and in the terminal
    assert "改过的标题" in serve.get("notices/suma-243/index.html")  # the last good page is still served

    site_yaml = content_copy / "site.yaml"
    source.write_text(original, encoding="utf-8")
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "title: 生态环境保护督察整改情况公示", "title: 新的网站标题"), encoding="utf-8")
    serve.wait_for_status(lambda s: s["build"] >= 3 and s["error"] is None)
    serve.wait_for_status(lambda s: "新的网站标题" in serve.get("index.html") and TITLE in serve.get("notices/suma-243/index.html"))
