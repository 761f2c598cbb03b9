"""`gazette publish`: to a folder and to a real OpenSSH server on loopback (rsync over SSH), only what changed,
deletions included, --dry-run first, the old copy whole when a transfer fails; and the dated zip."""

from __future__ import annotations

import os
import sys
import shutil
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gazette.errors import GazetteError
from gazette.site import publish
from tests.conftest import GAZETTE, ROOT


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def gazette(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GAZETTE, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def site(built_site: Path, tmp_path: Path) -> Path:
    """A private copy of the built site, to change between publications."""
    copy = tmp_path / "public"
    shutil.copytree(built_site, copy)
    return copy


def change_site(site: Path) -> None:
    """One file changed, one added, one removed."""
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /drafts/\n", encoding="utf-8")
    (site / "notices" / "new.txt").write_text("新文件", encoding="utf-8")
    (site / "data" / "notices.csv").unlink()


EXPECTED_PLAN = ["新增 notices/new.txt", "更新 robots.txt", "删除 data/notices.csv"]


# --- a folder ------------------------------------------------------------------------------------------------------

def test_publish_to_a_folder_sends_only_changes_and_removes_deletions(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "www" / "zgwtgs"
    first = gazette("publish", str(dest), "--site", str(site))
    assert first.returncode == 0, first.stderr
    assert tree_bytes(dest) == tree_bytes(site)
    unchanged_inode = (dest / "index.html").stat().st_ino

    change_site(site)
    before = tree_bytes(dest)
    dry = gazette("publish", str(dest), "--site", str(site), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[:3] == EXPECTED_PLAN
    assert tree_bytes(dest) == before  # a dry run changes nothing

    second = gazette("publish", str(dest), "--site", str(site))
    assert "新增 1 个、更新 1 个、删除 1 个文件" in second.stdout
    assert tree_bytes(dest) == tree_bytes(site)
    assert (dest / "index.html").stat().st_ino == unchanged_inode  # linked, not written again
    assert [p.name for p in dest.parent.iterdir()] == ["zgwtgs"]  # no staging folder left behind


def test_a_failed_copy_leaves_the_published_folder_whole(site: Path, tmp_path: Path, monkeypatch) -> None:
    dest = tmp_path / "www" / "zgwtgs"
    publish.publish_local(site, dest)
    before = tree_bytes(dest)
    change_site(site)
    real_copy = shutil.copy2
    calls = []

    def failing_copy(source, target, **kwargs):
        calls.append(source)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real_copy(source, target, **kwargs)

    monkeypatch.setattr(publish.shutil, "copy2", failing_copy)
    (site / "feed.xml").write_text("<feed/>", encoding="utf-8")  # a second changed file: the copy that fails
    with pytest.raises(OSError):
        publish.publish_local(site, dest)
    assert tree_bytes(dest) == before
    assert [p.name for p in dest.parent.iterdir()] == ["zgwtgs"]


def test_refuses_a_folder_that_is_not_a_published_site(site: Path, tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(GazetteError, match="为免误删"):
        publish.publish_local(site, precious)
    assert (precious / "thesis.docx").read_bytes() == b"years of work"


def test_zip_is_dated_and_reproducible(site: Path, tmp_path: Path) -> None:
    env_date = "1735689600"  # 2025-01-01 in Beijing
    results = []
    for folder in ("a", "b"):
        result = subprocess.run([*GAZETTE, "publish", "--zip", "--site", str(site), "--zip-dir", str(tmp_path / folder)],
                                cwd=ROOT, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": env_date})
        assert result.returncode == 0, result.stderr
        results.append(tmp_path / folder / "public-20250101.zip")
    assert results[0].read_bytes() == results[1].read_bytes()
    with zipfile.ZipFile(results[0]) as archive:
        names = archive.namelist()
        assert "public-20250101/index.html" in names
        assert archive.read("public-20250101/notices/wusu-16/wusu-16.pdf")[:5] == b"%PDF-"
    assert len(names) == len(tree_bytes(site))


def test_itemized_rsync_output_is_read_as_a_plan() -> None:
    plan = publish.parse_itemized("cd+++++++++ notices/\n>f+++++++++ notices/new.txt\n>fcst...... robots.txt\n"
                                  ".f..t...... index.html\n*deleting   data/notices.csv\n*deleting   old/\n")
    assert plan.lines() == EXPECTED_PLAN


# --- a real OpenSSH server on loopback -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """sshd on a high loopback port with a throwaway host key; yields the ssh command that logs in as root."""
    sshd = Path("/usr/sbin/sshd")
    if os.geteuid() != 0:
        pytest.skip("the SSH publishing test starts sshd and logs in as root: run the tests as root")
    if not sshd.exists() or shutil.which("rsync") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("needs openssh-server, openssh-client and rsync (make test installs them)")
    work = tmp_path_factory.mktemp("sshd")
    for key in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / key)], check=True)
    shutil.copy(work / "client.pub", work / "authorized_keys")
    port = free_port()
    (work / "sshd_config").write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {work}/host
PidFile {work}/sshd.pid
AuthorizedKeysFile {work}/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp internal-sftp
LogLevel ERROR
""")
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation folder
    server = subprocess.Popen([str(sshd), "-D", "-e", "-f", str(work / "sshd_config")], stderr=subprocess.PIPE)
    ssh = (f"ssh -i {work}/client -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes "
           f"-o LogLevel=ERROR -p {port}")
    deadline = time.monotonic() + 10
    while subprocess.run([*ssh.split(), "root@127.0.0.1", "true"], capture_output=True).returncode != 0:
        assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode() if server.poll() else "sshd not answering"
        time.sleep(0.2)
    yield ssh
    server.terminate()
    server.wait(timeout=10)


def test_publish_over_ssh_sends_changes_and_swaps(site: Path, tmp_path: Path, ssh_server: str) -> None:
    dest = tmp_path / "server" / "www" / "zgwtgs"
    target = f"root@127.0.0.1:{dest}"
    first = gazette("publish", target, "--site", str(site), "--ssh", ssh_server)
    assert first.returncode == 0, first.stderr
    assert tree_bytes(dest) == tree_bytes(site)
    unchanged_inode = (dest / "index.html").stat().st_ino

    change_site(site)
    dry = gazette("publish", target, "--site", str(site), "--ssh", ssh_server, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[:3] == EXPECTED_PLAN
    second = gazette("publish", target, "--site", str(site), "--ssh", ssh_server)
    assert second.returncode == 0, second.stderr
    assert tree_bytes(dest) == tree_bytes(site)
    assert (dest / "index.html").stat().st_ino == unchanged_inode  # hard-linked on the server, not sent again
    assert sorted(p.name for p in dest.parent.iterdir()) == ["zgwtgs"]


# rsync waits for its remote shell to exit, so the stdin pump runs beside the ssh it wraps.
CUT_SSH = """import os, subprocess, sys, threading
ssh = subprocess.Popen({ssh!r} + sys.argv[1:], stdin=subprocess.PIPE)
def pump():
    sent = 0
    while chunk := os.read(0, 4096):
        sent += len(chunk)
        if sent > 50_000:
            ssh.kill()
            return
        ssh.stdin.write(chunk)
        ssh.stdin.flush()
    ssh.stdin.close()
threading.Thread(target=pump, daemon=True).start()
os._exit(ssh.wait() and 255)
"""


def test_a_broken_connection_leaves_the_server_copy_whole(site: Path, tmp_path: Path, ssh_server: str) -> None:
    dest = tmp_path / "server" / "www" / "zgwtgs"
    publish.publish_remote(site, publish.Remote.parse(f"root@127.0.0.1:{dest}"), ssh_server)
    before = tree_bytes(dest)
    for pdf in site.rglob("*.pdf"):  # large changes, so the transfer is cut in the middle
        pdf.write_bytes(os.urandom(200_000))
    # An ssh that lets only the first 50 kB of each connection through, then drops it: the upload breaks.
    cut = tmp_path / "cut_ssh.py"
    cut.write_text(CUT_SSH.format(ssh=ssh_server.split()))
    result = gazette("publish", f"root@127.0.0.1:{dest}", "--site", str(site), "--ssh", f"{sys.executable} {cut}")
    assert result.returncode == 1
    assert "服务器上的网站保持原样" in result.stderr
    assert tree_bytes(dest) == before
