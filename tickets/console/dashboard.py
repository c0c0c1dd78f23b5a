"""The statistics dashboard (`/staff/stats`) and its report downloads (PDF, XLSX).

Staff and leads see their own department's figures; supervisors, admins and observers see every
department (observers with the examples of recurring problems masked, as everywhere in the console).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from nlu.places import current_units
from tickets.calendar.sla import LOCAL_TZ
from tickets.console import texts
from tickets.console.pages import TEMPLATES, Console
from tickets.domain import access
from tickets.reports import charts, metrics
from tickets.reports.builder import build_report
from tickets.reports.data import Cluster, ClusterTicket, Filters, Period, Report
from tickets.reports.pdf import render_pdf
from tickets.reports.workbook import render_xlsx
from tickets.storage.models import Role

Clusterer = Callable[[Period, Filters], list[Cluster]]
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_choices(today: date) -> list[tuple[str, str]]:
    """The periods offered in the picker, newest first: the last 12 months, 4 quarters, 2 half-years, 3 years."""
    choices = []
    year, month = today.year, today.month
    for _ in range(12):
        choices.append((f"{year}-{month:02d}", f"Tháng {month}/{year}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    quarter, year = (today.month - 1) // 3 + 1, today.year
    for _ in range(4):
        choices.append((f"{year}-Q{quarter}", f"Quý {quarter}/{year}"))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    half, year = (1 if today.month <= 6 else 2), today.year
    for _ in range(2):
        choices.append((f"{year}-H{half}", f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"))
        year, half = (year - 1, 2) if half == 1 else (year, 1)
    choices += [(f"{y}", f"Năm {y}") for y in range(today.year, today.year - 3, -1)]
    return choices


def chosen_period(period: str, first: str, last: str, today: date) -> Period:
    """The period asked for: `from`/`to` dates when both are given, else a period code, else this month."""
    if first and last:
        return Period.between_days(first, last)
    return Period.parse(period or f"{today.year}-{today.month:02d}")


def masked(report: Report) -> Report:
    """The report as an observer may read it: the examples' texts masked."""
    clusters = [
        replace(c, examples=[ClusterTicket(e.code, access.mask_text(e.excerpt)) for e in c.examples])
        for c in report.clusters
    ]
    return replace(report, clusters=clusters)


# The report's own ways of writing figures: "83,3 %", "2,5", "—" where there was nothing to measure.
TEMPLATES.env.filters["percent"] = metrics.rate_text
TEMPLATES.env.filters["number"] = lambda value, digits=1: charts.vn_number(value, digits)


def dashboard_routes(console: Console, clusters: Clusterer | None = None) -> APIRouter:
    router = APIRouter(prefix="/staff")

    def report_for(
        request: Request, period: str, first: str, last: str, filters: Filters
    ) -> tuple[object, Report | Response]:
        who, refused = console.gate(request)
        if refused is not None:
            return who, refused
        now = console.clock()
        try:
            chosen = chosen_period(period, first, last, now.astimezone(LOCAL_TZ).date())
        except ValueError as error:
            return who, console.message(request, who, str(error), 422)
        if who.user.role in (Role.staff, Role.lead):
            filters = replace(filters, department=who.user.department)
        with console.database.session() as session:
            report = build_report(
                session,
                chosen,
                filters,
                now=now,
                catalog=console.catalog,
                clusters=clusters,
                channel_names=console.channel_labels,
            )
        return who, masked(report) if access.masks_personal_data(who.user) else report

    def filters_of(department: str, topic: str, channel: str, ward: str) -> Filters:
        return Filters(
            department=department if department in console.catalog.departments else None,
            topic=topic if topic in console.catalog.topics else None,
            channel=channel if channel in console.channel_labels else None,
            ward=ward.strip()[:64] or None,
        )

    @router.get("/stats", response_class=HTMLResponse)
    def dashboard(
        request: Request,
        period: str = "",
        first: str = "",
        last: str = "",
        department: str = "",
        topic: str = "",
        channel: str = "",
        ward: str = "",
    ) -> Response:
        who, report = report_for(request, period, first, last, filters_of(department, topic, channel, ward))
        if isinstance(report, Response):
            return report
        now = console.clock().astimezone(LOCAL_TZ).date()
        drawn = {
            "trend": charts.trend_chart(report.months),
            "topics": charts.bar_chart(
                [(row.label, row.received) for row in report.by_topic], title="Phản ánh nhận theo lĩnh vực"
            ),
            "departments": charts.bar_chart(
                [(row.label, row.received) for row in report.by_department], title="Phản ánh nhận theo đơn vị"
            ),
            "channels": charts.bar_chart(
                [(row.label, row.received) for row in report.by_channel], title="Phản ánh nhận theo kênh"
            ),
        }
        figures = metrics.figures(report)
        query = request.url.query
        return console.page(
            request,
            "stats.html",
            who,
            report=report,
            charts=drawn,
            figures=figures,
            cards=[f for f in figures if f.metric.card],
            choices=period_choices(now),
            query=query,
            chosen={
                "period": period,
                "first": first,
                "last": last,
                "department": report.filters.department or "",
                "topic": topic,
                "channel": channel,
                "ward": ward,
            },
            units=[u.name for u in current_units()],
        )

    @router.get("/stats/report.{extension}")
    def download(
        request: Request,
        extension: str,
        period: str = "",
        first: str = "",
        last: str = "",
        department: str = "",
        topic: str = "",
        channel: str = "",
        ward: str = "",
    ) -> Response:
        if extension not in ("pdf", "xlsx"):
            who, _ = console.gate(request)
            return console.message(request, who, texts.REPORT_FORMAT_UNKNOWN, 404)
        _, report = report_for(request, period, first, last, filters_of(department, topic, channel, ward))
        if isinstance(report, Response):
            return report
        body = render_pdf(report) if extension == "pdf" else render_xlsx(report)
        name = metrics.report_filename(report, extension)
        return Response(
            body,
            media_type=PDF if extension == "pdf" else XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router
