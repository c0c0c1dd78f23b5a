"""The dialogue-session report as PDF and XLSX (tickets/reports/render.py), read back the way a reader sees it:
the PDF's text through poppler's `pdftotext`, the workbook through openpyxl."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import subprocess
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest

from tickets.reports import metrics
from tickets.reports.data import (
    BreakdownRow,
    Cluster,
    ClusterTicket,
    DepartmentScore,
    Filters,
    Measures,
    MonthRow,
    OverdueTicket,
    Period,
    Report,
    Spread,
    Summary,
    ratio,
)
from tickets.reports.pdf import TEMPLATES_DIR, render_html, render_pdf
from tickets.reports.workbook import render_xlsx

TAX = "Cục Thuế Thành phố Hồ Chí Minh"
PLANNING = "Sở Quy hoạch - Kiến trúc"


def summary(**changes: object) -> Summary:
    figures: dict[str, object] = dict(
        received=120,
        resolved=96,
        backlog=24,
        backlog_median_age_days=3.5,
        backlog_oldest_age_days=21.0,
        overdue=7,
        on_time_rate=80 / 96,
        acknowledge_median_days=0.5,
        acknowledge_p90_days=1.0,
        resolve_median_days=6.5,
        resolve_p90_days=14.0,
        satisfaction_mean=4.2,
        satisfaction_share_4_plus=0.78,
        rating_response_rate=0.45,
        reopen_rate=0.05,
        transfer_rate=0.12,
        self_service_rate=None,
        topical_conversations=0,
    )
    figures.update(changes)
    return Summary(figures)  # type: ignore[arg-type]


def make_report() -> Report:
    """A small report with every part: Vietnamese labels, a missing figure or two, and empty lists."""
    period = Period.parse("2026-H1")
    moment = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 09:30 in Ho Chi Minh City
    return Report(
        period=period,
        previous_period=period.previous(),
        filters=Filters(),
        summary=summary(),
        previous=summary(received=100, on_time_rate=0.8, resolve_median_days=7.0, satisfaction_mean=None),
        by_topic=[
            BreakdownRow("thue", "Thuế", 70, 60, 4, 50 / 60, 4.1),
            BreakdownRow("dat_dai", "Đất đai <quy hoạch> & xây dựng", 50, 36, 3, None, None),
        ],
        by_department=[
            BreakdownRow("CUC_THUE", TAX, 70, 60, 4, 50 / 60, 4.1),
            BreakdownRow("SO_QHKT", PLANNING, 50, 36, 3, 30 / 36, None),
        ],
        by_channel=[BreakdownRow("telegram", "Telegram", 80, 64, 5, 0.8, 4.0)],
        by_ward=[],  # nobody gave a place
        months=[MonthRow(f"2026-0{m}", 15 + m, 12 + m) for m in range(1, 7)],
        scoreboard=[
            DepartmentScore("CUC_THUE", TAX, 70, 60, 4, 50 / 60, 4.1, 0.02, 0.1, 86.5, 1),
            DepartmentScore("SO_QHKT", PLANNING, 50, 36, 3, 30 / 36, None, None, 0.2, None, None),
        ],
        overdue=[
            OverdueTicket(
                "PA-2026-000123",
                "CUC_THUE",
                TAX,
                "thue",
                moment,
                datetime(2026, 3, 16, 10, 0, tzinfo=UTC),
                2.5,
                "dang_xu_ly",
            )
        ],
        clusters=[
            Cluster(
                "Hoàn thuế giá trị gia tăng chậm",
                5,
                ["thue"],
                [
                    ClusterTicket(
                        "PA-2026-000123", "Công ty chúng tôi nộp hồ sơ hoàn thuế từ tháng 1 tại Quận Bình Thạnh…"
                    )
                ],
            ),
            Cluster("Cấp phép xây dựng", 3, ["dat_dai"], []),
        ],
        generated_at=moment,
        score_method="Điểm = 50 % tỷ lệ đúng hạn + 30 % mức hài lòng + 20 % (1 − tỷ lệ mở lại).",
    )


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: run scripts/system-deps.sh (it installs poppler-utils)")
    pdf = render_pdf(make_report(), department_names={"CUC_THUE": "ignored: the rows name it"})
    assert pdf.startswith(b"%PDF")
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(pdf)
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf_path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_pdf_is_a4_with_page_numbers(pdf_path: Path, pdf_text: str) -> None:
    info = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 1 and f"Trang {pages}/{pages}" in pdf_text


def test_the_pdf_uses_dejavu_and_weasyprint_has_no_complaint(pdf_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf_path)], check=True, capture_output=True, text=True).stdout
    assert "DejaVu-Sans" in fonts
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(make_report())
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []


def test_the_pdf_reads_in_vietnamese(pdf_text: str) -> None:
    for expected in (
        TAX,
        "Bảng xếp hạng",
        "Quá hạn",
        "PA-2026-000123",
        "Thuế",
        "Hoàn thuế giá trị gia tăng chậm",
        "Quận Bình Thạnh",
        "2026-H1",
        "từ 01/01/2026 đến 30/06/2026",
        "Đất đai <quy hoạch> & xây dựng",
    ):
        assert expected in pdf_text
    assert "ignored" not in pdf_text


def test_the_pdf_shows_rates_changes_and_missing_values_the_vietnamese_way(pdf_text: str) -> None:
    assert "83,3 %" in pdf_text  # on-time rate, one decimal and a decimal comma
    assert "↑ 20 %" in pdf_text  # received: 120 against 100
    assert "↑ 3,3 điểm %" in pdf_text  # on-time rate: 83.3 % against 80 %
    assert "6,5 ngày làm việc" in pdf_text
    assert "—" in pdf_text  # satisfaction of the previous period and the unranked department
    assert "09:30 02/03/2026" in pdf_text  # generated_at, in Ho Chi Minh City time
    assert "Trang 1/" in pdf_text
    assert "Cách tính điểm" in pdf_text and "tỷ lệ đúng hạn" in pdf_text


def test_empty_parts_say_so(pdf_text: str) -> None:
    assert "Không có số liệu trong kỳ." in pdf_text  # by ward


def test_the_workbook_has_one_typed_sheet_per_table() -> None:
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(render_xlsx(make_report())))
    assert book.sheetnames == list(metrics.SHEETS.values())
    summary_sheet = book["Tổng hợp"]
    assert summary_sheet.freeze_panes == "A2" and summary_sheet["A1"].font.bold
    rows = {row[0].value: row for row in summary_sheet.iter_rows(min_row=2) if row[0].value}
    received, on_time = rows["Phản ánh tiếp nhận"], rows["Tỷ lệ giải quyết đúng hạn"]
    assert type(received[2].value) is int and received[2].value == 120 and received[4].value == 20
    assert isinstance(on_time[2].value, float) and "%" in on_time[2].number_format
    assert on_time[2].value == pytest.approx(80 / 96)
    assert rows["Mức hài lòng trung bình (thang 5)"][3].value is None
    assert rows["Thời điểm lập"][1].value == datetime(2026, 3, 2, 9, 30)  # local time, no zone

    overdue = book["Quá hạn"]
    assert [c.value for c in overdue[1]][:3] == ["Mã phiếu", "Mã đơn vị", "Đơn vị"]
    ticket = [c.value for c in overdue[2]]
    assert ticket[0] == "PA-2026-000123" and ticket[2] == TAX and ticket[4] == "Đang xử lý"
    assert ticket[5] == datetime(2026, 3, 2, 9, 30) and overdue.cell(2, 6).is_date
    assert ticket[6] == datetime(2026, 3, 16, 17, 0)

    departments = book["Theo đơn vị"]
    assert [c.value for c in departments[2]][:3] == ["CUC_THUE", TAX, 70]
    assert departments.cell(2, 6).number_format == "0.0%" and departments.cell(3, 7).value is None
    assert book["Theo phường xã"].max_row == 1  # header only
    assert book["Theo tháng"].cell(2, 1).is_date and book["Theo tháng"].cell(2, 1).value == datetime(2026, 1, 1)
    scoreboard = book["Bảng xếp hạng"]
    assert scoreboard.cell(2, 1).value == 1 and scoreboard.cell(3, 4).value is None
    clusters = [[c.value for c in row] for row in book["Vấn đề lặp lại"].iter_rows(min_row=2)]
    assert clusters[0][:5] == [1, "Hoàn thuế giá trị gia tăng chậm", 5, "Thuế", "PA-2026-000123"]
    assert clusters[1][:3] == [2, "Cấp phép xây dựng", 3] and clusters[1][4] is None
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_filters_and_unnamed_departments_are_named() -> None:
    ticket = OverdueTicket(
        "PA-2026-000124",
        "UBND_Q1",
        "",
        "",
        datetime(2026, 3, 2, tzinfo=UTC),
        datetime(2026, 3, 9, tzinfo=UTC),
        1.0,
        "moi",
    )
    report = dataclasses.replace(
        make_report(), filters=Filters(department="CUC_THUE", channel="telegram"), overdue=[ticket]
    )
    html = render_html(report, department_names={"UBND_Q1": "Ủy ban nhân dân Quận 1"})
    assert f"Đơn vị: {TAX}; Kênh: Telegram" in html
    assert "Ủy ban nhân dân Quận 1 (1 phản ánh)" in html and metrics.UNKNOWN in html  # the ticket has no topic
    assert metrics.Names(report, None).scope(make_report()) == metrics.ALL_SCOPE


def test_the_template_escapes_labels() -> None:
    html = render_html(make_report())
    assert "Đất đai &lt;quy hoạch&gt; &amp; xây dựng" in html
    assert "<quy hoạch>" not in html


@pytest.mark.parametrize(
    ("field", "now", "before", "expected"),
    [
        ("received", 120, 100, ("↑ 20 %", "")),
        ("overdue", 7, 10, ("↓ 30 %", "better")),
        ("overdue", 3, 0, ("↑ 3", "worse")),
        ("on_time_rate", 0.9, 0.93, ("↓ 3,0 điểm %", "worse")),
        ("resolve_median_days", 6.5, 7.0, ("↓ 0,5 ngày", "better")),
        ("satisfaction_mean", 4.2, 4.2, ("không đổi", "")),
        ("reopen_rate", None, 0.1, ("—", "")),
    ],
)
def test_changes_against_the_previous_period(
    field: str, now: float | None, before: float | None, expected: tuple[str, str]
) -> None:
    metric = next(m for m in metrics.METRICS if m.field == field)
    assert metrics.change(metric, now, before) == expected


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert metrics.rate_text(0.8333) == "83,3 %"
    assert metrics.days_text(2.26) == "2,3 ngày làm việc"
    assert metrics.value_text("count", 12345) == "12.345"
    assert metrics.rate_text(None) == metrics.days_text(None) == "—"


def test_report_filename_is_ascii() -> None:
    assert metrics.report_filename(make_report(), "pdf") == "bao-cao-doi-thoai-2026-H1.pdf"
    custom = dataclasses.replace(make_report(), period=Period.between(date(2026, 1, 15), date(2026, 2, 14)))
    assert metrics.report_filename(custom, "xlsx").isascii()


def test_templates_ship_with_the_package() -> None:
    assert (TEMPLATES_DIR / "report.html").is_file() and (TEMPLATES_DIR / "report.css").is_file()


def test_a_metric_defined_once_is_computed_and_shown_in_the_pdf_and_the_workbook(monkeypatch) -> None:
    from openpyxl import load_workbook

    answered = metrics.Metric(
        "answered_share",
        "Tỷ lệ phản ánh đã có kết quả",
        "rate",
        1,
        lambda m: ratio(m.resolved, m.received),
        card="có kết quả",
    )
    monkeypatch.setattr(metrics, "METRICS", (*metrics.METRICS, answered))
    spread = Spread(2.0, 5.0, 9.0)
    measures = Measures(120, 96, 24, 7, 80, 40, 4.2, 30, 5, 12, spread, spread, spread, 50, 20)
    summary = metrics.summarise(measures)
    assert (summary.answered_share, summary.on_time_rate, summary.self_service_rate) == (0.8, 80 / 96, 0.4)
    report = dataclasses.replace(make_report(), summary=summary, previous=summary)

    assert "Tỷ lệ phản ánh đã có kết quả" in render_html(report)
    rows = load_workbook(BytesIO(render_xlsx(report)))["Tổng hợp"].iter_rows(min_row=2, values_only=True)
    assert ("Tỷ lệ phản ánh đã có kết quả", "%", 0.8, 0.8, 0) in list(rows)
    assert [f.metric.card for f in metrics.figures(report) if f.metric.card][-1] == "có kết quả"
