"""Demo business-dialogue sessions: one each quarter of the seeded months with registered questions, answers,
minutes and commitments (most kept on time, some late, some still open), and one upcoming session taking
questions now, so the console, the public page and the statistics show the whole cycle.

The questions and answers are generic on purpose: they name problems and promises, never a legal fact,
fee or deadline."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session

from tickets.demo.life import Business, Clock
from tickets.storage.models import (
    AgendaItem,
    Commitment,
    CommitmentEvent,
    CommitmentState,
    DialogueSession,
    SessionQuestion,
    SessionState,
)

THEMES = [
    ("thuế, hải quan", ["CUC_THUE", "CUC_HAI_QUAN"], ["thue", "hai_quan"]),
    ("đầu tư, đất đai, xây dựng", ["SO_KHDT", "SO_TNMT", "SO_XD"], ["dau_tu", "dat_dai", "xay_dung"]),
    ("tín dụng và chuyển đổi số", ["NHNN_HCM", "SO_TTTT"], ["tin_dung", "chuyen_doi_so"]),
]
QUESTIONS = {
    "CUC_THUE": [
        "Hồ sơ hoàn thuế giá trị gia tăng của doanh nghiệp xuất khẩu chậm được giải quyết",
        "Doanh nghiệp gặp lỗi khi nộp tờ khai thuế điện tử vào cuối kỳ",
        "Đề nghị hướng dẫn thống nhất việc xử lý hóa đơn điện tử lập sai",
    ],
    "CUC_HAI_QUAN": [
        "Hàng nhập khẩu bị phân luồng đỏ nhiều lần dù doanh nghiệp chấp hành tốt",
        "Thời gian kiểm tra chuyên ngành tại cảng kéo dài làm tăng chi phí lưu kho",
    ],
    "SO_KHDT": [
        "Dự án đầu tư chờ điều chỉnh chủ trương đầu tư quá lâu",
        "Đề nghị rút ngắn thời gian thay đổi đăng ký doanh nghiệp trực tuyến",
    ],
    "SO_TNMT": ["Hồ sơ thuê đất của doanh nghiệp sản xuất chưa được xác định giá thuê đất"],
    "SO_XD": ["Thủ tục cấp giấy phép xây dựng nhà xưởng phải bổ sung hồ sơ nhiều lần"],
    "NHNN_HCM": ["Doanh nghiệp nhỏ khó tiếp cận các chương trình kết nối ngân hàng – doanh nghiệp"],
    "SO_TTTT": ["Dịch vụ công trực tuyến thường xuyên lỗi khi ký số hồ sơ"],
}
ANSWER = (
    "Đại diện {department} đã tiếp thu, cho biết đơn vị sẽ rà soát từng hồ sơ doanh nghiệp nêu và trả lời bằng văn bản."
)
PROMISES = [
    "Rà soát và trả lời bằng văn bản từng trường hợp doanh nghiệp đã nêu",
    "Tổ chức buổi làm việc riêng với các doanh nghiệp có hồ sơ tồn đọng",
    "Ban hành hướng dẫn thống nhất và đăng trên cổng thông tin của đơn vị",
]


@dataclass(frozen=True)
class SeededSessions:
    sessions: int
    questions: int
    commitments: int


def seed_sessions(
    session: Session,
    rng: random.Random,
    *,
    clock: Clock,
    businesses: list[Business],
    names: dict[str, str],
    start: datetime,
    now: datetime,
) -> SeededSessions:
    """Past sessions every three months from `start`, and one upcoming; all written in `session`."""
    calendar = clock.calendar
    made = questions = promised = 0
    day, number = clock.local(start).date() + timedelta(days=45), 0
    past: list[DialogueSession] = []
    while True:
        day = clock.working_day(day, 0)
        starts = clock.at_local(day, time(9, 0))
        upcoming = starts > now
        if upcoming:
            starts = clock.at_local(clock.working_day(clock.local(now).date(), 8), time(9, 0))
        theme, departments, topics = THEMES[number % len(THEMES)]
        dialogue = DialogueSession(
            title=f"Hội nghị đối thoại doanh nghiệp – chuyên đề {theme}",
            starts_at=starts,
            place="Hội trường Ủy ban nhân dân Thành phố",
            chair="Phó Chủ tịch Ủy ban nhân dân Thành phố",
            departments=departments,
            topics=topics,
            theme=f"Tháo gỡ khó khăn, vướng mắc của doanh nghiệp về {theme}",
            registration_opens_at=starts - timedelta(days=20),
            registration_closes_at=starts - timedelta(days=2),
            state=SessionState.registration_open if upcoming else SessionState.minutes_published,
            created_by="demo",
            created_at=starts - timedelta(days=25),
            updated_at=starts,
        )
        session.add(dialogue)
        session.flush()
        made += 1
        registered = _questions(session, rng, clock, dialogue, businesses, count=3 if upcoming else rng.randint(4, 7))
        questions += len(registered)
        if upcoming:
            break
        past.append(dialogue)
        promised += _held(session, rng, clock, dialogue, registered, names, now)
        day += timedelta(days=91)
        number += 1
    if past:  # the last one held waits for its minutes
        past[-1].state = SessionState.held
        past[-1].minutes_published_at = None
    for dialogue in past[:-1]:
        dialogue.minutes_approved_by = "demo"
        dialogue.minutes_published_at = calendar.add_working_days(dialogue.starts_at, 3)
        session.add(dialogue)
    return SeededSessions(made, questions, promised)


def _questions(
    session: Session,
    rng: random.Random,
    clock: Clock,
    dialogue: DialogueSession,
    businesses: list[Business],
    *,
    count: int,
) -> list[SessionQuestion]:
    found = []
    for _ in range(count):
        department = rng.choice(dialogue.departments)
        business = rng.choice(businesses)
        at = (
            dialogue.registration_opens_at
            + (dialogue.registration_closes_at - dialogue.registration_opens_at) * rng.random()
        )
        question = SessionQuestion(
            session_id=dialogue.id,
            channel=business.channel,
            user_key=business.user_key,
            company_name=business.name,
            tax_code=business.tax_code,
            question=rng.choice(QUESTIONS[department]),
            department=department,
            created_at=at,
        )
        session.add(question)
        session.flush()
        question.code = f"DT-{clock.local(at).year}-{question.id:06d}"
        found.append(question)
    return found


def _held(
    session: Session,
    rng: random.Random,
    clock: Clock,
    dialogue: DialogueSession,
    registered: list[SessionQuestion],
    names: dict[str, str],
    now: datetime,
) -> int:
    """The session's agenda answered, its questions answered and rated, and its commitments kept or not."""
    calendar = clock.calendar
    answered_at = dialogue.starts_at + timedelta(hours=2)
    for position, question in enumerate(registered, start=1):
        answer = ANSWER.format(department=names.get(question.department, question.department))
        session.add(
            AgendaItem(
                session_id=dialogue.id,
                position=position,
                kind="question",
                reference=question.code,
                title=question.question,
                department=question.department,
                answer=answer,
                answered_by="demo",
                answered_at=answered_at,
            )
        )
        question.answer, question.answered_at = answer, answered_at
        question.rating = rng.choice((3, 4, 4, 5, 5)) if rng.random() < 0.6 else None
        session.add(question)
    promised = 0
    for department in dialogue.departments:
        due = calendar.add_working_days(answered_at, rng.choice((10, 15, 20)))
        commitment = Commitment(
            session_id=dialogue.id,
            department=department,
            promise=rng.choice(PROMISES),
            created_at=answered_at,
            due_at=due,
            warn_at=calendar.warning_at(answered_at, due),
        )
        fate = rng.random()
        finished = None
        if fate < 0.6:
            finished = clock.staff_moment(answered_at, max(1, int(calendar.working_days_between(answered_at, due)) - 2))
        elif fate < 0.85:
            finished = clock.staff_moment(due, rng.randint(1, 6))
        if finished is not None and finished < now:
            commitment.state, commitment.completed_at = CommitmentState.done, finished
            commitment.evidence = "Văn bản trả lời doanh nghiệp đã gửi (dữ liệu mẫu)"
        for stamp in ("warn_at", "due_at"):
            moment = getattr(commitment, stamp)
            if moment < now and (commitment.completed_at is None or commitment.completed_at > moment):
                setattr(commitment, "warned_at" if stamp == "warn_at" else "escalated_at", moment)
        session.add(commitment)
        session.flush()
        session.add(CommitmentEvent(commitment_id=commitment.id, at=answered_at, actor="demo", kind="made"))
        if commitment.completed_at is not None:
            session.add(
                CommitmentEvent(
                    commitment_id=commitment.id,
                    at=commitment.completed_at,
                    actor="demo",
                    kind="done",
                    body=commitment.evidence,
                )
            )
        promised += 1
    return promised
