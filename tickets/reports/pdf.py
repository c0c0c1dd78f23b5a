"""A dialogue session's report as PDF, from a `tickets.reports.data.Report`.

HTML from a Jinja2 template (`templates/`) with the SVG charts of `tickets.reports.charts` inlined, laid out
on A4 by WeasyPrint, which is imported only when a report is rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from tickets.domain.notices import STATE_LABELS
from tickets.reports import charts
from tickets.reports.charts import vn_number
from tickets.reports.data import OverdueTicket, Report
from tickets.reports.metrics import (
    CHART_TITLES,
    REPORT_SUBTITLE,
    REPORT_TITLE,
    Names,
    days_text,
    figures,
    label_or_code,
    local,
    rate_text,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


# ------------------------------------------------------------------ PDF


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(
        number=vn_number,
        rate=rate_text,
        days=days_text,
        label=label_or_code,
        score=lambda value: vn_number(value, 1),
        day=lambda moment: local(moment).strftime("%d/%m/%Y"),
        moment=lambda moment: local(moment).strftime("%H:%M %d/%m/%Y"),
    )
    return env


def _charts(report: Report) -> dict[str, Markup]:
    """The report's charts; the SVG is built (and escaped) by `tickets.reports.charts`, so it is safe to inline."""
    topics = sorted(report.by_topic, key=lambda row: -row.received)
    departments = sorted(report.by_department, key=lambda row: -row.received)
    rated = sorted((row for row in report.by_department if row.resolved), key=lambda row: -(row.on_time_rate or 0))
    return {
        "trend": Markup(charts.trend_chart(report.months)),
        "topic": Markup(
            charts.bar_chart([(label_or_code(r.label, r.key), r.received) for r in topics], title=CHART_TITLES["topic"])
        ),
        "department": Markup(
            charts.bar_chart(
                [(label_or_code(r.label, r.key), r.received) for r in departments], title=CHART_TITLES["department"]
            )
        ),
        "on_time": Markup(
            charts.bar_chart(
                [
                    (label_or_code(r.label, r.key), None if r.on_time_rate is None else r.on_time_rate * 100)
                    for r in rated
                ],
                title=CHART_TITLES["on_time"],
                unit="%",
                decimals=1,
                max_value=100,
                colour=charts.RESOLVED_COLOUR,
            )
        ),
    }


def render_html(report: Report, *, department_names: Mapping[str, str] | None = None) -> str:
    """The report as one HTML document (the PDF's source), charts inlined as SVG."""
    names = Names(report, department_names)
    groups: dict[str, list[OverdueTicket]] = {}
    for ticket in sorted(report.overdue, key=lambda t: -t.overdue_days):
        groups.setdefault(ticket.department, []).append(ticket)
    overdue = sorted(groups.items(), key=lambda item: (-len(item[1]), names.department(item[0])))
    return (
        _environment()
        .get_template("report.html")
        .render(
            report=report,
            title=REPORT_TITLE,
            subtitle=REPORT_SUBTITLE,
            names=names,
            scope=names.scope(report),
            summary=figures(report),
            charts=_charts(report),
            overdue=overdue,
            state_labels=STATE_LABELS,
            breakdowns=[
                ("Theo chủ đề", "Chủ đề", report.by_topic),
                ("Theo đơn vị", "Đơn vị", report.by_department),
                ("Theo kênh tiếp nhận", "Kênh", report.by_channel),
                ("Theo phường, xã", "Phường, xã", report.by_ward),
            ],
        )
    )


def render_pdf(report: Report, *, department_names: Mapping[str, str] | None = None) -> bytes:
    """The report as an A4 PDF a session chair can hand out.

    Args:
        report: The figures, from `tickets.reports.stats`.
        department_names: Names for department codes the report's rows leave without one.
    """
    from weasyprint import CSS, HTML

    html = HTML(string=render_html(report, department_names=department_names), base_url=str(TEMPLATES_DIR))
    return html.write_pdf(stylesheets=[CSS(filename=str(TEMPLATES_DIR / "report.css"))])
