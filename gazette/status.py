"""Where rectification stands: counts by status, findings past their deadline, 公示期 about to end.

`status_summary` returns plain data, so the same numbers can feed `gazette status` (a table in the terminal, exit
code 2 when something is overdue, for scheduled jobs) and a page of the site (`as_dict` is JSON-ready).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from gazette.loader import Content
from gazette.model import Notice

PUBLICITY_WARNING_DAYS = 7  # "ending within a week"


@dataclass(frozen=True)
class StatusCount:
    status: str
    done: bool
    count: int


@dataclass(frozen=True)
class RegionCount:
    region: str
    total: int
    done: int
    overdue: int


@dataclass(frozen=True)
class Item:
    """One notice as the summary lists it."""

    id: str
    region: str
    number: int
    title: str
    status: str
    date: dt.date  # the deadline's last day (overdue) or the 公示期's last day (ending)
    days: int  # days past the deadline, or days left in the 公示期 (0: ends today)


@dataclass
class StatusSummary:
    as_of: dt.date
    total: int
    done: int
    counts: list[StatusCount] = field(default_factory=list)
    regions: list[RegionCount] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    publicity_ending: list[Item] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        return _iso_dates(data)


def _iso_dates(value: object) -> object:
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def status_summary(content: Content, as_of: dt.date | None = None) -> StatusSummary:
    as_of = as_of or dt.date.today()
    done_statuses = {s.name for s in content.site.statuses if s.done}
    notices = sorted(content.notices, key=lambda n: (n.region, n.finding.number, n.id))
    summary = StatusSummary(as_of=as_of, total=len(notices),
                            done=sum(1 for n in notices if n.status in done_statuses))
    for status in content.site.statuses:
        summary.counts.append(StatusCount(status.name, status.done, sum(1 for n in notices if n.status == status.name)))
    for notice in notices:
        due = notice.deadline.due if notice.deadline else None
        if due and due < as_of and notice.status not in done_statuses:
            summary.overdue.append(_item(notice, due, (as_of - due).days))
        end = notice.publicity.end if notice.publicity else None
        if end and as_of <= end <= as_of + dt.timedelta(days=PUBLICITY_WARNING_DAYS):
            summary.publicity_ending.append(_item(notice, end, (end - as_of).days))
    for region in sorted({n.region for n in notices}):
        mine = [n for n in notices if n.region == region]
        summary.regions.append(RegionCount(
            region, len(mine), sum(1 for n in mine if n.status in done_statuses),
            sum(1 for item in summary.overdue if item.region == region)))
    summary.overdue.sort(key=lambda item: -item.days)
    summary.publicity_ending.sort(key=lambda item: item.days)
    return summary


def _item(notice: Notice, date: dt.date, days: int) -> Item:
    return Item(id=notice.id, region=notice.region, number=notice.finding.number, title=notice.title,
                status=notice.status, date=date, days=days)
