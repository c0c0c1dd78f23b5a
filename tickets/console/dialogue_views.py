"""What the dialogue-session pages of the console show and how they read their forms: who may do what, what
is masked for whom, the session form, and the views of questions, commitments and the agenda's data.

Supervisors and admins organise. Staff and leads read the sessions with the agenda's data scoped to their
department (as on the dashboard) and a business's name, tax code and question masked unless the question is
their department's (as with tickets); they work their own department's commitments. Observers read
everything with personal data masked and change nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from fastapi.responses import Response

from tickets.calendar.sla import LOCAL_TZ
from tickets.console import texts as console_texts
from tickets.console.dashboard import PDF, XLSX
from tickets.dialogues import agenda, commitments, texts
from tickets.dialogues.sessions import SessionError, SessionForm
from tickets.domain import access
from tickets.reports.data import ClusterTicket
from tickets.storage.models import (
    DEPARTMENT_ROLES,
    AgendaItem,
    Commitment,
    DialogueSession,
    Role,
    SessionQuestion,
    SessionState,
    User,
)

ORGANISERS = frozenset({Role.supervisor, Role.admin})
UPCOMING = (SessionState.planned, SessionState.registration_open, SessionState.registration_closed)
MAX_TEXT = 4000
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows

# What this part of the console says (Vietnamese); the sessions' own labels are in tickets.dialogues.texts.
DONE = {
    "created": "Đã tạo phiên đối thoại.",
    "edited": "Đã lưu thông tin phiên đối thoại.",
    "advanced": "Đã chuyển trạng thái phiên đối thoại.",
    "published": "Đã phê duyệt và công bố biên bản; biên bản đã hiện trên trang công khai.",
    "built": "Đã lập chương trình từ dữ liệu.",
    "added": "Đã thêm nội dung vào chương trình.",
    "moved": "Đã đổi thứ tự chương trình.",
    "noted": "Đã lưu ghi chú cho mục.",
    "removed": "Đã bỏ mục khỏi chương trình.",
    "answered": "Đã ghi nhận câu trả lời tại phiên.",
    "sent": "Đã ghi nhận câu trả lời; doanh nghiệp đăng ký câu hỏi sẽ nhận được trong khung trò chuyện.",
    "committed": "Đã ghi nhận cam kết; hạn thực hiện được theo dõi như hạn xử lý phản ánh.",
    "progress": "Đã cập nhật tiến độ thực hiện cam kết.",
    "completed": "Đã ghi nhận hoàn thành cam kết.",
}
ADVANCE_LABELS = {
    SessionState.registration_open: "Mở nhận đăng ký câu hỏi",
    SessionState.registration_closed: "Kết thúc nhận đăng ký",
    SessionState.held: "Xác nhận đã tổ chức phiên",
}
EVENT_LABELS = {
    "made": "Ghi nhận cam kết",
    "progress": "Cập nhật tiến độ",
    "warning": "Cảnh báo sắp đến hạn",
    "overdue": "Quá hạn, đã báo lãnh đạo",
    "done": "Hoàn thành",
}
MOMENT_FIELDS = {
    "starts_at": "Thời gian khai mạc",
    "registration_opens_at": "Bắt đầu nhận đăng ký",
    "registration_closes_at": "Hết hạn đăng ký",
}
BAD_MOMENT = "{field}: chọn ngày và giờ, ví dụ 09:00 ngày 15/12/2026."
SESSION_NOT_FOUND = "Không tìm thấy phiên đối thoại."
ITEM_NOT_FOUND = "Không tìm thấy mục này trong chương trình phiên đối thoại."
COMMITMENT_NOT_FOUND = "Không tìm thấy cam kết."
MINUTES_CLOSED = "Biên bản đã công bố: chương trình, câu trả lời và cam kết của phiên không sửa được nữa."
BAD_DEPARTMENT = "Chọn sở, ngành trong danh mục."
NEED_ITEM_TITLE = "Cần ghi nội dung cần đưa vào chương trình."
TOO_LONG = console_texts.TOO_LONG.format(limit=MAX_TEXT)
AGENDA_FORMAT_UNKNOWN = "Chương trình chỉ tải được dưới dạng PDF (.pdf), Excel (.xlsx) hoặc JSON (.json)."
MINUTES_NOT_YET = "Biên bản chỉ có sau khi phiên đối thoại đã tổ chức."

ITEM_ACTIONS = ("len", "xuong", "ghi-chu", "bo", "tra-loi", "cam-ket")
ITEM_DONE = {"len": "moved", "xuong": "moved", "ghi-chu": "noted", "bo": "removed", "cam-ket": "committed"}


def organises(user: User) -> bool:
    return user.role in ORGANISERS


def works_on(user: User, commitment: Commitment) -> bool:
    """Note progress and complete: the commitment's department, or a supervisor/admin."""
    return organises(user) or (user.role in DEPARTMENT_ROLES and user.department == commitment.department)


def hides_business(user: User, department: str | None) -> bool:
    """Whether the user reads a business's name, tax code and question masked: observers always; staff and
    leads unless the question is their own department's (as with tickets)."""
    if access.masks_personal_data(user):
        return True
    return user.role in DEPARTMENT_ROLES and department != user.department


def local_moment(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime(MOMENT_FORMAT) if moment else ""


def parse_moment(text: str, field: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), MOMENT_FORMAT).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        raise SessionError(BAD_MOMENT.format(field=MOMENT_FIELDS[field])) from None


def form_values(form: Any) -> dict[str, Any]:
    """The session form as typed, to read and to show again."""
    values: dict[str, Any] = {
        name: str(form.get(name, "")).strip()
        for name in ("title", "place", "online_link", "chair", "theme", *MOMENT_FIELDS)
    }
    values["departments"] = [str(v) for v in form.getlist("departments")]
    values["topics"] = [str(v) for v in form.getlist("topics")]
    return values


def session_values(dialogue: DialogueSession) -> dict[str, Any]:
    return {
        "title": dialogue.title,
        "place": dialogue.place,
        "online_link": dialogue.online_link or "",
        "chair": dialogue.chair,
        "theme": dialogue.theme,
        "departments": list(dialogue.departments),
        "topics": list(dialogue.topics),
        **{name: local_moment(getattr(dialogue, name)) for name in MOMENT_FIELDS},
    }


def session_form(values: dict[str, Any]) -> SessionForm:
    moments = {name: parse_moment(values[name], name) for name in MOMENT_FIELDS}
    return SessionForm(
        title=values["title"],
        place=values["place"],
        online_link=values["online_link"] or None,
        chair=values["chair"],
        theme=values["theme"],
        departments=values["departments"],
        topics=values["topics"],
        **moments,
    )


def question_view(question: SessionQuestion, user: User) -> dict[str, Any]:
    hidden = hides_business(user, question.department)
    return {
        "code": question.code,
        "company": access.mask_name(question.company_name) if hidden else question.company_name,
        "tax_code": access.mask_text(question.tax_code) if hidden else question.tax_code,
        "question": access.mask_text(question.question) if hidden else question.question,
        "department": question.department,
        "topic": question.topic,
        "channel": question.channel,
        "created_at": question.created_at,
        "answered_at": question.answered_at,
        "rating": question.rating,
    }


def commitment_view(commitment: Commitment, now: datetime, **extra: Any) -> dict[str, Any]:
    status = commitments.status(commitment, now)
    return {"commitment": commitment, "status": status, "label": texts.COMMITMENT_LABELS[status], **extra}


def item_title(item: AgendaItem, user: User) -> str:
    if item.kind == "question" and hides_business(user, item.department):
        return access.mask_text(item.title)
    return item.title


def in_scope(user: User, department: str | None) -> bool:
    """Whether the agenda's data about a department is the user's to read: staff and leads read their own
    department's figures, problems, tickets and earlier commitments (as on the dashboard), others all."""
    return user.role not in DEPARTMENT_ROLES or department == user.department


def agenda_view(built: agenda.Agenda, user: User) -> dict[str, Any]:
    """What the user may read of the data the agenda is built from (`in_scope`, masked as `hides_business`)."""
    found = [(d, c) for d, c in built.clusters if in_scope(user, d)]
    if access.masks_personal_data(user):
        found = [
            (d, replace(c, examples=[ClusterTicket(e.code, access.mask_text(e.excerpt)) for e in c.examples]))
            for d, c in found
        ]
    return {
        "period": built.period,
        "previous_period": built.previous_period,
        "figures": [f for f in built.figures if in_scope(user, f.department)],
        "clusters": found,
        "tickets": [t for t in built.tickets if in_scope(user, t.department)],
        "question_groups": [[question_view(q, user) for q in group] for group in built.question_groups],
        "commitments": [
            {"line": line, "label": texts.COMMITMENT_LABELS[line.status]}
            for line in built.commitments
            if in_scope(user, line.commitment.department)
        ],
    }


def visible_item(item: dict[str, Any], user: User) -> dict[str, Any]:
    """An exported agenda item: a registered question's text masked for those who read it masked."""
    if item["kind"] == "question" and hides_business(user, item["department"]):
        return {**item, "title": access.mask_text(item["title"])}
    return item


def visible_agenda(data: dict[str, Any], user: User) -> dict[str, Any]:
    """`export.agenda_data` as the user may read it: the same scope and masking as the session page."""
    observer = access.masks_personal_data(user)

    def question(q: dict[str, Any]) -> dict[str, Any]:
        if not hides_business(user, q["department"]):
            return q
        return {**q, "company_name": access.mask_name(q["company_name"]), "question": access.mask_text(q["question"])}

    def cluster(c: dict[str, Any]) -> dict[str, Any]:
        if not observer:
            return c
        return {**c, "examples": [{**e, "excerpt": access.mask_text(e["excerpt"])} for e in c["examples"]]}

    return {
        **data,
        "figures": [f for f in data["figures"] if in_scope(user, f["department"])],
        "earlier_commitments": [c for c in data["earlier_commitments"] if in_scope(user, c["department"])],
        "question_groups": [[question(q) for q in group] for group in data["question_groups"]],
        "clusters": [cluster(c) for c in data["clusters"] if in_scope(user, c["department"])],
        "tickets": [t for t in data["tickets"] if in_scope(user, t["department"])],
        "items": [visible_item(i, user) for i in data["items"]],
    }


def attachment(body: bytes, extension: str, stem: str) -> Response:
    return Response(
        body,
        media_type=PDF if extension == "pdf" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{extension}"'},
    )


def whole_number(value: Any) -> int | None:
    """A count of working days as typed; None when left blank, SessionError when not a whole number."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise SessionError(texts.NEED_DEADLINE)
    return int(text)


def day_of(value: Any) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SessionError(texts.NEED_DEADLINE) from None
