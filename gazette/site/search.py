"""Offline Chinese search: Pagefind's extended build indexes the written pages.

The extended build is the one that segments Chinese (地下水, 黑臭水体 are found inside unspaced text). Its CLI
indexes the whole folder in one run; Pagefind's per-page Python API is avoided because it sleeps 0.1 s per
call. Only elements marked data-pagefind-body (the notice text) are indexed, so listings never show up as hits.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gazette.errors import GazetteError

INDEX_DIR = "pagefind"
# Pagefind's ready-made search interfaces: the site has its own (assets/search.js), so these 400 kB go.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


def index(site: Path) -> None:
    command = [sys.executable, "-m", "pagefind_bin_extended", "--site", str(site), "--output-subdir", INDEX_DIR,
               "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except FileNotFoundError as exc:  # pragma: no cover - the interpreter itself vanished
        raise GazetteError(f"无法运行 Pagefind：{exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        hint = detail[-1] if detail else f"exit code {result.returncode}"
        raise GazetteError(f"建立站内搜索索引失败（Pagefind）：{hint}；请确认已安装 pagefind-bin-extended")
    for name in UNUSED:
        (site / INDEX_DIR / name).unlink(missing_ok=True)
