"""Fonts by role: which installed font file the PDF uses for the title, body, headings and page numbers, and
whether it covers every character. A character that no font of its role covers is an error naming the
character, the notice and the field, never a box or a silent substitution in a PDF.

The role lists live in site.yaml (`fonts:`), licensed office fonts first, then the open fonts `make demo`
installs. fontconfig says what is installed (in this process through libfontconfig, as `fc-match` would answer;
`fc-match` itself where the library cannot be loaded); HarfBuzz reads each file's character map (fontTools
where it cannot be loaded: 0.4 s for four CJK fonts, against 10 ms).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gazette.errors import ContentError, GazetteError
from gazette.model import Fonts, Notice

ROLES = ("title", "body", "heading1", "heading2", "page_number")
ROLE_NAMES = {"title": "标题", "body": "正文", "heading1": "一级标题", "heading2": "二级标题", "page_number": "页码"}
INSTALL_HINT = "请运行 make demo，或 apt-get install fonts-noto-cjk 安装中文字体"


@dataclass(frozen=True)
class FontFile:
    family: str  # as named in site.yaml
    path: Path
    index: int  # face index inside a .ttc collection

    @property
    def characters(self) -> frozenset[int]:
        return _cmap(self.path, self.index)

    def covers(self, char: str) -> bool:
        return ord(char) in self.characters


@lru_cache(maxsize=256)
def find_font(family: str) -> FontFile | None:
    """The file fontconfig (and so WeasyPrint) uses for `family`, or None when the family is not installed.
    fontconfig always answers with some font; only an answer whose family names include ours counts."""
    answer = _fc_match(f"{family}:weight=regular")
    if answer is None:
        return None
    names, file, index = answer
    if family not in names:
        return None
    return FontFile(family, Path(file), index)


def _fc_match(pattern: str) -> tuple[list[str], str, int] | None:
    """What `fc-match --format '%{family}\t%{file}\t%{index}' pattern` says: the best font's family names, file
    and face index. In this process when libfontconfig loads (no subprocess: 18 of them took 0.1 s)."""
    library = _fontconfig()
    if library is None:
        return _fc_match_command(pattern)
    parsed = library.FcNameParse(pattern.encode())
    if not parsed:
        return None
    try:
        library.FcConfigSubstitute(None, parsed, 0)  # FcMatchPattern
        library.FcDefaultSubstitute(parsed)
        result = ctypes.c_int()
        match = library.FcFontMatch(None, parsed, ctypes.byref(result))
    finally:
        library.FcPatternDestroy(parsed)
    if not match:
        return None
    try:
        names, value, n = [], ctypes.c_char_p(), 0
        while library.FcPatternGetString(match, b"family", n, ctypes.byref(value)) == 0:  # FcResultMatch
            names.append(value.value.decode("utf-8", "replace").strip())
            n += 1
        if library.FcPatternGetString(match, b"file", 0, ctypes.byref(value)) != 0:
            return None
        file = os.fsdecode(value.value)
        index = ctypes.c_int()
        if library.FcPatternGetInteger(match, b"index", 0, ctypes.byref(index)) != 0:
            index.value = 0
        return names, file, index.value
    finally:
        library.FcPatternDestroy(match)


@lru_cache(maxsize=1)
def _fontconfig():
    name = ctypes.util.find_library("fontconfig") if sys.platform != "linux" else "libfontconfig.so.1"
    try:
        library = ctypes.CDLL(name)
    except (OSError, TypeError):
        return None
    p, i = ctypes.c_void_p, ctypes.c_int
    return _declared(library, (
            ("FcNameParse", p, [ctypes.c_char_p]),
            ("FcConfigSubstitute", i, [p, p, i]),
            ("FcDefaultSubstitute", None, [p]),
            ("FcFontMatch", p, [p, p, ctypes.POINTER(i)]),
            ("FcPatternGetString", i, [p, ctypes.c_char_p, i, ctypes.POINTER(ctypes.c_char_p)]),
            ("FcPatternGetInteger", i, [p, ctypes.c_char_p, i, ctypes.POINTER(i)]),
            ("FcPatternDestroy", None, [p])))


def _fc_match_command(pattern: str) -> tuple[list[str], str, int] | None:
    if shutil.which("fc-match") is None:
        return None
    answer = subprocess.run(["fc-match", "--format", "%{family}\t%{file}\t%{index}", pattern],
                            capture_output=True, text=True, check=False).stdout
    try:
        names, file, index = answer.split("\t")
    except ValueError:
        return None
    return [n.strip() for n in names.split(",")], file, int(index or 0)


@lru_cache(maxsize=1)
def any_cjk_font_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh-cn"], capture_output=True, text=True, check=False).stdout.strip())


@lru_cache(maxsize=32)
def _cmap(path: Path, index: int) -> frozenset[int]:
    """The characters a font file's face maps, as HarfBuzz reads its cmap (the reading Pango shapes with, and
    what fontTools' getBestCmap gives for these fonts: 1–4 ms a CJK font where fontTools takes 15–140 ms).
    fontTools where libharfbuzz cannot be loaded."""
    library = _harfbuzz()
    if library is not None:
        blob = library.hb_blob_create_from_file(os.fsencode(path))
        face = library.hb_face_create(blob, index)
        characters = library.hb_set_create()
        try:
            if library.hb_face_get_glyph_count(face):  # 0: no such file or face
                library.hb_face_collect_unicodes(face, characters)
                count = library.hb_set_get_population(characters)
                codes = (ctypes.c_uint32 * count)()
                found = library.hb_set_next_many(characters, 0xFFFFFFFF, codes, count)  # from the first
                return frozenset(codes[:found])
        finally:
            library.hb_set_destroy(characters)
            library.hb_face_destroy(face)
            library.hb_blob_destroy(blob)
    from fontTools.ttLib import TTFont  # only when a font is examined

    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@lru_cache(maxsize=1)
def _harfbuzz():
    """libharfbuzz through ctypes (no cffi declarations to parse); None without it or before 4.2 (no next_many)."""
    try:
        library = ctypes.CDLL("libharfbuzz.so.0" if sys.platform == "linux" else ctypes.util.find_library("harfbuzz"))
    except (OSError, TypeError):
        return None
    p, u = ctypes.c_void_p, ctypes.c_uint
    return _declared(library, (
            ("hb_blob_create_from_file", p, [ctypes.c_char_p]),
            ("hb_face_create", p, [p, u]),
            ("hb_face_get_glyph_count", u, [p]),
            ("hb_set_create", p, []),
            ("hb_face_collect_unicodes", None, [p, p]),
            ("hb_set_get_population", u, [p]),
            ("hb_set_next_many", u, [p, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32), u]),
            ("hb_set_destroy", None, [p]),
            ("hb_face_destroy", None, [p]),
            ("hb_blob_destroy", None, [p])))


def _declared(library: ctypes.CDLL, signatures: tuple) -> ctypes.CDLL | None:
    """`library` with each (function, restype, argtypes) declared; None if it lacks one (too old a version)."""
    for function, restype, argtypes in signatures:
        try:
            getattr(library, function).restype = restype
            getattr(library, function).argtypes = argtypes
        except AttributeError:
            return None
    return library


def role_fonts(fonts: Fonts, role: str) -> list[FontFile]:
    """The installed fonts of a role's list, in the list's order (what the PDF will use, first to last)."""
    return [font for font in map(find_font, getattr(fonts, role)) if font is not None]


def primary_font(fonts: Fonts, role: str) -> FontFile:
    found = role_fonts(fonts, role)
    if not found:
        wanted = "、".join(getattr(fonts, role))
        if not any_cjk_font_installed():
            raise GazetteError(f"没有安装任何中文字体，{INSTALL_HINT}")
        raise GazetteError(f"{ROLE_NAMES[role]}字体一个也没有安装（site.yaml 中 fonts.{role}: {wanted}），{INSTALL_HINT}")
    return found[0]


def uncovered(text: str, fonts: list[FontFile]) -> list[str]:
    """Characters of text that none of the fonts covers (whitespace and controls aside), in order of appearance."""
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if char.isspace() or ord(char) < 32 or char in "\u200b\u2060\u00ad":
            continue
        if not any(font.covers(char) for font in fonts):
            missing.append(char)
    return missing


# --- checking a rendered notice ----------------------------------------------------------------------------------

def text_by_role(html: str) -> dict[str, str]:
    """The text of a rendered notice split by the font role that prints it (see templates/notice.html.j2)."""
    from lxml import html as lxml_html

    tree = lxml_html.fragment_fromstring(html, create_parent="div")
    parts = {role: [] for role in ROLES}
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        role = _role_of(element)
        if element.text:
            parts[role].append(element.text)
        if element.tail and element.getparent() is not None:
            parts[_role_of(element.getparent())].append(element.tail)
    parts["page_number"].append("— 0123456789 —")
    return {role: "".join(texts) for role, texts in parts.items()}


def _role_of(element) -> str:
    while element is not None:
        classes = (element.get("class") or "").split()
        if "notice-title" in classes or "attachment-title" in classes:
            return "title"
        if "lvl1-head" in classes:
            return "heading1"
        if "lvl2-head" in classes:
            return "heading2"
        element = element.getparent()
    return "body"


def check_coverage(notice: Notice, html: str, fonts: Fonts, source: Path, source_text: str) -> list[ContentError]:
    """One error per character that no installed font of its role covers, naming the field that holds it."""
    errors = []
    for role, text in text_by_role(html).items():
        installed = role_fonts(fonts, role)
        if not installed:
            primary_font(fonts, role)  # raises the right message
        for char in uncovered(text, installed):
            line = next((i for i, l in enumerate(source_text.splitlines(), 1) if char in l), None)
            field = _field_holding(notice, char)
            errors.append(ContentError(
                source, line, None, field,
                f"字符 “{char}”（U+{ord(char):04X}）没有任何{ROLE_NAMES[role]}字体包含"
                f"（{'、'.join(getattr(fonts, role))}），PDF 中会显示为方框；请改用常用字，或在 site.yaml 的 fonts.{role} 中加入包含它的字体"))
    return errors


def _field_holding(notice: Notice, char: str) -> str | None:
    def search(value, path: str) -> str | None:
        if isinstance(value, str):
            return path if char in value else None
        if isinstance(value, dict):
            for key, item in value.items():
                found = search(item, f"{path}.{key}" if path else str(key))
                if found:
                    return found
        if isinstance(value, list):
            for i, item in enumerate(value):
                found = search(item, f"{path}[{i}]")
                if found:
                    return found
        return None

    path = search(notice.model_dump(mode="json"), "")
    if path is None:
        return None
    top = re.split(r"[.\[]", path)[0]
    info = Notice.model_fields.get(top)
    return f"{info.title} ({path})" if info and info.title else path


# --- the PDF's line grid -------------------------------------------------------------------------------------

_TAG_OR_TEXT = re.compile(r"(<[^>]+>)")


def mark_fallback_glyphs(html: str, body: FontFile) -> str:
    """Wrap characters the body font lacks (³, rare symbols) in <span class="glyph-fallback">, which the print
    stylesheet gives line-height 0: a glyph from a fallback font with taller metrics then cannot grow its line
    and push the page off the 22-line grid. Titles are left alone (their font is another role)."""
    out: list[str] = []
    in_title = 0
    for piece in _TAG_OR_TEXT.split(html):
        if piece.startswith("<"):
            if piece.startswith("<h1"):
                in_title += 1
            elif piece.startswith("</h1"):
                in_title -= 1
            out.append(piece)
            continue
        if in_title or not piece:
            out.append(piece)
            continue
        out.append("".join(
            f'<span class="glyph-fallback">{ch}</span>' if len(ch) == 1 and not ch.isspace() and not body.covers(ch) else ch
            for ch in _entities_kept(piece)))
    return "".join(out)


def _entities_kept(text: str) -> list[str]:
    """Split text into characters, keeping HTML entities (&amp;) whole."""
    return re.findall(r"&[#\w]+;|.", text, flags=re.S)
