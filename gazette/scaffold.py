"""`gazette new`: a new notice file from the site defaults, valid from the first moment.

The file is written from templates/new-notice.yaml.j2: its comments teach the fields, every value is valid (so
the notice builds at once), and what still needs writing says 待填写, which `gazette check` lists. The first line
points VS Code's YAML extension at the content schema, so fields complete while typing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from gazette import wording
from gazette.errors import ContentErrors, GazetteError, display_path
from gazette.loader import NOTICES_DIR, load_notice, load_site, notice_files
from gazette.model import Inspection, Notice, Site
from gazette.schema import modeline, write_schemas
from gazette.yaml_spans import scalar

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class NewNotice:
    """What `gazette new` asks for; everything else comes from site.yaml and the newest notice."""

    number: int
    region: str
    title: str | None = None  # None: the template's default title
    id: str | None = None
    kind: str | None = None
    published: dt.date | None = None


def existing_notices(root: Path, site: Site) -> list[Notice]:
    """The notices that load (a broken file elsewhere must not stop anyone from starting a new one)."""
    notices = []
    for path in notice_files(root):
        try:
            notices.append(load_notice(path, site, root)[0])
        except ContentErrors:
            continue
    return sorted(notices, key=lambda n: (n.published, n.id), reverse=True)


def suggest_id(notices: list[Notice], region: str, number: int) -> str | None:
    """wusu-17 when wusu-16 is a notice of the same region: staff keep one prefix per region."""
    for notice in notices:
        if notice.region == region:
            prefix = re.sub(r"-?\d+$", "", notice.id)
            if prefix:
                return f"{prefix}-{number}"
    return None


def render(request: NewNotice, site: Site, notices: list[Notice], path: Path, root: Path) -> str:
    kind_name = request.kind or site.default_kind
    kind = site.kinds[kind_name]
    published = request.published or dt.date.today()
    # the same inspection as the newest notice: new notices usually come from the same batch
    inspection = notices[0].inspection if notices else Inspection(level="待填写：督察层级")
    open_statuses = [s.name for s in site.statuses if not s.done] or site.status_names()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = scalar
    return env.get_template("new-notice.yaml.j2").render(
        modeline=modeline(path, root),
        id=request.id,
        kind=kind_name,
        kinds=list(site.kinds),
        title=request.title,
        published=published.isoformat(),
        inspection=inspection,
        number=request.number,
        ordinal=f"第{wording.chinese_numeral(request.number)}项",
        region=request.region,
        status=open_statuses[0],
        statuses=site.status_names(),
        fields=[section.field for section in kind.sections],
        deadline=f"{published.year}年12月底",
    )


def create_notice(root: Path, request: NewNotice) -> Path:
    """Write content/notices/<id>.yaml (never over an existing file) and the schema its first line names."""
    site, _ = load_site(root)
    if request.kind and request.kind not in site.kinds:
        raise GazetteError(f"未知的公示类型 {request.kind!r}，应为以下之一：{'、'.join(site.kinds)}")
    if not ID_PATTERN.match(request.id or ""):
        raise GazetteError(f"编号 {request.id!r} 不符合要求：只能用小写字母、数字和连字符，如 wusu-17")
    path = root / NOTICES_DIR / f"{request.id}.yaml"
    if path.exists():
        raise GazetteError(f"{display_path(path)} 已经存在，请换一个编号")
    text = render(request, site, existing_notices(root, site), path, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_schemas(root)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path
