"""An append-only archive of signed notices, laid out as a BagIt bag (RFC 8493) with SHA-256 manifests.

    ARCHIVE/
      bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
      data/<notice-id>/v1/<notice-id>.signed.pdf, <notice-id>.yaml, <notice-id>.docx
      data/<notice-id>/v2/...            a re-issue: the old version stays as it was

Rules that make it an archive and not a folder:
  * a file, once written, is never overwritten or removed by this module;
  * re-archiving content identical to the newest version of a notice changes nothing;
  * manifests are *appended to*: existing hashes are never recomputed, because recomputing would silently bless
    a file that was altered on disk. (bagit.make_bag / Bag.save would do exactly that, and make_bag on an
    existing folder moves its content into a new data/; so bag updates are written here.)
  * before the tag files are rewritten, they are checked against the tag manifest, so an edited manifest is not
    laundered into a "valid" bag by the next addition.

The bagit library reads the bag (manifests, bag-info) and is what the tests use to confirm the result is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import gazette
from gazette.errors import GazetteError

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
BAG_INFO = "bag-info.txt"
TAG_FILES = ("bagit.txt", BAG_INFO, MANIFEST)  # what the tag manifest covers
SOURCE_SUFFIXES = (".yaml", ".yml")
_SAFE_ID = re.compile(r"^[^/\\\x00-\x1f.][^/\\\x00-\x1f]*$")
_VERSION_DIR = re.compile(r"^v(\d+)$")


class ArchiveError(GazetteError):
    """A problem the user can fix; the message is shown as is."""


@dataclass
class NoticeFiles:
    """The files that make up one issued notice: the signed PDF and, when known, its YAML source and DOCX."""

    notice_id: str
    files: list[Path]


@dataclass
class AddResult:
    notice_id: str
    version: str  # "v1", "v2", ...; for a no-op, the existing version that already holds the content
    added: list[str] = field(default_factory=list)  # bag paths, e.g. "data/wusu-16/v2/wusu-16.signed.pdf"
    unchanged: bool = False


@dataclass(frozen=True)
class FixityProblem:
    kind: str  # "altered" | "missing" | "unexpected"
    path: str  # relative to the archive folder

    LABELS = {"altered": "已被改动（altered）", "missing": "缺失（missing）", "unexpected": "未登记的文件（unexpected）"}

    def __str__(self) -> str:
        return f"{self.path}: {self.LABELS[self.kind]}"


# --- which files belong to a notice -----------------------------------------------------------------------


def notice_id_for(path: Path) -> str:
    """`wusu-16.signed.pdf`, `wusu-16.pdf`, `wusu-16.docx` and `wusu-16.yaml` all belong to notice `wusu-16`."""
    name = path.name
    for suffix in (".signed.pdf", ".pdf", ".docx", ".yaml", ".yml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def collect_notice_files(paths: list[Path], sources: list[Path] = ()) -> list[NoticeFiles]:
    """Group the given paths into notices, adding the DOCX and YAML found beside each PDF by stem.

    `paths` may hold signed PDFs, DOCX and YAML files, and folders (every *.signed.pdf under them). `sources`
    are YAML files given with --source: matched to a notice by stem, or to the only notice if there is one.
    A notice without any YAML file falls back to the source embedded in its PDF, which is extracted when
    the notice is added.
    """
    groups: dict[str, dict[str, Path]] = {}
    for path in _expand(paths):
        _assign(groups, path)
    if not any(_kind(p) == "pdf" for g in groups.values() for p in g.values()):
        raise ArchiveError("没有要归档的签名 PDF（no signed PDF given）")
    for source in sources:
        notice_id = notice_id_for(source)
        if notice_id not in groups and len(groups) == 1:
            notice_id = next(iter(groups))
        if notice_id not in groups:
            raise ArchiveError(f"--source {source} 与任何公示都对不上（matches no notice by name）")
        groups[notice_id]["yaml"] = source
    notices = []
    for notice_id, by_kind in sorted(groups.items()):
        pdf = by_kind.get("pdf")
        if pdf is None:
            raise ArchiveError(f"公示 {notice_id} 缺少签名 PDF（no signed PDF for this notice）")
        for kind, suffixes in (("docx", (".docx",)), ("yaml", SOURCE_SUFFIXES)):
            if kind not in by_kind:
                found = _beside(pdf, notice_id, suffixes)
                if found:
                    by_kind[kind] = found
        notices.append(NoticeFiles(notice_id, [by_kind[k] for k in ("pdf", "yaml", "docx") if k in by_kind]))
    return notices


def _expand(paths: list[Path]):
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.signed.pdf") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise ArchiveError(f"找不到文件：{path}（file not found）")


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in SOURCE_SUFFIXES:
        return "yaml"
    raise ArchiveError(f"不支持归档此类文件：{path}（only .pdf, .docx, .yaml）")


def _assign(groups: dict[str, dict[str, Path]], path: Path) -> None:
    kind = _kind(path)
    if kind == "pdf":
        _require_signed_pdf(path)
    notice_id = notice_id_for(path)
    if not _SAFE_ID.match(notice_id):
        raise ArchiveError(f"文件名不能作为公示编号：{path.name}（unusable notice id）")
    group = groups.setdefault(notice_id, {})
    if kind in group and group[kind].resolve() != path.resolve():
        raise ArchiveError(f"公示 {notice_id} 有两个 {kind} 文件：{group[kind]} 与 {path}（two files of one kind）")
    group[kind] = path


def _require_signed_pdf(path: Path) -> None:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise ArchiveError(f"不是 PDF 文件：{path}（not a PDF）")
    if b"/ByteRange" not in data:
        raise ArchiveError(f"PDF 没有签名，请先运行 gazette sign：{path}（PDF is not signed）")


def _beside(pdf: Path, notice_id: str, suffixes: tuple[str, ...]) -> Path | None:
    for suffix in suffixes:
        candidate = pdf.with_name(notice_id + suffix)
        if candidate.is_file():
            return candidate
    return None


# --- adding -------------------------------------------------------------------------------------------------


def add_to_archive(
    archive: Path,
    notice: NoticeFiles,
    *,
    organization: str | None = None,
    today: dt.date | None = None,
) -> AddResult:
    """Add one notice to the archive (created if missing), as a new version unless identical to the newest.

    `organization` fills Source-Organization when the archive is created; an existing archive keeps its own.
    """
    today = today or dt.date.today()
    _open_or_create(archive, organization, today)
    _require_tag_files_intact(archive)

    payload = _payload_for(notice)  # name -> bytes
    manifest = _read_manifest(archive / MANIFEST)
    notice_dir = f"data/{notice.notice_id}"
    latest = _latest_version(archive / notice_dir)
    if latest and _already_archived(manifest, f"{notice_dir}/{latest}", payload):
        return AddResult(notice.notice_id, latest, unchanged=True)

    version = f"v{int(latest[1:]) + 1}" if latest else "v1"
    added = _write_payload(archive, f"{notice_dir}/{version}", payload)
    _append_manifest(archive, added)
    _update_bag_info(archive, notice.notice_id, today)
    _write_tagmanifest(archive)
    return AddResult(notice.notice_id, version, added=sorted(added))


def _open_or_create(archive: Path, organization: str | None, today: dt.date) -> None:
    if (archive / "bagit.txt").is_file():
        return
    if archive.exists() and (not archive.is_dir() or any(archive.iterdir())):
        raise ArchiveError(f"{archive} 已存在但不是 BagIt 档案，不会改动它（exists and is not a BagIt bag）")
    if not organization:
        raise ArchiveError("新建档案需要说明来源单位：--organization（Source-Organization is required for a new archive）")
    (archive / "data").mkdir(parents=True, exist_ok=True)
    (archive / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    (archive / MANIFEST).write_text("", encoding="utf-8")
    info = {
        "Source-Organization": [organization],
        "Bagging-Date": [today.isoformat()],
        "Bag-Software-Agent": [f"gazette {gazette.__version__}"],
        "Payload-Oxum": ["0.0"],
    }
    _write_bag_info(archive, info)
    _write_tagmanifest(archive)


def _payload_for(notice: NoticeFiles) -> dict[str, bytes]:
    payload: dict[str, bytes] = {}
    for path in notice.files:
        try:
            payload[path.name] = path.read_bytes()
        except OSError as error:
            raise ArchiveError(f"无法读取 {path}：{error.strerror}（cannot read）") from None
    if not any(name.lower().endswith(SOURCE_SUFFIXES) for name in payload):
        pdf = next(p for p in notice.files if p.suffix.lower() == ".pdf")
        embedded = embedded_source(pdf)
        if embedded is not None:
            name, data = embedded
            payload[_safe_file_name(name, f"{notice.notice_id}.yaml")] = data
    return payload


def _safe_file_name(name: str, fallback: str) -> str:
    name = Path(name.replace("\\", "/")).name
    return name if _SAFE_ID.match(name) else fallback


def _latest_version(notice_dir: Path) -> str | None:
    numbers = [int(m.group(1)) for p in notice_dir.glob("v*") if (m := _VERSION_DIR.match(p.name)) and p.is_dir()]
    return f"v{max(numbers)}" if numbers else None


def _already_archived(manifest: dict[str, str], version_dir: str, payload: dict[str, bytes]) -> bool:
    """True when every file given is already in the version with the same SHA-256 (judged by the manifest, which
    is the record; a file altered on disk since is a fixity problem for --check, not a reason to re-add)."""
    return all(manifest.get(f"{version_dir}/{name}") == _sha256(data) for name, data in payload.items())


def _write_payload(archive: Path, version_dir: str, payload: dict[str, bytes]) -> dict[str, str]:
    """Write files into a new version folder; returns bag path -> sha256. Nothing existing is touched."""
    target = archive / version_dir
    target.mkdir(parents=True, exist_ok=False)
    added = {}
    for name, data in payload.items():
        _write_new_file(target / name, data)
        added[f"{version_dir}/{name}"] = _sha256(data)
    return added


def _write_new_file(path: Path, data: bytes) -> None:
    # 'x' mode: fails instead of overwriting, the archive's first rule.
    with path.open("xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _append_manifest(archive: Path, added: dict[str, str]) -> None:
    with (archive / MANIFEST).open("a", encoding="utf-8", newline="\n") as manifest:
        for bag_path, digest in sorted(added.items()):
            manifest.write(f"{digest}  {_encode_path(bag_path)}\n")


def _update_bag_info(archive: Path, notice_id: str, today: dt.date) -> None:
    info = _read_bag_info(archive)
    identifiers = info.setdefault("External-Identifier", [])
    if notice_id not in identifiers:
        identifiers.append(notice_id)
    info["Bagging-Date"] = [today.isoformat()]  # when content was last prepared for the archive
    info["Payload-Oxum"] = [_payload_oxum(archive)]
    _write_bag_info(archive, info)


def _payload_oxum(archive: Path) -> str:
    """octets.streamcount over the manifest's files (sizes from disk; --check catches any disagreement)."""
    manifest = _read_manifest(archive / MANIFEST)
    total = sum((archive / path).stat().st_size for path in manifest if (archive / path).is_file())
    return f"{total}.{len(manifest)}"


# --- checking -----------------------------------------------------------------------------------------------


def check_archive(archive: Path) -> list[FixityProblem]:
    """Every altered, missing or unexpected file in the archive (payload and tag files); empty when all is well.

    bagit's own validate() stops at the first kind of problem (a wrong Payload-Oxum hides the rest), so every
    file is checked here against the manifests the bagit library parsed.
    """
    import bagit

    if not (archive / "bagit.txt").is_file():
        raise ArchiveError(f"{archive} 不是 BagIt 档案（no bagit.txt）")
    try:
        bag = bagit.Bag(str(archive))
    except bagit.BagError as error:
        raise ArchiveError(f"{archive} 无法作为 BagIt 档案读取：{error}（unreadable bag）") from None

    recorded = {path.replace(os.sep, "/"): hashes["sha256"] for path, hashes in bag.entries.items() if "sha256" in hashes}
    problems = []
    for path, digest in sorted(recorded.items()):
        file = archive / path
        if not file.is_file():
            problems.append(FixityProblem("missing", path))
        elif _sha256_file(file) != digest:
            problems.append(FixityProblem("altered", path))
    on_disk = {p.relative_to(archive).as_posix() for p in archive.rglob("*") if p.is_file()}
    expected = set(recorded) | {TAGMANIFEST}
    problems += [FixityProblem("unexpected", path) for path in sorted(on_disk - expected)]
    oxum = bag.info.get("Payload-Oxum")
    if isinstance(oxum, str) and not problems and oxum != _payload_oxum(archive):
        problems.append(FixityProblem("altered", f"{BAG_INFO} (Payload-Oxum)"))
    return problems


def _require_tag_files_intact(archive: Path) -> None:
    recorded = _read_manifest(archive / TAGMANIFEST)
    for name in TAG_FILES:
        file = archive / name
        if name in recorded and (not file.is_file() or _sha256_file(file) != recorded[name]):
            raise ArchiveError(
                f"档案的 {name} 与标签清单不符，已停止写入；请先运行 gazette archive --check（tag file altered）"
            )


# --- bag files --------------------------------------------------------------------------------------------------


def _read_manifest(path: Path) -> dict[str, str]:
    """bag path -> sha256 from a manifest file ("<hash> <path>" per line, paths percent-encoded per RFC 8493)."""
    entries = {}
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, bag_path = line.split(None, 1)
            entries[_decode_path(bag_path.strip())] = digest.lower()
    return entries


def _read_bag_info(archive: Path) -> dict[str, list[str]]:
    import bagit

    # bagit gives a repeated key (External-Identifier) as a list and a single one as a string.
    parsed = bagit.Bag(str(archive)).info
    return {key: list(value) if isinstance(value, list) else [value] for key, value in parsed.items()}


def _write_bag_info(archive: Path, info: dict[str, list[str]]) -> None:
    lines = [f"{key}: {value}" for key in sorted(info) for value in info[key]]
    _replace_file(archive / BAG_INFO, "\n".join(lines) + "\n")


def _write_tagmanifest(archive: Path) -> None:
    lines = [f"{_sha256_file(archive / name)}  {name}" for name in TAG_FILES if (archive / name).is_file()]
    _replace_file(archive / TAGMANIFEST, "\n".join(lines) + "\n")


def _replace_file(path: Path, text: str) -> None:
    """Tag files are the only files rewritten; write-then-rename so a crash leaves the old or the new one."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _encode_path(bag_path: str) -> str:
    return bag_path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _decode_path(bag_path: str) -> str:
    return bag_path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the YAML source embedded in a PDF ------------------------------------------------------------------------


def embedded_source(pdf: Path) -> tuple[str, bytes] | None:
    """(file name, bytes) of the associated file with /AFRelationship /Source, or None if there is none.

    Looks in the document's /AF array first (PDF/A-3's place for associated files), then in the
    EmbeddedFiles name tree, where a writer may have put it without /AF.
    """
    import pikepdf

    try:
        with pikepdf.open(pdf) as document:
            for spec in _file_specs(document):
                if spec.get("/AFRelationship") == "/Source":
                    stream = spec.get("/EF", {}).get("/UF") or spec.get("/EF", {}).get("/F")
                    if stream is not None:
                        name = str(spec.get("/UF", spec.get("/F", "source.yaml")))
                        return name, stream.read_bytes()
    except pikepdf.PdfError:
        raise ArchiveError(f"不是可读的 PDF 文件：{pdf}（not a readable PDF）") from None
    return None


def _file_specs(document):
    import pikepdf

    for spec in document.Root.get("/AF", []):
        if isinstance(spec, pikepdf.Dictionary):
            yield spec
    names = document.Root.get("/Names", {}).get("/EmbeddedFiles")
    if names is not None:
        for _, spec in pikepdf.NameTree(names).items():
            if isinstance(spec, pikepdf.Dictionary):
                yield spec

