"""Publishing a built site where the portal serves it: a local or mounted folder, a web server over SSH
(rsync), or a dated zip archive.

Only what changed is sent and what was deleted is removed. The new copy is always assembled beside the
published one (unchanged files hard-linked from it, changed ones copied in) and swapped in at the end, so a
transfer that fails half-way leaves the published site whole and readers never see half a site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from gazette.errors import GazetteError
from gazette.output import swap_in

NEW_SUFFIX = ".publish-new"
OLD_SUFFIX = ".publish-old"
SITE_MARK = "index.html"  # a folder without it is not a site: never replace it wholesale


@dataclass
class Plan:
    """What publishing would change at the destination, as paths relative to the site root."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        return ([f"新增 {p}" for p in self.added] + [f"更新 {p}" for p in self.changed]
                + [f"删除 {p}" for p in self.removed])

    def summary(self) -> str:
        return f"新增 {len(self.added)} 个、更新 {len(self.changed)} 个、删除 {len(self.removed)} 个文件"


def check_site(site: Path) -> None:
    if not (site / SITE_MARK).is_file():
        raise GazetteError(f"{site} 不是构建好的网站（没有 {SITE_MARK}）；先运行 gazette build")


# --- a local or mounted folder ----------------------------------------------------------------------------------

def files_of(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def same_file(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return digest(a) == digest(b)


def digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def local_plan(site: Path, dest: Path) -> Plan:
    new, old = files_of(site), files_of(dest)
    return Plan(added=sorted(set(new) - set(old)),
                changed=sorted(p for p in set(new) & set(old) if not same_file(new[p], old[p])),
                removed=sorted(set(old) - set(new)))


def publish_local(site: Path, dest: Path) -> Plan:
    """Assemble the new copy beside `dest`, then swap it in (one atomic rename on Linux)."""
    check_site(site)
    guard_destination(dest.is_dir() and any(dest.iterdir()), (dest / SITE_MARK).exists(), str(dest))
    plan = local_plan(site, dest)
    if plan.empty:
        return plan
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}{NEW_SUFFIX}-", dir=dest.parent))
    try:
        new = files_of(site)
        fresh = set(plan.added) | set(plan.changed)
        for relative, source in new.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if relative in fresh:
                shutil.copy2(source, target)
            else:
                link_or_copy(dest / relative, target)
        swap_in(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return plan


def link_or_copy(source: Path, target: Path) -> None:
    """An unchanged file: a hard link to the published copy (no bytes written), a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def guard_destination(non_empty: bool, has_site: bool, shown: str) -> None:
    if non_empty and not has_site:
        raise GazetteError(f"{shown} 不是空文件夹，也不是已发布的网站（没有 {SITE_MARK}）；为免误删，不发布到这里")


# --- a web server over SSH ---------------------------------------------------------------------------------------

@dataclass
class Remote:
    """user@host:/path, or ssh://user@host:port/path (sftp:// is read the same way)."""

    host: str  # user@host
    path: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Remote | None":
        if text.startswith(("ssh://", "sftp://")):
            parts = urlsplit(text)
            if not parts.hostname or not parts.path:
                raise GazetteError(f"无法识别的服务器地址 {text}，应为 ssh://用户@主机:端口/路径")
            user = f"{parts.username}@" if parts.username else ""
            return cls(user + parts.hostname, parts.path, parts.port)
        host, sep, path = text.partition(":")
        if sep and host and path and "/" not in host and not (len(host) == 1 and host.isalpha()):  # not C:\
            return cls(host, path)
        return None

    @property
    def new(self) -> str:
        return self.path.rstrip("/") + NEW_SUFFIX

    @property
    def old(self) -> str:
        return self.path.rstrip("/") + OLD_SUFFIX

    def ssh(self, ssh_command: str) -> list[str]:
        return shlex.split(ssh_command) + (["-p", str(self.port)] if self.port else [])


def rsync(site: Path, remote: Remote, ssh_command: str, target: str, *extra: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("rsync") is None:
        raise GazetteError("发布到服务器需要 rsync（apt-get install rsync），服务器上也需要安装 rsync")
    command = ["rsync", "--recursive", "--links", "--times", "--checksum", "--delete", "--chmod=D755,F644", "--timeout=120",
               "--protect-args",  # paths with spaces or Chinese reach the server as they are
               "--rsh", shlex.join(remote.ssh(ssh_command)), *extra, f"{site}/", f"{remote.host}:{target}/"]
    return subprocess.run(command, capture_output=True, text=True)


def remote_shell(remote: Remote, ssh_command: str, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*remote.ssh(ssh_command), remote.host, script], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def remote_plan(site: Path, remote: Remote, ssh_command: str) -> Plan:
    result = rsync(site, remote, ssh_command, remote.path, "--dry-run", "--itemize-changes")
    if result.returncode != 0:
        raise GazetteError(f"无法连接服务器或读取 {remote.path}：{last_line(result)}")
    return parse_itemized(result.stdout)


def parse_itemized(output: str) -> Plan:
    """rsync --itemize-changes: '>f+++++++++ a' is new, '>f.st...... a' changed, '*deleting a' removed."""
    plan = Plan()
    for line in output.splitlines():
        flags, _, path = line.partition(" ")
        if flags == "*deleting":
            if not path.strip().endswith("/"):
                plan.removed.append(path.strip())
        elif len(flags) == 11 and flags[1] == "f" and flags[0] in "<>c":
            (plan.added if flags[2:] == "+" * 9 else plan.changed).append(path)
    return Plan(sorted(plan.added), sorted(plan.changed), sorted(plan.removed))


def publish_remote(site: Path, remote: Remote, ssh_command: str) -> Plan:
    """Upload beside the published folder (unchanged files hard-linked from it by --link-dest), then swap."""
    check_site(site)
    q = shlex.quote
    guard = remote_shell(remote, ssh_command, f"test ! -d {q(remote.path)} || test -z \"$(ls -A {q(remote.path)})\" "
                                              f"|| test -e {q(remote.path.rstrip('/') + '/' + SITE_MARK)}")
    if guard.returncode == 255:
        raise GazetteError(f"无法连接服务器 {remote.host}：{last_line(guard)}")
    guard_destination(guard.returncode != 0, False, f"{remote.host}:{remote.path}")
    plan = remote_plan(site, remote, ssh_command)
    if plan.empty:
        return plan
    name = Path(remote.path.rstrip("/")).name
    prepare = remote_shell(remote, ssh_command, f"rm -rf {q(remote.new)} && mkdir -p {q(remote.new)}")
    if prepare.returncode != 0:
        raise GazetteError(f"无法在服务器上准备上传文件夹：{last_line(prepare)}")
    sent = rsync(site, remote, ssh_command, remote.new, f"--link-dest=../{name}")
    if sent.returncode != 0:
        remote_shell(remote, ssh_command, f"rm -rf {q(remote.new)}")  # best effort: the published site is untouched
        raise GazetteError(f"上传失败，服务器上的网站保持原样：{last_line(sent)}")
    swapped = remote_shell(remote, ssh_command, swap_script(remote))
    if swapped.returncode != 0:
        raise GazetteError(f"上传完成但无法替换服务器上的网站：{last_line(swapped)}")
    return plan


def swap_script(remote: Remote) -> str:
    """Swap the new folder in: one atomic exchange where mv supports it (coreutils 9.5+), else two renames."""
    new, path, old = (shlex.quote(p) for p in (remote.new, remote.path.rstrip("/"), remote.old))
    return (f"if [ ! -e {path} ]; then mv -T {new} {path}; "
            f"elif mv --exchange -T {new} {path} 2>/dev/null; then rm -rf {new}; "
            f"else rm -rf {old} && mv -T {path} {old} && mv -T {new} {path} && rm -rf {old}; fi")


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit code {result.returncode}"


# --- a dated archive ---------------------------------------------------------------------------------------------

def make_zip(site: Path, folder: Path, day: dt.date) -> Path:
    """site-YYYYMMDD.zip with the site under one top folder. Entries are sorted and dated `day`, so the same
    site on the same day gives the same bytes."""
    check_site(site)
    stem = f"{site.resolve().name}-{day:%Y%m%d}"
    target = folder / f"{stem}.zip"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative, path in sorted(files_of(site).items()):
            info = zipfile.ZipInfo(f"{stem}/{relative}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    os.replace(partial, target)
    return target
