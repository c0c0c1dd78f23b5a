"""What a dialogue session's report says, whatever its format: the headline metrics (how each is computed
from the period's measures, its label, its direction, its dashboard card), the Vietnamese texts and number
formats, and the names for the codes a report mentions.

A metric is one `Metric` in `METRICS`: the summary (`tickets.reports.stats.summary`), the dashboard's cards
and table, the PDF (`tickets.reports.pdf`) and the workbook (`tickets.reports.workbook`) all read it here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from tickets.calendar.sla import LOCAL_TZ
from tickets.reports.charts import vn_number
from tickets.reports.data import Measures, Report, Summary, ratio

REPORT_TITLE = "Báo cáo tình hình tiếp nhận và giải quyết phản ánh, kiến nghị của doanh nghiệp"
REPORT_SUBTITLE = "Tài liệu phục vụ hội nghị đối thoại doanh nghiệp"
UNKNOWN = "Chưa xác định"
ALL_SCOPE = "Toàn bộ phản ánh (không lọc)"
SCOPE_LABELS = {"department": "Đơn vị", "topic": "Chủ đề", "channel": "Kênh", "ward": "Phường, xã"}
SAME = "không đổi"
CHART_TITLES = {
    "topic": "Phản ánh tiếp nhận theo chủ đề",
    "department": "Phản ánh tiếp nhận theo đơn vị",
    "on_time": "Tỷ lệ giải quyết đúng hạn theo đơn vị",
}
SHEETS = {
    "summary": "Tổng hợp",
    "topic": "Theo chủ đề",
    "department": "Theo đơn vị",
    "channel": "Theo kênh",
    "ward": "Theo phường xã",
    "month": "Theo tháng",
    "scoreboard": "Bảng xếp hạng",
    "overdue": "Quá hạn",
    "clusters": "Vấn đề lặp lại",
    "commitments": "Cam kết đối thoại",
}


@dataclass(frozen=True)
class Metric:
    """A headline figure of `Summary`: computed from the period's `Measures`; `better` is +1 when more is
    better, -1 when less is, 0 when neither; `card` is its caption when the dashboard shows it as a card."""

    field: str
    label: str
    kind: str  # "count", "rate", "days" or "score"
    better: int
    compute: Callable[[Measures], float | None]
    card: str | None = None


METRICS = (
    Metric("received", "Phản ánh tiếp nhận", "count", 0, lambda m: m.received, card="phản ánh nhận"),
    Metric("resolved", "Phản ánh đã giải quyết", "count", 1, lambda m: m.resolved, card="đã giải quyết"),
    Metric("backlog", "Phản ánh tồn đọng cuối kỳ", "count", -1, lambda m: m.backlog, card="đang tồn"),
    Metric("backlog_median_age_days", "Thời gian tồn đọng (trung vị)", "days", -1, lambda m: m.backlog_age.median),
    Metric("backlog_oldest_age_days", "Phản ánh tồn đọng lâu nhất", "days", -1, lambda m: m.backlog_age.longest),
    Metric("overdue", "Phản ánh quá hạn", "count", -1, lambda m: m.overdue, card="quá hạn"),
    Metric(
        "on_time_rate", "Tỷ lệ giải quyết đúng hạn", "rate", 1, lambda m: ratio(m.on_time, m.resolved), card="đúng hạn"
    ),
    Metric(
        "acknowledge_median_days",
        "Thời gian phản hồi ban đầu (trung vị)",
        "days",
        -1,
        lambda m: m.acknowledge.median,
    ),
    Metric("acknowledge_p90_days", "Thời gian phản hồi ban đầu (phân vị 90)", "days", -1, lambda m: m.acknowledge.p90),
    Metric("resolve_median_days", "Thời gian giải quyết (trung vị)", "days", -1, lambda m: m.resolution.median),
    Metric("resolve_p90_days", "Thời gian giải quyết (phân vị 90)", "days", -1, lambda m: m.resolution.p90),
    Metric(
        "satisfaction_mean",
        "Mức hài lòng trung bình (thang 5)",
        "score",
        1,
        lambda m: m.rating_mean,
        card="điểm hài lòng (thang 5)",
    ),
    Metric(
        "satisfaction_share_4_plus",
        "Tỷ lệ đánh giá hài lòng (4–5 sao)",
        "rate",
        1,
        lambda m: ratio(m.rated_4_plus, m.rated),
    ),
    Metric("rating_response_rate", "Tỷ lệ doanh nghiệp gửi đánh giá", "rate", 1, lambda m: ratio(m.rated, m.resolved)),
    Metric("reopen_rate", "Tỷ lệ phản ánh phải mở lại", "rate", -1, lambda m: ratio(m.reopened, m.resolved)),
    Metric("transfer_rate", "Tỷ lệ phản ánh chuyển đơn vị", "rate", -1, lambda m: ratio(m.transferred, m.received)),
    Metric(
        "self_service_rate",
        "Tỷ lệ trợ lý tự giải đáp",
        "rate",
        1,
        lambda m: ratio(m.self_served, m.topical_conversations),
        card="trợ lý tự giải đáp",
    ),
    Metric("topical_conversations", "Hội thoại hỏi đáp theo chủ đề", "count", 0, lambda m: m.topical_conversations),
)


def summarise(measures: Measures) -> Summary:
    """Every headline metric of the period."""
    return Summary({metric.field: metric.compute(measures) for metric in METRICS})


@dataclass(frozen=True)
class Figure:
    """One metric of a report as a reader sees it: this period, the previous one, the change and its tone."""

    metric: Metric
    current: float | None
    previous: float | None
    now: str  # `current` as written in the report
    before: str  # `previous` as written
    change: str
    tone: str  # "better", "worse" or ""


def figures(report: Report) -> list[Figure]:
    """Every headline metric of the report, formatted, in the order of `METRICS`."""
    found = []
    for metric in METRICS:
        current, previous = getattr(report.summary, metric.field), getattr(report.previous, metric.field)
        text, tone = change(metric, current, previous)
        now, before = value_text(metric.kind, current), value_text(metric.kind, previous)
        found.append(Figure(metric, current, previous, now, before, text, tone))
    return found


# ------------------------------------------------------------------ Vietnamese number formats


def rate_text(value: float | None) -> str:
    """0.8333 -> "83,3 %"; None -> "—"."""
    return "—" if value is None else f"{vn_number(value * 100, 1)} %"


def days_text(value: float | None, *, unit: bool = True) -> str:
    """2.5 -> "2,5 ngày làm việc" ("2,5" without the unit); None -> "—"."""
    return "—" if value is None else vn_number(value, 1) + (" ngày làm việc" if unit else "")


def value_text(kind: str, value: float | None) -> str:
    """A headline figure as the summary shows it."""
    if kind == "rate":
        return rate_text(value)
    if kind == "days":
        return days_text(value)
    return vn_number(value, 1 if kind == "score" else 0)


def change(metric: Metric, current: float | None, previous: float | None) -> tuple[str, str]:
    """The change against the previous period and its tone ("better", "worse" or "").

    Counts change in per cent of the previous figure ("↑ 12 %"), rates in percentage points
    ("↓ 3,2 điểm %"), durations in working days ("↓ 0,5 ngày") and satisfaction in points ("↑ 0,2 điểm").
    """
    if current is None or previous is None:
        return "—", ""
    diff = current - previous
    if metric.kind == "count":
        if previous == 0:
            amount = vn_number(abs(diff))
        else:
            share = abs(diff) / previous * 100
            amount = f"{vn_number(share, 0 if share >= 10 else 1)} %"
    else:
        amount = vn_number(abs(diff) * (100 if metric.kind == "rate" else 1), 1)
        amount += {"rate": " điểm %", "days": " ngày", "score": " điểm"}[metric.kind]
    if diff == 0 or amount.startswith(("0 ", "0,0 ")) or amount in {"0", "0,0"}:
        return SAME, ""
    tone = "" if metric.better == 0 else ("better" if diff * metric.better > 0 else "worse")
    return f"{'↑' if diff > 0 else '↓'} {amount}", tone


def local(moment: datetime) -> datetime:
    """`moment` in Ho Chi Minh City time, still aware (a naive moment is taken as UTC, as the database keeps it)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


def report_filename(report: Report, extension: str) -> str:
    """An ASCII file name for downloads, such as "bao-cao-doi-thoai-2026-H1.pdf"."""
    return f"bao-cao-doi-thoai-{report.period.label.replace('..', '_')}.{extension}"


# ------------------------------------------------------------------ names


class Names:
    """Labels for the codes a report mentions: the rows' own labels first, then `department_names`."""

    def __init__(self, report: Report, department_names: Mapping[str, str] | None) -> None:
        self.departments = {**(department_names or {})}
        self.departments.update({row.key: row.label for row in report.by_department if row.label})
        self.departments.update({row.department: row.name for row in report.scoreboard if row.name})
        self.topics = {row.key: row.label for row in report.by_topic if row.label}
        self.extra = {
            "channel": {r.key: r.label for r in report.by_channel},
            "ward": {r.key: r.label for r in report.by_ward},
        }

    def department(self, code: str, given: str = "") -> str:
        return given or self.departments.get(code) or code or UNKNOWN

    def topic(self, code: str) -> str:
        return self.topics.get(code) or code or UNKNOWN

    def scope(self, report: Report) -> str:
        """The report's filters in words ("Đơn vị: Cục Thuế …; Kênh: Zalo")."""
        found = {"department": self.department, "topic": self.topic}
        parts = []
        for name, title in SCOPE_LABELS.items():
            code = getattr(report.filters, name)
            if code is not None:
                label = found[name](code) if name in found else self.extra[name].get(code) or code
                parts.append(f"{title}: {label}")
        return "; ".join(parts) or ALL_SCOPE


def label_or_code(label: str, key: str) -> str:
    """A row's label, else its code, else "Chưa xác định"."""
    return label or key or UNKNOWN
