from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
GAZETTE = [sys.executable, "-m", "gazette"]

# Outputs must not depend on the clock: fix the build date for every test.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01


def run_gazette(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GAZETTE, *args], cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content built once, all formats, through the real CLI."""
    out = tmp_path_factory.mktemp("site") / "public"
    result = run_gazette("build", str(CONTENT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped content folder."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def notice_ids() -> list[str]:
    return sorted(p.stem for p in (CONTENT / "notices").glob("*.yaml"))
