"""The hostile-input corpus: bad content folders, each with the exact error lines `gazette check` must print.

A case is one of
  cases/NAME.yaml    a notice file, copied to notices/NAME.yaml
  cases/NAME/        a folder copied over the content folder (several notices, a fake image …)
  GENERATED[NAME]    a function that writes the case at test time: binary, huge or encoded files that
                     should not be committed or cannot be typed (a 50 MB file, GBK bytes, a PNG header).
Every case runs in a fresh content folder holding the project's real content/site.yaml.

expected.txt lists, per case, the error lines exactly as printed (paths relative to the content folder).
"""

from __future__ import annotations

import random
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
EXPECTED = HERE / "expected.txt"
SITE_YAML = HERE.parent.parent / "content" / "site.yaml"

# A valid notice; generated cases change one thing in it.
VALID = """\
id: case-1
kind: 整改情况公示
title: 关于某问题整改情况公示
published: 2025-06-30
inspection:
  level: 自治区
finding:
  number: 16
region: 乌苏市
status: {status}
"""


def notice(root: Path, name: str) -> Path:
    path = root / "notices" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --- encodings: read correctly (the error then quotes the Chinese text intact), or named -------------------

def gbk(root: Path) -> None:
    # what Notepad in a Chinese Windows saves as "ANSI"; the unknown status proves the text was read right
    notice(root, "gbk").write_bytes(VALID.format(status="已完成整该").encode("gbk"))


def gb18030(root: Path) -> None:
    # 𠀀 (U+20000, CJK Extension B) exists in GB18030 but not in GBK
    notice(root, "gb18030").write_bytes(VALID.format(status="𠀀完成").encode("gb18030"))


def utf16_bom(root: Path) -> None:
    notice(root, "utf16_bom").write_bytes(VALID.format(status="已完成整该").encode("utf-16"))


def utf8_bom(root: Path) -> None:
    notice(root, "utf8_bom").write_bytes(VALID.format(status="已完成整该").encode("utf-8-sig"))


def utf16_no_bom(root: Path) -> None:
    notice(root, "utf16_no_bom").write_bytes(VALID.format(status="已完成").encode("utf-16-le"))


def unknown_encoding(root: Path) -> None:
    # 0xFF starts no character in UTF-8 or GB18030
    notice(root, "unknown_encoding").write_bytes(VALID.format(status="已完成").encode() + b"goal: \xff\xfe\xff\n")


# --- sizes -------------------------------------------------------------------------------------------------

def binary_garbage(root: Path) -> None:
    notice(root, "binary_garbage").write_bytes(random.Random(6).randbytes(64 * 1024))


def huge_50mb(root: Path) -> None:
    """50 MB, written sparsely: the loader must refuse it from its size, without reading it."""
    with open(notice(root, "huge_50mb"), "wb") as handle:
        handle.write(VALID.format(status="已完成").encode())
        handle.truncate(50 * 1024 * 1024)


def over_limit(root: Path) -> None:
    text = VALID.format(status="已完成") + "task: " + "超" * 400_000 + "\n"  # 1.2 MB of real text
    notice(root, "over_limit").write_text(text, encoding="utf-8")


def long_list(root: Path) -> None:
    items = "".join(f"  - m{i}\n" for i in range(80_000))  # under 1 MB, 80,000 items
    notice(root, "long_list").write_text(VALID.format(status="已完成") + "measures:\n" + items, encoding="utf-8")


def deep_nesting(root: Path) -> None:
    depth = 5000  # ruamel's composer recurses per level: this would be a RecursionError, if it were reached
    notice(root, "deep_nesting").write_text(
        VALID.format(status="已完成") + "task: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")


def too_many_nodes(root: Path) -> None:
    # 60,000 small mappings in lists of 300: every list is within its limit, the total is not
    groups = "".join(f"  g{g}:\n" + "".join(f"    - {{a: {i}}}\n" for i in range(300)) for g in range(100))
    notice(root, "too_many_nodes").write_text(VALID.format(status="已完成") + "extra:\n" + groups, encoding="utf-8")


# --- files outside the content folder and images ---------------------------------------------------------

def seal_symlink_out(root: Path) -> None:
    (root / "seal.png").symlink_to("/etc/passwd")
    notice(root, "seal_symlink_out").write_text(
        VALID.format(status="已完成") + "signature:\n  organisations: [乌苏市人民政府]\n  seal: seal.png\n",
        encoding="utf-8")


def notice_symlink_out(root: Path) -> None:
    notice(root, "notice_symlink_out").symlink_to("/etc/passwd")


def _png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming these dimensions, and no pixel data: enough for a header check."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def seal_huge_pixels(root: Path) -> None:
    (root / "seal.png").write_bytes(_png_header(20_000, 20_000))
    notice(root, "seal_huge_pixels").write_text(
        VALID.format(status="已完成") + "signature:\n  organisations: [乌苏市人民政府]\n  seal: seal.png\n",
        encoding="utf-8")


def seal_truncated(root: Path) -> None:
    (root / "seal.png").write_bytes(_png_header(200, 200))  # header fine, no pixel data at all
    notice(root, "seal_truncated").write_text(
        VALID.format(status="已完成") + "signature:\n  organisations: [乌苏市人民政府]\n  seal: seal.png\n",
        encoding="utf-8")


GENERATED: dict[str, Callable[[Path], None]] = {
    f.__name__: f for f in (gbk, gb18030, utf16_bom, utf8_bom, utf16_no_bom, unknown_encoding, binary_garbage,
                            huge_50mb, over_limit, long_list, deep_nesting, too_many_nodes, seal_symlink_out,
                            notice_symlink_out, seal_huge_pixels, seal_truncated)
}


def case_names() -> list[str]:
    static = [p.stem if p.is_file() else p.name for p in CASES.iterdir() if p.suffix == ".yaml" or p.is_dir()]
    return sorted(static + list(GENERATED))


def make_case(name: str, root: Path) -> Path:
    """Build the content folder for one case under root; returns it."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(SITE_YAML, root / "site.yaml")
    (root / "notices").mkdir(exist_ok=True)
    if name in GENERATED:
        GENERATED[name](root)
    elif (CASES / name).is_dir():
        shutil.copytree(CASES / name, root, dirs_exist_ok=True)
    else:
        shutil.copy(CASES / f"{name}.yaml", root / "notices" / f"{name}.yaml")
    return root


def expected() -> dict[str, list[str]]:
    """expected.txt: `case | error line` per line; a case with several errors has several lines."""
    table: dict[str, list[str]] = {}
    for raw in EXPECTED.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, _, line = raw.partition(" | ")
        table.setdefault(name.strip(), []).append(line.rstrip())
    return table


if __name__ == "__main__":  # print what every case gives now, to review before updating expected.txt
    import subprocess
    import sys
    import tempfile

    gazette = Path(sys.executable).parent / "gazette"
    for case in case_names():
        with tempfile.TemporaryDirectory() as tmp:
            folder = make_case(case, Path(tmp) / "content")
            result = subprocess.run([str(gazette), "check", "."], cwd=folder, capture_output=True, text=True)
            for line in result.stderr.splitlines()[:-1] or [f"(exit {result.returncode}) {result.stdout.strip()}"]:
                print(f"{case} | {line}")
