"""Indicator charts: hand-made SVG that is accessible and labelled in Chinese, and the same chart as PNG."""

from __future__ import annotations

import io
from decimal import Decimal

from lxml import etree
from PIL import Image

from gazette.charts import indicator_chart_png, indicator_chart_svg, indicator_chart_text
from gazette.model import Indicator

SVG = "{http://www.w3.org/2000/svg}"
SEED = Indicator(key="groundwater-cut", name="地下水压减量", unit="万m³",
                 values={"2022": Decimal("786.78"), "2023": Decimal("5090.9"), "2024": Decimal("5667")},
                 total=Decimal("11544.68"), target=Decimal("4960"), target_label="2022-2025年计划压减")


def parsed(indicator: Indicator) -> etree._Element:
    return etree.fromstring(indicator_chart_svg(indicator).encode("utf-8"))


def texts(root: etree._Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_svg_is_accessible() -> None:
    root = parsed(SEED)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "地下水压减量（万m³）"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "地下水压减量（万m³）"
    assert desc.text == indicator_chart_text(SEED) == (
        "地下水压减量（万m³）：2022年786.78万m³，2023年5090.9万m³，2024年5667万m³；"
        "2022年至2024年累计11544.68万m³，2022-2025年计划压减4960万m³。")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script" not in indicator_chart_svg(SEED)


def test_svg_draws_the_values_to_scale_with_chinese_labels() -> None:
    root = parsed(SEED)
    labels = texts(root)
    assert {"2022年", "2023年", "2024年", "786.78", "5090.9", "5667", "累计 11544.68"} <= set(labels)
    assert "2022-2025年计划压减 4960" in labels
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#2f6fb0" and r.get("width") != "12"]
    heights = [float(b.get("height")) for b in bars]
    assert len(bars) == 3
    assert abs(heights[2] / heights[1] - 5667 / 5090.9) < 0.01 and abs(heights[0] / heights[2] - 786.78 / 5667) < 0.01
    # the running total ends above the target: the plan was exceeded, as the notice says
    target_y = float(root.find(f".//{SVG}g[@class='target']/{SVG}line").get("y1"))
    last_point = root.findall(f".//{SVG}g[@class='running-total']/{SVG}circle")[-1]
    assert float(last_point.get("cy")) < target_y
    bottom = max(float(b.get("y")) + float(b.get("height")) for b in bars)
    assert abs((bottom - target_y) / heights[2] - 4960 / 5667) < 0.01


def test_categories_without_a_target_are_plain_bars() -> None:
    intakes = Indicator(key="intakes", name="一级取水口", unit="个", values={"地下水": 3032, "地表水": 15}, total=3047)
    root = parsed(intakes)
    assert root.find(f".//{SVG}g[@class='running-total']") is None and root.find(f".//{SVG}g[@class='target']") is None
    assert {"地下水", "地表水", "3032", "15"} <= set(texts(root))
    assert indicator_chart_text(intakes) == "一级取水口（个）：地下水3032个，地表水15个。"


def test_text_is_escaped() -> None:
    odd = Indicator(key="x", name="A<B & “C”", unit="t", values={"2023": 1})
    assert parsed(odd).find(f"{SVG}title").text == "A<B & “C”（t）"


def test_png_is_the_same_chart() -> None:
    image = Image.open(io.BytesIO(indicator_chart_png(SEED))).convert("RGB")
    assert image.size == (1280, 720)
    root = parsed(SEED)
    bar = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#2f6fb0"][2]  # 2024
    x = (float(bar.get("x")) + float(bar.get("width")) / 2) * 2
    y = (float(bar.get("y")) + float(bar.get("height")) - 5) * 2
    assert image.getpixel((int(x), int(y))) == (0x2F, 0x6F, 0xB0)
    assert image.getpixel((5, 5)) == (255, 255, 255)
    assert image.getpixel((int(x), 2 * 100)) != (0x2F, 0x6F, 0xB0)  # above the bar: not the bar
    # the Chinese title is drawn (dark pixels across the title band), not left blank
    title_band = image.crop((400, 20, 880, 70))
    dark = title_band.convert("L").point(lambda v: 255 if v < 70 else 0)
    assert dark.histogram()[255] > 500


def test_negative_single_and_empty_values_still_make_a_valid_chart() -> None:
    rise = Indicator(key="k", name="地下水位变化", unit="m", values={"2023": -5, "2024": 10})
    root = parsed(rise)
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect") if r.get("fill") == "#2f6fb0"
               and r.get("width") != "12"]
    assert all(h > 0 for h in heights) and abs(heights[1] / heights[0] - 2) < 0.02
    assert "-5" in texts(root)
    one = Indicator(key="k", name="n", unit="个", values={"2023": 3}, target=5)
    assert indicator_chart_text(one) == "n（个）：2023年3个，计划目标5个。"
    empty = Indicator(key="k", name="n", unit="个", values={}, target=5)
    assert indicator_chart_text(empty) == "n（个）：计划目标5个。"
    assert parsed(empty).get("role") == "img"
