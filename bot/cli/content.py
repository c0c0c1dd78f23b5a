"""`donghanh content audit`: what in the FAQ has gone out of date, as of today."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from bot.cli import common

# Exit statuses: 0 nothing found, 1 findings (so a scheduled job can alert), 2 the audit itself failed.
FINDINGS_EXIT = 1


@click.group()
def content() -> None:
    """The FAQ and the legal register: keeping them current."""


@content.command("audit")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: counts, figures and every finding.")
@click.option("--summary", is_flag=True, help="Only the counts.")
@click.option("--today", default=None, help="Audit as of this day (YYYY-MM-DD); default: today in Vietnam.")
def content_audit(as_json: bool, summary: bool, today: str | None) -> None:
    """Entries citing replaced or unverified documents, past their review date, or without concrete guidance.

    The FAQ is read as the assistant answers from it: the files, with the drafts published and the reviews
    and edits made in the console when the database can be read. Exits 1 when anything is found.
    """
    from knowledge.audit import KINDS, LABELS, audit

    day = _day(today)
    entries, register = _current_content()
    report = audit(entries, register, day)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        counts, figures = report.counts(), report.figures
        click.echo(
            f"Rà soát nội dung ngày {day:%d/%m/%Y}: {report.entries} mục hỏi đáp, {figures['documents']} văn bản trong "
            f"danh mục ({figures['documents_verified']} đã kiểm chứng hiệu lực)."
        )
        for kind in KINDS:
            click.echo(f"- {LABELS[kind]}: {counts[kind]} mục ({100 * counts[kind] / max(report.entries, 1):.1f} %)")
        if not summary:
            for kind in KINDS:
                found = [f for f in report.findings if f.kind == kind]
                if found:
                    click.echo(f"\n{LABELS[kind]}:")
                    click.echo("\n".join(f"  {f.entry}: {f.detail}" for f in found))
    if not report.clean:
        raise SystemExit(FINDINGS_EXIT)


def _day(text: str | None) -> date:
    from tickets.calendar.sla import LOCAL_TZ

    if text is None:
        return datetime.now(LOCAL_TZ).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("Ngày viết dạng YYYY-MM-DD, ví dụ 2026-12-31.", param_hint="--today") from None


def _current_content():
    from knowledge.catalog import load_catalog
    from knowledge.legal import load_register
    from knowledge.sources import current_entries
    from tickets.domain.content import revision_rows
    from tickets.domain.drafts import published_entries

    database = common.open_database(common.current_settings())
    register = load_register()
    entries = current_entries(
        load_catalog(), register, published=published_entries(database), revisions=revision_rows(database)
    )
    return entries, register
