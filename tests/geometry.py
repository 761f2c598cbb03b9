"""Measuring a PDF page as a 文秘 would with a ruler: lines, their baselines, edges and fonts, in millimetres."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

MM = 25.4 / 72  # one PDF point in mm

PAGE_W, PAGE_H = 210.0, 297.0
TOP, LEFT = 37.0, 28.0  # 天头, 订口
BLOCK_W, BLOCK_H = 156.0, 225.0  # 版心
RIGHT, BOTTOM = LEFT + BLOCK_W, TOP + BLOCK_H
PITCH = BLOCK_H / 22  # line pitch
CELL = BLOCK_W / 28  # character cell

CLOSING = set("，。、；：！？）》”…—")
OPENING = set("（《“")


@dataclass
class Line:
    baseline: float  # mm from the top of the page
    chars: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"] * MM

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"] * MM

    @property
    def size(self) -> float:
        sizes = [round(c["size"], 1) for c in self.chars]
        return max(set(sizes), key=sizes.count)

    def fonts_of(self, text: str) -> set[str]:
        """Font names used for the characters of `text` where it occurs in this line."""
        start = self.text.find(text)
        return {c["fontname"].split("+")[-1] for c in self.chars[start:start + len(text)]} if start >= 0 else set()


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    images: list[tuple[float, float]] = field(default_factory=list)  # (top, bottom) of each image, in mm

    @property
    def starts_with_image(self) -> bool:
        return any(top < TOP + PITCH for top, _bottom in self.images)

    @property
    def body_lines(self) -> list[Line]:
        return [l for l in self.lines if l.baseline < BOTTOM + 1]

    @property
    def footer_lines(self) -> list[Line]:
        return [l for l in self.lines if l.baseline > BOTTOM + 1]


def read_pages(path: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            by_baseline: dict[float, Line] = {}
            for char in page.chars:
                baseline = (page.height - char["matrix"][5]) * MM
                # a glyph from a fallback font sits on the same baseline; merge within 0.3 mm
                key = next((b for b in by_baseline if abs(b - baseline) < 0.3), baseline)
                by_baseline.setdefault(key, Line(key)).chars.append(char)
            lines = sorted(by_baseline.values(), key=lambda l: l.baseline)
            for line in lines:
                line.chars.sort(key=lambda c: c["x0"])
            images = [(i["top"] * MM, i["bottom"] * MM) for i in page.images]
            pages.append(Page(number, page.width * MM, page.height * MM, lines, images))
    return pages


def grid_slot(line: Line, offset: float) -> float:
    """Which of the 22 grid lines (0-based) this baseline sits on, as a float (an integer when on the grid)."""
    return (line.baseline - TOP - offset) / PITCH


def is_cjk_only(text: str) -> bool:
    return all(ord(ch) >= 0x2E80 for ch in text)
