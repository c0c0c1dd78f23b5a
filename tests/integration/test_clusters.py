"""Recurring problems: tickets grouped by meaning with the real encoder, vectors cached in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func
from sqlmodel import select

from nlu.embeddings import Encoder, load_encoder
from tickets.reports.clusters import TicketVector, embed_missing, recurring_problems
from tickets.reports.data import Filters
from tickets.storage.models import Ticket

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)

VAT = [
    "Hồ sơ hoàn thuế GTGT của công ty nộp từ tháng 3 đến nay vẫn chưa được giải quyết.",
    "Doanh nghiệp chúng tôi bị chậm hoàn thuế giá trị gia tăng hơn 2 tháng, ảnh hưởng dòng tiền.",
    "Cục Thuế xử lý hồ sơ hoàn thuế GTGT hàng xuất khẩu quá chậm, đề nghị đẩy nhanh.",
    "Đã nộp đề nghị hoàn thuế VAT 45 ngày mà chưa nhận được tiền hoàn.",
    "Tiền hoàn thuế GTGT đầu vào bị chậm trễ so với thời hạn quy định.",
]
CUSTOMS = [
    "Lô hàng nhập khẩu của công ty liên tục bị phân luồng đỏ, phải kiểm tra thực tế.",
    "Hàng nhập khẩu nguyên liệu bị phân luồng đỏ nhiều lần dù doanh nghiệp chấp hành tốt.",
    "Tờ khai hải quan hàng nhập của chúng tôi lần nào cũng vào luồng đỏ, mất thời gian kiểm hóa.",
    "Hàng nhập khẩu bị phân luồng đỏ kiểm tra thực tế quá thường xuyên tại cảng Cát Lái.",
    "Container hàng nhập bị chuyển luồng đỏ, chờ kiểm hóa 5 ngày gây phát sinh chi phí lưu kho.",
]
PERMITS = [
    "Giấy phép xây dựng nhà xưởng nộp hồ sơ 2 tháng vẫn chưa được cấp.",
    "Công ty xin cấp phép xây dựng văn phòng nhưng quá hạn chưa có kết quả.",
    "Hồ sơ đề nghị cấp giấy phép xây dựng bị trễ hẹn nhiều lần, không rõ lý do.",
    "Chúng tôi chờ giấy phép xây dựng cho dự án kho bãi đã quá thời hạn giải quyết.",
    "Việc cấp giấy phép xây dựng tại quận chậm, doanh nghiệp không thể khởi công.",
]
ONE_OFFS = [
    "Website dịch vụ công bị lỗi không đăng nhập được bằng tài khoản định danh điện tử.",
    "Xin hỏi thủ tục đăng ký nhãn hiệu cho sản phẩm cà phê.",
    "Đường trước cửa hàng bị ngập nước mỗi khi mưa lớn, ảnh hưởng kinh doanh.",
    "Đề nghị hỗ trợ vay vốn ưu đãi cho doanh nghiệp nhỏ và vừa bị ảnh hưởng bởi bão.",
]
VAT_BY_ZALO = "Công ty đã nộp hồ sơ hoàn thuế GTGT hơn 60 ngày nhưng chưa được hoàn tiền."
VAT_LAST_MONTH = "Hoàn thuế giá trị gia tăng cho hàng xuất khẩu bị chậm, hồ sơ nộp đã lâu."


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode_passages(texts)


@pytest.fixture(scope="module")
def real_encoder(model_dir: Path) -> Encoder:
    return load_encoder(model_dir, threads=2)


def _file(database, tickets: list[tuple[str, str, str, str, datetime]]) -> None:
    with database.session() as session:
        for number, (description, topic, department, channel, at) in enumerate(tickets, start=1):
            session.add(
                Ticket(
                    code=f"PA-2026-{number:06d}",
                    topic=topic,
                    department=department,
                    channel=channel,
                    description=description,
                    company_name="Công ty TNHH Ví Dụ",
                    tax_code="0312345673",
                    ward="Phường Bến Thành",
                    created_at=at,
                    acknowledge_due=at + timedelta(days=1),
                    due_at=at + timedelta(days=14),
                )
            )


@pytest.fixture
def filed(database) -> dict[str, set[str]]:
    """The tickets of October 2026 in three groups and a few one-offs, plus two VAT tickets to leave out."""
    rows = [(text, "thue", "CUC_THUE", "telegram") for text in VAT]
    rows += [(text, "hai_quan", "CUC_HAI_QUAN", "telegram") for text in CUSTOMS]
    rows += [(text, "xay_dung", "SO_XAY_DUNG", "webchat") for text in PERMITS]
    rows += [(text, "khac", "SO_KHDT", "telegram") for text in ONE_OFFS]
    rows += [(VAT_BY_ZALO, "thue", "CUC_THUE", "zalo")]
    dated = [(*row, START + timedelta(days=1 + i, hours=3)) for i, row in enumerate(rows)]
    dated.append((VAT_LAST_MONTH, "thue", "CUC_THUE", "telegram", START - timedelta(hours=1)))
    _file(database, dated)
    codes = [f"PA-2026-{n:06d}" for n in range(1, len(dated) + 1)]
    return {
        "vat": {*codes[0:5], codes[19]},
        "customs": set(codes[5:10]),
        "permits": set(codes[10:15]),
        "one_offs": set(codes[15:19]),
        "last_month": {codes[20]},
    }


def _stored_vectors(database) -> int:
    with database.session() as session:
        return session.exec(select(func.count()).select_from(TicketVector)).one()


def test_similar_tickets_form_labelled_groups(database, filed: dict[str, set[str]], real_encoder: Encoder) -> None:
    encoder = CountingEncoder(real_encoder)
    clusters = recurring_problems(database, period_start=START, period_end=END, filters=Filters(), encoder=encoder)

    assert encoder.texts == 20 and _stored_vectors(database) == 20  # the period's tickets, not last month's
    assert [c.size for c in clusters] == [6, 5, 5]
    by_group = {
        name: next(c for c in clusters if {e.code for e in c.examples} <= filed[name])
        for name in ("vat", "customs", "permits")
    }
    vat, customs, permits = by_group["vat"], by_group["customs"], by_group["permits"]
    assert vat.size == 6 and vat.topics == ["thue"] and "thuế" in vat.label
    assert customs.topics == ["hai_quan"] and "luồng đỏ" in customs.label
    assert permits.topics == ["xay_dung"] and "giấy phép xây dựng" in permits.label
    assert all(1 <= len(c.examples) <= 3 and 3 <= len(c.label.replace(",", " ").split()) <= 6 for c in clusters)
    assert all(len(e.excerpt) <= 200 for c in clusters for e in c.examples)

    # With groups of one allowed, every ticket is placed exactly once: the one-offs stand alone.
    everything = recurring_problems(
        database, period_start=START, period_end=END, filters=Filters(), encoder=encoder, min_size=1, limit=50
    )
    assert sorted(c.size for c in everything) == [1, 1, 1, 1, 5, 5, 6]
    assert {c.examples[0].code for c in everything if c.size == 1} == filed["one_offs"]
    assert encoder.texts == 20  # nothing encoded twice

    telegram = recurring_problems(database, period_start=START, period_end=END, filters=Filters(channel="telegram"))
    assert [c.size for c in telegram] == [5, 5]
    tax = recurring_problems(database, period_start=START, period_end=END, filters=Filters(department="CUC_THUE"))
    assert [(c.size, c.topics) for c in tax] == [(6, ["thue"])]


def test_vectors_are_computed_once_and_tickets_without_one_are_skipped(database, filed, real_encoder: Encoder) -> None:
    encoder = CountingEncoder(real_encoder)
    assert recurring_problems(database, period_start=START, period_end=END, filters=Filters()) == []  # no vectors yet

    vat_ids = list(range(1, 6))
    assert embed_missing(database, encoder, ticket_ids=vat_ids, batch=2) == 5
    assert embed_missing(database, encoder, ticket_ids=vat_ids) == 0
    only_vat = recurring_problems(database, period_start=START, period_end=END, filters=Filters())
    assert [c.size for c in only_vat] == [5]

    assert embed_missing(database, encoder, limit=3) == 3
    assert embed_missing(database, encoder) == 21 - 8
    assert encoder.texts == 21 and _stored_vectors(database) == 21
    recurring_problems(database, period_start=START, period_end=END, filters=Filters(), encoder=encoder)
    assert encoder.texts == 21
