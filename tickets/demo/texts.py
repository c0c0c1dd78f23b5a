"""Vietnamese material for the demo-data seeder (`tickets.demo.seed`): company and staff names, places, ticket
descriptions per topic with variable parts, and the staff's and businesses' messages.

Descriptions use `str.format` fields filled by the seeder: {month}, {quarter}, {days}, {weeks}, {months},
{times}, {amount}, {goods}, {port}, {bank}, {project}, {place}, {office}, {declaration}, {co_form},
{service}, {households}. Every template of a topic keeps the topic's vocabulary, so that the
recurring-problem clustering groups similar complaints.
"""

from __future__ import annotations

# (name, weight): where the demo businesses are, by the city's district-level units before 1 July 2025
# (data/lexicon/former_districts.yaml), weighted by how many businesses they host; each business is then
# placed in one of the commune-level units that took over its district.
DISTRICTS = [
    ("Quận 1", 14),
    ("Quận 3", 8),
    ("Quận 4", 3),
    ("Quận 5", 5),
    ("Quận 6", 3),
    ("Quận 7", 9),
    ("Quận 8", 3),
    ("Quận 10", 5),
    ("Quận 11", 3),
    ("Quận 12", 5),
    ("Quận Bình Thạnh", 8),
    ("Quận Gò Vấp", 5),
    ("Quận Phú Nhuận", 5),
    ("Quận Tân Bình", 9),
    ("Quận Tân Phú", 5),
    ("Quận Bình Tân", 5),
    ("Thành phố Thủ Đức", 10),
    ("Huyện Củ Chi", 2),
    ("Huyện Hóc Môn", 2),
    ("Huyện Bình Chánh", 3),
    ("Huyện Nhà Bè", 1),
    ("Huyện Cần Giờ", 1),
]

COMPANY_FORMS = [
    ("Công ty TNHH", 40),
    ("Công ty Cổ phần", 25),
    ("Công ty TNHH MTV", 15),
    ("Doanh nghiệp tư nhân", 5),
    ("Hộ kinh doanh", 15),
]
SECTORS = [
    "Thương mại Dịch vụ",
    "Sản xuất Thương mại",
    "Xuất nhập khẩu",
    "Xây dựng",
    "Đầu tư Phát triển",
    "Công nghệ",
    "Vận tải",
    "Logistics",
    "Dược phẩm",
    "Thực phẩm",
    "May mặc",
    "Cơ khí",
    "Bất động sản",
    "Du lịch",
    "Nhựa",
    "Bao bì",
    "Điện tử",
    "Nông sản",
    "Thủy sản",
    "Giáo dục",
    "Nội thất",
    "Phần mềm",
]
HOUSEHOLD_TRADES = ["Tạp hóa", "Quán cơm", "Tiệm may", "Cà phê", "Sửa xe", "Tiệm bánh", "Nhà thuốc", "Văn phòng phẩm"]
BRANDS = [
    "Minh Phát",
    "Phú Thịnh",
    "Hưng Thịnh",
    "An Khang",
    "Tân Việt",
    "Sài Gòn Xanh",
    "Đại Phát",
    "Thành Công",
    "Hoàng Long",
    "Nam Việt",
    "Phương Nam",
    "Bình Minh",
    "Kim Ngân",
    "Thái Sơn",
    "Vạn Lợi",
    "Hòa Bình",
    "Việt Úc",
    "Á Châu",
    "Toàn Cầu",
    "Sao Mai",
    "Trường Thịnh",
    "Gia Phú",
    "Đông Á",
    "Thiên Long",
    "Phúc Lộc",
    "Ánh Dương",
    "Hải Đăng",
    "Mekong",
    "Sông Hàn",
    "Bến Thành",
    "Chợ Lớn",
    "Ngọc Lan",
    "Hồng Hà",
    "Tín Nghĩa",
    "Đức Trí",
    "Quang Minh",
    "Nhật Tân",
    "Lộc Phát",
    "Vĩnh Hưng",
    "Kiến Phát",
]

FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Thu", "Hữu", "Đức", "Bảo", "Kim"]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Trí",
    "Tuấn",
    "Vy",
    "Yến",
]

# Variable parts of the descriptions.
GOODS = [
    "linh kiện điện tử",
    "hạt nhựa nguyên sinh",
    "máy móc thiết bị",
    "vải may mặc",
    "thủy sản đông lạnh",
    "gỗ nội thất",
    "cà phê nhân",
    "phụ tùng ô tô",
    "thiết bị y tế",
    "sữa bột",
]
PORTS = ["Cát Lái", "Tân Cảng – Hiệp Phước", "Cảng Sài Gòn khu vực I", "sân bay Tân Sơn Nhất", "ICD Phước Long"]
BANKS = ["Vietcombank", "BIDV", "Agribank", "VietinBank", "Sacombank", "ACB", "Techcombank", "HDBank"]
PROJECTS = [
    "nhà xưởng sản xuất bao bì",
    "trung tâm logistics",
    "khu nhà ở công nhân",
    "nhà máy chế biến thực phẩm",
    "tòa nhà văn phòng",
    "trường mầm non tư thục",
    "kho lạnh",
]
CO_FORMS = ["E", "D", "AK", "EUR.1", "CPTPP"]
SERVICES = ["cấp giấy phép xây dựng", "đăng ký doanh nghiệp", "cấp phiếu lý lịch tư pháp", "công bố sản phẩm"]

DESCRIPTIONS: dict[str, list[str]] = {
    "thue": [
        "Hồ sơ hoàn thuế GTGT hàng xuất khẩu nộp từ {month} đến nay đã quá {days} ngày nhưng chưa có kết quả, doanh nghiệp đang thiếu vốn lưu động.",
        "Hồ sơ hoàn thuế giá trị gia tăng {quarter} bị yêu cầu giải trình bổ sung {times} lần, mỗi lần một nội dung khác nhau.",
        "Không đăng nhập được hệ thống thuế điện tử để nộp tờ khai thuế {quarter}, đã gọi tổng đài nhiều lần nhưng chưa được hỗ trợ.",
        "Doanh nghiệp bị phạt chậm nộp tờ khai thuế dù đã nộp đúng hạn và có thông báo chấp nhận của hệ thống thuế điện tử.",
        "Đề nghị hướng dẫn gia hạn nộp thuế GTGT và thuế TNDN theo chính sách hỗ trợ năm nay; chi cục thuế trả lời chưa rõ.",
        "Hóa đơn điện tử có mã của cơ quan thuế bị treo ở trạng thái chờ cấp mã {days} ngày, không xuất được hóa đơn cho khách hàng.",
        "Văn bản đề nghị xóa tiền chậm nộp thuế gửi chi cục thuế từ {month} đến nay chưa được trả lời.",
        "Mã số thuế bị chuyển trạng thái không hoạt động tại địa chỉ đăng ký trong khi doanh nghiệp vẫn hoạt động tại {place}.",
    ],
    "hai_quan": [
        "Lô hàng {goods} nhập khẩu qua {port} bị phân luồng đỏ, chờ kiểm hóa {days} ngày chưa được thông quan, phát sinh phí lưu kho bãi.",
        "Tờ khai hải quan xuất khẩu số {declaration} bị treo trên hệ thống VNACCS, không in được danh sách container để qua khu vực giám sát.",
        "Hải quan tham vấn và bác bỏ trị giá khai báo lô {goods} nhập khẩu dù doanh nghiệp đã nộp đủ hợp đồng, hóa đơn, chứng từ thanh toán.",
        "Đề nghị hướng dẫn áp mã HS cho mặt hàng {goods}; hai chi cục hải quan áp hai mã HS khác nhau với thuế suất nhập khẩu chênh lệch.",
        "C/O mẫu {co_form} của lô {goods} nhập khẩu bị hải quan từ chối ưu đãi thuế đặc biệt vì lỗi chính tả nhỏ trên chứng nhận xuất xứ.",
        "Hồ sơ hoàn thuế nhập khẩu nguyên liệu sản xuất hàng xuất khẩu nộp cho chi cục hải quan từ {month} chưa được giải quyết.",
        "Doanh nghiệp chế xuất bị hải quan kiểm tra điều kiện giám sát lần thứ {times} trong năm, đề nghị làm rõ căn cứ.",
        "Lô hàng {goods} đã thông quan nhưng container bị kẹt tại {port} sau {days} ngày do ách tắc, đề nghị hải quan hỗ trợ.",
    ],
    "tin_dung": [
        "Ngân hàng {bank} từ chối cơ cấu lại thời hạn trả nợ khoản vay {amount} dù doanh nghiệp bị giảm doanh thu do dịch bệnh.",
        "Hồ sơ vay vốn theo chương trình hỗ trợ lãi suất 2% nộp tại {bank} từ {month} nhưng ngân hàng chưa giải ngân.",
        "Lãi suất khoản vay tại {bank} bị điều chỉnh tăng không báo trước, đề nghị xem xét theo chương trình kết nối ngân hàng – doanh nghiệp.",
        "Ngân hàng {bank} yêu cầu tài sản bảo đảm quá cao cho khoản vay {amount} dù doanh nghiệp có hợp đồng xuất khẩu ổn định.",
        "Doanh nghiệp đăng ký tham gia chương trình kết nối ngân hàng – doanh nghiệp từ {month} nhưng chưa được ngân hàng nào liên hệ.",
        "Khoản vay {amount} tại {bank} bị chuyển nợ nhóm 2 do chậm trả vài ngày, doanh nghiệp không vay được ngân hàng khác.",
    ],
    "dau_tu": [
        "Hồ sơ điều chỉnh Giấy chứng nhận đăng ký đầu tư (tăng vốn) nộp từ {month} chưa có kết quả, đã quá thời hạn luật định.",
        "Dự án {project} đã được chấp thuận chủ trương đầu tư nhưng vướng thủ tục giao đất, chậm tiến độ {months} tháng.",
        "Hồ sơ đăng ký góp vốn, mua cổ phần của nhà đầu tư nước ngoài nộp {weeks} tuần chưa nhận được thông báo chấp thuận.",
        "Đề nghị hướng dẫn thủ tục gia hạn tiến độ dự án đầu tư {project}; các sở, ngành trả lời chưa thống nhất.",
        "Dự án {project} chưa được hưởng ưu đãi đầu tư đã ghi trong Giấy chứng nhận đăng ký đầu tư.",
        "Dự án đầu tư {project} bị treo {months} tháng vì vướng quy định chồng chéo, đề nghị Thành phố tháo gỡ.",
    ],
    "dang_ky_kinh_doanh": [
        "Hồ sơ đăng ký thay đổi người đại diện theo pháp luật nộp qua mạng bị trả về {times} lần với lý do khác nhau.",
        "Hồ sơ đăng ký thành lập chi nhánh tại {place} nộp {days} ngày vẫn chưa có kết quả đăng ký kinh doanh.",
        "Đã nộp thông báo tạm ngừng kinh doanh đúng hạn nhưng hệ thống vẫn ghi doanh nghiệp đang hoạt động, bị nhắc nộp tờ khai.",
        "Thủ tục giải thể doanh nghiệp kéo dài {months} tháng vì chờ xác nhận hoàn thành nghĩa vụ thuế.",
        "Không ký số được hồ sơ đăng ký doanh nghiệp trên Cổng thông tin quốc gia về đăng ký doanh nghiệp, báo lỗi tài khoản.",
        "Hồ sơ bổ sung ngành nghề kinh doanh có điều kiện bị yêu cầu giấy tờ không có trong quy định đăng ký doanh nghiệp.",
        "Hộ kinh doanh chuyển đổi thành doanh nghiệp nhưng chưa được hướng dẫn thủ tục đăng ký và ưu đãi.",
    ],
    "dat_dai": [
        "Hồ sơ cấp Giấy chứng nhận quyền sử dụng đất cho nhà xưởng tại {place} nộp từ {month} chưa được giải quyết.",
        "Đơn giá thuê đất hằng năm của doanh nghiệp bị điều chỉnh tăng gấp {times} lần, đề nghị xem xét lại tiền thuê đất.",
        "Thủ tục gia hạn thời hạn thuê đất của doanh nghiệp kéo dài {months} tháng, ảnh hưởng việc thế chấp vay vốn.",
        "Dự án {project} vướng bồi thường, giải phóng mặt bằng {months} tháng, còn {households} hộ chưa bàn giao đất.",
        "Hồ sơ đăng ký biến động đất đai (chuyển nhượng quyền sử dụng đất) bị trả về nhiều lần không nêu rõ lý do.",
        "Hồ sơ đánh giá tác động môi trường của dự án {project} nộp {weeks} tuần vẫn chưa được thẩm định.",
        "Hồ sơ xác định giá đất cụ thể để tính tiền sử dụng đất của dự án {project} chờ hội đồng thẩm định {months} tháng.",
    ],
    "xay_dung": [
        "Hồ sơ cấp giấy phép xây dựng nhà xưởng tại {place} nộp từ {month} đã quá hạn nhưng chưa có kết quả.",
        "Công trình đã hoàn thành nhưng chưa được nghiệm thu đưa vào sử dụng, doanh nghiệp chưa thể vận hành.",
        "Công trình lân cận xây dựng sai phép làm nứt tường nhà xưởng tại {place}, đã báo phường nhưng chưa được xử lý.",
        "Đề nghị hướng dẫn thủ tục và ưu đãi khi doanh nghiệp đầu tư xây dựng nhà ở cho công nhân, nhà ở xã hội.",
        "Hồ sơ cấp chứng chỉ năng lực hoạt động xây dựng nộp {weeks} tuần vẫn chưa được cấp.",
        "Hồ sơ điều chỉnh giấy phép xây dựng bị yêu cầu bổ sung giấy tờ không có trong quy định.",
    ],
    "quy_hoach": [
        "Đề nghị cung cấp thông tin quy hoạch 1/2000 khu đất tại {place}; hồ sơ nộp {weeks} tuần chưa được trả lời.",
        "Khu đất của doanh nghiệp tại {place} nằm trong quy hoạch treo nhiều năm, không thể xây dựng hay chuyển nhượng.",
        "Hồ sơ điều chỉnh quy hoạch chi tiết 1/500 của dự án {project} chậm thẩm định {months} tháng.",
        "Chứng chỉ quy hoạch khu đất tại {place} chưa được cấp, ảnh hưởng tiến độ lập dự án.",
        "Thông tin quy hoạch trên cổng tra cứu khác với bản đồ quy hoạch phân khu, đề nghị Sở xác nhận.",
    ],
    "chuyen_doi_so": [
        "Dịch vụ công trực tuyến {service} báo lỗi khi ký số và nộp hồ sơ, doanh nghiệp không hoàn thành được thủ tục.",
        "Chữ ký số của doanh nghiệp không được Cổng dịch vụ công chấp nhận dù chứng thư số còn hiệu lực.",
        "Hồ sơ cấp giấy phép thiết lập trang thông tin điện tử tổng hợp nộp từ {month} chưa có kết quả.",
        "Cổng dịch vụ công thường xuyên quá tải cuối tháng, doanh nghiệp không nộp được hồ sơ trực tuyến đúng hạn.",
        "Doanh nghiệp nhỏ đề nghị được hỗ trợ tham gia chương trình chuyển đổi số nhưng chưa biết đăng ký ở đâu.",
    ],
    "cai_cach_hanh_chinh": [
        "Bộ phận một cửa {office} trả hồ sơ trễ hẹn {days} ngày nhưng không có văn bản xin lỗi.",
        "Cán bộ bộ phận một cửa {office} có thái độ thiếu hòa nhã, hướng dẫn hồ sơ không đầy đủ.",
        "Bộ phận một cửa {office} yêu cầu nộp bản sao có chứng thực dù doanh nghiệp đã nộp bản điện tử trên Cổng dịch vụ công.",
        "Thời gian chờ tại bộ phận một cửa {office} quá lâu, phải quay lại {times} lần để bổ sung từng giấy tờ.",
        "Doanh nghiệp không tra cứu được hồ sơ hành chính đang ở khâu nào, đề nghị công khai tiến độ giải quyết.",
    ],
    "tu_phap": [
        "Hai văn bản của Thành phố quy định khác nhau về cùng một thủ tục, đề nghị Sở Tư pháp hướng dẫn áp dụng.",
        "Hồ sơ cấp phiếu lý lịch tư pháp cho người lao động nước ngoài của doanh nghiệp nộp từ {month} chưa có kết quả.",
        "Hồ sơ đăng ký biện pháp bảo đảm bằng động sản của doanh nghiệp bị trả về vì lỗi kỹ thuật.",
        "Doanh nghiệp nhỏ đề nghị được trợ giúp pháp lý về tranh chấp hợp đồng với đối tác.",
        "Đề nghị được góp ý dự thảo văn bản quy phạm pháp luật liên quan đến hoạt động kinh doanh trước khi ban hành.",
        "Thủ tục chứng thực bản sao tại {office} kéo dài, yêu cầu giấy tờ không cần thiết.",
    ],
    "y_te": [
        "Hồ sơ cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nộp từ {month} chưa được thẩm định.",
        "Hồ sơ tự công bố sản phẩm thực phẩm bao gói sẵn nộp {weeks} tuần chưa thấy đăng tải, nhà phân phối chưa nhận hàng.",
        "Hồ sơ công bố sản phẩm mỹ phẩm nộp {weeks} tuần chưa được cấp số tiếp nhận phiếu công bố.",
        "Hồ sơ công bố tiêu chuẩn áp dụng trang thiết bị y tế bị trả về không nêu rõ lý do.",
        "Hồ sơ mở nhà thuốc tại {place} bị Sở Y tế yêu cầu bổ sung {times} lần.",
        "Đề nghị hướng dẫn khám sức khỏe định kỳ và tiêm chủng cho người lao động tại doanh nghiệp.",
    ],
    "khieu_nai": [
        "Doanh nghiệp bị {times} đoàn thanh tra, kiểm tra khác nhau làm việc trong năm với cùng nội dung, đề nghị xem xét việc chồng chéo.",
        "Đoàn kiểm tra đến doanh nghiệp tại {place} nhưng không xuất trình quyết định kiểm tra.",
        "Đơn khiếu nại quyết định xử phạt vi phạm hành chính gửi từ {month} chưa được thụ lý giải quyết.",
        "Cán bộ gợi ý doanh nghiệp thuê dịch vụ tư vấn bên ngoài để hồ sơ được giải quyết nhanh, đề nghị làm rõ.",
        "Đề nghị cho biết lịch tiếp công dân của lãnh đạo Thành phố để trình bày vụ việc khiếu nại kéo dài.",
    ],
}

# The neighbouring topic a business picks by mistake: a ticket filed there is transferred back.
MISROUTES = {
    "thue": "hai_quan",
    "hai_quan": "thue",
    "tin_dung": "dau_tu",
    "dau_tu": "dat_dai",
    "dang_ky_kinh_doanh": "thue",
    "dat_dai": "xay_dung",
    "xay_dung": "quy_hoach",
    "quy_hoach": "dat_dai",
    "chuyen_doi_so": "cai_cach_hanh_chinh",
    "cai_cach_hanh_chinh": "khieu_nai",
    "tu_phap": "dang_ky_kinh_doanh",
    "y_te": "dang_ky_kinh_doanh",
    "khieu_nai": "cai_cach_hanh_chinh",
}

ACKNOWLEDGEMENTS = [
    "{department} đã tiếp nhận phản ánh và giao bộ phận chuyên môn xem xét; kết quả sẽ được trả lời trong thời hạn quy định.",
    "Chúng tôi đã nhận được phản ánh của quý doanh nghiệp và đang kiểm tra hồ sơ liên quan.",
    "Cảm ơn quý doanh nghiệp đã phản ánh. Cán bộ phụ trách sẽ liên hệ nếu cần thêm thông tin.",
]
PROGRESS = [
    "Hồ sơ đang được phòng chuyên môn rà soát, dự kiến có kết quả trong tuần tới.",
    "{department} đã có văn bản đề nghị đơn vị liên quan phối hợp; sẽ thông tin ngay khi có kết quả.",
]
REQUESTS = [
    "Đề nghị quý doanh nghiệp cung cấp số hồ sơ (mã biên nhận) và ngày nộp để tra cứu.",
    "Đề nghị quý doanh nghiệp gửi bản chụp văn bản trả lời gần nhất của cơ quan giải quyết.",
    "Đề nghị quý doanh nghiệp cho biết tên cán bộ đã tiếp nhận và thời điểm làm việc.",
]
SUPPLEMENTS = [
    "Doanh nghiệp gửi bổ sung số biên nhận hồ sơ và ngày nộp như đề nghị.",
    "Đã gửi bản chụp văn bản liên quan, mong cơ quan sớm xem xét.",
    "Bổ sung thông tin: người liên hệ là kế toán trưởng, số điện thoại đã ghi trong phản ánh.",
]
RESOLUTIONS = [
    "{department} đã kiểm tra và giải quyết xong hồ sơ của quý doanh nghiệp; kết quả đã được gửi qua hệ thống và bưu chính.",
    "Sau khi rà soát, {department} đã hướng dẫn cụ thể các bước cần làm; cán bộ phụ trách đã liên hệ trực tiếp với doanh nghiệp.",
    "{department} đã chỉ đạo đơn vị liên quan xử lý dứt điểm và chấn chỉnh việc chậm trễ; xin lỗi quý doanh nghiệp vì sự bất tiện.",
    "Nội dung kiến nghị đã được {department} ghi nhận và tổng hợp báo cáo Ủy ban nhân dân Thành phố xem xét, tháo gỡ.",
    "Hồ sơ của quý doanh nghiệp đủ điều kiện và đã được giải quyết; đề nghị doanh nghiệp theo dõi kết quả trên Cổng dịch vụ công.",
]
TRANSFER_REASONS = [
    "Nội dung phản ánh thuộc thẩm quyền giải quyết của {department}.",
    "Phản ánh liên quan đến hồ sơ do {department} thụ lý; chuyển để giải quyết đúng thẩm quyền.",
    "Doanh nghiệp chọn nhầm lĩnh vực; chuyển {department} xử lý theo chức năng, nhiệm vụ.",
]
REOPEN_REASONS = [
    "Doanh nghiệp đã làm theo hướng dẫn nhưng hồ sơ vẫn chưa được giải quyết.",
    "Câu trả lời chưa đúng nội dung doanh nghiệp phản ánh, đề nghị xem xét lại.",
    "Kết quả trả lời khác với thông tin chi cục hướng dẫn trực tiếp, đề nghị làm rõ.",
]
RATING_COMMENTS = {
    5: [
        "Cán bộ trả lời nhanh, rõ ràng. Cảm ơn!",
        "Rất hài lòng, hồ sơ đã được giải quyết.",
        "Cảm ơn sở đã hỗ trợ doanh nghiệp kịp thời.",
    ],
    4: ["Đã giải quyết được, mong thời gian xử lý nhanh hơn.", "Hướng dẫn dễ hiểu, cảm ơn cán bộ."],
    3: ["Đã có kết quả nhưng còn chậm so với thời hạn.", "Câu trả lời tạm được, còn phải tự tìm hiểu thêm."],
    2: ["Trả lời chung chung, chưa đi vào vụ việc cụ thể.", "Xử lý chậm, phải nhắc nhiều lần."],
    1: ["Quá hạn mà vẫn chưa giải quyết được vấn đề.", "Không hài lòng, câu trả lời không đúng trọng tâm."],
}

# The assistant's own messages, as the dialogue sends them (bot/dialogue/texts.py; tickets may not import bot).
GREETING_REPLY = "Xin chào! Tôi là Đồng hành, trợ lý hỗ trợ doanh nghiệp của Thành phố Hồ Chí Minh."
THANKS_REPLY = "Rất vui được hỗ trợ quý doanh nghiệp. Cần gì thêm, quý doanh nghiệp cứ nhắn cho Đồng hành."
THANKS_FEEDBACK = "Cảm ơn quý doanh nghiệp đã góp ý."
SORRY_FEEDBACK = "Xin lỗi vì câu trả lời chưa đúng ý. Quý doanh nghiệp có thể hỏi lại hoặc gửi phản ánh."
NO_ANSWER = "Đồng hành chưa tìm được câu trả lời chắc chắn cho câu hỏi này. Quý doanh nghiệp có thể gửi phản ánh."
ASK_DESCRIPTION = "Xin quý doanh nghiệp mô tả vấn đề cần phản ánh, kiến nghị (việc gì, ở đâu, từ khi nào)."
FILED = "Đã tiếp nhận phản ánh {code}.\nĐơn vị xử lý: {department}.\nHạn trả lời: {due}."
STATUS = "Phản ánh {code}: {state}. Đơn vị xử lý: {department}. Hạn trả lời: {due}."
RATED = "Cảm ơn quý doanh nghiệp đã đánh giá {score}/5."
RATING_DONE = "Cảm ơn góp ý của quý doanh nghiệp; ý kiến đã được ghi vào phản ánh {code}."
REOPENED = "Đã mở lại phản ánh {code}; đơn vị sẽ tiếp tục xử lý."
MESSAGE_ADDED = "Đã chuyển nội dung vào phản ánh {code}; cán bộ phụ trách sẽ xem và trả lời."
ANSWER_FOOTER = "Nguồn: {sources}\nĐơn vị phụ trách: {department}"
BUTTONS_ANSWER = [["Hữu ích", "fb:up"], ["Chưa đúng", "fb:down"], ["Gửi phản ánh", "file"]]

GREETINGS = ["Xin chào", "chao ad", "Chào bạn", "alo ad ơi", "hi", "Xin chào, tôi là kế toán của công ty", "dạ chào ad"]
THANKS = ["Cảm ơn", "cảm ơn ad nha", "thanks", "Cảm ơn, thông tin rất hữu ích", "dạ em cảm ơn ạ"]
CHITCHAT = [
    "Thời tiết Sài Gòn hôm nay thế nào?",
    "Tối nay Việt Nam đá với Thái Lan mấy giờ?",
    "Cách nấu phở bò ngon",
    "Bạn bao nhiêu tuổi?",
    "Kể cho tôi nghe một câu chuyện cười đi",
    "Giá vàng hôm nay bao nhiêu?",
    "Cuối tuần này đi đâu chơi cho vui?",
    "Chiều nay có mưa không?",
]
OUT_OF_SCOPE_REPLY = (
    "Xin lỗi, câu hỏi này nằm ngoài phạm vi hỗ trợ. Đồng hành giải đáp thủ tục và tiếp nhận phản ánh của doanh "
    "nghiệp về thuế, hải quan, tín dụng, đầu tư, đăng ký kinh doanh, đất đai, xây dựng, quy hoạch, chuyển đổi số, "
    "cải cách hành chính, tư pháp, y tế và khiếu nại, tố cáo."
)
REFUSED_FOREIGN = (
    "Cơ sở dữ liệu này đã có {count} phản ánh không phải dữ liệu mẫu, nên không nạp dữ liệu mẫu vào đây. "
    "Hãy dùng một cơ sở dữ liệu trống (ví dụ DATABASE_URL=sqlite:///var/demo.db)."
)
REFUSED_AGAIN = (
    "Cơ sở dữ liệu này đã có dữ liệu mẫu ({count} cuộc trò chuyện mẫu). Muốn nạp lại, hãy xóa cơ sở dữ liệu "
    "hoặc dùng một cơ sở dữ liệu trống khác."
)
