"""Incremental builds are never wrong: after any sequence of edits, deletions, additions, template and site
changes, an incremental build writes exactly the bytes a clean build writes, and it re-renders only what
changed."""

from __future__ import annotations

import hashlib
import importlib.util
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT
from gazette.build import build
from gazette.errors import ContentErrors, GazetteError
from gazette.loader import load_content
from gazette.site import search

_spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

# The HTML fragment, DOCX and PDF of a notice share one key and one cache path, so the random sequence checks
# keys and reuse with the cheapest of them; test_pdf_incremental_matches_clean covers all three formats.
FAST = ("html", "docx")


def tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def assert_same_tree(incremental: Path, clean: Path) -> None:
    a, b = tree(incremental), tree(clean)
    assert sorted(a) == sorted(b), f"files differ: {set(a) ^ set(b)}"
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"bytes differ: {different[:5]}"


class Workspace:
    """A content folder with the seed notices plus generated ones, and two outputs with their own caches:
    one built incrementally, one always built clean."""

    def __init__(self, tmp: Path, extra: int, seed: int = 7):
        self.content = tmp / "content"
        shutil.copytree(CONTENT, self.content)
        self.rng = random.Random(seed)
        self.generated = {}
        for data in generate.notices(extra, seed):
            self.write(data)
        self.template_version = 0
        self.incremental = tmp / "inc" / "public"
        self.clean = tmp / "clean" / "public"

    def write(self, data: dict) -> None:
        self.generated[data["id"]] = data
        generate.write_notice(data, self.content / "notices" / f"{data['id']}.yaml")

    def build_both(self, formats=("html",)):
        report = build(self.content, self.incremental, formats=formats, jobs=2)
        build(self.content, self.clean, formats=formats, jobs=1, clean=True)
        assert_same_tree(self.incremental, self.clean)
        return report

    # --- the random operations ---

    def edit(self) -> str:
        data = self.generated[self.rng.choice(sorted(self.generated))]
        field = self.rng.choice(["title", "task", "status", "published", "measures"])
        if field == "title":
            data["title"] += "（修订）"
        elif field == "task":
            data["task"] = "**更正**：" + data["task"]
        elif field == "status":
            data["status"] = self.rng.choice(["已完成", "正在整改", "长期坚持"])
        elif field == "published":
            data["published"] = data["published"].replace(year=data["published"].year - 1)
        else:
            data["measures"] = data["measures"][:-1]
            data["completion"] = data["completion"][:-1]
        self.write(data)
        return f"edit {data['id']} {field}"

    def delete(self) -> str:
        victim = self.rng.choice(sorted(self.generated))
        del self.generated[victim]
        (self.content / "notices" / f"{victim}.yaml").unlink()
        return f"delete {victim}"

    def add(self) -> str:
        data = generate.notice_data(self.rng.randint(50000, 99999), self.rng)
        self.write(data)
        return f"add {data['id']}"

    def notice_template(self) -> str:
        """A content-local override of the notice template: every document changes."""
        self.template_version += 1
        shipped = (ROOT / "templates" / "notice.html.j2").read_text(encoding="utf-8")
        changed = shipped.replace('<article class="notice"', f'<article class="notice v{self.template_version}"', 1)
        assert changed != shipped
        (self.content / "templates").mkdir(exist_ok=True)
        (self.content / "templates" / "notice.html.j2").write_text(changed, encoding="utf-8")
        return "notice template"

    def site_template(self) -> str:
        """A site-only template change: pages change, documents do not."""
        self.template_version += 1
        target = self.content / "templates" / "site" / "assets" / "extra.css"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"/* v{self.template_version} */\n", encoding="utf-8")
        return "site asset"

    def site_yaml(self) -> str:
        path = self.content / "site.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("organisation: ", "organisation: 新", 1), encoding="utf-8")
        return "site.yaml"


def test_random_changes_build_the_same_bytes_as_a_clean_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # two notices a search shard: five notices give three shards, so reused and re-indexed shards mix
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    ws = Workspace(tmp_path, extra=2)
    ws.build_both()
    operations = [ws.edit, ws.edit, ws.delete, ws.add, ws.notice_template, ws.site_template, ws.site_yaml]
    ws.rng.shuffle(operations)
    for operation in operations:
        what = operation()
        try:
            ws.build_both()
        except AssertionError as exc:
            raise AssertionError(f"after {what}: {exc}") from None


def test_only_what_changed_is_rendered(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, extra=2)
    first = build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert first.built == {"html": 5, "docx": 5} and not first.reused

    again = build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert again.unchanged  # nothing changed: nothing loaded, nothing written

    ws.edit()
    one = build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert one.built == {"html": 1, "docx": 1} and one.reused == {"html": 4, "docx": 4}
    assert one.parsed == 1
    # the edited notice's page and its neighbours' (which show its title) may change; the other two not
    assert one.pages_reused >= 2

    ws.site_template()
    site_only = build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert not site_only.unchanged and site_only.built == {}

    ws.notice_template()
    everything = build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert everything.built == {"html": 5, "docx": 5}

    forced = build(ws.content, ws.incremental, formats=("html",), jobs=1, clean=True)
    assert forced.built == {"html": 5} and forced.parsed == 5


def test_a_batchs_table_is_typeset_again_only_when_what_it_shows_changes(tmp_path: Path) -> None:
    """An edit changes its batch's key; the 一览表 documents are typeset again only if the table's own input
    (its print HTML) changed: the goal is not in the table, the completion is."""
    ws = Workspace(tmp_path, extra=3)
    ws.build_both(formats=FAST)

    def tables() -> dict[str, int]:
        return {p.relative_to(ws.incremental).as_posix(): _inode(p)
                for p in sorted(ws.incremental.glob("summaries/*/summary.docx"))}

    before = tables()
    victim = sorted(ws.generated)[0]
    ws.write(dict(ws.generated[victim], goal="更正后的整改目标：" + ws.generated[victim]["goal"]))
    ws.build_both(formats=FAST)
    assert tables() == before, "the goal is not in the table: nothing to typeset again"
    build(ws.content, ws.incremental, formats=FAST, jobs=2, clean=True)
    assert all(inode != before[name] for name, inode in tables().items()), "--clean typesets every table"
    before = tables()

    ws.write(dict(ws.generated[victim], completion=["已全部完成。", *ws.generated[victim]["completion"][1:]]))
    ws.build_both(formats=FAST)
    after = tables()
    assert sorted(after) == sorted(before)
    assert sum(after[name] != before[name] for name in before) == 1, "only the victim's batch's table changed"


def test_outputs_sharing_a_folder_keep_each_others_tables(tmp_path: Path) -> None:
    """Outputs in one folder share its cache (.cache/ beside them): an HTML preview built beside the published
    site must not delete the 一览表 documents the site uses, or the site's next build typesets every table
    again. Documents no build has used for a week go (site/writer.py _forget_unused_summaries)."""
    import json
    import os
    import time

    from gazette.cache import KEEP_UNUSED_SECONDS
    from gazette.site.writer import USED_RECORD, summary_cache_dir

    ws = Workspace(tmp_path, extra=1)
    site, preview = tmp_path / "out" / "public", tmp_path / "out" / "preview"
    build(ws.content, site, formats=FAST, jobs=1)
    cache_dir = summary_cache_dir(site)
    documents = {p.name for p in cache_dir.iterdir() if p.suffix in (".docx", ".pdf")}
    assert documents
    (cache_dir / "forgotten.pdf").write_bytes(b"%PDF")
    (cache_dir / "unrecorded.pdf").write_bytes(b"%PDF")  # as a killed build leaves one: its mtime counts
    record = json.loads((cache_dir / USED_RECORD).read_text(encoding="utf-8"))
    record["forgotten.pdf"] = time.time() - KEEP_UNUSED_SECONDS - 60
    (cache_dir / USED_RECORD).write_text(json.dumps(record), encoding="utf-8")
    old = time.time() - 3600
    os.utime(cache_dir / "unrecorded.pdf", (old, old))

    build(ws.content, preview, formats=("html",), jobs=1)  # uses no 一览表 document
    left = {p.name for p in cache_dir.iterdir() if p.suffix in (".docx", ".pdf")}
    assert documents <= left, "the preview deleted the site's documents"
    assert "forgotten.pdf" not in left and "unrecorded.pdf" in left


def test_deleting_a_notice_removes_its_files_and_listing_entries(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, extra=2)
    build(ws.content, ws.incremental, formats=FAST, jobs=1)
    victim = sorted(ws.generated)[0]
    title = ws.generated[victim]["title"]
    assert (ws.incremental / "notices" / victim).is_dir()
    del ws.generated[victim]
    (ws.content / "notices" / f"{victim}.yaml").unlink()
    build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert not (ws.incremental / "notices" / victim).exists()
    for page in ws.incremental.rglob("*.html"):
        assert title not in page.read_text(encoding="utf-8"), page


def test_a_published_file_changed_in_place_is_not_reused(tmp_path: Path) -> None:
    """Output files are hard links into the cache. Something that rewrites one in place changes the cached
    copy too: the next build must notice and render it again, not publish the altered bytes."""
    ws = Workspace(tmp_path, extra=0)
    ws.build_both(formats=FAST)
    docx = next(ws.incremental.rglob("*.docx"))
    with open(docx, "r+b") as handle:  # in place: same inode as the cache object
        handle.seek(100)
        handle.write(b"XXXX")
    report = build(ws.content, ws.incremental, formats=FAST, jobs=1)
    assert not report.unchanged and report.built.get("docx") == 1
    assert_same_tree(ws.incremental, ws.clean)


def test_pdf_incremental_matches_clean(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, extra=0)  # the three seed notices, all formats
    ws.build_both(formats=("html", "docx", "pdf"))
    path = ws.content / "notices" / "wusu-16.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("乌苏市地下水超采问题", "乌苏市地下水严重超采问题"),
                    encoding="utf-8")
    report = ws.build_both(formats=("html", "docx", "pdf"))
    assert report.built == {"html": 1, "docx": 1, "pdf": 1}


def test_content_errors_match_the_loader(tmp_path: Path) -> None:
    """build.load mirrors loader.load_content (with the parse cache in front): same errors, same order."""
    ws = Workspace(tmp_path, extra=2)
    build(ws.content, ws.incremental, formats=("html",), jobs=1)  # fills the parse cache
    first, second = sorted(ws.generated)
    duplicate = dict(ws.generated[first], title="重复编号的公示")
    generate.write_notice(duplicate, ws.content / "notices" / "zz-duplicate.yaml")
    (ws.content / "notices" / "broken.yaml").write_text("id: broken\nkind: 未知类型\n", encoding="utf-8")

    with pytest.raises(ContentErrors) as expected:
        load_content(ws.content)
    with pytest.raises(ContentErrors) as got:
        build(ws.content, ws.incremental, formats=("html",), jobs=2)
    assert [str(e) for e in got.value.errors] == [str(e) for e in expected.value.errors]


@pytest.mark.parametrize("how", ["file", "folder"])
def test_a_cached_notice_behind_a_symlink_out_of_the_content_folder_is_refused(tmp_path: Path, how: str) -> None:
    """The parse cache is keyed by bytes: the same bytes reached through a link out of the content folder (the
    file itself, or the notices folder) must be refused as the loader refuses them, not taken from the cache."""
    ws = Workspace(tmp_path, extra=2)
    build(ws.content, ws.incremental, formats=("html",), jobs=1)  # fills the parse cache
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = ws.content / "notices" / f"{sorted(ws.generated)[0]}.yaml"
    if how == "file":
        target = outside / victim.name
        shutil.move(victim, target)
        victim.symlink_to(target)
    else:  # the notices folder itself
        notices = ws.content / "notices"
        shutil.move(notices, outside / "notices")
        notices.symlink_to(outside / "notices")
    # another notice changes too: the same bytes at the same path alone leave the content's fingerprint, and so
    # the output, as they were (a no-op build publishes nothing new)
    other = sorted(ws.generated)[1]
    ws.write(dict(ws.generated[other], task="任务改了。"))

    with pytest.raises(ContentErrors) as expected:
        load_content(ws.content)
    with pytest.raises(ContentErrors) as got:
        build(ws.content, ws.incremental, formats=("html",), jobs=1)
    assert "symlink out of the content folder" in str(got.value.errors[0])
    assert [str(e) for e in got.value.errors] == [str(e) for e in expected.value.errors]


def test_loaded_content_matches_the_loader(tmp_path: Path) -> None:
    from gazette.build import _Workers, load
    from gazette.cache import BuildCache, code_fingerprint
    from gazette.loader import load_site

    ws = Workspace(tmp_path, extra=17)  # enough to parse in parallel
    site, _ = load_site(ws.content)
    cache = BuildCache.open(tmp_path / "cache")
    for attempt in ("cold", "warm"):
        with _Workers(ws.content, site, cache, ("html",), 2) as workers:
            content, parsed, parse_keys = load(ws.content, site, cache, workers, code_fingerprint(), "site",
                                               clean=False)
        assert parsed == (20 if attempt == "cold" else 0)
        expected = load_content(ws.content)
        assert [n.model_dump() for n in content.notices] == [n.model_dump() for n in expected.notices]
        assert {i: s.path for i, s in content.sources.items()} == {i: s.path for i, s in expected.sources.items()}
        # what the workers parsed is in the parse cache, under the keys the build hands on to render tasks
        assert sorted(parse_keys) == sorted(n.id for n in content.notices)
        assert all(cache.get_parsed(key).notice == notice for notice in content.notices
                   for key in [parse_keys[notice.id]])


def test_a_task_sent_to_a_worker_names_its_notice_by_its_parse_cache_key(tmp_path: Path) -> None:
    """The build's process never pickles a notice: pickling a str keeps a UTF-8 copy inside it (sys.getsizeof
    counts it), which over thousands of notices held for the whole build was a quarter of its memory."""
    import pickle
    import sys

    from gazette import workers
    from gazette.cache import BuildCache
    from gazette.loader import load_site

    ws = Workspace(tmp_path, extra=0)
    site, _ = load_site(ws.content)
    cache_root = BuildCache.open(tmp_path / "cache").root
    workers.init(ws.content, site, cache_root, ())
    path = sorted((ws.content / "notices").glob("*.yaml"))[0]
    data, errors = workers.parse(path)  # as a worker returns it: pickled
    assert not errors
    cache = BuildCache.open(cache_root)
    cache.put_parsed("k1", data)
    cache.flush()
    entry = cache.get_parsed("k1")
    assert entry.notice.id == path.stem and entry.text == path.read_text(encoding="utf-8")

    notice = pickle.loads(data).notice  # as the build holds it: unpickled, never pickled again
    size = sys.getsizeof(notice.task)
    task = workers.RenderTask("html", notice, entry.source(path), "key", parsed="k1")
    sent = pickle.dumps(task)
    assert notice.task.encode() not in sent and len(sent) < 1000
    assert sys.getsizeof(notice.task) == size  # no UTF-8 copy kept beside the text
    pickle.dumps(notice)
    assert sys.getsizeof(notice.task) > size  # (which pickling the notice itself does)

    received = pickle.loads(sent)  # in a worker
    assert received.notice is None
    assert workers.render(received)[:2] == ("html", notice.id)
    assert received.notice == notice and received.source.text == entry.text
    with pytest.raises(GazetteError, match="构建期间被删除"):  # the cache folder deleted during the build
        workers.render(workers.RenderTask("html", None, entry.source(path), "key", parsed="gone"))


def test_cli_clean_flag_and_summary(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "public"
    cmd = [sys.executable, "-m", "gazette", "build", str(content), "--out", str(out), "-f", "html"]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "新生成 3 个" in first.stdout
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "没有变化" in second.stdout
    forced = subprocess.run([*cmd, "--clean"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "新生成 3 个" in forced.stdout


def _inode(path: Path) -> int:
    return path.stat().st_ino


def test_only_the_search_shard_of_a_changed_page_is_indexed_again(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A large site's search index comes in shards (gazette/site/search.py). Editing one notice's text
    indexes its shard again; every other shard is taken from the last output (the same files, hard-linked),
    and every shard is listed on the search page."""
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    ws = Workspace(tmp_path, extra=4)  # seven notices: four shards
    out = ws.incremental
    build(ws.content, out, formats=("html",), jobs=1)
    members = search.shards(sorted(p.stem for p in (ws.content / "notices").glob("*.yaml")))
    folders = [search.shard_dir(k) for k in range(len(members))]
    assert len(folders) == 4 and folders[0] == "pagefind" and folders[1] == "pagefind/shard-1"
    status = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert f'data-index="{" ".join(folders)}"' in status
    before = {folder: _inode(out / folder / "pagefind-entry.json") for folder in folders}

    victim = sorted(ws.generated)[1]
    ws.generated[victim]["task"] = "更正后的整改任务：" + ws.generated[victim]["task"]
    ws.write(ws.generated[victim])
    build(ws.content, out, formats=("html",), jobs=1)
    after = {folder: _inode(out / folder / "pagefind-entry.json") for folder in folders}
    changed = {folder for folder in folders if before[folder] != after[folder]}
    assert changed == {folders[next(k for k, ids in enumerate(members) if victim in ids)]}
    build(ws.content, ws.clean, formats=("html",), jobs=1, clean=True)
    assert_same_tree(out, ws.clean)


def test_large_shards_are_indexed_by_one_pagefind(tmp_path: Path) -> None:
    """A Pagefind process holds its whole shard's output until it is written (0.45 MB a page): beyond
    PARALLEL_SHARD_MAX notices a shard, one process indexes shard after shard instead of one per core, so that
    a national portal's build stays under 1 GB. Below it, one per core (and never more than shards)."""
    def processes(count: int, jobs: int | None = 2) -> int:
        ids = [f"n{i:05d}" for i in range(count)]
        with search.ShardIndexer(tmp_path, ids, jobs=jobs) as indexer:
            indexer.finish()  # no shard written: nothing is indexed
        return indexer.processes

    assert processes(1000) == 2  # 8 shards of 125
    assert processes(100) == 1  # one shard
    assert processes(search.MAX_SHARDS * search.PARALLEL_SHARD_MAX) == 2
    assert processes(search.MAX_SHARDS * search.PARALLEL_SHARD_MAX + 1) == 1  # 16 shards of over 250
    assert processes(1000, jobs=1) == 1
    assert not (tmp_path / ".pagefind-work").exists()


def test_a_page_is_indexed_before_its_documents_are_made_and_the_index_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page of a notice whose DOCX and PDF are still being typeset is written first without its downloads
    (it shows their sizes), so that Pagefind indexes it meanwhile, and again once they are made
    (site/writer.py write_site). Pagefind's index of the early pages is byte-identical to its index of the
    finished ones, and search.searched_digest, which keys the index, is the same for both."""
    ws = Workspace(tmp_path, extra=1)
    read_by_search: dict[str, bytes] = {}
    index_shard = search._Pagefind.index

    def index_and_keep(pagefind, site: Path, notice_ids: list[str], output: Path) -> None:
        for notice_id in notice_ids:
            read_by_search[notice_id] = (site / "notices" / notice_id / "index.html").read_bytes()
        index_shard(pagefind, site, notice_ids, output)

    monkeypatch.setattr(search._Pagefind, "index", index_and_keep)
    out = ws.incremental
    build(ws.content, out, formats=("html", "docx", "pdf"), jobs=2)
    early = tmp_path / "early"
    for notice_id, page in read_by_search.items():
        final = (out / "notices" / notice_id / "index.html").read_bytes()
        assert b'<section class="downloads"' in final
        assert search.searched_digest(page) == search.searched_digest(final)
        (early / "notices" / notice_id).mkdir(parents=True)
        (early / "notices" / notice_id / "index.html").write_bytes(page)
    assert any(b'<section class="downloads"' not in page for page in read_by_search.values()), \
        "no page was indexed before its documents were made"
    search.index(early, sorted(read_by_search))
    assert tree(early / "pagefind") == tree(out / "pagefind")


def test_the_output_fingerprint_from_a_folder_walked_early_is_the_whole_walks(tmp_path: Path) -> None:
    """A build takes the stamps of notices/ while the workers finish the 一览表 (build._build) and walks only
    the rest at its end: the fingerprint must be the one a later no-op check computes from a whole walk."""
    from gazette.cache import output_fingerprint, output_stamps

    out = tmp_path / "site"
    for rel in ("index.html", "notices/a/index.html", "notices/a/a.pdf", "notices/b/index.html", "data/x.csv"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(rel, encoding="utf-8")
    walked = {"notices": output_stamps(out / "notices", out)}
    assert output_fingerprint(out, walked) == output_fingerprint(out)
    (out / "notices" / "a" / "a.pdf").write_text("changed after the early walk", encoding="utf-8")
    assert output_fingerprint(out, walked) != output_fingerprint(out)  # the next build builds: never skips
    (out / "data" / "x.csv").write_text("changed", encoding="utf-8")
    assert output_fingerprint(out, {"notices": output_stamps(out / "notices", out)}) == output_fingerprint(out)


def test_the_cache_index_is_read_back_and_an_unreadable_one_is_empty(tmp_path: Path) -> None:
    from gazette.cache import INDEX_FILE, BuildCache

    cache = BuildCache.open(tmp_path / "cache")
    (cache.root / "objects" / "k.pdf").write_bytes(b"%PDF-1.7")
    cache.record_object("k", "pdf")
    cache.save()
    again = BuildCache.open(tmp_path / "cache")
    assert again.has_object("k", "pdf") and again.object_size("k", "pdf") == 8
    (cache.root / INDEX_FILE).write_bytes(b"\x80\x05 not a pickle")  # a killed write, an older format
    assert BuildCache.open(tmp_path / "cache").index == {}
    assert not BuildCache.open(tmp_path / "cache").has_object("k", "pdf")  # made again, never trusted


def test_the_cache_forgets_objects_unused_for_a_week_checking_at_most_hourly(tmp_path: Path) -> None:
    import os
    import time

    from gazette.cache import KEEP_UNUSED_SECONDS, PRUNE_EVERY_SECONDS, BuildCache, ObjectRecord

    cache = BuildCache.open(tmp_path / "cache")

    def stale_object(name: str) -> Path:
        path = cache.root / "objects" / name
        path.write_bytes(b"x")
        st = path.stat()
        cache.index[name] = ObjectRecord(st.st_size, st.st_mtime_ns, time.time() - KEEP_UNUSED_SECONDS - 60)
        return path

    first = stale_object("a.pdf")
    cache.save()  # never pruned before: prunes
    assert not first.exists() and "a.pdf" not in cache.index
    second = stale_object("b.pdf")
    cache.save()  # pruned a moment ago: leaves it for later
    assert second.exists()
    long_ago = time.time() - PRUNE_EVERY_SECONDS - 60
    os.utime(cache.root / "pruned", (long_ago, long_ago))
    cache.save()
    assert not second.exists()
