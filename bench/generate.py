"""Synthetic content for the benchmark: N notices of the seed's size and variety.

Each notice is modelled on content/notices/wusu-16.yaml (5 sections, 7 measures, 7 completion items,
Markdown, indicators) with the region, numbers, kind, status, deadline form and wording varied, so that
line breaking, list lengths and page counts differ from notice to notice as they do in real content. The
same notices are also written as Hugo pages (write_hugo_site) and as Markdown (notice_markdown) so that
every tool in bench/run.py works on the same text.

    python bench/generate.py 1000 /tmp/bench-content
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content"

REGIONS = [
    "乌苏市", "沙湾市", "塔城市", "额敏县", "托里县", "裕民县", "和布克赛尔蒙古自治县", "奎屯市", "克拉玛依区",
    "独山子区", "精河县", "博乐市", "温泉县", "伊宁市", "霍城县", "察布查尔锡伯自治县", "昌吉市", "阜康市",
    "呼图壁县", "玛纳斯县", "吉木萨尔县", "奇台县", "木垒哈萨克自治县", "哈密市伊州区", "巴里坤哈萨克自治县",
    "库尔勒市", "轮台县", "尉犁县", "阿克苏市", "库车市", "喀什市", "疏附县", "和田市", "墨玉县", "濮阳县",
    "清丰县", "南乐县", "范县", "台前县", "宿马园区",
]
SUBJECTS = ["水利局", "生态环境局", "自然资源局", "农业农村局", "住房和城乡建设局", "发展和改革委员会", "林业和草原局"]
STATUSES_DONE = ["已完成", "已完成整改并通过验收", "已整改完成并通过核查验收", "已经完成，长期坚持"]
STATUSES_OPEN = ["基本完成", "阶段性完成", "已完成现阶段整改", "正在整改", "未完成但达到序时进度", "长期坚持"]
TOPICS = [
    ("地下水超采", "地下水", "取水口"), ("黑臭水体", "黑臭水体", "排污口"), ("扬尘污染", "施工工地", "裸土"),
    ("秸秆焚烧", "秸秆", "焚烧点"), ("工业固废", "固体废物", "堆场"), ("草原超载", "草原", "牲畜"),
    ("湿地萎缩", "湿地", "湖泊"), ("矿山修复", "矿山", "矿坑"), ("污水处理", "污水处理厂", "管网"),
]
# Sentences from the seed, with {region}, {topic}, {thing}, {n}, {x}, {y} filled per notice: real length and
# punctuation, different text in every notice.
MEASURE_SENTENCES = [
    "全面开展{topic}专项整治整改提升工作，对全{unit}{n}个{thing}严格实行核查登记工作及计量监控管理。",
    "建立完善最严格{topic}管理制度考核指标体系，按季度开展{topic}管理考核工作。",
    "按照《{region}{topic}治理方案》逐年开展压减工作，自{y}年起，计划按{x}万m³/年压减，{y}-{y3}年压减{x4}万m³。",
    "持续加大{topic}治理力度，通过实施恢复地表水灌溉、关井压采、节约用水等综合措施，加快{thing}治理。",
    "持续深入推进退地减水任务，到2030年完成自治区下达的{x}万亩退减任务。",
    "开展计划用水监督管理工作，进一步落实“井电双控”监督管理制度，完善升级{topic}计量管理系统。",
    "全面落实取水许可和有偿使用制度，严格执行超计划（定额）累进加价制度，**每季度通报**一次进展。",
    "压实{subject}主体责任，建立问题清单、任务清单、责任清单，*逐项销号*。",
    "加强日常巡查，对发现的{thing}问题立行立改，对整改不到位的依法依规严肃问责。",
]
COMPLETION_SENTENCES = [
    "{y}年全面开展{topic}专项整治整改提升工作，对全{unit}{n}个{thing}严格实行核查登记工作及计量监控管理，加强对计量设施运行维护，确保全面准确及时掌握情况。",
    "{y1}年开展了辖区内{thing}核查工作并建立核查台账，{y1}至{y3}年对连续三年未使用的{m}个{thing}依法关停注销。",
    "结合每年度上级下达的控制目标，制定年度{topic}管理方案，分解下发各乡镇控制总量和压减任务，督促指导各乡镇按相关规定严格落实。",
    "先后下发{abbr}〔{y}〕{k}号、{abbr}〔{y1}〕{k1}号文件，明确年度控制和压减任务指标。",
    "按照《{region}{topic}治理方案》要求，严格开展压减工作。{y}年较上年同期实际压减{x}万m³；{y1}年实际压减{x2}万m³，提前超额完成了计划任务。",
    "近年来，先后实施{region}{topic}治理工程、灌区续建配套与现代化节水改造等工程，同时对连续两年以上未使用的{thing}进行关停，实现了压采和节约用水。",
    "依托信息平台，加大对{topic}的监督管理，每年对设施进行集中运维，确保计量设施正常运行，目前全{unit}{n}个{thing}均已安装计量设施，并实现在线监测。",
    "严格落实《新疆维吾尔自治区水资源费征收管理办法》（新发改农价〔2015〕1724号），按照有关规定严格落实超计划累进加价制度。",
    "经现场核查，{thing}问题已全部整改到位，群众满意度明显提升。",
]
NUMERALS = "〇一二三四五六七八九"
DEADLINES = ["2025年12月底", "2023年9月30日前", "2024年底前", "立行立改", "立行立改，长期坚持",
             "2024年6月底前完成，长期坚持", "长期坚持", "2026-06-30"]


def _fill(template: str, facts: dict, rng: random.Random) -> str:
    values = dict(facts)
    values.update(n=rng.randint(12, 4000), m=rng.randint(3, 300), x=round(rng.uniform(10, 2000), 2),
                  x2=round(rng.uniform(10, 6000), 2), x4=rng.randint(100, 9000), k=rng.randint(1, 30),
                  k1=rng.randint(1, 30))
    return template.format(**values)


def notice_data(index: int, rng: random.Random) -> dict:
    """One notice as the YAML mapping a staff member would write."""
    region = rng.choice(REGIONS)
    topic, thing_a, thing_b = rng.choice(TOPICS)
    year = rng.randint(2020, 2024)
    facts = dict(region=region, topic=topic, thing=rng.choice([thing_a, thing_b]), unit="市" if "市" in region else "县",
                 y=year, y1=year + 1, y3=year + 3, subject=region + rng.choice(SUBJECTS),
                 abbr=region[:1] + rng.choice(["水考", "环办", "河湖领办", "自然资"]))
    kind = rng.choices(["整改情况公示", "验收公示", "验收销号公示"], weights=[6, 2, 2])[0]
    number = rng.randint(1, 400)
    n_items = rng.choice([5, 6, 7, 7, 7, 8, 9])
    measures = [_fill(rng.choice(MEASURE_SENTENCES), facts, rng) for _ in range(n_items)]
    completion = ["".join(_fill(rng.choice(COMPLETION_SENTENCES), facts, rng) for _ in range(rng.randint(2, 4)))
                  for _ in range(n_items)]
    if rng.random() < 0.2:  # a Markdown table, as staff paste from a spreadsheet
        completion[-1] += "\n\n| 年份 | 压减量（万m³） |\n| --- | --- |\n" + "".join(
            f"| {year + i} | {round(rng.uniform(100, 6000), 2)} |\n" for i in range(3))
    published = dt.date(2023, 1, 2) + dt.timedelta(days=rng.randint(0, 900))
    data: dict = {
        "id": f"r{index:05d}-{number}",  # unique whatever the random draws
        "kind": kind,
        "title": f"关于{region}{year}年生态环境保护督察反馈问题（序号{number}，{topic}）整改情况公示",
        "published": published,
        # The name agrees with the level, round and batch, as in real notices: a province's 1,000 findings
        # come from some 60 inspection batches (drawn independently, the name made 300 batches of 3 findings).
        "inspection": {"level": (level := rng.choice(["自治区", "省级", "中央", "市级"])),
                       "round": (round_ := rng.randint(1, 3)), "batch": (batch := rng.randint(1, 5)),
                       "group": "自治区 兵团第二生态环境保护督察组", "type": "例行督察",
                       "name": f"{level}第{NUMERALS[round_]}轮第{NUMERALS[batch]}批生态环境保护督察"},
        "finding": {"number": number, "label": f"序号{number}"},
        "region": region,
        "basis": f"《{region}贯彻落实生态环境保护督察组督察反馈意见整改方案》",
        "status": rng.choice(STATUSES_DONE + STATUSES_OPEN),
        "task": _fill("{region}{topic}问题没有得到有效缓解。{region}{y}年至{y3}年{thing}问题突出，"
                      "实际用量分别为总量控制指标的1.9倍、2.4倍、4.3倍。", facts, rng),
        "deadline": rng.choice(DEADLINES),
        "goal": _fill("认真落实国家有关规定和建立{topic}刚性约束制度的要求，力争到2030年达到总体平衡。", facts, rng),
        "measures": measures,
        "completion": completion,
    }
    if kind != "整改情况公示":
        data["subjects"] = [facts["subject"]]
        data["acceptance_unit"] = region + "生态环境局"
        start = published
        data["publicity"] = {"start": start, "end": start + dt.timedelta(days=14), "count": "日",
                             "office": "验收单位"}
        data["contact"] = {"person": "李某", "phone": "0557-XXXXXXX", "email": "xxxx@example.cn"}
        data["signature"] = {"organisations": [region + "生态环境局"], "date": published}
    if rng.random() < 0.7:
        values = {str(year + i): round(rng.uniform(100, 6000), 2) for i in range(3)}
        data["indicators"] = [{"key": "cut", "name": topic + "压减量", "unit": "万m³", "values": values,
                               "target": rng.randint(1000, 9000), "target_label": f"{year}-{year + 3}年计划压减"}]
    if "\n" in completion[-1]:
        completion[-1] = LiteralScalarString(completion[-1])  # written as a | block, as a person would
    return data


def notices(count: int, seed: int = 16) -> list[dict]:
    rng = random.Random(seed)
    return [notice_data(i, rng) for i in range(count)]


def _yaml() -> YAML:
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096  # one line per paragraph, as staff write it
    yaml.representer.ignore_aliases = lambda data: True  # a date used twice must not become &id001 / *id001
    return yaml


def write_content(count: int, folder: Path, seed: int = 16) -> list[dict]:
    """A gazette content folder: the seed's site.yaml and `count` generated notices."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "notices").mkdir(parents=True)
    shutil.copy(SEED / "site.yaml", folder / "site.yaml")
    generated = notices(count, seed)
    yaml = _yaml()
    for data in generated:
        with open(folder / "notices" / f"{data['id']}.yaml", "w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
    return generated


def write_notice(data: dict, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        _yaml().dump(data, handle)


# --- the same notices for the other tools -------------------------------------------------------------------

def notice_markdown(data: dict) -> str:
    """The notice as a Markdown document with the same headings and lists (for Hugo and pandoc)."""
    parts = [f"# {data['title']}", "", data["basis"] + "，现将具体情况予以公示：", "",
             "## 一、整改任务", "", data["task"], "", f"## 二、整改时限：{data['deadline']}", "",
             f"## 三、整改目标：{data['goal']}", "", "## 四、整改措施", ""]
    parts += [f"{i}. {m}" for i, m in enumerate(data["measures"], 1)]
    parts += ["", "## 五、完成情况", ""]
    for i, item in enumerate(data["completion"], 1):
        first, _, rest = item.partition("\n\n")
        parts.append(f"{i}. {first}")
        if rest:
            parts += ["", "\n".join("   " + line for line in rest.splitlines())]
    for indicator in data.get("indicators", []):
        periods = list(indicator["values"])
        parts += ["", f"| {' | '.join(periods)} |", "|" + " --- |" * len(periods),
                  f"| {' | '.join(str(v) for v in indicator['values'].values())} |"]
    return "\n".join(parts) + "\n"


HUGO_CONFIG = """baseURL = "https://www.example.gov.cn/zgwtgs/"
languageCode = "zh-CN"
title = "生态环境保护督察整改情况公示"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""
# Layouts equivalent to gazette's site: a page per notice with meta, breadcrumbs and prev/next, and one
# list page of every notice.
HUGO_BASEOF = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="stylesheet" href="{{ "assets/site.css" | relURL }}"></head><body><header><p>{{ site.Title }}</p></header>
<main>{{ block "main" . }}{{ end }}</main><footer>主办单位</footer></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<nav><a href="{{ "" | relURL }}">首页</a> › {{ .Title }}</nav>
<p>发布日期：{{ .Date.Format "2006年1月2日" }}　地区：{{ .Params.region }}　状态：{{ .Params.status }}</p>
<article>{{ .Content }}</article>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<table><tbody>{{ range .Site.RegularPages.ByDate.Reverse }}
<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.region }}</td><td>{{ .Params.status }}</td>
<td>{{ .Params.deadline }}</td><td>{{ .Date.Format "2006年1月2日" }}</td></tr>{{ end }}</tbody></table>{{ end }}
"""


def write_hugo_site(generated: list[dict], folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "content" / "notices").mkdir(parents=True)
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (folder / "layouts" / "_default" / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (folder / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (folder / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (folder / "layouts" / "index.html").write_text(HUGO_LIST.replace("{{ define \"main\" }}", "{{ define \"main\" }}<h1>{{ site.Title }}</h1>"), encoding="utf-8")
    for data in generated:
        front = (f'---\ntitle: "{data["title"]}"\ndate: {data["published"].isoformat()}\n'
                 f'region: "{data["region"]}"\nstatus: "{data["status"]}"\ndeadline: "{data["deadline"]}"\n---\n\n')
        body = notice_markdown(data).split("\n", 1)[1]  # the title is in the layout
        (folder / "content" / "notices" / f"{data['id']}.md").write_text(front + body, encoding="utf-8")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/gazette-bench/content")
    write_content(n, target)
    print(f"{n} notices in {target}")
