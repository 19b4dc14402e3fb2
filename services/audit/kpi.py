"""The council's KPIs for a fiscal year (April–March) or a month, derived from events only.

* registrants (not erased at the period's end) by age band × sex, age as of the period's end
  from the birth year (the only part of a birth date kept in the clear);
* people who worked, split at an average of 20 hours a week over the period, by age band;
* people who worked by sector;
* hours worked and rewards paid (RewardPaid in the period);
* offers, acceptance rate (offers that became the task's assignment ÷ offers made), fill
  rate (tasks carved in the period that were ever assigned ÷ tasks carved), median time to
  fill (carve → assignment);
* fairness: the Gini coefficient of minutes worked across active registrants (zeros count).
"""

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from audit.sources import Record
from broker.domain.task import Task
from broker.domain.worker import Worker
from payout.domain.reward import Reward

if TYPE_CHECKING:
    from uuid import UUID

TOKYO = ZoneInfo("Asia/Tokyo")
AGE_BANDS = ["≤54", "55–59", "60–64", "65–69", "70–74", "75+"]
SEXES = ["female", "male", "other", "unstated"]
SECTORS = {
    "agriculture_forestry": "農林業",
    "tourism": "観光業",
    "manufacturing": "製造業",
    "medical_welfare": "医療・福祉",
    "daily_life_services": "生活サービス",
    "other": "その他",
}
WEEKLY_LINE_MINUTES = 20 * 60
WEEK_DAYS = 7
STYLE = (
    'body{font-family:"BIZ UDPGothic","Noto Sans JP",sans-serif;max-width:56rem;'
    "margin:1rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;margin:.5rem 0}"
    "th,td{border:1px solid #666;padding:.2rem .6rem;text-align:right}"
    "figure{margin:1rem 0}figcaption{font-weight:bold}"
)


@dataclass(frozen=True)
class Span:
    """A reporting period in Asia/Tokyo, inclusive."""

    label: str
    start: date
    end: date

    @classmethod
    def fiscal_year(cls, year: int) -> "Span":
        """FY2025 = 2025-04-01 … 2026-03-31."""
        return cls(f"FY{year}", date(year, 4, 1), date(year + 1, 3, 31))

    @classmethod
    def month(cls, text: str) -> "Span":
        """2026-03."""
        year, month = (int(part) for part in text.split("-"))
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(text, date(year, month, 1), following - timedelta(days=1))

    def holds(self, moment: datetime) -> bool:
        """True when the moment falls in the period (Tokyo dates)."""
        return self.start <= moment.astimezone(TOKYO).date() <= self.end

    @property
    def weeks(self) -> float:
        """Length in weeks."""
        return ((self.end - self.start).days + 1) / WEEK_DAYS


def age_band(birth_year: int, on: date) -> str:
    """The council's age band, by age reached in the year of `on`."""
    age = on.year - birth_year
    for limit, band in ((54, "≤54"), (59, "55–59"), (64, "60–64"), (69, "65–69"), (74, "70–74")):
        if age <= limit:
            return band
    return "75+"


def gini(values: list[int]) -> float:
    """0: everyone worked the same; towards 1: a few did all of it."""
    if not values or sum(values) == 0:
        return 0.0
    ordered = sorted(values)
    n = len(ordered)
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * sum(ordered)) - (n + 1) / n


def kpi(broker: Record, payout: Record, span: Span, tenant: str) -> dict[str, Any]:  # noqa: C901, PLR0912, PLR0915 - one pass over the record
    """The KPI tables for one council and period, from the stored events."""
    birth: dict[UUID, int] = {}
    sex: dict[UUID, str] = {}
    registered_at: dict[UUID, datetime] = {}
    erased: set[UUID] = set()
    carved: dict[UUID, datetime] = {}
    sector_of: dict[UUID, str] = {}
    assigned_at: dict[UUID, datetime] = {}
    offers = 0
    won_offers = 0
    minutes: dict[UUID, int] = defaultdict(int)
    sector_workers: dict[str, set[UUID]] = defaultdict(set)
    for _, event in broker.events():
        if getattr(event, "tenant", tenant) != tenant and isinstance(
            event, Worker.Registered | Task.CarvedOut
        ):
            continue
        match event:
            case Worker.Registered():
                if event.timestamp.astimezone(TOKYO).date() <= span.end:
                    birth[event.originator_id] = event.birth_year
                    sex[event.originator_id] = event.sex
                    registered_at[event.originator_id] = event.timestamp
            case Worker.Erased():
                if event.timestamp.astimezone(TOKYO).date() <= span.end:
                    erased.add(event.originator_id)
            case Task.CarvedOut():
                sector_of[event.originator_id] = event.sector
                if span.holds(event.timestamp):
                    carved[event.originator_id] = event.timestamp
            case Task.Offered():
                if event.originator_id in sector_of and span.holds(event.timestamp):
                    offers += 1
            case Task.Accepted():
                if event.originator_id in sector_of and span.holds(event.timestamp):
                    if event.offer_id is not None:
                        won_offers += 1
                    assigned_at.setdefault(event.originator_id, event.timestamp)
            case Task.WorkCompleted():
                if event.originator_id in sector_of and span.holds(event.finished_at):
                    minutes[event.worker_id] += event.worked_minutes
                    sector_workers[sector_of[event.originator_id]].add(event.worker_id)
            case _:
                continue
    registrants = [w for w in birth if w not in erased]
    by_age_sex = {band: dict.fromkeys(SEXES, 0) for band in AGE_BANDS}
    for worker in registrants:
        by_age_sex[age_band(birth[worker], span.end)][sex.get(worker, "unstated")] += 1
    worked_split = {band: {"20時間以上": 0, "20時間未満": 0} for band in AGE_BANDS}
    for worker, total in minutes.items():
        if worker not in birth:
            continue
        line = "20時間以上" if total / span.weeks >= WEEKLY_LINE_MINUTES else "20時間未満"
        worked_split[age_band(birth[worker], span.end)][line] += 1
    paid_yen = 0
    tenant_of: dict[UUID, str] = {}
    for _, event in payout.events():
        if isinstance(event, Reward.Accrued):
            tenant_of[event.originator_id] = event.tenant
        elif (
            isinstance(event, Reward.Paid)
            and tenant_of.get(event.originator_id) == tenant
            and span.start <= event.paid_on <= span.end
        ):
            paid_yen += event.amount
    filled = [
        (assigned_at[task] - carved[task]).total_seconds() / 3600
        for task in carved
        if task in assigned_at
    ]
    return {
        "tenant": tenant,
        "period": span.label,
        "from": span.start.isoformat(),
        "to": span.end.isoformat(),
        "registrants_by_age_and_sex": by_age_sex,
        "registrants": len(registrants),
        "worked_by_age_and_weekly_hours": worked_split,
        "people_who_worked": len(minutes),
        "worked_by_sector": {
            label: len(sector_workers.get(code, set())) for code, label in SECTORS.items()
        },
        "hours_worked": round(sum(minutes.values()) / 60, 1),
        "rewards_paid_yen": paid_yen,
        "offers": offers,
        "acceptance_rate": round(won_offers / offers, 3) if offers else None,
        "tasks_carved": len(carved),
        "fill_rate": round(len(filled) / len(carved), 3) if carved else None,
        "median_hours_to_fill": round(statistics.median(filled), 1) if filled else None,
        "gini_minutes_worked": round(gini([minutes.get(w, 0) for w in registrants]), 3),
    }


def as_csv(report: dict[str, Any]) -> str:
    """One row per figure: table, row, column, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["table", "row", "column", "value"])
    for key, value in report.items():
        if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
            for row, columns in value.items():
                for column, figure in columns.items():
                    writer.writerow([key, row, column, figure])
        elif isinstance(value, dict):
            for row, figure in value.items():
                writer.writerow([key, row, "", figure])
        else:
            writer.writerow([key, "", "", "" if value is None else value])
    return out.getvalue()


def bar_chart(title: str, values: dict[str, int]) -> str:
    """A horizontal bar chart as inline SVG (no scripts, prints as is)."""
    width, bar, gap, label_w = 480, 22, 8, 120
    top = max(values.values(), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(values.items()):
        y = index * (bar + gap)
        length = int((width - label_w - 60) * value / top)
        rows.append(
            f'<text x="0" y="{y + 16}" font-size="14">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar}" fill="#0b5394"/>'
            f'<text x="{label_w + length + 6}" y="{y + 16}" font-size="14">{value}</text>'
        )
    height = len(values) * (bar + gap)
    return (
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(rows)}</svg></figure>'
    )


def as_html(report: dict[str, Any]) -> str:
    """A page with the tables and charts."""
    by_band = {
        band: sum(row.values()) for band, row in report["registrants_by_age_and_sex"].items()
    }
    over = {
        band: row["20時間以上"] for band, row in report["worked_by_age_and_weekly_hours"].items()
    }
    under = {
        band: row["20時間未満"] for band, row in report["worked_by_age_and_weekly_hours"].items()
    }

    def table(title: str, rows: dict[str, dict[str, int]]) -> str:
        columns = list(next(iter(rows.values())).keys())
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = "".join(
            f"<tr><th>{escape(r)}</th>" + "".join(f"<td>{v}</td>" for v in row.values()) + "</tr>"
            for r, row in rows.items()
        )
        return f"<h2>{escape(title)}</h2><table><tr><th></th>{head}</tr>{body}</table>"

    figures = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(report[k]))}</td></tr>"
        for k in (
            "registrants",
            "people_who_worked",
            "hours_worked",
            "rewards_paid_yen",
            "offers",
            "acceptance_rate",
            "tasks_carved",
            "fill_rate",
            "median_hours_to_fill",
            "gini_minutes_worked",
        )
    )
    registrants = table(
        "登録者数（年齢×性別） Registrants by age band and sex",
        report["registrants_by_age_and_sex"],
    )
    worked = table(
        "就業者数（年齢×週平均就業時間） People who worked",
        report["worked_by_age_and_weekly_hours"],
    )
    charts = "".join(
        (
            bar_chart("登録者数（年齢） Registrants by age band", by_band),
            bar_chart("週20時間以上 Worked 20 h a week or more", over),
            bar_chart("週20時間未満 Worked under 20 h a week", under),
            bar_chart("分野別就業者数 People who worked by sector", report["worked_by_sector"]),
        )
    )
    period, tenant = escape(report["period"]), escape(report["tenant"])
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<title>KPI {period} — {tenant}</title>
<style>{STYLE}</style></head><body>
<h1>しごとコンビニ 実績報告 (KPI) {period}</h1>
<p>{tenant}: {escape(report["from"])} 〜 {escape(report["to"])}</p>
<table>{figures}</table>
{registrants}
{worked}
{charts}
</body></html>
"""
