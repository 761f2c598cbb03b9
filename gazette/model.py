"""The content model: what a notice (one YAML file per inspection finding) and the site file may contain.

Every field has its YAML key (the attribute name), a Chinese name (`title`, used in error messages and the
JSON schema) and a description. Validation errors raised here are plain Chinese sentences; the loader
(gazette/loader.py) adds the file, line and column.

Wording that is derived from these fields (第十六项, 2025年1月9日, 共10个工作日, list markers, totals) is computed
in gazette/wording.py and placed by the templates; nothing here writes notice text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from gazette import wording


class Model(BaseModel):
    # Unknown keys are typos, not extensions: reject them.
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickled (a build reads every notice from its parse cache), models with the same set fields share
        # one set of their names: a set in each model was a third of what a build holds per notice (5 MB per
        # 1,000 notices). Nothing in gazette reads which fields were set (model_fields_set, exclude_unset).
        names = state.get("__pydantic_fields_set__")
        if names:  # the state is pickle's own, thrown away after this call
            state["__pydantic_fields_set__"] = _FIELD_NAME_SETS.setdefault(frozenset(names), names)
        super().__setstate__(state)


_FIELD_NAME_SETS: dict[frozenset[str], set[str]] = {}


# --- dates ---------------------------------------------------------------------------------------------------

_DATE_FORMS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$"),
]


def parse_date(value: Any) -> dt.date:
    """A date as YAML gives it (a date object) or as staff type it: 2025-01-09, 2025/1/9, 2025年1月9日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for form in _DATE_FORMS:
            match = form.match(text)
            if match:
                try:
                    return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
                except ValueError:
                    break
        raise ValueError(f'无法识别的日期 "{text}"，应为 2025-01-09 或 2025年1月9日 这样的日期')
    raise ValueError(f"应为日期（如 2025-01-09），实际是 {type_name(value)}")


def type_name(value: Any) -> str:
    return {
        str: "文字", int: "整数", float: "数字", bool: "是/否", list: "列表", dict: "键值表", type(None): "空值",
    }.get(type(value), type(value).__name__)


Date = Annotated[dt.date, BeforeValidator(parse_date)]


# --- 整改时限 ----------------------------------------------------------------------------------------------------

class Deadline(Model):
    """整改时限 in every form real notices use.

    kind: date (2023年9月30日前), month (2025年12月底), year (2023年底前), immediate (立行立改), ongoing
    (长期坚持); a staged deadline ("立行立改，长期坚持", "2024年6月底前完成，长期坚持") is a list of stages.
    `due` is the last day the deadline allows (for dashboards); `text` is its official wording.
    """

    stages: list["DeadlineStage"]

    @property
    def text(self) -> str:
        return "，".join(stage.text for stage in self.stages)

    @property
    def due(self) -> dt.date | None:
        dates = [stage.due for stage in self.stages if stage.due]
        return max(dates) if dates else None

    @property
    def ongoing(self) -> bool:
        return any(stage.kind == "ongoing" for stage in self.stages)


class DeadlineStage(Model):
    kind: Literal["date", "month", "year", "immediate", "ongoing"]
    due: dt.date | None = None
    before: bool = False  # "前"
    text: str


_STAGE_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?(?P<before>前)?$"), "date"),
    (re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?(?:底|末)?(?P<before>前)?$"), "month"),
    (re.compile(r"^(?P<y>\d{4})年?(?:底|末)(?P<before>前)?$"), "year"),
]
_IMMEDIATE = {"立行立改", "立即整改"}
_ONGOING = {"长期坚持", "持续推进", "长期推进"}


def parse_deadline_stage(text: str) -> DeadlineStage:
    raw = text.strip()
    if raw in _IMMEDIATE:
        return DeadlineStage(kind="immediate", text=raw)
    if raw in _ONGOING:
        return DeadlineStage(kind="ongoing", text=raw)
    compact = raw.replace(" ", "")
    # "2024年6月底前完成" → the date part; the verb is wording the template does not need to repeat
    compact = re.sub(r"(完成|完成整改)$", "", compact)
    for form, kind in _STAGE_FORMS:
        match = form.match(compact)
        if not match:
            continue
        year = int(match["y"])
        before = bool(match["before"])
        try:
            if kind == "date":
                due = dt.date(year, int(match["m"]), int(match["d"]))
                wording_ = wording.official_date(due) + ("前" if before else "")
            elif kind == "month":
                month = int(match["m"])
                due = dt.date(year, month, calendar.monthrange(year, month)[1])
                wording_ = wording.official_month(year, month) + "底" + ("前" if before else "")
            else:
                due = dt.date(year, 12, 31)
                wording_ = f"{year}年底" + ("前" if before else "")
        except ValueError:
            break
        return DeadlineStage(kind=kind, due=due, before=before, text=wording_)
    raise ValueError(
        f'无法识别的日期 "{raw}"，应为 2025年12月底、2023年9月30日前、2023年底前、立行立改 或 长期坚持'
    )


def parse_deadline(value: Any) -> Any:
    if isinstance(value, Deadline) or isinstance(value, dict):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        due = value.date() if isinstance(value, dt.datetime) else value
        return Deadline(stages=[DeadlineStage(kind="date", due=due, text=wording.official_date(due))])
    if isinstance(value, list):
        return Deadline(stages=[parse_deadline_stage(str(v)) for v in value])
    if isinstance(value, str):
        parts = [p for p in re.split(r"[，,；;]", value) if p.strip()]
        if not parts:
            raise ValueError("整改时限不能为空")
        return Deadline(stages=[parse_deadline_stage(p) for p in parts])
    raise ValueError(f"应为整改时限文字（如 2025年12月底），实际是 {type_name(value)}")


DeadlineField = Annotated[Deadline, BeforeValidator(parse_deadline)]


# --- parts of a notice -------------------------------------------------------------------------------------

Markdown = Annotated[str, Field(min_length=1)]


class Inspection(Model):
    level: str = Field(title="督察层级", description="中央、省级、自治区、兵团、市级……", examples=["自治区"])
    round: int | None = Field(None, title="轮次", description="第几轮督察", ge=1, le=20, examples=[1])
    batch: int | None = Field(None, title="批次", description="第几批督察", ge=1, le=50, examples=[2])
    group: str | None = Field(None, title="督察组", description="反馈问题的督察组名称", examples=["自治区 兵团第二生态环境保护督察组"])
    type: Literal["例行督察", "回头看", "专项督察", "自排查"] = Field(
        "例行督察", title="督察类型", examples=["例行督察"], description="例行督察、回头看、专项督察 或 自排查")
    name: str | None = Field(None, title="督察名称", description="列表页使用的名称；缺省时由层级、轮次、批次组成",
                             examples=["自治区第一轮第二批生态环境保护督察"])


class Finding(Model):
    number: int = Field(title="问题序号", description="督察反馈问题清单中的序号，导语中写成“第十六项”", ge=1, le=9999, examples=[16])
    label: str | None = Field(None, title="序号写法", examples=["序号16"], description="原文中的写法，如 序号16、243号问题")


class Measure(Model):
    text: Markdown = Field(title="措施内容", description="一条措施的内容", examples=["建立完善最严格水资源管理制度考核指标体系。"])
    deadline: DeadlineField | None = Field(None, title="完成时限", examples=["2023年底前"], description="这一条措施自己的时限")


def _measure(value: Any) -> Any:
    if isinstance(value, str):
        return {"text": value}
    return value


MeasureItem = Annotated[Measure, BeforeValidator(_measure)]


class Contact(Model):
    office: str | None = Field(None, title="联系单位", description="受理异议的单位", examples=["乌苏市水利局"])
    person: str | None = Field(None, title="联系人", description="联系人姓名", examples=["张××"])
    mobile: str | None = Field(None, title="手机号码", description="联系人手机号码", examples=["138××××0000"])
    phone: str | None = Field(None, title="固定电话", description="固定电话，带区号", examples=["0992-0000000"])
    supervision_phone: str | None = Field(None, title="监督电话", description="监督举报电话", examples=["12345"])
    email: str | None = Field(None, title="电子邮箱",
                              description="接收异议的电子邮箱",
                              examples=["zgb@example.gov.cn"], pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = Field(None, title="通信地址", description="书面反映的邮寄地址", examples=["乌苏市××路××号"])


class Publicity(Model):
    start: Date = Field(title="公示开始日期", description="公示第一天", examples=["2025-01-09"])
    end: Date = Field(title="公示结束日期", description="公示最后一天", examples=["2025-01-22"])
    count: Literal["工作日", "日"] = Field("工作日", title="计算方式", examples=["工作日"], description="工作日 或 日（自然日）")
    days: int | None = Field(None, title="公示天数", examples=[10],
                             description="可不填，由日期计算；填写时须与计算结果一致")
    office: str | None = Field(None, title="受理单位", examples=["验收单位"], description="有异议时向谁反映，如 验收单位")

    @model_validator(mode="after")
    def _check_range(self) -> "Publicity":
        if self.end < self.start:
            raise ValueError(
                f"公示结束日期 {wording.official_date(self.end)} 早于开始日期 {wording.official_date(self.start)}")
        return self


class Signature(Model):
    organisations: list[str] = Field(default_factory=list, title="署名单位", examples=[["乌苏市水利局"]], max_length=2,
                                     description="一行或两行；不署名时留空")
    date: Date | None = Field(None, title="成文日期", description="落款日期，写成 2025-01-09", examples=["2025-06-30"])
    seal: str | None = Field(None, title="印章图片", examples=["seals/shuili.png"], description="PNG 图片路径，相对于内容文件夹")


class Attachment(Model):
    title: str = Field(title="附件标题", description="附件的标题", examples=["整改验收意见"])
    body: Markdown | None = Field(None, title="附件正文", description="附件的正文，可用 Markdown", examples=["经现场核查，该问题已完成整改。"])


class Indicator(Model):
    key: str = Field(title="指标代号",
                     description="指标的英文代号：字母开头，可含数字和连字符",
                     examples=["groundwater-cut"], pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    name: str = Field(title="指标名称", description="指标的中文名称", examples=["地下水压减量"])
    unit: str = Field(title="单位", description="数值的单位", examples=["万m³"])
    values: dict[str, Decimal] = Field(title="各年数值",
                                       examples=[{"2022": 786.78, "2023": 5090.9, "2024": 5667}],
                                       description="年份（或时段）: 数值")
    total: Decimal | None = Field(None, title="合计", examples=[11544.68], description="填写时须等于各年数值之和")
    target: Decimal | None = Field(None, title="计划目标", description="计划目标值，与合计比较", examples=[4960])
    target_label: str | None = Field(None, title="目标说明", description="计划目标的说明文字", examples=["2022-2025年计划压减"])
    chart: bool = Field(False, title="附图",
                        description="为 true 时在正文后附这一指标的图：网页为 SVG，PDF 和 DOCX 为图片", examples=[True])

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @property
    def computed_total(self) -> Decimal:
        return sum(self.values.values(), Decimal(0))

    @model_validator(mode="after")
    def _check_total(self) -> "Indicator":
        if self.total is not None and self.total != self.computed_total:
            raise ValueError(
                f"合计 {wording.format_quantity(self.total)} 与各年数值之和 "
                f"{wording.format_quantity(self.computed_total)} 不一致")
        return self


class SectionSpec(Model):
    """One section of a notice: which field it shows, under which heading."""

    field: Literal["task", "subjects", "acceptance_unit", "deadline", "goal", "measures", "completion",
                   "status", "indicators", "text"] = Field(title="显示字段",
                                                           description="这一章节显示公示文件中的哪个字段",
                                                           examples=["measures"])
    heading: str = Field(title="标题文字", description="章节标题，编号“一、”自动生成", examples=["整改任务"])
    inline: bool = Field(False, title="同行显示", examples=[True], description="内容紧跟标题写在同一行，如 二、整改时限：2025年12月底")
    numbering: Literal["1.", "（1）", "（一）"] | None = Field(None, title="条目编号", examples=["（1）"],
                                                            description="列表条目的编号样式")
    text: Markdown | None = Field(None, title="固定内容", examples=["如有异议，请与我们联系。"], description="field 为 text 时显示的内容")


class Notice(Model):
    """One 整改情况公示: one inspection finding, one YAML file."""

    id: str = Field(title="编号", pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
                    description="永久链接使用的编号：小写字母、数字和连字符", examples=["wusu-16"])
    kind: str = Field(title="公示类型", description="site.yaml 中 kinds 下的一个名称", examples=["整改情况公示"])
    title: str = Field(title="标题", description="公示的完整标题，输出时自动分行", examples=["关于乌苏市地下水超采问题整改情况公示"], max_length=200)
    title_lines: list[str] | None = Field(None, title="标题分行",
                                          examples=[["关于塔城地区……督察反馈问题", "整改情况公示"]], description="手工指定标题的分行；各行连起来须等于标题")
    published: Date = Field(title="发布日期", description="公示发布的日期，写成 2025-01-09", examples=["2025-06-30"])
    inspection: Inspection = Field(title="督察",
                                   description="哪一次督察：层级、轮次、批次、督察组",
                                   examples=[{"level": "自治区", "round": 1, "batch": 2}])
    finding: Finding = Field(title="问题", description="督察反馈问题的序号", examples=[{"number": 16, "label": "序号16"}])
    region: str = Field(title="地区", description="问题所在的市、县（区）", examples=["乌苏市"], max_length=60)
    basis: str | None = Field(None, title="依据文件", description="导语中引用的整改方案或办法，带书名号", examples=["《乌苏市……整改方案》"])
    intro: Markdown | None = Field(None, title="导语",
                                   examples=["根据《……整改方案》，现将整改情况予以公示："], description="缺省时使用公示类型中的导语模板")
    task: Markdown | None = Field(None, title="整改任务", description="督察反馈的问题原文（整改任务）", examples=["乌苏市地下水超采问题没有得到有效缓解。"])
    subjects: list[str] = Field(default_factory=list, title="整改实施主体",
                                examples=[["乌苏市水利局", "乌苏市自然资源局"]], description="一个或多个责任单位")
    acceptance_unit: str | None = Field(None, title="验收单位", description="负责验收的单位", examples=["乌苏市水利局"])
    deadline: DeadlineField | None = Field(None, title="整改时限",
                                           description="整改时限：日期、月底、年底、立行立改 或 长期坚持，可用逗号连写",
                                           examples=["2025年12月底", "2023年9月30日前", "立行立改，长期坚持"])
    goal: Markdown | None = Field(None, title="整改目标", description="整改要达到的目标", examples=["力争到2030年达到地下水总体采补平衡。"])
    measures: list[MeasureItem] = Field(default_factory=list, title="整改措施",
                                        description="一条措施一项，编号由程序生成",
                                        examples=[["全面开展取用水专项整治整改提升工作。"]])
    completion: Markdown | list[Markdown] | None = Field(None, title="完成情况", examples=[["2022年全面开展取用水专项整治整改提升工作。"]],
                                                         description="与措施逐条对应的列表，或一段文字")
    status: str = Field(title="整改状态", description="须是 site.yaml 中 statuses 之一", examples=["已完成现阶段整改"])
    publicity: Publicity | None = Field(None, title="公示期",
                                        description="公示的起止日期，天数自动计算",
                                        examples=[{"start": "2025-01-09", "end": "2025-01-22"}])
    contact: Contact | None = Field(None, title="联系方式",
                                    description="有异议时的联系方式；不写时不显示",
                                    examples=[{"office": "乌苏市水利局", "phone": "0992-0000000"}])
    closing_phrase: bool = Field(False, title="特此公示", examples=[True], description="是否在正文后写“特此公示。”")
    signature: Signature | None = Field(None, title="落款",
                                        description="正文后的署名单位和成文日期",
                                        examples=[{"organisations": ["乌苏市水利局"], "date": "2025-06-30"}])
    attachments: list[Attachment] = Field(default_factory=list, title="附件",
                                          description="附件：标题和正文",
                                          examples=[[{"title": "整改验收意见"}]])
    indicators: list[Indicator] = Field(default_factory=list, title="量化指标",
                                        description="可合计、可画图的量化数据，如各年压减量",
                                        examples=[[{"key": "groundwater-cut", "name": "地下水压减量", "unit": "万m³",
                                                     "values": {"2022": 786.78, "2023": 5090.9}}]])
    sections: list[SectionSpec] | None = Field(None, title="章节",
                                               examples=[[{"field": "task", "heading": "整改任务"}]],
                                               description="覆盖公示类型中的章节设置")

    @field_validator("measures", mode="after")
    @classmethod
    def _strip_measure_markers(cls, measures: list[Measure]) -> list[Measure]:
        for measure in measures:
            measure.text = wording.strip_list_marker(measure.text)
        return measures

    @field_validator("completion", mode="after")
    @classmethod
    def _strip_completion_markers(cls, completion: Any) -> Any:
        if isinstance(completion, list):
            return [wording.strip_list_marker(item) for item in completion]
        return completion

    @model_validator(mode="after")
    def _check_title_lines(self) -> "Notice":
        if self.title_lines is not None and "".join(self.title_lines) != self.title:
            raise ValueError("标题分行 (title_lines) 连起来与标题 (title) 不一致")
        return self

    @property
    def finding_ordinal(self) -> str:
        """第十六项: the finding's number as the seed's intro writes it."""
        return f"第{wording.chinese_numeral(self.finding.number)}项"


# --- the site file -----------------------------------------------------------------------------------------

class Kind(Model):
    """A kind of notice (整改情况公示, 验收公示 …): its sections and the wording templates it uses."""

    sections: list[SectionSpec] = Field(title="章节", min_length=1)
    heading_colon: bool = Field(False, title="标题加冒号", description="一级标题后是否加“：”")
    intro: str | None = Field(None, title="导语模板", description="Jinja 模板，可用 notice 的各字段")
    objection: str | None = Field(None, title="异议说明模板", description="公示期一句的模板")

    @field_validator("intro", "objection")
    @classmethod
    def _wording_template(cls, value: str | None) -> str | None:
        """These templates are wording: the values put into them are escaped, but their own text would reach
        the page as HTML, so it may hold no markup. A syntax error is found here, with its line, not mid-build."""
        if value is None:
            return value
        if re.search(r"<\s*[A-Za-z!/?]", value):
            raise ValueError("模板只能包含文字和 {{ 字段 }}，不能包含 HTML 标记（<…>）")
        from jinja2 import TemplateSyntaxError
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        try:
            ImmutableSandboxedEnvironment().parse(value)
        except TemplateSyntaxError as exc:
            raise ValueError(f"模板语法错误：{exc.message}") from None
        return value


class Fonts(Model):
    """Ordered font families per role: licensed office fonts first, then open fonts `make demo` installs."""

    title: list[str] = Field(title="标题字体", min_length=1)
    body: list[str] = Field(title="正文字体", min_length=1)
    heading1: list[str] = Field(title="一级标题字体", min_length=1)
    heading2: list[str] = Field(title="二级标题字体", min_length=1)
    page_number: list[str] = Field(title="页码字体", min_length=1)


class Status(Model):
    name: str = Field(title="状态名称")
    done: bool = Field(False, title="已完成")


class Limits(Model):
    """Resource bounds, enforced before parsing or decoding (gazette/loader.py): a file's size before it is
    read, nesting, node and list counts while the YAML is scanned (before any object is built), an image's
    bytes and pixels from its header before it is decoded. Upper bounds keep a typo from disabling a limit."""

    max_file_bytes: int = Field(1_000_000, title="单个文件大小上限（字节）", ge=1000, le=100_000_000)
    max_list_items: int = Field(500, title="列表条目上限", ge=1, le=100_000)
    max_nodes: int = Field(10_000, title="YAML 节点数上限", ge=100, le=5_000_000)
    max_depth: int = Field(20, title="嵌套层数上限", ge=5, le=200)
    max_image_bytes: int = Field(10_000_000, title="图片文件大小上限（字节）", ge=1000, le=200_000_000)
    max_image_pixels: int = Field(40_000_000, title="图片像素上限", ge=1000, le=400_000_000)


def _web_url(value: Any) -> Any:
    """A link the site writes into an href: http(s) only, so no javascript: or data: URL reaches a page."""
    if isinstance(value, str) and not re.match(r"^https?://[^\s\"'<>]+$", value.strip()):
        raise ValueError(f"应为以 http:// 或 https:// 开头的网址，实际是 {value[:60]!r}")
    return value


WebURL = Annotated[str, BeforeValidator(_web_url)]


class Signing(Model):
    """Defaults for `gazette sign`; every one can be overridden on the command line. Paths are relative to the
    content folder. The certificate's password is never written here: it comes from the environment variable
    named by password_env, or is asked for."""

    p12: str | None = Field(None, title="签名证书", description="PKCS#12 证书文件（.p12/.pfx）", examples=["../keys/hbj.p12"])
    password_env: str = Field("GAZETTE_P12_PASSWORD", title="密码环境变量", description="保存证书密码的环境变量名")
    level: Literal["B-B", "B-T", "B-LT", "B-LTA"] = Field("B-LTA", title="PAdES 级别",
                                                          description="归档用 B-LTA（缺省）；B-T 及以上需要时间戳服务器")
    tsa_url: str | None = Field(None, title="时间戳服务器", description="RFC 3161 时间戳服务器地址",
                                examples=["http://tsa.example.gov.cn/tsr"])
    trust_roots: list[str] = Field(default_factory=list, title="根证书", description="验证签名用的根证书（PEM/DER）")
    crls: list[str] = Field(default_factory=list, title="证书吊销列表", description="本地 CRL 文件，B-LT/B-LTA 会嵌入")
    seal: str | None = Field(None, title="签章图片", description="可见签名的印章图片（PNG），盖在落款处")
    reason: str | None = Field(None, title="签名原因", examples=["整改情况公示"])
    location: str | None = Field(None, title="签名地点")


class Portal(Model):
    """The website's identity and listing settings. Government-site rules want the 主办/承办单位, the 网站标识码 and
    the 备案 numbers in every footer, and the site-monitoring <meta> tags (SiteIDCode, ColumnType …) on every page."""

    sponsor: str | None = Field(None, title="主办单位", description="缺省为发布单位")
    operator: str | None = Field(None, title="承办单位")
    contact: str | None = Field(None, title="网站联系方式", examples=["0992-0000000，zgb@example.gov.cn"])
    site_code: str | None = Field(None, title="网站标识码", pattern=r"^[0-9A-Za-z]{4,20}$", examples=["6542020001"])
    icp: str | None = Field(None, title="ICP备案号", examples=["新ICP备00000000号"])
    icp_url: WebURL | None = Field(None, title="ICP备案查询地址")
    police_record: str | None = Field(None, title="公安机关备案号", examples=["新公网安备 65420202000001号"])
    police_record_url: WebURL | None = Field(None, title="公安机关备案查询地址")
    police_badge: str | None = Field(None, title="公安备案图标",
                                     description="图片路径，相对于内容文件夹；缺省使用网站自带的图标")
    government_badge: str | None = Field(None, title="党政机关网站标识",
                                         description="图片路径，相对于内容文件夹；不填则不显示")
    government_badge_url: WebURL | None = Field(None, title="党政机关网站标识链接")
    column_type: str = Field("信息公开", title="栏目类型", description="列表页的 ColumnType 标签")
    column_description: str | None = Field(None, title="栏目描述", description="首页的 ColumnDescription 标签")
    keywords: list[str] = Field(default_factory=list, title="栏目关键词", description="ColumnKeywords 标签")
    page_size: int = Field(20, title="每页条数", ge=1, le=500, description="列表页每页显示的公示数")


class PdfSettings(Model):
    variant: Literal["pdf/a-3b", "pdf/a-3u", "pdf/a-2b", "pdf/a-2u"] = Field(
        "pdf/a-3b", title="PDF/A 版本",
        description="pdf/a-3b（缺省，可内嵌 YAML 源文件）、pdf/a-3u、pdf/a-2b 或 pdf/a-2u；不支持 1b（中文 CFF 字体无法满足）")


class Site(Model):
    title: str = Field(title="网站标题")
    organisation: str = Field(title="发布单位", max_length=100)  # also a DOCX property: 255 characters at most
    base_url: WebURL | None = Field(None, title="网站地址", examples=["https://www.example.gov.cn/zgwtgs/"])
    language: str = Field("zh-CN", title="语言")
    contact: Contact | None = Field(None, title="默认联系方式")
    default_kind: str = Field(title="默认公示类型")
    kinds: dict[str, Kind] = Field(title="公示类型")
    statuses: list[Status] = Field(title="整改状态", min_length=1)
    fonts: Fonts = Field(title="字体")
    holidays: list[Date] = Field(default_factory=list, title="法定节假日", description="计算工作日时跳过")
    workdays: list[Date] = Field(default_factory=list, title="调休上班日", description="计算工作日时计入的周末")
    limits: Limits = Field(default_factory=Limits, title="资源上限")
    pdf: PdfSettings = Field(default_factory=PdfSettings, title="PDF 设置")
    portal: Portal = Field(default_factory=Portal, title="网站标识与栏目", description="网站页脚、<meta> 标签和列表页设置")
    signing: Signing = Field(default_factory=Signing, title="签名设置", description="gazette sign 和 gazette verify 的缺省设置")

    @model_validator(mode="after")
    def _check_default_kind(self) -> "Site":
        if self.default_kind not in self.kinds:
            raise ValueError(f"默认公示类型 {self.default_kind!r} 不在 kinds 中（有：{'、'.join(self.kinds)}）")
        return self

    def status_names(self) -> list[str]:
        return [s.name for s in self.statuses]
