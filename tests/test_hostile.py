"""Bad input never hurts: every case of the hostile corpus (tests/hostile/) through the real `gazette check`.

Each case must end with exit code 1 and exactly its expected error lines (tests/hostile/expected.txt), no
traceback, in under 2 seconds and bounded memory (the child's own peak RSS, from wait4).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile import corpus

MAX_SECONDS = 2.0
MAX_RSS_MB = 80  # `gazette check` peaks near 40 MB; reading the 50 MB file or decoding the 20k × 20k image would not fit
SUMMARY = "处错误，未写入任何文件。"
TIMINGS: dict[str, float] = {}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


# Runs the command from a small Python process and reports its time and peak memory. The command must not be
# forked from pytest itself: Linux keeps ru_maxrss across exec, so a child forked from a 250 MB test process
# would report 250 MB whatever it used.
MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
child.returncode = 0
with open(sys.argv[1], "w") as report:
    report.write(f"{os.waitstatus_to_exitcode(status)} {time.perf_counter() - started} {usage.ru_maxrss}")
"""


def run_check(folder: Path) -> Run:
    """`gazette check .` in folder, measured: wall time and the child's own peak memory."""
    out, err, report = folder.parent / "stdout", folder.parent / "stderr", folder.parent / "measured"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        subprocess.run([sys.executable, "-c", MEASURE, str(report), sys.executable, "-m", "gazette", "check", "."],
                       cwd=folder, stdout=stdout, stderr=stderr, check=True,
                       env={**os.environ, "PYTHONPATH": str(corpus.HERE.parent.parent)})
    code, seconds, max_rss_kb = report.read_text().split()
    return Run(int(code), out.read_text("utf-8"), err.read_text("utf-8"), float(seconds), int(max_rss_kb) / 1024)


EXPECTED = corpus.expected()
CASES = corpus.case_names()


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 40
    assert sorted(EXPECTED) == CASES, "every case needs expected lines, and every expectation a case"


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case: str, tmp_path: Path) -> None:
    folder = corpus.make_case(case, tmp_path / "content")
    result = run_check(folder)
    TIMINGS[case] = result.seconds
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1].endswith(SUMMARY)
    assert lines[:-1] == EXPECTED[case]
    assert result.stdout == ""
    assert result.seconds < MAX_SECONDS, f"{case} took {result.seconds:.2f} s"
    assert result.max_rss_mb < MAX_RSS_MB, f"{case} peaked at {result.max_rss_mb:.0f} MB"


def test_object_construction_never_happens(tmp_path: Path) -> None:
    """!!python/object/apply:os.system is refused before anything is built: the command never runs."""
    marker = Path("/tmp/gazette-pwned")
    marker.unlink(missing_ok=True)
    run_check(corpus.make_case("python_object", tmp_path / "content"))
    assert not marker.exists()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_other_encodings_are_read_correctly(encoding: str, tmp_path: Path) -> None:
    """A valid notice saved by a Chinese-locale editor passes: the encoding is read, not guessed wrong."""
    folder = corpus.make_case("empty", tmp_path / "content")
    (folder / "notices" / "empty.yaml").unlink()
    (folder / "notices" / "ok.yaml").write_bytes(corpus.VALID.format(status="已完成").encode(encoding))
    result = run_check(folder)
    assert result.returncode == 0, result.stderr
    assert "1 个公示，没有发现错误" in result.stdout


def test_limits_come_from_site_yaml(tmp_path: Path) -> None:
    """The bounds are settings: raising limits.max_list_items lets a list through that the default refuses."""
    folder = corpus.make_case("empty", tmp_path / "content")
    (folder / "notices" / "empty.yaml").unlink()
    items = "".join(f"  - 措施{i}\n" for i in range(600))
    (folder / "notices" / "many.yaml").write_text(corpus.VALID.format(status="已完成") + "measures:\n" + items)
    assert "limits.max_list_items" in run_check(folder).stderr
    with open(folder / "site.yaml", "a", encoding="utf-8") as site:
        site.write("limits:\n  max_list_items: 1000\n")
    assert run_check(folder).returncode == 0


def test_report_slowest_case() -> None:
    """Not a check: prints the slowest case for the issue note (run with -s)."""
    if TIMINGS:
        slowest = max(TIMINGS, key=TIMINGS.__getitem__)
        print(f"\nhostile corpus: {len(TIMINGS)} cases, slowest {slowest} {TIMINGS[slowest]:.2f} s")


# Text fields are rendered only by `gazette build`; these inputs made Python-Markdown quadratic or recursive
# (30,000 "[" took 90 s, 20,000 "<div " 34 s, a list nested 500 deep raised RecursionError).
PATHOLOGICAL_MARKDOWN = {
    "unclosed brackets": "[" * 30_000,
    "unclosed links": "[a](" * 20_000,
    "unclosed images": "![" * 30_000,
    "unclosed tags": "<div " * 20_000,
    "a million brackets": "[" * 1_000_000,
    "deeply nested list": "".join(" " * (2 * i) + "- 项\n" for i in range(500)),
    "deeply nested quote": ">" * 20_000 + " 引文",
    "many escapes": "\\[" * 4_000,
    "list markers on one line": "- " * 2_000 + "项",
    "numbers on one line": "1. " * 2_000 + "项",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL_MARKDOWN))
def test_pathological_markdown_is_bounded(name: str) -> None:
    from gazette.render.markup import markdown_block

    text = PATHOLOGICAL_MARKDOWN[name]
    started = time.perf_counter()
    html = str(markdown_block(text))
    assert time.perf_counter() - started < 1.5, name
    assert html.startswith("<") and "<script" not in html
    # and the Markdown converter still works afterwards (a RecursionError used to leave it broken)
    assert str(markdown_block("**加粗**")) == "<p><strong>加粗</strong></p>"


def test_links_and_tags_that_close_still_work() -> None:
    """The defusing of unclosed brackets leaves ordinary Markdown alone."""
    from gazette.render.markup import markdown_block

    html = str(markdown_block("见[通知](https://example.gov.cn/a)，**加粗**，<b>粗体</b>，[方括号]和 a < b。"))
    assert '<a href="https://example.gov.cn/a" rel="noopener noreferrer">通知</a>' in html
    assert "<strong>加粗</strong>" in html and "<b>粗体</b>" in html
    assert "[方括号]" in html and "a &lt; b" in html
