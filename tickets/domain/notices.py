"""What a business receives from its ticket: staff replies, requests for information, the result and the
rating prompt (Vietnamese), with the buttons the dialogue understands (`payloads`)."""

from __future__ import annotations

from tickets.domain import payloads

STATE_LABELS = {
    "moi": "Mới tiếp nhận",
    "dang_xu_ly": "Đang xử lý",
    "cho_bo_sung": "Chờ doanh nghiệp bổ sung",
    "da_tra_loi": "Đã trả lời",
    "dong": "Đã đóng",
}

Notice = tuple[str, list[list[str]]]  # text and [title, payload] buttons


def reply_button(code: str, title: str = "Trả lời phản ánh") -> list[str]:
    return [title, payloads.make(payloads.REPLY, code)]


def staff_reply(code: str, department_name: str, text: str) -> Notice:
    return (
        f"Phản hồi của {department_name} về phản ánh {code}:\n\n{text}\n\n"
        "Quý doanh nghiệp có thể bấm «Trả lời phản ánh» để gửi thêm thông tin.",
        [reply_button(code)],
    )


def request_info(code: str, department_name: str, text: str) -> Notice:
    return (
        f"{department_name} cần quý doanh nghiệp bổ sung thông tin cho phản ánh {code}:\n\n{text}\n\n"
        "Xin bấm «Gửi bổ sung» rồi nhập nội dung.",
        [reply_button(code, "Gửi bổ sung")],
    )


def resolution(code: str, department_name: str, text: str) -> Notice:
    return (
        f"{department_name} đã trả lời phản ánh {code}:\n\n{text}\n\n"
        "Nếu vấn đề chưa được giải quyết, quý doanh nghiệp có thể mở lại phản ánh trong 7 ngày.",
        [["Mở lại phản ánh", payloads.make(payloads.REOPEN, code)]],
    )


def rating_prompt(code: str) -> Notice:
    return (
        f"Quý doanh nghiệp hài lòng với kết quả xử lý phản ánh {code} ở mức nào? "
        "Chọn từ 1 (rất không hài lòng) đến 5 (rất hài lòng).",
        [[str(score), payloads.make(payloads.RATE, code, score)] for score in range(1, 6)],
    )
