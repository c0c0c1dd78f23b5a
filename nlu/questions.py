"""The shape of a message: the questions it holds, and whether it is a bare keyword.

`split_questions` cuts a message into the questions it asks, first where the writer separated them (lines,
numbered items, semicolons, question marks, sentences), else at a conjunction between two clauses ("thủ
tục giải thể và quyết toán thuế khi giải thể"). A cut is only a candidate: the dialogue answers the parts
separately only when they lead to different answers.
"""

from __future__ import annotations

import re

from nlu.normalize import fold_char, strip_diacritics

MIN_PART_WORDS = 2  # a part shorter than this is not a question of its own ("và", "thế nào")
MIN_CLAUSE_WORDS = 3  # each side of a conjunction cut
KEYWORD_WORDS = 5  # a message of at most this many words and no question word is a keyword

_LIST_ITEM = re.compile(r"(?:^|\s)(?:\(?\d{1,2}[).]|[a-eđ]\))\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:\n+|;\s*|\?+\s*)")
_SENTENCE = re.compile(r"(?<=[.!])\s+(?=[A-ZĐÀ-Ỹa-zđà-ỹ])")
# Conjunctions that join two questions, compared without diacritics: "..., và ...", "... còn ... thì sao"
# ("còn" only after a comma and before no number: "có còn giá trị không", "thuê 50 năm, còn hai năm nữa là
# hết" are one question)
_CONJUNCTIONS = re.compile(
    r"\s*,?\s+\b(?:va|voi lai|dong thoi|ngoai ra|con nua|them nua|va sau do|sau do)\b\s+"
    r"|\s*,\s*\bcon\b\s+(?!(?:\d|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|vai|it|khoang)\b)",
    re.IGNORECASE,
)
# How a question may open without a question word: "cho hỏi thủ tục giải thể và …"
_OPENERS = re.compile(r"^(?:(?:cho|xin) (?:em |minh |toi |ad )?hoi|hoi)\b", re.IGNORECASE)
# Names with "và" in them, which a cut must not split: "Sở Kế hoạch và Đầu tư", "Tài nguyên và Môi trường"
_NAMES_WITH_AND = re.compile(
    r"\b(?:ke hoach|tai nguyen|thong tin|nong nghiep|khoa hoc|van hoa|xay dung|xuat|lao dong thuong binh) va "
    r"(?:dau tu|moi truong|truyen thong|phat trien nong thon|cong nghe|the thao|du lich|kien truc|nhap khau|xa hoi)\b",
    re.IGNORECASE,
)
# Words that make a message a question; without diacritics only the forms that cannot be another word
# ("dau" is "đầu" as often as "đâu")
_QUESTION_WORDS = re.compile(
    r"\b(?:gì|(?:thì|làm|ra|vì|tại|thế) sao|nào|đâu|bao nhiêu|bao lâu|bao giờ|ai|hả|mấy)\b|"
    r"\b(?:gi|the nao|ra sao|thi sao|lam sao|bao nhieu|bao lau|khi nao|o dau|nhu nao)\b|"
    r"\bmay (?:ngay|thang|nam|lan|buoc)\b|"
    r"\b(?:không|khong|ko|k|hok|chưa|chua)\s*\?*\s*$",
    re.IGNORECASE,
)


# Words that point back to what was said before: "còn hộ kinh doanh thì sao?", "sau này muốn đóng nó thì
# làm sao"; without diacritics only the forms that cannot be another word ("no" is "nợ" as often as "nó")
_LEANING = re.compile(
    r"^(?:còn|vậy còn|thế còn|vậy|thế|nếu|sau đó|sau này|lúc đó|khi đó|lỡ|riêng)\b|\b(?:thì sao|nó|họ|cái đó|"
    r"loại kia|cái kia|trường hợp đó|trường hợp này|việc đó|bên đó)\b|"
    r"^(?:con|vay con|the con|vay|neu|sau do|sau nay|luc do|khi do)\b|\b(?:thi sao|cai do|loai kia|cai kia|"
    r"truong hop do|truong hop nay|viec do)\b",
    re.IGNORECASE,
)


# A bare question about one detail of what was just answered ("mất bao lâu?", "lệ phí bao nhiêu", "nộp ở
# đâu", "hồ sơ gồm gì"): how it is asked, and how an answer states that detail (both compared folded)
_DETAILS = {
    "duration": (
        r"\b(?:mat |trong |duoc )?(?:bao lau|may ngay|bao nhieu ngay|khi nao|bao gio|han chot|thoi han(?: la)?)\b",
        r"\b(?:\d+ (?:ngay|thang|nam|gio)|ngay lam viec|thoi han|cham nhat|trong vong|trong thoi han)\b",
    ),
    "cost": (
        r"\b(?:(?:le phi|phi|chi phi)(?: (?:la|het|mat))? bao nhieu|bao nhieu tien|(?:co )?(?:mat|ton) phi)\b",
        r"(?:\d[\d.,]* ?(?:dong|trieu|ty|%)|\bmien phi\b|\ble phi\b|\bkhong (?:thu|mat) phi\b)",
    ),
    "place": (
        r"\b(?:nop |lam |dang ky |nhan (?:ket qua )?|lien he |hoi )?(?:o dau|tai dau|cho nao|noi nao|co quan nao)\b",
        r"\b(?:tai|qua|cong|gov\.vn|so|phong|chi cuc|uy ban nhan dan|mot cua|co quan)\b",
    ),
    "documents": (
        r"\b(?:ho so|giay to|can)(?: (?:gom|can|phai co|co))?(?: nhung)? (?:gi|nhung gi)\b",
        r"\b(?:ho so gom|gom|to khai|ban sao|don de nghi|giay)\b",
    ),
}
# Words around a detail question that ask nothing more ("thì", "ạ", "tối đa", "được không")
_FILLER = frozenset(
    "thi vay the a ad oi cho hoi em e minh toi ko khong k duoc dc la co phai can da khoang thuong nhe ha ah nhi ak"
    " z ban ben voi".split()
)


def detail_asked(text: str) -> str | None:
    """The one detail a bare follow-up asks ("duration", "cost", "place", "documents"), or None when the
    message says more than that ("trễ hạn thì bị phạt sao" names a matter of its own)."""
    folded = strip_diacritics(text).lower()
    for kind, (asked, _) in _DETAILS.items():
        if re.search(asked, folded):
            rest = re.sub(asked, " ", folded)
            return kind if all(word in _FILLER for word in words(rest)) else None
    return None


def states_detail(kind: str, sentence: str) -> bool:
    """Whether a sentence of an answer states the detail `kind` (a duration, a fee, a place, the papers)."""
    return bool(re.search(_DETAILS[kind][1], strip_diacritics(sentence).lower()))


def leans_back(text: str) -> bool:
    """Whether a message points back to what was said before ("còn ... thì sao", "nó", "sau đó")."""
    return bool(_LEANING.search(text.strip().lower()))


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def split_questions(text: str) -> list[str]:
    """The questions a message asks, in order; the whole message when it asks one."""
    parts = [p for p in _by_separators(text) if len(words(p)) >= MIN_PART_WORDS]
    if len(parts) > 1:
        return parts
    clauses = _by_conjunction(text.strip())
    return clauses if len(clauses) > 1 else [text.strip()]


def _by_separators(text: str) -> list[str]:
    pieces = []
    for item in _LIST_ITEM.split(text):
        for piece in _SEPARATORS.split(item):
            pieces += _SENTENCE.split(piece)
    return [piece.strip(" ,.-–:") for piece in pieces if piece.strip(" ,.-–:")]


def _by_conjunction(text: str) -> list[str]:
    """The two clauses around the first conjunction with enough words on each side, each a question of its
    own ("… gồm những gì và nộp ở đâu", or after "cho hỏi"), else the text: "doanh nghiệp nhỏ và vừa …",
    "điều kiện gì về nhân sự và tên miền" are one question."""
    folded = "".join(fold_char(c) for c in text)  # same length as `text`: offsets carry over
    names = [name.span() for name in _NAMES_WITH_AND.finditer(folded)]
    opened = _OPENERS.search(folded.strip())
    for match in _CONJUNCTIONS.finditer(folded):
        if any(start <= match.start() < end for start, end in names):
            continue
        left, right = text[: match.start()].strip(" ,"), text[match.end() :].strip(" ,?")
        left_asks = opened or _QUESTION_WORDS.search(left) or "," in match.group()
        right_asks = opened or _QUESTION_WORDS.search(right)
        if left_asks and right_asks and min(len(words(left)), len(words(right))) >= MIN_CLAUSE_WORDS:
            return [left, right]
    return [text]


def is_keyword(text: str) -> bool:
    """A word or a few, asking nothing in words: "lãi suất", "hoa don dien tu", "giấy phép xây dựng"."""
    found = words(text)
    return 0 < len(found) <= KEYWORD_WORDS and not _QUESTION_WORDS.search(text.lower())
