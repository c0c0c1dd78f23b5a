"""Server-side SVG charts for the dialogue-session report and the dashboard.

Plain strings, no JavaScript and nothing fetched: each chart is a standalone SVG document (it has its
`xmlns`) sized by its `viewBox` and `width="100%"`, so the same string can be written to a file, inlined in
an HTML page or rendered by WeasyPrint into the PDF. Charts carry no `id`, so several can share one page.
Text is XML-escaped; numbers are written the Vietnamese way (`1.234`, `83,3`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from tickets.reports.data import MonthRow

FONT = "'DejaVu Sans', sans-serif"
BAR_COLOUR = "#2b6cb0"
RECEIVED_COLOUR = "#2b6cb0"
RESOLVED_COLOUR = "#38a169"
TEXT_COLOUR = "#1a202c"
MUTED_COLOUR = "#4a5568"
GRID_COLOUR = "#e2e8f0"
CHAR_WIDTH = 0.6  # average advance of DejaVu Sans, in em, to size label columns without a font engine

NO_DATA = "Không có dữ liệu trong kỳ"
RECEIVED = "Tiếp nhận"
RESOLVED = "Đã giải quyết"
TREND_TITLE = "Phản ánh tiếp nhận và giải quyết theo tháng"


def vn_number(value: float | None, decimals: int = 0) -> str:
    """`1234.5` -> "1.234,5" (dot for thousands, comma for decimals); None -> "—"."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def month_label(month: str) -> str:
    """A month's short Vietnamese name: "2026-05" -> "T5/2026" (for "tháng 5 năm 2026")."""
    year, _, number = month.partition("-")
    return f"T{int(number)}/{year}" if number.isdigit() else month


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 12,
    anchor: str = "start",
    weight: str = "normal",
    colour: str = TEXT_COLOUR,
) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{colour}"{bold}>'
        f"{escape(content)}</text>"
    )


def _document(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-label={quoteattr(title)} font-family="{FONT}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _shorten(label: str, max_chars: int) -> str:
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


def _lines(label: str, chars: int) -> list[str]:
    """`label` on at most two lines of about `chars` characters, broken between words; the rest ends in "…"."""
    if len(label) <= chars:
        return [label]
    cut = label.rfind(" ", 0, chars + 1)
    if cut <= 0:
        return [_shorten(label, chars)]
    return [label[:cut], _shorten(label[cut + 1 :], chars)]


def _decimals(values: Sequence[float | None]) -> int:
    return 0 if all(v is None or float(v).is_integer() for v in values) else 1


def _with_unit(value: float | None, decimals: int, unit: str) -> str:
    text = vn_number(value, decimals)
    return f"{text} {unit}" if unit and value is not None else text


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "",
    width: int = 720,
    height: int | None = None,
    decimals: int | None = None,
    max_value: float | None = None,
    colour: str = BAR_COLOUR,
) -> str:
    """Horizontal bars, one per `(label, value)` in the given order, the value printed at the bar's end.

    Args:
        items: Labels (Vietnamese, shown as they are; long ones take two lines and are shortened with "…"
            beyond that, the full text kept as the bar's tooltip) and values in display units (a rate as 83.3 with
            `unit="%"`); a None value draws no bar and prints "—".
        title: The chart's heading.
        unit: Printed after each value ("%", "ngày").
        width: Width of the viewBox; the height follows from the number of bars unless given.
        decimals: Decimals of the printed values; by default 0 when every value is whole, else 1.
        max_value: The value that fills the bar area (100 for percentages); by default the largest value.
        colour: Fill of the bars.
    """
    font, bar, gap, top = 12, 18, 8, 34
    if not items:
        return _document(
            width,
            height or 90,
            title,
            [
                _text(0, 18, title, size=14, weight="bold"),
                _text(width / 2, 60, NO_DATA, anchor="middle", colour=MUTED_COLOUR),
            ],
        )
    values = [v for _, v in items]
    places = _decimals(values) if decimals is None else decimals
    label_chars = max(8, min(max(len(label) for label, _ in items), int(width * 0.38 / (font * CHAR_WIDTH))))
    lines = [_lines(label, label_chars) for label, _ in items]
    label_width = label_chars * font * CHAR_WIDTH + 10
    value_width = max(len(_with_unit(v, places, unit)) for v in values) * font * CHAR_WIDTH + 8
    area = max(40.0, width - label_width - value_width)
    top_value = max_value if max_value else max((v for v in values if v is not None), default=0) or 1
    two_lines = any(len(pair) > 1 for pair in lines)
    row = (height - top - 4) / len(items) if height else bar + gap + (font if two_lines else 0)
    bar = min(bar, row * 0.7)
    total = height or int(top + row * len(items) + 4)
    body = [_text(0, 18, title, size=14, weight="bold")]
    for index, ((label, value), pair) in enumerate(zip(items, lines, strict=True)):
        centre = top + (index + 0.5) * row
        body.append(f"<g><title>{escape(label)}: {escape(_with_unit(value, places, unit))}</title>")
        for number, line in enumerate(pair):
            shift = (number - (len(pair) - 1) / 2) * font * 1.15
            body.append(_text(label_width - 8, centre + shift + font * 0.35, line, size=font, anchor="end"))
        length = 0.0 if value is None else max(0.0, min(1.0, value / top_value)) * area
        if length > 0:
            body.append(
                f'<rect x="{label_width:.1f}" y="{centre - bar / 2:.1f}" width="{length:.1f}" '
                f'height="{bar:.1f}" fill="{colour}" rx="2"/>'
            )
        body.append(
            _text(
                label_width + length + 4,
                centre + font * 0.35,
                _with_unit(value, places, unit),
                size=font,
                colour=MUTED_COLOUR,
            )
        )
        body.append("</g>")
    return _document(width, total, title, body)


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round axis step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines up to `top`."""
    raw = max(top, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def trend_chart(months: Sequence[MonthRow], *, title: str = TREND_TITLE, width: int = 720, height: int = 300) -> str:
    """Received and resolved tickets per month as paired columns, with a y axis, gridlines and a legend.

    Values are printed above the columns, and every month named under them, while there is room.
    """
    body = [_text(0, 18, title, size=14, weight="bold")]
    if not months:
        body.append(_text(width / 2, height / 2, NO_DATA, anchor="middle", colour=MUTED_COLOUR))
        return _document(width, height, title, body)
    legend_y = 40
    for offset, (name, colour) in enumerate(((RECEIVED, RECEIVED_COLOUR), (RESOLVED, RESOLVED_COLOUR))):
        x = 50 + offset * 150
        body.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colour}" rx="2"/>')
        body.append(_text(x + 18, legend_y, name, size=12))
    left, right, top, bottom = 50, 10, 62, height - 28
    highest = max(max(m.received, m.resolved) for m in months)
    step = _nice_step(highest)
    top_value = step * math.ceil(highest / step) or step
    scale = (bottom - top) / top_value
    tick = 0.0
    while tick <= top_value + step / 2:
        y = bottom - tick * scale
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            _text(left - 6, y + 4, vn_number(tick, 0 if step >= 1 else 1), size=11, anchor="end", colour=MUTED_COLOUR)
        )
        tick += step
    slot = (width - left - right) / len(months)
    column = min(28.0, slot * 0.36)
    label_size, value_size = 10, 9
    longest = max(len(month_label(m.month)) for m in months) * label_size * CHAR_WIDTH + 6
    every = max(1, math.ceil(longest / slot))  # skip month labels that would overlap
    show_values = len(vn_number(highest)) * value_size * CHAR_WIDTH <= column + 3
    for index, row in enumerate(months):
        middle = left + slot * (index + 0.5)
        label = (
            f"{month_label(row.month)}: {RECEIVED.lower()} {vn_number(row.received)}, "
            f"{RESOLVED.lower()} {vn_number(row.resolved)}"
        )
        body.append(f"<g><title>{escape(label)}</title>")
        for offset, value, colour in ((-1, row.received, RECEIVED_COLOUR), (0, row.resolved, RESOLVED_COLOUR)):
            x = middle + offset * column
            body.append(
                f'<rect x="{x:.1f}" y="{bottom - value * scale:.1f}" width="{column:.1f}" '
                f'height="{value * scale:.1f}" fill="{colour}"/>'
            )
            if show_values:
                body.append(
                    _text(
                        x + column / 2,
                        bottom - value * scale - 3,
                        vn_number(value),
                        size=value_size,
                        anchor="middle",
                        colour=MUTED_COLOUR,
                    )
                )
        if index % every == 0:
            body.append(_text(middle, bottom + 15, month_label(row.month), size=label_size, anchor="middle"))
        body.append("</g>")
    body.append(
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" stroke="{MUTED_COLOUR}" stroke-width="1"/>'
    )
    return _document(width, height, title, body)
