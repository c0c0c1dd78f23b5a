"""Server-side SVG charts (tickets/reports/charts.py): standalone, well-formed, escaped, Vietnamese numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tickets.reports import charts
from tickets.reports.data import MonthRow

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox", "").startswith("0 0 ") and root.get("width") == "100%"
    assert "DejaVu Sans" in root.get("font-family", "")
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_bar_chart_escapes_labels_and_prints_values() -> None:
    svg = charts.bar_chart([("Đất đai <quy hoạch> & xây dựng", 1234), ("Thuế", 56)], title="Theo chủ đề & đơn vị")
    assert "&lt;quy hoạch&gt; &amp;" in svg
    shown = texts(svg)
    assert "Theo chủ đề & đơn vị" in shown and "Đất đai <quy hoạch> & xây dựng" in shown
    assert "1.234" in shown and "56" in shown
    root = ET.fromstring(svg)
    widths = [float(rect.get("width", 0)) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0  # longer bar for the larger value


def test_bar_chart_percentages_missing_values_and_long_labels() -> None:
    long = "Sở Tài nguyên và Môi trường Thành phố Hồ Chí Minh — Phòng Quản lý đất đai và đo đạc bản đồ"
    svg = charts.bar_chart(
        [(long, 83.333), ("Cục Thuế Thành phố Hồ Chí Minh", None)], title="Đúng hạn", unit="%", max_value=100
    )
    shown = texts(svg)
    assert "83,3 %" in shown and "—" in shown
    assert any(text.endswith("…") for text in shown)
    assert long in "".join(title.text or "" for title in ET.fromstring(svg).iter(f"{SVG}title"))  # kept as the tooltip
    assert len(list(ET.fromstring(svg).iter(f"{SVG}rect"))) == 1


def test_empty_charts_say_so() -> None:
    assert charts.NO_DATA in texts(charts.bar_chart([], title="Theo quận huyện"))
    assert charts.NO_DATA in texts(charts.trend_chart([]))


def test_trend_chart_has_both_series_and_a_legend() -> None:
    months = [MonthRow("2026-01", 1200, 950), MonthRow("2026-02", 0, 0), MonthRow("2026-03", 30, 45)]
    svg = charts.trend_chart(months)
    shown = texts(svg)
    assert charts.RECEIVED in shown and charts.RESOLVED in shown
    assert {"T1/2026", "T2/2026", "T3/2026", "1.200", "950"} <= set(shown)
    colours = {rect.get("fill") for rect in ET.fromstring(svg).iter(f"{SVG}rect")}
    assert {charts.RECEIVED_COLOUR, charts.RESOLVED_COLOUR} <= colours


def test_trend_chart_thins_month_labels_over_long_periods() -> None:
    months = [MonthRow(f"{2024 + i // 12}-{i % 12 + 1:02d}", i, i) for i in range(36)]
    shown = texts(charts.trend_chart(months))
    assert 0 < sum(text.startswith("T") and "/" in text for text in shown) < 36


def test_vietnamese_numbers() -> None:
    assert charts.vn_number(1234567.891, 2) == "1.234.567,89"
    assert charts.vn_number(None) == "—"
    assert charts.month_label("2026-05") == "T5/2026"
