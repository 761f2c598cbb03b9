"""Charts of a notice's indicators, drawn at build time: SVG for the web and PDF, PNG for DOCX.

No JavaScript and no chart library: the geometry is computed here (scales, bars, a running total, the target)
and templates/indicator-chart.svg.j2 draws it with its Chinese labels. Every chart carries <title> and <desc>,
role="img" and aria-label, and `indicator_chart_text` gives the same facts as one sentence for a text
alternative. The PNG is the same SVG rasterised by CairoSVG, so the two never disagree.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2

from gazette import wording
from gazette.model import Indicator

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# 黑体-style families for chart labels; the first one installed is used (the PNG needs one that has CJK)
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, SimHei, Microsoft YaHei, sans-serif"
WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 110, 50, 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Target:
    y: float
    value: str
    label: str


@dataclass
class Chart:
    id: str
    title: str
    unit: str
    bar_legend: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    right: int = WIDTH - MARGIN_RIGHT
    top: int = MARGIN_TOP
    bottom: int = HEIGHT - MARGIN_BOTTOM
    baseline: float = HEIGHT - MARGIN_BOTTOM  # the zero line (above the bottom when a value is negative)
    bars: list[Bar] = field(default_factory=list)
    running: list[Point] = field(default_factory=list)
    target: Target | None = None
    ticks: list[Tick] = field(default_factory=list)
    text: str = ""


def indicator_chart_svg(indicator: Indicator, font_family: str = FONT_FAMILY) -> str:
    chart = layout(indicator)
    return _env().get_template("indicator-chart.svg.j2").render(c=chart, font_family=font_family).strip() + "\n"


def indicator_chart_png(indicator: Indicator, scale: float = 2.0, font_family: str = FONT_FAMILY) -> bytes:
    """The same chart as PNG (twice the SVG's size by default: sharp when printed at the SVG's size).

    With a cache folder (use_cache) a PNG once drawn is read back: the DOCX and the PDF of a notice, rendered
    in different tasks, draw it once, and a rebuild whose charts did not change never imports CairoSVG
    (0.3 s in a fresh process)."""
    svg = indicator_chart_svg(indicator, font_family)
    width, height = int(WIDTH * scale), int(HEIGHT * scale)
    cached = _cache_file(svg, width, height, font_family)
    if cached is not None:
        try:
            png = cached.read_bytes()
        except OSError:
            pass
        else:
            if png.startswith(b"\x89PNG"):
                return png
    import cairosvg

    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width, output_height=height)
    if cached is not None:
        _write_atomically(cached, png)
    return png


_cache_dir: Path | None = None
KEEP_UNUSED_SECONDS = 7 * 24 * 3600


def use_cache(folder: Path | None) -> None:
    """Keep chart PNGs in `folder` (the build cache's charts/), each under a hash of its SVG, its size, the
    font files that draw its labels and CairoSVG's version. PNGs no build read for a week are deleted."""
    global _cache_dir
    _cache_dir = folder
    if folder is not None and folder.is_dir():
        now = time.time()
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > KEEP_UNUSED_SECONDS:
                    path.unlink()


def _cache_file(svg: str, width: int, height: int, font_family: str) -> Path | None:
    if _cache_dir is None:
        return None
    from gazette.fonts import find_font

    parts = [svg, str(width), str(height), *_renderer_versions()]
    for family in (f.strip() for f in font_family.split(",")):
        font = find_font(family)
        if font is not None:
            with contextlib.suppress(OSError):
                stat = font.path.stat()
                parts += [str(font.path), str(font.index), str(stat.st_size), str(stat.st_mtime_ns)]
    path = _cache_dir / (hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:40] + ".png")
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: kept from pruning
    return path


@lru_cache(maxsize=1)
def _renderer_versions() -> tuple[str, ...]:
    from importlib import metadata

    versions = []
    for name in ("CairoSVG", "cairocffi"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(name)
    return tuple(versions)


def _write_atomically(target: Path, data: bytes) -> None:
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".png-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)


def indicator_chart_text(indicator: Indicator) -> str:
    """The chart as one sentence, for a text alternative under the image or in the DOCX's alt text."""
    return layout(indicator).text


def layout(indicator: Indicator) -> Chart:
    chart = Chart(id="chart-" + _slug(indicator.key), title=f"{indicator.name}（{indicator.unit}）",
                  unit=indicator.unit, bar_legend=indicator.name)
    values = list(indicator.values.items())
    # a target is a plan for the whole period: compare it with the running total, not with one year
    with_running = indicator.target is not None and len(values) > 1
    running = _running_totals([v for _, v in values]) if with_running else []
    every = [v for _, v in values] + running + ([indicator.target] if indicator.target is not None else [])
    highest, lowest = max(every + [Decimal(0)]), min(every + [Decimal(0)])
    step = _nice_step((highest - lowest) / 5)
    # the axis runs over whole steps, so that zero and round numbers are ticks
    scale_min, scale_max = step * math.floor(lowest / step), step * math.ceil(highest / step)
    if scale_max == scale_min:
        scale_max = scale_min + step
    plot_height = chart.bottom - chart.top

    def y_of(value: Decimal) -> float:
        return round(chart.bottom - float(value - scale_min) / float(scale_max - scale_min) * plot_height, 1)

    baseline = chart.baseline = y_of(Decimal(0))
    slot = (chart.right - chart.left) / max(len(values), 1)
    bar_width = round(min(slot * 0.55, 80), 1)
    for index, (key, value) in enumerate(values):
        x = round(chart.left + slot * index + (slot - bar_width) / 2, 1)
        top, bottom = sorted((y_of(value), baseline))  # a negative value hangs below the zero line
        chart.bars.append(Bar(label=_label(key), value=wording.format_quantity(value), x=x, y=top, width=bar_width,
                              height=round(bottom - top, 1)))
    chart.running = [Point(bar.cx, y_of(total), wording.format_quantity(total))
                     for bar, total in zip(chart.bars, running)]
    if indicator.target is not None:
        chart.target = Target(y_of(indicator.target), wording.format_quantity(indicator.target),
                              indicator.target_label or "计划目标")
    count = int((scale_max - scale_min) / step)
    chart.ticks = [Tick(y_of(scale_min + step * i), wording.format_quantity(scale_min + step * i))
                   for i in range(count + 1)]
    chart.text = _env().get_template("indicator-chart.txt.j2").render(c=chart).strip()
    return chart


def _label(key: str) -> str:
    return f"{key}年" if re.fullmatch(r"(19|20)\d\d", key) else key


def _running_totals(values: list[Decimal]) -> list[Decimal]:
    totals, total = [], Decimal(0)
    for value in values:
        total += value
        totals.append(total)
    return totals


def _nice_step(rough: Decimal) -> Decimal:
    """1, 2, 2.5 or 5 times a power of ten, at least `rough` (2309 → 2500)."""
    if rough <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** math.floor(math.log10(float(rough)))
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if magnitude * factor >= rough:
            return magnitude * factor
    return magnitude * 10  # pragma: no cover - the loop always returns


def _slug(key: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]", "", key)
    return slug or hashlib.sha1(key.encode()).hexdigest()[:8]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
