"""A session's agenda (JSON, XLSX, PDF) and minutes (PDF), with the report's look.

`agenda_data` and `minutes_data` make plain, JSON-ready mappings; the renderers only lay them out, so the
command line, the console and the tests read the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

import jinja2

from tickets.calendar.sla import LOCAL_TZ
from tickets.dialogues import commitments, texts
from tickets.dialogues.agenda import Agenda
from tickets.reports.pdf import TEMPLATES_DIR as REPORT_TEMPLATES
from tickets.storage.models import AgendaItem, Commitment, DialogueSession

Names = Mapping[str, str]  # department code -> name


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(LOCAL_TZ).isoformat(timespec="minutes") if value else None


def session_data(dialogue: DialogueSession, names: Names) -> dict[str, Any]:
    return {
        "id": dialogue.id,
        "title": dialogue.title,
        "starts_at": _moment(dialogue.starts_at),
        "place": dialogue.place,
        "online_link": dialogue.online_link,
        "chair": dialogue.chair,
        "departments": [{"code": d, "name": names.get(d, d)} for d in dialogue.departments],
        "topics": list(dialogue.topics),
        "theme": dialogue.theme,
        "registration": {
            "opens_at": _moment(dialogue.registration_opens_at),
            "closes_at": _moment(dialogue.registration_closes_at),
        },
        "state": dialogue.state.value,
        "state_label": texts.STATE_LABELS[dialogue.state],
    }


def _item(item: AgendaItem, names: Names) -> dict[str, Any]:
    return {
        "position": item.position,
        "kind": item.kind,
        "kind_label": texts.ITEM_KINDS.get(item.kind, item.kind),
        "reference": item.reference,
        "title": item.title,
        "department": item.department,
        "department_name": names.get(item.department or "", item.department),
        "note": item.note,
        "answer": item.answer,
    }


def _commitment(commitment: Commitment, names: Names, now: datetime, session_title: str = "") -> dict[str, Any]:
    status = commitments.status(commitment, now)
    return {
        "id": commitment.id,
        "session": session_title,
        "department": commitment.department,
        "department_name": names.get(commitment.department, commitment.department),
        "promise": commitment.promise,
        "due_at": _moment(commitment.due_at),
        "completed_at": _moment(commitment.completed_at),
        "evidence": commitment.evidence,
        "status": status,
        "status_label": texts.COMMITMENT_LABELS[status],
    }


def agenda_data(agenda: Agenda, items: list[AgendaItem], names: Names, *, now: datetime) -> dict[str, Any]:
    def counts(c) -> dict[str, Any]:
        return {"received": c.received, "resolved": c.resolved, "overdue": c.overdue, "on_time_rate": c.on_time_rate}

    return {
        "session": session_data(agenda.session, names),
        "period": {"first": agenda.period.start.isoformat(), "last": agenda.period.last_day.isoformat()},
        "previous_period": {
            "first": agenda.previous_period.start.isoformat(),
            "last": agenda.previous_period.last_day.isoformat(),
        },
        "figures": [
            {
                "department": f.department,
                "name": names.get(f.department, f.department),
                "period": counts(f.now),
                "previous": counts(f.before),
            }
            for f in agenda.figures
        ],
        "earlier_commitments": [
            _commitment(line.commitment, names, now, line.session_title) for line in agenda.commitments
        ],
        "question_groups": [
            [
                {
                    "code": q.code,
                    "question": q.question,
                    "department": q.department,
                    "company_name": q.company_name,
                    "channel": q.channel,
                }
                for q in group
            ]
            for group in agenda.question_groups
        ],
        "clusters": [
            {
                "department": department,
                "label": cluster.label,
                "size": cluster.size,
                "topics": cluster.topics,
                "examples": [{"code": e.code, "excerpt": e.excerpt} for e in cluster.examples],
            }
            for department, cluster in agenda.clusters
        ],
        "tickets": [
            {
                "code": t.code,
                "department": t.department,
                "topic": t.topic,
                "state": t.state,
                "due_at": _moment(t.due_at),
                "overdue_days": t.overdue_days,
                "reopened": t.reopened,
            }
            for t in agenda.tickets
        ],
        "items": [_item(i, names) for i in items],
    }


def minutes_data(
    dialogue: DialogueSession, items: list[AgendaItem], made: list[Commitment], names: Names, *, now: datetime
) -> dict[str, Any]:
    return {
        "session": session_data(dialogue, names),
        "approved_by": dialogue.minutes_approved_by,
        "published_at": _moment(dialogue.minutes_published_at),
        "items": [_item(i, names) for i in items],
        "commitments": [_commitment(c, names, now) for c in made],
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates")
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["moment"] = lambda v: datetime.fromisoformat(v).strftime("%H:%M %d/%m/%Y") if v else ""
    env.filters["day"] = lambda v: datetime.fromisoformat(v).strftime("%d/%m/%Y") if v else ""
    env.filters["rate"] = lambda v: "—" if v is None else f"{v * 100:.1f}".replace(".", ",") + " %"
    return env


def _pdf(template: str, data: Mapping[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = _environment().get_template(template).render(**data)
    document = HTML(string=html, base_url=str(REPORT_TEMPLATES))
    return document.write_pdf(stylesheets=[CSS(filename=str(REPORT_TEMPLATES / "report.css"))])


def render_agenda_pdf(data: Mapping[str, Any]) -> bytes:
    return _pdf("agenda.html", data)


def render_minutes_pdf(data: Mapping[str, Any]) -> bytes:
    return _pdf("minutes.html", data)


def render_agenda_xlsx(data: Mapping[str, Any]) -> bytes:
    from openpyxl import Workbook

    from tickets.reports.workbook import DATETIME, INT, RATE, sheet_of

    book = Workbook()
    book.remove(book.active)
    sheet_of(
        book,
        "Chương trình",
        [("STT", INT), ("Loại", None), ("Nội dung", None), ("Đơn vị", None), ("Mã", None), ("Ghi chú", None)],
        [
            (i["position"], i["kind_label"], i["title"], i["department_name"] or "", i["reference"], i["note"])
            for i in data["items"]
        ],
    )
    sheet_of(
        book,
        "Số liệu theo đơn vị",
        [
            ("Mã đơn vị", None),
            ("Đơn vị", None),
            ("Tiếp nhận", INT),
            ("Đã giải quyết", INT),
            ("Quá hạn", INT),
            ("Tỷ lệ đúng hạn", RATE),
            ("Tiếp nhận kỳ trước", INT),
            ("Đã giải quyết kỳ trước", INT),
            ("Quá hạn kỳ trước", INT),
            ("Tỷ lệ đúng hạn kỳ trước", RATE),
        ],
        [
            (
                f["department"],
                f["name"],
                *(f["period"][k] for k in ("received", "resolved", "overdue", "on_time_rate")),
                *(f["previous"][k] for k in ("received", "resolved", "overdue", "on_time_rate")),
            )
            for f in data["figures"]
        ],
    )
    sheet_of(
        book,
        "Cam kết các phiên trước",
        [("Phiên", None), ("Đơn vị", None), ("Cam kết", None), ("Hạn", DATETIME), ("Tình trạng", None)],
        [
            (c["session"], c["department_name"], c["promise"], _naive(c["due_at"]), c["status_label"])
            for c in data["earlier_commitments"]
        ],
    )
    sheet_of(
        book,
        "Câu hỏi đăng ký",
        [("Nhóm", INT), ("Mã", None), ("Câu hỏi", None), ("Đơn vị", None), ("Doanh nghiệp", None)],
        [
            (n, q["code"], q["question"], q["department"] or "", q["company_name"])
            for n, group in enumerate(data["question_groups"], start=1)
            for q in group
        ],
    )
    sheet_of(
        book,
        "Vấn đề lặp lại",
        [("Đơn vị", None), ("Vấn đề", None), ("Số phản ánh", INT), ("Mã phiếu ví dụ", None)],
        [
            (c["department"], c["label"], c["size"], ", ".join(e["code"] for e in c["examples"]))
            for c in data["clusters"]
        ],
    )
    sheet_of(
        book,
        "Phản ánh quá hạn, mở lại",
        [("Mã phiếu", None), ("Đơn vị", None), ("Trạng thái", None), ("Hạn", DATETIME), ("Quá hạn (ngày)", None)],
        [(t["code"], t["department"], t["state"], _naive(t["due_at"]), t["overdue_days"]) for t in data["tickets"]],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _naive(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None
