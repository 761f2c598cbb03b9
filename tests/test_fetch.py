"""The renderers fetch nothing they should not.

URLs that point outside the content and template folders are placed wherever content can carry them: the
seal path, Markdown image and link syntax, raw HTML (<img>, <link>, <style>@import, style="url()", <svg>,
<object>, <iframe>) in every Markdown field, and a content/templates/ override. A local HTTP server stands in
for the network: it must receive no request at all, and no output may carry /etc/passwd.
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_gazette

PASSWD_MARK = "root:x:0:0"


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request: the stand-in for anything remote."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.requests  # type: ignore[attr-defined]
    httpd.shutdown()


def payloads(base: str) -> list[str]:
    return [
        f"![印章]({base}/md-image.png)",
        "![印章](file:///etc/passwd)",
        f"[链接](file:///etc/passwd) [另一个]({base}/md-link)",
        f'<img src="{base}/raw-img.png"> <img src="file:///etc/passwd"> <img src="/etc/passwd">',
        f'<link rel="stylesheet" href="{base}/raw-link.css">',
        f'<style>@import url("{base}/import.css"); body {{ background: url({base}/bg.png) }}</style>',
        f'<span style="background-image: url({base}/inline-style.png)">文字</span>',
        f'<svg><image href="{base}/svg.png"/></svg><object data="{base}/object"></object>',
        f'<iframe src="{base}/iframe"></iframe><embed src="{base}/embed"><video poster="{base}/poster.png"></video>',
        f'<picture><source srcset="{base}/srcset.png"></picture><input type="image" src="{base}/input.png">',
        f'<table background="{base}/table-bg.png"><tr><td>表格</td></tr></table>',
    ]


def hostile_notice(base: str) -> dict:
    text = "整改任务。" + " ".join(payloads(base))
    return {
        "id": "fetch-1", "kind": "整改情况公示", "title": f"关于<img src='{base}/title.png'>整改情况公示",
        "published": "2025-06-30", "inspection": {"level": "自治区", "group": f"<link href='{base}/group.css'>"},
        "finding": {"number": 1}, "region": "乌苏市", "status": "已完成", "basis": f"<img src='{base}/basis.png'>",
        "task": text, "goal": text, "measures": [text, {"text": text, "deadline": "2025年12月底"}],
        "completion": [text, text], "deadline": "2025年12月底",
        "intro": text, "subjects": [f"<img src='{base}/subject.png'>"],
        "contact": {"person": f"<img src='{base}/person.png'>", "address": text},
        "attachments": [{"title": f"<img src='{base}/att.png'>", "body": text}],
        "signature": {"organisations": [f"<img src='{base}/org.png'>"], "date": "2025-06-30"},
    }


def content_with(tmp_path: Path, notice: dict) -> Path:
    content = tmp_path / "content"
    (content / "notices").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yaml", content / "site.yaml")
    # JSON is YAML: every payload is quoted exactly, whatever characters it holds
    (content / "notices" / f"{notice['id']}.yaml").write_text(json.dumps(notice, ensure_ascii=False), encoding="utf-8")
    return content


def outputs_text(out: Path) -> str:
    """Every output as text: HTML as is, DOCX's XML parts, PDF's bytes (its streams hold fetched data)."""
    texts = []
    for path in out.rglob("*"):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                texts += [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
        elif path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(texts)


def test_urls_in_every_field_are_never_fetched(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    base, requests = server
    content = content_with(tmp_path, hostile_notice(base))
    out = tmp_path / "public"
    result = run_gazette("build", str(content), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert requests == []
    everything = outputs_text(out)
    assert PASSWD_MARK not in everything
    page = (out / "notices" / "fetch-1" / "index.html").read_text(encoding="utf-8")
    article = page[page.index('<article class="notice"'):page.index("</article>")]
    for tag in ("<img", "<link", "<style", "<svg", "<object", "<iframe", "<embed", "<video", "<picture",
                "<source", "<input", "style=\"background"):
        assert tag not in article.lower(), tag
    # the payloads stay visible as text where a field is plain text (escaped), but never as an attribute
    assert not re.search(r"""(?:src|href|data|poster|srcset|background)\s*=\s*["']?(?:file:|/etc)""", article)
    assert not re.search(r"""(?:src|data|poster|srcset|background)\s*=\s*["']?http""", article)
    with zipfile.ZipFile(out / "notices" / "fetch-1" / "fetch-1.docx") as package:
        assert not [n for n in package.namelist() if n.startswith("word/media/")]  # no seal, no images


@pytest.mark.parametrize("seal", ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "{base}/seal.png",
                                  "//127.0.0.1/seal.png", "link-out.png"])
def test_seal_outside_the_content_folder_is_refused_with_its_field(tmp_path: Path, server: tuple[str, list[str]],
                                                                    seal: str) -> None:
    base, requests = server
    notice = hostile_notice(base)
    notice["signature"]["seal"] = seal.format(base=base)
    content = content_with(tmp_path, notice)
    (content / "link-out.png").symlink_to("/etc/passwd")
    result = run_gazette("build", str(content), "--out", str(tmp_path / "public"))
    assert result.returncode == 1
    assert "印章图片 (signature.seal):" in result.stderr
    assert "notices/fetch-1.yaml:1:" in result.stderr
    assert "Traceback" not in result.stderr
    assert requests == []
    assert not (tmp_path / "public").exists()


OVERRIDES = {
    # file: (text to find in the shipped template, what to put before it), what the error must name
    "remote stylesheet": ("pdf.html.j2", "</head>", '<link rel="stylesheet" href="{base}/override.css">\n'),
    # in the document's <style>: WeasyPrint loads @font-face only there, and swallows a failed font fetch
    "remote font": ("pdf.html.j2", "</head>",
                    '<style>@font-face {{ font-family: "Remote"; src: url({base}/font.woff) }}\n'
                    '* {{ font-family: "Remote" !important }}</style>\n'),
    "css import": ("print.css.j2", "@page {", '@import url("{base}/import.css");\n'),
    "css image": ("print.css.j2", "@page {", "body {{ background-image: url({base}/bg.png) }}\n"),
    "local file": ("print.css.j2", "@page {", "body {{ background-image: url(file:///etc/passwd) }}\n"),
    "template image": ("pdf.html.j2", "</body>", '<img src="{base}/template.png">\n'),
}


@pytest.mark.parametrize("case", sorted(OVERRIDES))
def test_template_override_cannot_fetch(tmp_path: Path, server: tuple[str, list[str]], case: str) -> None:
    """A content/templates/ override is the one place raw URLs reach WeasyPrint: it is refused, and the error
    names the template file that asked."""
    base, requests = server
    name, anchor, insert = OVERRIDES[case]
    content = content_with(tmp_path, hostile_notice(base))
    shipped = (ROOT / "templates" / name).read_text(encoding="utf-8")
    assert anchor in shipped
    (content / "templates").mkdir()
    (content / "templates" / name).write_text(shipped.replace(anchor, insert.format(base=base) + anchor, 1),
                                              encoding="utf-8")
    result = run_gazette("build", str(content), "--out", str(tmp_path / "public"), "-f", "pdf")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"templates/{name}" in result.stderr
    assert "拒绝读取" in result.stderr
    assert requests == []


def test_docx_embeds_only_files_from_the_content_folder(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    """The DOCX writer checks every image it is given: a template that puts /etc/passwd in an <img> fails."""
    base, requests = server
    content = content_with(tmp_path, hostile_notice(base))
    shipped = (ROOT / "templates" / "notice.html.j2").read_text(encoding="utf-8")
    (content / "templates").mkdir()
    (content / "templates" / "notice.html.j2").write_text(
        shipped.replace("</article>", '<img class="seal" src="/etc/passwd">\n</article>', 1), encoding="utf-8")
    result = run_gazette("build", str(content), "--out", str(tmp_path / "public"), "-f", "docx")
    assert result.returncode == 1
    assert "/etc/passwd" in result.stderr and "templates/notice.html.j2" in result.stderr
    assert "Traceback" not in result.stderr
    assert requests == []


def test_a_real_seal_inside_the_content_folder_is_used(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    """The rules refuse only what they should: a PNG seal in the content folder reaches the PDF and the DOCX."""
    from PIL import Image

    base, requests = server
    notice = hostile_notice(base)
    notice["signature"] = {"organisations": ["乌苏市人民政府"], "date": "2025-06-30", "seal": "images/seal.png"}
    content = content_with(tmp_path, notice)
    (content / "images").mkdir()
    Image.new("RGBA", (200, 200), (200, 0, 0, 128)).save(content / "images" / "seal.png")
    out = tmp_path / "public"
    result = run_gazette("build", str(content), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "notices" / "fetch-1" / "fetch-1.docx") as package:
        assert [n for n in package.namelist() if n.startswith("word/media/")]
    assert b"/Subtype /Image" in (out / "notices" / "fetch-1" / "fetch-1.pdf").read_bytes() or \
        b"/Subtype/Image" in (out / "notices" / "fetch-1" / "fetch-1.pdf").read_bytes()
    assert requests == []
