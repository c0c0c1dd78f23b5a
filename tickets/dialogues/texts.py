"""What businesses, organisers and the public read about dialogue sessions (Vietnamese)."""

from __future__ import annotations

from tickets.calendar.sla import LOCAL_TZ
from tickets.domain import payloads
from tickets.storage.models import CommitmentState, DialogueSession, SessionState

STATE_LABELS = {
    SessionState.planned: "Dự kiến",
    SessionState.registration_open: "Đang nhận đăng ký câu hỏi",
    SessionState.registration_closed: "Đã hết hạn đăng ký",
    SessionState.held: "Đã tổ chức",
    SessionState.minutes_published: "Đã công bố biên bản",
}
COMMITMENT_LABELS = {
    "kept": "Đã thực hiện đúng hạn",
    "late": "Đã thực hiện, trễ hạn",
    "in_progress": "Đang thực hiện",
    "overdue": "Quá hạn",
}
COMMITMENT_STATE_LABELS = {CommitmentState.open: "Đang thực hiện", CommitmentState.done: "Đã thực hiện"}
ITEM_KINDS = {
    "question": "Câu hỏi đăng ký",
    "cluster": "Vấn đề lặp lại",
    "ticket": "Phản ánh quá hạn hoặc mở lại",
    "commitment": "Cam kết phiên trước",
    "topic": "Nội dung khác",
}

NEED_TITLE = "Phiên đối thoại cần có tên."
NEED_PLACE = "Cần ghi địa điểm hoặc đường dẫn họp trực tuyến."
NEED_DEPARTMENT = "Cần chọn ít nhất một sở, ngành tham dự."
UNKNOWN_CODES = "Mã không có trong danh mục: {codes}."
BAD_WINDOW = "Thời gian nhận đăng ký phải bắt đầu trước khi kết thúc, và kết thúc không muộn hơn giờ khai mạc."
ALREADY_HELD = "Phiên đối thoại đã tổ chức, không sửa thông tin được nữa."
NO_GOING_BACK = "Phiên đang ở trạng thái «{state}», không chuyển lùi được."
MINUTES_NEED_APPROVAL = "Biên bản chỉ được công bố khi chủ trì phê duyệt."
MINUTES_BEFORE_HELD = "Chỉ công bố biên bản sau khi phiên đối thoại đã tổ chức."
QUESTION_TOO_SHORT = "Câu hỏi ngắn quá: xin viết rõ vấn đề (ít nhất vài từ), ví dụ «Thủ tục hoàn thuế GTGT kéo dài»."
QUESTION_TOO_LONG = "Câu hỏi dài quá {limit} ký tự, xin rút gọn."
REGISTRATION_CLOSED = "Phiên đối thoại này đã hết hạn đăng ký câu hỏi."
NEED_ANSWER = "Cần ghi nội dung trả lời."
ITEM_ANSWERED = "Mục đã có câu trả lời tại phiên, không bỏ khỏi chương trình được."
NEED_PROMISE = "Cần ghi nội dung cam kết."
NEED_DEADLINE = "Cần ghi thời hạn: số ngày làm việc (1–250) hoặc một ngày sau hôm nay."
NEED_EVIDENCE = "Cần ghi kết quả thực hiện (văn bản, đường dẫn, số hiệu) để hoàn thành cam kết."
NEED_NOTE = "Cần ghi nội dung tiến độ."
ALREADY_DONE = "Cam kết đã hoàn thành."
NOT_YOUR_DEPARTMENT = "Cam kết thuộc sở, ngành khác."


def when(dialogue: DialogueSession) -> str:
    return dialogue.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y")


def where(dialogue: DialogueSession) -> str:
    parts = [p for p in (dialogue.place, dialogue.online_link and f"trực tuyến: {dialogue.online_link}") if p]
    return "; ".join(parts)


def button_title(dialogue: DialogueSession) -> str:
    """A session as a button: its day and as much of its title as fits."""
    day = dialogue.starts_at.astimezone(LOCAL_TZ).strftime("%d/%m")
    title = dialogue.title if len(dialogue.title) <= 48 else dialogue.title[:47] + "…"
    return f"{day} · {title}"


def receipt(dialogue: DialogueSession, code: str) -> str:
    return (
        f"Đã đăng ký câu hỏi của quý doanh nghiệp cho «{dialogue.title}» ({when(dialogue)}, {where(dialogue)}). "
        f"Mã đăng ký: {code}. Câu hỏi sẽ được đưa vào chương trình đối thoại; trước phiên một ngày, Đồng hành "
        "sẽ nhắc lịch, và câu trả lời tại phiên sẽ được gửi về đây."
    )


def reminder(dialogue: DialogueSession, code: str) -> str:
    return (
        f"Nhắc lịch: «{dialogue.title}» diễn ra lúc {when(dialogue)}, {where(dialogue)}. "
        f"Câu hỏi {code} của quý doanh nghiệp đã có trong chương trình."
    )


def answer_notice(code: str, department_name: str, answer: str) -> tuple[str, list[list[str]]]:
    text = (
        f"Trả lời tại phiên đối thoại cho câu hỏi {code} ({department_name}):\n\n{answer}\n\n"
        "Quý doanh nghiệp đánh giá câu trả lời này ở mức nào? Chọn từ 1 (rất không hài lòng) đến 5 (rất hài lòng)."
    )
    return text, [[str(n), payloads.make(payloads.SESSION_RATE, code, n)] for n in range(1, 6)]
