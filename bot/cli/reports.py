"""`donghanh report` and `donghanh demo seed`: the dialogue-session reports and the demo data behind them."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import common

FORMATS = ("pdf", "xlsx")


def migrated_database():
    from tickets.storage.migrate import current_revision, head_revision

    database = common.open_database(common.current_settings())
    if current_revision(database) != head_revision():
        raise click.ClickException("Cơ sở dữ liệu chưa ở phiên bản mới nhất: chạy `donghanh db upgrade` trước.")
    return database


def _period(period: str | None, first: str | None, last: str | None):
    from tickets.reports.data import Period

    if (first or last) and (period or not (first and last)):
        raise click.UsageError("Dùng --period, hoặc cả --from lẫn --to.")
    if not (period or first):
        raise click.UsageError("Thiếu --period (ví dụ 2026-H1) hoặc --from/--to.")
    try:
        return Period.between_days(first, last) if first else Period.parse(period)
    except ValueError as error:  # the period's own Vietnamese explanation
        raise click.BadParameter(str(error)) from None


@click.command()
@click.option("--period", default=None, help="YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM.")
@click.option("--from", "first", default=None, help="First day (YYYY-MM-DD), with --to.")
@click.option("--to", "last", default=None, help="Last day, included (YYYY-MM-DD).")
@click.option("--format", "kind", type=click.Choice(FORMATS), default=None, help="Default: the extension of --out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--department", default=None, help="Only this department (code).")
@click.option("--topic", default=None, help="Only this topic (code).")
def report(
    period: str | None,
    first: str | None,
    last: str | None,
    kind: str | None,
    out: Path,
    department: str | None,
    topic: str | None,
) -> None:
    """Write the dialogue-session report of a period as PDF or XLSX."""
    from bot.channels.registry import default_registry
    from knowledge.catalog import load_catalog
    from tickets.reports import clusters
    from tickets.reports.builder import build_report
    from tickets.reports.data import Filters
    from tickets.reports.pdf import render_pdf
    from tickets.reports.stats import Window
    from tickets.reports.workbook import render_xlsx
    from tickets.storage.models import utcnow

    chosen = _period(period, first, last)
    kind = kind or out.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise click.BadParameter("Chọn --format pdf hoặc xlsx (hoặc đặt tên tệp đuôi .pdf, .xlsx).")
    catalog = load_catalog()
    if department is not None and department not in catalog.departments:
        raise click.BadParameter(f"Không có đơn vị mã {department}.")
    if topic is not None and topic not in catalog.topics:
        raise click.BadParameter(f"Không có lĩnh vực mã {topic}.")
    database, now, encoder = migrated_database(), utcnow(), common.encoder()
    filters = Filters(department=department, topic=topic)

    def recurring(period, filters):
        window = Window.of(period, now)
        return clusters.recurring_problems(
            database, period_start=window.start, period_end=window.end, filters=filters, encoder=encoder
        )

    with database.session() as session:
        built = build_report(
            session,
            chosen,
            filters,
            now=now,
            catalog=catalog,
            clusters=recurring,
            channel_names=default_registry().labels(),
        )
    out.write_bytes(render_pdf(built) if kind == "pdf" else render_xlsx(built))
    click.echo(
        f"Đã ghi báo cáo kỳ {chosen.label} ({chosen.title}) vào {out}: {built.summary.received} phản ánh nhận, "
        f"{built.summary.resolved} đã giải quyết, {built.summary.overdue} quá hạn."
    )


@click.group()
def demo() -> None:
    """Demo data for a first look at the console and its statistics."""


@demo.command("seed")
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 36))
@click.option("--seed", "seed_value", default=2026, show_default=True, help="Same seed, same data.")
def demo_seed(months: int, seed_value: int) -> None:
    """Fill an empty database with synthetic businesses, conversations and tickets; refuses a database
    that holds real tickets."""
    from bot.channels.registry import default_registry
    from knowledge.catalog import load_catalog
    from tickets.calendar.sla import WorkingCalendar
    from tickets.demo import seed as demo_data
    from tickets.reports.clusters import embed_missing
    from tickets.storage.models import utcnow

    database = migrated_database()
    try:
        result = demo_data.seed(
            database,
            months=months,
            now=utcnow(),
            calendar=WorkingCalendar.load(),
            catalog=load_catalog(),
            channels=default_registry().demo_channels(),
            seed=seed_value,
        )
    except demo_data.DemoRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Đã tạo dữ liệu mẫu {months} tháng: {result.tickets} phản ánh ({result.resolved} đã giải quyết, "
        f"{result.overdue} quá hạn), {result.conversations} cuộc trò chuyện, {result.businesses} doanh nghiệp."
    )
    if result.dialogues:
        click.echo(
            f"Đã tạo {result.dialogues.sessions} phiên đối thoại với {result.dialogues.questions} câu hỏi đăng ký "
            f"và {result.dialogues.commitments} cam kết."
        )
    embedded = embed_missing(database, common.encoder(threads=common.BATCH_THREADS))
    click.echo(f"Đã tính vectơ cho {embedded} phản ánh (nhóm vấn đề lặp lại).")
