"""A dialogue session's report as an Excel workbook, `render_xlsx`.

One sheet per table, the header row bold, frozen and filterable. Cells are typed so that the figures can be
summed and charted: counts are integers, rates fractions shown as percentages ('0.0%'), durations working
days ('0.0'), moments real date cells in Ho Chi Minh City time without a zone (Excel has none). A figure
that could not be measured is an empty cell. openpyxl is imported with this module, not with the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tickets.domain.notices import STATE_LABELS
from tickets.reports.data import Report
from tickets.reports.metrics import REPORT_TITLE, SHEETS, Figure, Names, figures, label_or_code, local

INT, RATE, DAYS, SCORE = "#,##0", "0.0%", "0.0", "0.0"
DATETIME, MONTH = "dd/mm/yyyy hh:mm", "mm/yyyy"
FORMATS = {"count": INT, "rate": RATE, "days": DAYS, "score": SCORE}
DIFFERENCES = {
    "count": "+#,##0;-#,##0;0",
    "rate": "+0.0%;-0.0%;0.0%",
    "days": "+0.0;-0.0;0.0",
    "score": "+0.0;-0.0;0.0",
}
UNITS = {"count": "phản ánh", "rate": "%", "days": "ngày làm việc", "score": "điểm (1–5)"}
MAX_WIDTH = 60  # characters; longer text wraps

Column = tuple[str, str | None]  # header, number format
BREAKDOWN: list[Column] = [
    ("Mã", None),
    ("Tên", None),
    ("Tiếp nhận", INT),
    ("Đã giải quyết", INT),
    ("Quá hạn", INT),
    ("Tỷ lệ đúng hạn", RATE),
    ("Hài lòng trung bình (1–5)", SCORE),
]
SCOREBOARD: list[Column] = [
    ("Hạng", INT),
    ("Mã đơn vị", None),
    ("Đơn vị", None),
    ("Điểm (0–100)", SCORE),
    ("Tiếp nhận", INT),
    ("Đã giải quyết", INT),
    ("Quá hạn", INT),
    ("Tỷ lệ đúng hạn", RATE),
    ("Hài lòng trung bình (1–5)", SCORE),
    ("Tỷ lệ mở lại", RATE),
    ("Tỷ lệ chuyển đơn vị", RATE),
]
OVERDUE: list[Column] = [
    ("Mã phiếu", None),
    ("Mã đơn vị", None),
    ("Đơn vị", None),
    ("Chủ đề", None),
    ("Trạng thái", None),
    ("Tiếp nhận lúc", DATETIME),
    ("Hạn xử lý", DATETIME),
    ("Quá hạn (ngày làm việc)", DAYS),
]
CLUSTERS: list[Column] = [
    ("STT", INT),
    ("Vấn đề", None),
    ("Số phản ánh", INT),
    ("Chủ đề", None),
    ("Mã phiếu ví dụ", None),
    ("Trích nội dung", None),
]
COMMITMENTS: list[Column] = [
    ("Mã đơn vị", None),
    ("Đơn vị", None),
    ("Cam kết mới", INT),
    ("Thực hiện đúng hạn", INT),
    ("Thực hiện trễ hạn", INT),
    ("Chưa thực hiện (cuối kỳ)", INT),
    ("Trong đó quá hạn", INT),
]
MONTHS: list[Column] = [("Tháng", MONTH), ("Tiếp nhận", INT), ("Đã giải quyết", INT)]


def naive(moment: datetime) -> datetime:
    """`moment` in Ho Chi Minh City time, without its zone (Excel keeps none)."""
    return local(moment).replace(tzinfo=None)


def sheet_of(book: Workbook, name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Worksheet:
    """A sheet with a bold, frozen, filterable header row and one typed row per item; widths follow the content."""
    sheet = book.create_sheet(name[:31])
    sheet.append([title for title, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
        for cell, (_, number_format) in zip(sheet[sheet.max_row], columns, strict=False):
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"
    for index, column in enumerate(sheet.iter_cols(min_row=1, max_row=sheet.max_row), start=1):
        longest = max(
            16 if isinstance(c.value, datetime) else len(str(c.value if c.value is not None else "")) for c in column
        )
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(longest + 2, MAX_WIDTH))
        for cell in column[1:]:
            if isinstance(cell.value, str) and len(cell.value) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return sheet


def _notes(sheet: Worksheet, rows: Iterable[tuple[str, Any, str | None]]) -> None:
    """Label-value lines below a table, after an empty row (outside the header's filter)."""
    sheet.append([])
    for title, value, number_format in rows:
        sheet.append([title, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if number_format:
            sheet.cell(sheet.max_row, 2).number_format = number_format


def _summary_row(figure: Figure) -> tuple[Any, ...]:
    now, before = figure.current, figure.previous
    difference = None if now is None or before is None else now - before
    return figure.metric.label, UNITS[figure.metric.kind], now, before, difference


def render_xlsx(report: Report, *, department_names: Mapping[str, str] | None = None) -> bytes:
    """The report's tables as XLSX bytes: the sheets of `tickets.reports.render.SHEETS`, in that order."""
    names = Names(report, department_names)
    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"{REPORT_TITLE} — {report.period.label}"

    columns = [
        ("Chỉ số", None),
        ("Đơn vị tính", None),
        (f"Kỳ này ({report.period.label})", None),
        (f"Kỳ trước ({report.previous_period.label})", None),
        ("Chênh lệch", None),
    ]
    summary = figures(report)
    sheet = sheet_of(book, SHEETS["summary"], columns, (_summary_row(f) for f in summary))
    for row, metric in enumerate((f.metric for f in summary), start=2):  # each line has its own kind of figure
        sheet.cell(row, 3).number_format = sheet.cell(row, 4).number_format = FORMATS[metric.kind]
        sheet.cell(row, 5).number_format = DIFFERENCES[metric.kind]
    _notes(
        sheet,
        [
            ("Kỳ báo cáo", f"{report.period.label} ({report.period.title})", None),
            ("Kỳ so sánh", f"{report.previous_period.label} ({report.previous_period.title})", None),
            ("Phạm vi", names.scope(report), None),
            ("Thời điểm lập", naive(report.generated_at), DATETIME),
        ],
    )

    for key, breakdown in (
        ("topic", report.by_topic),
        ("department", report.by_department),
        ("channel", report.by_channel),
        ("ward", report.by_ward),
    ):
        rows = [
            (
                r.key,
                label_or_code(r.label, r.key),
                r.received,
                r.resolved,
                r.overdue,
                r.on_time_rate,
                r.satisfaction_mean,
            )
            for r in breakdown
        ]
        sheet_of(book, SHEETS[key], BREAKDOWN, rows)

    months = [(date(int(m.month[:4]), int(m.month[5:7]), 1), m.received, m.resolved) for m in report.months]
    sheet_of(book, SHEETS["month"], MONTHS, months)

    rows = [
        (
            s.rank,
            s.department,
            names.department(s.department, s.name),
            s.score,
            s.received,
            s.resolved,
            s.overdue,
            s.on_time_rate,
            s.satisfaction_mean,
            s.reopen_rate,
            s.transfer_rate,
        )
        for s in report.scoreboard
    ]
    sheet = sheet_of(book, SHEETS["scoreboard"], SCOREBOARD, rows)
    if report.score_method:
        _notes(sheet, [("Cách tính điểm", report.score_method, None)])

    rows = [
        (
            t.code,
            t.department,
            names.department(t.department, t.department_name),
            names.topic(t.topic),
            STATE_LABELS.get(t.state, t.state),
            naive(t.received_at),
            naive(t.due_at),
            t.overdue_days,
        )
        for t in report.overdue
    ]
    sheet_of(book, SHEETS["overdue"], OVERDUE, rows)

    rows = [
        (
            number,
            c.label,
            c.size,
            ", ".join(names.topic(t) for t in c.topics),
            example.code if example else None,
            example.excerpt if example else None,
        )
        for number, c in enumerate(report.clusters, start=1)
        for example in (c.examples or [None])
    ]
    sheet_of(book, SHEETS["clusters"], CLUSTERS, rows)

    rows = [
        (c.department, c.department_name, c.made, c.kept_on_time, c.kept_late, c.open, c.overdue)
        for c in report.commitments
    ]
    sheet_of(book, SHEETS["commitments"], COMMITMENTS, rows)

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
