"""Atomic publishing: a build that fails or is killed leaves the previous output byte for byte as it was; a
second build on the same output is refused while one runs; a killed build leaves no stuck lock."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gazette.errors import GazetteError
from gazette.output import MARKER, cleanup_leftovers, output_lock, staging_folder
from tests.conftest import GAZETTE, ROOT, run_gazette


def tree(folder: Path) -> dict[str, str]:
    """Every path under folder with the hash of its bytes (folders and links included): equal means byte
    for byte the same tree."""
    result: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            result[name] = "link:" + os.readlink(path)
        elif path.is_dir():
            result[name] = "dir"
        else:
            result[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def differences(now: dict[str, str], *candidates: dict[str, str]) -> list[list[str]]:
    return [sorted(k for k in set(now) | set(c) if now.get(k) != c.get(k))[:5] for c in candidates]


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith((f".{out.name}.new-", f".{out.name}.old-")))


def change_a_title(content: Path) -> None:
    notice = content / "notices" / "wusu-16.yaml"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("整改情况公示\n", "整改情况公示（更新）\n", 1), encoding="utf-8")


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Built once: the site of the shipped content ("old") and, in a fresh folder with a fresh cache, the site
    of the changed content ("new"), with how long that clean build took."""
    base = tmp_path_factory.mktemp("atomic")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    old = base / "old" / "public"
    assert run_gazette("build", str(content), "--out", str(old), "-q").returncode == 0
    change_a_title(content)
    new = base / "new" / "public"
    started = time.perf_counter()
    assert run_gazette("build", str(content), "--out", str(new), "-q").returncode == 0
    return {"old": old, "new": new, "seconds": time.perf_counter() - started}


@pytest.fixture()
def built(sites: dict[str, object], content_copy: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the old site in a folder of its own, and a content folder to build into it."""
    out = tmp_path / "site" / "public"
    shutil.copytree(sites["old"], out, symlinks=True)
    return content_copy, out, tree(out)


def test_failed_build_leaves_output_untouched(built: tuple[Path, Path, dict[str, str]]) -> None:
    """A build that fails half way (the PDF renderer refuses a template's remote stylesheet, after the DOCX
    files were already written to the staging folder) changes nothing and leaves nothing behind."""
    content, out, before = built
    change_a_title(content)
    templates = content / "templates"
    templates.mkdir()
    original = (ROOT / "templates" / "pdf.html.j2").read_text(encoding="utf-8")
    (templates / "pdf.html.j2").write_text(
        original.replace("</head>", '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">\n</head>'), encoding="utf-8")
    result = run_gazette("build", str(content), "--out", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert tree(out) == before
    assert leftovers(out) == []


def test_a_failing_search_indexer_fails_the_build_with_its_message(built: tuple[Path, Path, dict[str, str]],
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind runs as a service (site/search.py): when it dies, the build says so in one line with what
    Pagefind said, and the published site is left as it was."""
    from gazette.build import build
    from gazette.site import search

    content, out, before = built
    change_a_title(content)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\nhead -c 1 >/dev/null\necho 'Error: the index disk is full' >&2\nexit 3\n",
                      encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "_executable", lambda: str(broken))
    with pytest.raises(GazetteError) as failure:
        build(content, out, formats=("html",), jobs=1)
    message = str(failure.value)
    assert "Pagefind" in message and "the index disk is full" in message and "\n" not in message
    assert tree(out) == before
    assert leftovers(out) == []


def test_a_site_writer_error_while_pagefind_indexes_stops_it(built: tuple[Path, Path, dict[str, str]],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind indexes each shard as soon as its pages are written, while the site writer goes on
    (site/search.py ShardIndexer). When the writer fails after that, the build fails with the writer's own
    error (not one of Pagefind's, nor a hang), every Pagefind it started has ended, and the site is left
    as it was."""
    from gazette.build import build
    from gazette.site import search, writer

    content, out, before = built
    change_a_title(content)
    monkeypatch.setattr(search, "SHARD_SIZE", 1)  # three shards: Pagefind is busy when the writer fails
    started: list[int] = []
    indexed: list[list[str]] = []
    pagefind_index, pagefind_init = search._Pagefind.index, search._Pagefind.__init__

    def init(self) -> None:
        pagefind_init(self)
        started.append(self.process.pid)

    def index(self, site: Path, notice_ids: list[str], output: Path) -> None:
        indexed.append(notice_ids)
        pagefind_index(self, site, notice_ids, output)

    def fail(*args, **kwargs) -> None:
        time.sleep(0.2)  # Pagefind is running on the first shards
        raise GazetteError("模板错误：listing.html.j2 第 3 行（the site writer failed）")

    monkeypatch.setattr(search._Pagefind, "__init__", init)
    monkeypatch.setattr(search._Pagefind, "index", index)
    monkeypatch.setattr(writer, "_write_the_rest", fail)
    with pytest.raises(GazetteError, match="the site writer failed"):
        build(content, out, formats=("html",), jobs=2)
    assert started and indexed  # the index was being made when the writer failed
    for pid in started:  # every Pagefind process has ended (and was waited for: no zombie)
        assert not Path(f"/proc/{pid}").exists()
    assert tree(out) == before
    assert leftovers(out) == []


def test_sigkill_at_random_points_never_leaves_a_mixed_site(built: tuple[Path, Path, dict[str, str]],
                                                             sites: dict[str, object]) -> None:
    """Ten builds of changed content, each killed with SIGKILL after a random delay: afterwards the output is
    the old site or (killed after the swap) the complete new one, never a mixture; a normal build then works
    (no stuck lock) and clears what the killed ones left."""
    content, out, before = built
    backup = out.parent.parent / "backup"
    shutil.copytree(out, backup, symlinks=True)
    change_a_title(content)
    after = tree(sites["new"])
    assert after != before
    duration = float(sites["seconds"])  # a clean build; kill anywhere from start-up to just past the swap
    rng = random.Random(20261124)
    outcomes = []
    for _ in range(10):
        delay = rng.uniform(0.2, duration * 1.1)
        # --clean: every killed build renders everything again, rather than finishing at once from the cache
        child = subprocess.Popen([*GAZETTE, "build", str(content), "--out", str(out), "-q", "--clean"], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = tree(out)
        assert now in (before, after), f"mixed output after a kill at {delay:.2f} s: {differences(now, before, after)}"
        outcomes.append("old" if now == before else "new")
        if now == after:  # killed after the swap: put the old site back for the next round
            shutil.rmtree(out)
            shutil.copytree(backup, out, symlinks=True)
    assert outcomes.count("old") >= 5, outcomes  # most kills must land mid-build for the test to mean much
    result = run_gazette("build", str(content), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert tree(out) == after
    assert leftovers(out) == []


def test_second_build_is_refused_while_one_runs(built: tuple[Path, Path, dict[str, str]]) -> None:
    content, out, before = built
    change_a_title(content)
    with output_lock(out):
        result = run_gazette("build", str(content), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == f"错误：另一个构建正在写入 {out}，请等它结束后再试（Another build is writing {out}）"
    assert tree(out) == before


def test_lock_of_a_killed_build_is_not_stuck(built: tuple[Path, Path, dict[str, str]]) -> None:
    content, out, _ = built
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from gazette.output import output_lock\n"
         "with output_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    assert run_gazette("build", str(content), "--out", str(out)).returncode == 1  # held: refused
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert run_gazette("build", str(content), "--out", str(out), "-q").returncode == 0  # released by the OS


def test_a_folder_that_is_not_a_site_is_never_replaced(content_copy: Path, tmp_path: Path) -> None:
    """`--out` pointing at the content folder (or a home directory) by mistake deletes nothing."""
    before = tree(content_copy)
    result = run_gazette("build", str(content_copy), "--out", str(content_copy))
    assert result.returncode == 1
    assert "拒绝替换" in result.stderr and "Traceback" not in result.stderr
    assert tree(content_copy) == before
    assert leftovers(content_copy) == []


def test_recover_puts_back_the_site_of_a_build_killed_between_renames(tmp_path: Path) -> None:
    """Without renameat2 the swap is two renames; a kill between them leaves only .public.old-*."""
    out = tmp_path / "public"
    old = tmp_path / ".public.old-4242"
    old.mkdir()
    (old / MARKER).write_text("x")
    (old / "index.html").write_text("old site")
    (tmp_path / ".public.new-abc").mkdir()  # the half-written staging folder of the killed build
    with output_lock(out):
        cleanup_leftovers(out)
    assert (out / "index.html").read_text() == "old site"
    assert leftovers(out) == []


def test_exception_inside_staging_removes_it(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("old")
    with pytest.raises(RuntimeError), output_lock(out), staging_folder(out) as staging:
        (staging / "index.html").write_text("new")
        raise RuntimeError("renderer crashed")
    assert (out / "index.html").read_text() == "old"
    assert leftovers(out) == []


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.write_text("not a folder")
    with pytest.raises(GazetteError), output_lock(out), staging_folder(out):
        pass
    assert out.read_text() == "not a folder"
