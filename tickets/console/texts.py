"""Every Vietnamese string of the staff console."""

from __future__ import annotations

from tickets.domain import payloads

ROLE_LABELS = {
    "staff": "Cán bộ",
    "lead": "Lãnh đạo phòng",
    "supervisor": "Giám sát",
    "observer": "Quan sát viên",
    "admin": "Quản trị",
}
EVENT_LABELS = {
    "created": "Tiếp nhận phản ánh",
    "state": "Đổi trạng thái",
    "reply": "Trả lời doanh nghiệp",
    "request_info": "Đề nghị bổ sung thông tin",
    "resolve": "Trả lời chính thức",
    "note": "Ghi chú nội bộ",
    "business_message": "Doanh nghiệp nhắn thêm",
    "rate": "Doanh nghiệp đánh giá",
    "rating_comment": "Góp ý kèm đánh giá",
    "assign": "Phân công",
    "transfer": "Chuyển đơn vị",
    "warning": "Cảnh báo sắp đến hạn",
    "overdue": "Quá hạn, đã báo lãnh đạo",
}
DONE = {
    "reply": "Đã gửi trả lời cho doanh nghiệp.",
    "request-info": "Đã gửi đề nghị bổ sung thông tin.",
    "note": "Đã lưu ghi chú nội bộ (không gửi doanh nghiệp).",
    "resolve": "Đã trả lời chính thức; doanh nghiệp sẽ được mời đánh giá.",
    "assign": "Đã phân công.",
    "transfer": "Đã chuyển phản ánh sang đơn vị khác.",
    "propose": "Đã gửi đề xuất câu hỏi thường gặp; quản trị viên sẽ duyệt trước khi công bố.",
    "save": "Đã lưu bản nháp.",
    "publish": "Đã công bố vào cơ sở tri thức; trợ lý dùng ngay câu trả lời này.",
    "reject": "Đã từ chối bản nháp.",
}
NOTIFICATION_LABELS = {"warning": "Sắp đến hạn (đã dùng 80% thời gian)", "overdue": "Quá hạn xử lý"}

# A business's button press whose title the transcript does not hold, by whole payload or by kind; {0}, {1} are
# the payload's arguments (a ticket code, a score). Titles as the dialogue and the staff notices show them.
PRESSED = {
    payloads.HELPFUL: "Hữu ích",
    payloads.NOT_RIGHT: "Chưa đúng",
    payloads.FEEDBACK: "Góp ý về câu trả lời",
    payloads.DOCUMENT: "Chọn một câu hỏi gợi ý",
    payloads.SHOW: "Xem phản ánh {0}",
    payloads.REPLY: "Trả lời phản ánh {0}",
    payloads.RATE: "Đánh giá {1}/5 cho phản ánh {0}",
    payloads.REOPEN: "Mở lại phản ánh {0}",
    payloads.TOPIC: "Chọn lĩnh vực",
    payloads.WARD: "Chọn phường, xã",
    payloads.FILE: "Gửi phản ánh",
    payloads.STATUS: "Tra cứu phản ánh",
    payloads.CANCEL: "Hủy",
    payloads.KEEP: "Giữ nguyên",
    payloads.REUSE: "Dùng lại thông tin doanh nghiệp",
    payloads.SKIP: "Bỏ qua",
    payloads.EDIT: "Sửa nội dung",
    payloads.CONFIRM: "Xác nhận gửi",
    payloads.SESSION: "Chọn phiên đối thoại số {0}",
    payloads.SESSION_RATE: "Đánh giá {1}/5 cho câu trả lời {0}",
}
PRESSED_UNKNOWN = "(bấm một nút trả lời)"

SIGN_IN_INVALID = "Tên đăng nhập hoặc mật khẩu không đúng."
SIGN_IN_LOCKED = "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau 15 phút."
CSRF_FAILED = "Phiên làm việc không hợp lệ hoặc đã hết hạn. Vui lòng tải lại trang và thử lại."
FORBIDDEN = "Tài khoản của bạn không có quyền thực hiện thao tác này."
NOT_FOUND = "Không tìm thấy phản ánh, hoặc phản ánh không thuộc phạm vi của bạn."
REPORT_FORMAT_UNKNOWN = "Báo cáo chỉ tải được dưới dạng PDF (.pdf) hoặc Excel (.xlsx)."
EMPTY_TEXT = "Vui lòng nhập nội dung."
TOO_LONG = "Nội dung quá dài (tối đa {limit} ký tự)."
NOT_ALLOWED = "Không thể thực hiện ở trạng thái hiện tại của phản ánh: {detail}"
TRANSFER_REASON = "Vui lòng ghi lý do chuyển."
UNKNOWN_DEPARTMENT = "Đơn vị không hợp lệ."
UNKNOWN_ASSIGNEE = "Cán bộ được chọn không thuộc đơn vị xử lý phản ánh."
PASSWORD_MISMATCH = "Mật khẩu mới và mật khẩu nhập lại không khớp."
PASSWORD_REFUSED = {
    "wrong": "Mật khẩu hiện tại không đúng.",
    "short": "Mật khẩu mới cần ít nhất 12 ký tự.",
    "same": "Mật khẩu mới phải khác mật khẩu hiện tại.",
}

# Content upkeep (/staff/content)
CONTENT_DONE = {
    "review": "Đã ghi nhận rà soát; hạn rà soát tiếp theo đã cập nhật và cơ sở tri thức đã được lập chỉ mục lại.",
    "edit": "Đã lưu nội dung mới; trợ lý dùng ngay câu trả lời này.",
}
CONTENT_NOT_FOUND = "Không tìm thấy mục hỏi đáp này."
CONTENT_BAD_DATE = "Hạn rà soát viết dạng năm-tháng-ngày, ví dụ 2027-06-30."
