"""Everything the assistant says, in one place (Vietnamese)."""

from __future__ import annotations

from bot.messages import Button
from tickets.domain import payloads

GREETING = (
    "Xin chào! Tôi là Đồng hành, trợ lý hỗ trợ doanh nghiệp của Thành phố Hồ Chí Minh.\n"
    "Quý doanh nghiệp có thể hỏi về thuế, hải quan, tín dụng, đầu tư, đăng ký kinh doanh, đất đai, xây dựng, "
    "quy hoạch, chuyển đổi số, thủ tục hành chính, tư pháp, y tế, khiếu nại – tố cáo; gửi phản ánh, kiến nghị "
    "đến đúng sở, ngành; hoặc tra cứu phản ánh đã gửi bằng mã (ví dụ PA-2026-000123)."
)
HELP = (
    "Cách dùng Đồng hành:\n"
    "• Gõ câu hỏi bằng tiếng Việt, có dấu hoặc không dấu, ví dụ: «hoàn thuế GTGT mất bao lâu?».\n"
    "• /phananh — gửi phản ánh, kiến nghị đến cơ quan phụ trách.\n"
    "• /tracuu PA-2026-000123 — tra cứu phản ánh đã gửi.\n"
    "• /doithoai — đăng ký câu hỏi cho phiên đối thoại doanh nghiệp với lãnh đạo Thành phố và các sở, ngành.\n"
    "• /huy — hủy thao tác đang làm."
)
THANKS = "Rất vui được hỗ trợ quý doanh nghiệp. Cần gì thêm, quý doanh nghiệp cứ nhắn cho Đồng hành."
GOODBYE = "Chào quý doanh nghiệp. Khi cần hỗ trợ, quý doanh nghiệp cứ nhắn cho Đồng hành."
HUMAN = (
    "Để cán bộ phụ trách trực tiếp xem xét và trả lời, quý doanh nghiệp hãy gửi phản ánh: Đồng hành chuyển "
    "đến đúng đơn vị, kèm thời hạn xử lý, và chuyển câu trả lời của cán bộ về ngay cuộc trò chuyện này."
)
TOO_LONG = "Tin nhắn dài quá {limit} ký tự. Xin quý doanh nghiệp gửi ngắn gọn hơn, hoặc chia thành nhiều tin."
NOT_TEXT = "Hiện Đồng hành chỉ đọc được tin nhắn chữ. Xin quý doanh nghiệp gõ nội dung cần hỏi."
CANCELLED = "Đã hủy. Quý doanh nghiệp có thể đặt câu hỏi khác bất cứ lúc nào."
NOTHING_TO_CANCEL = "Hiện không có thao tác nào đang thực hiện."
UNKNOWN_BUTTON = "Lựa chọn này không còn hiệu lực. Xin quý doanh nghiệp gõ lại câu hỏi."
PROCESSING_ERROR = (
    "Xin lỗi, hệ thống gặp sự cố khi xử lý tin nhắn. Tin nhắn đã được lưu lại; xin "
    "quý doanh nghiệp thử lại sau ít phút."
)

# Answers
CHOOSE = "Quý doanh nghiệp muốn hỏi về nội dung nào dưới đây?"
NO_ANSWER = (
    "Đồng hành chưa tìm được câu trả lời chắc chắn cho câu hỏi này. Quý doanh nghiệp có thể gửi phản ánh để cơ "
    "quan phụ trách trả lời trực tiếp."
)
KEYWORD_MENU = (
    "Về lĩnh vực «{topic}», quý doanh nghiệp muốn hỏi nội dung nào? Chọn một mục dưới đây, hoặc gõ câu hỏi cụ thể hơn."
)
PART_ANSWER = "Về «{part}»:"
PART_UNANSWERED = (
    "Về «{part}», Đồng hành chưa tìm được câu trả lời chắc chắn. Quý doanh nghiệp chọn một mục dưới đây, hỏi "
    "lại cụ thể hơn, hoặc gửi phản ánh."
)
DECLINED = "Dạ. Quý doanh nghiệp cần hỏi gì thêm, cứ nhắn cho Đồng hành."
THANKS_FEEDBACK = "Cảm ơn quý doanh nghiệp đã góp ý."
SORRY_FEEDBACK = (
    "Xin lỗi vì câu trả lời chưa đúng ý. Quý doanh nghiệp có thể hỏi lại với chi tiết cụ thể hơn, hoặc gửi phản "
    "ánh để cán bộ phụ trách trả lời."
)

# Filing an issue
ASK_DESCRIPTION = "Xin quý doanh nghiệp mô tả vấn đề cần phản ánh, kiến nghị (việc gì, ở đâu, từ khi nào)."
CONFIRM_DESCRIPTION = "Nội dung phản ánh:\n«{description}»\n\nBấm «Giữ nguyên» hoặc gõ nội dung khác để thay."
DESCRIPTION_TOO_SHORT = (
    "Nội dung còn ngắn quá. Xin mô tả rõ hơn, ví dụ: «Hồ sơ hoàn thuế nộp từ tháng 3 đến nay chưa có kết quả»."
)
ASK_TOPIC = "Phản ánh này thuộc lĩnh vực nào?"
ASK_COMPANY = "Tên doanh nghiệp (hoặc hộ kinh doanh) gửi phản ánh là gì?"
COMPANY_INVALID = "Tên doanh nghiệp chưa hợp lệ. Xin nhập tên đầy đủ, ví dụ: «Công ty TNHH Thương mại Minh An»."
ASK_TAX_CODE = (
    "Mã số thuế của doanh nghiệp? (10 chữ số, hoặc 13 chữ số với chi nhánh, ví dụ 0312345673 hoặc 0312345673-001)"
)
TAX_CODE_INVALID = (
    "Mã số thuế «{value}» chưa đúng: mã số thuế gồm 10 chữ số (chi nhánh thêm 3 chữ số, ví dụ 0312345673-001) "
    "và chữ số thứ 10 là số kiểm tra. Xin nhập lại, ví dụ: 0312345673."
)
ASK_CONTACT = "Số điện thoại hoặc email để cán bộ liên hệ khi cần?"
ASK_CONTACT_OPTIONAL = (
    "Số điện thoại hoặc email để cán bộ liên hệ khi cần? (có thể bỏ qua: câu trả lời sẽ gửi về cuộc trò chuyện này)"
)
CONTACT_INVALID = (
    "Thông tin liên hệ chưa hợp lệ. Xin nhập số điện thoại (ví dụ 0901234567) hoặc email (ví dụ ketoan@congty.vn)."
)
ASK_WARD = (
    "Doanh nghiệp ở phường, xã nào? (ví dụ: Phường Sài Gòn, Phường Thủ Dầu Một, Xã Củ Chi; nếu chỉ nhớ quận, huyện "
    "cũ, xin nhập tên quận, huyện đó; /huy để hủy)"
)
WARD_INVALID = (
    "Chưa nhận ra phường, xã «{value}» trong 168 phường, xã, đặc khu của Thành phố. Xin nhập lại, ví dụ: Phường Tân "
    "Định, Xã Bình Chánh, hoặc tên quận, huyện cũ như Quận 3."
)
WARD_OF_FORMER_DISTRICT = (
    "Từ ngày 01/7/2025, địa bàn {former} cũ thuộc các phường, xã sau. Doanh nghiệp ở phường, xã nào?"
)
WARD_CHOICES = "Có phải ý quý doanh nghiệp là một trong các phường, xã sau? Xin chọn, hoặc nhập lại tên phường, xã."
SUMMARY = (
    "Xin kiểm tra lại phản ánh:\n"
    "• Nội dung: {description}\n"
    "• Lĩnh vực: {topic}\n"
    "• Đơn vị tiếp nhận: {department}\n"
    "• Doanh nghiệp: {company}\n"
    "• Mã số thuế: {tax_code}\n"
    "• Liên hệ: {contact}\n"
    "• Phường, xã: {ward}\n\n"
    "Bấm «Xác nhận gửi» để gửi, «Sửa nội dung» để sửa, hoặc /huy để hủy."
)
SUMMARY_HINT = "Xin bấm «Xác nhận gửi» để gửi phản ánh, «Sửa nội dung» để sửa, hoặc /huy để hủy."
NO_CONTACT = "qua cuộc trò chuyện này"
FILED = (
    "Đã tiếp nhận phản ánh {code}.\n"
    "Đơn vị xử lý: {department}.\n"
    "Hạn trả lời: {due} ({days} ngày làm việc).\n"
    "Câu trả lời sẽ gửi về cuộc trò chuyện này. Tra cứu bất cứ lúc nào: «tra cứu {code}»."
)

# Status, replies into a ticket, rating
ASK_CODE = "Xin nhập mã phản ánh cần tra cứu, ví dụ PA-2026-000123."
CHOOSE_TICKET = "Các phản ánh quý doanh nghiệp đã gửi qua kênh này:"
CODE_INVALID = "Mã phản ánh có dạng PA-năm-6 chữ số, ví dụ PA-2026-000123. Xin nhập lại."
NOT_FOUND = "Không tìm thấy phản ánh {code} trong các phản ánh quý doanh nghiệp đã gửi qua kênh này."
STATUS = (
    "Phản ánh {code}\n"
    "• Trạng thái: {state}\n"
    "• Đơn vị xử lý: {department}\n"
    "• Hạn trả lời: {due}\n"
    "• Trả lời gần nhất: {last_reply}"
)
NO_REPLY_YET = "chưa có"
ASK_TICKET_MESSAGE = "Xin nhập nội dung gửi thêm vào phản ánh {code}."
TICKET_MESSAGE_ADDED = "Đã chuyển nội dung vào phản ánh {code}; cán bộ phụ trách sẽ xem và trả lời."
REOPENED = "Đã mở lại phản ánh {code}; đơn vị sẽ tiếp tục xử lý. Xin cho biết điều gì chưa được giải quyết."
REOPEN_REFUSED = (
    "Phản ánh {code} không mở lại được: chỉ mở lại trong 7 ngày sau khi được trả lời và khi chưa đánh giá. "
    "Nếu vấn đề vẫn còn, xin gửi phản ánh mới."
)
TICKET_CLOSED = "Phản ánh {code} đã đóng. Nếu vấn đề chưa được giải quyết, xin gửi phản ánh mới."
RATED = (
    "Cảm ơn quý doanh nghiệp đã đánh giá {score}/5. Quý doanh nghiệp có muốn góp ý thêm? Gõ góp ý, hoặc bấm «Bỏ qua»."
)
RATING_DONE = "Cảm ơn góp ý của quý doanh nghiệp; ý kiến đã được ghi vào phản ánh {code}."
ALREADY_RATED = "Phản ánh {code} đã được đánh giá trước đó. Cảm ơn quý doanh nghiệp."
RATING_INVALID = "Xin chọn một mức từ 1 đến 5."

# Buttons
HELPFUL = Button("Hữu ích", payloads.HELPFUL)
NOT_RIGHT = Button("Chưa đúng", payloads.NOT_RIGHT)
FILE_ISSUE = Button("Gửi phản ánh", payloads.FILE)
CHECK_TICKET = Button("Tra cứu phản ánh", payloads.STATUS)
KEEP = Button("Giữ nguyên", payloads.KEEP)
CONFIRM = Button("Xác nhận gửi", payloads.CONFIRM)
EDIT = Button("Sửa nội dung", payloads.EDIT)
CANCEL = Button("Hủy", payloads.CANCEL)
SKIP = Button("Bỏ qua", payloads.SKIP)

# Dialogue sessions
NO_OPEN_SESSION = (
    "Hiện chưa có phiên đối thoại nào đang nhận đăng ký câu hỏi. Lịch các phiên sắp tới và biên bản các phiên "
    "đã tổ chức được đăng tại trang «Đối thoại doanh nghiệp» (/doi-thoai). Trong lúc chờ, quý doanh nghiệp có "
    "thể gửi phản ánh để được sở, ngành trả lời trong thời hạn."
)
CHOOSE_SESSION = "Các phiên đối thoại đang nhận câu hỏi — xin chọn phiên quý doanh nghiệp muốn đăng ký:"
CHOOSE_SESSION_AGAIN = "Xin bấm chọn một phiên đối thoại ở trên, hoặc bấm «Hủy»."
ASK_SESSION_QUESTION = (
    "Xin nhập câu hỏi hoặc kiến nghị quý doanh nghiệp muốn nêu tại «{title}» (ghi rõ vấn đề, cơ quan liên quan "
    "nếu biết)."
)
SESSION_SUMMARY = "Đăng ký câu hỏi cho «{title}»:\n\n{question}\n{business}\nBấm «Gửi câu hỏi» để xác nhận."
SESSION_SUMMARY_BUSINESS = "\nDoanh nghiệp: {company} — mã số thuế {tax_code}\n"
SEND_QUESTION = "Gửi câu hỏi"
CONFIRM_SESSION_AGAIN = "Xin bấm «Gửi câu hỏi» để đăng ký, hoặc «Hủy» để thôi."
SESSION_RATED = "Cảm ơn quý doanh nghiệp đã đánh giá {score}/5 cho câu trả lời {code}."
