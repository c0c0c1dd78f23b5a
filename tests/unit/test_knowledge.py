"""Knowledge: FAQ validation, BM25, hybrid retrieval and the answer as the user reads it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.answer import (
    ANSWER_FROM,
    CHOOSE_FROM,
    REFERENCE_NOTE,
    TELEGRAM_LIMIT,
    Answer,
    Citation,
    answer_probability,
    compose,
    format_reply,
)
from knowledge.catalog import load_catalog
from knowledge.entries import EntryClassifier
from knowledge.index import Bm25Index, DenseIndex, KeyGroups
from knowledge.legal import Register, load_register
from knowledge.loader import load_faq, load_plan
from knowledge.retriever import Document, Hit, HybridRetriever
from knowledge.service import KnowledgeBase, build_index
from knowledge.sources import PlanSource, documents_of, faq_document, passages
from nlu.embeddings import RecentQueries
from tests.fakes.fake_encoder import FakeEncoder

CATALOG = load_catalog()
TOPICS = {code: topic.department for code, topic in CATALOG.topics.items()}

ENTRY = """\
- id: thue-hoan-thue-gtgt
  topic: thue
  department: CUC_THUE
  question: "Doanh nghiệp muốn hoàn thuế giá trị gia tăng thì làm gì?"
  paraphrases: ["Thủ tục hoàn thuế GTGT", "cty e muon hoan thue gtgt", "hồ sơ hoàn thuế gtgt gồm gì ad"]
  answer: "Doanh nghiệp lập hồ sơ đề nghị hoàn thuế và nộp cho cơ quan thuế quản lý trực tiếp."
  sources: [{doc: 108-2025-qh15, part: Điều 72}]
  reviewed: 2026-11-27
  review_by: 2027-05-27
"""


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    folder = tmp_path_factory.mktemp("legal")
    (folder / "thue.yaml").write_text(
        "- {id: 108-2025-qh15, number: 108/2025/QH15, type: Luật, title: Luật Quản lý thuế, issuer: Quốc hội,"
        " status: unverified}\n",
        encoding="utf-8",
    )
    return load_register(folder)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "thue.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_valid_entry_loads(tmp_path: Path, register: Register) -> None:
    (entry,) = load_faq(write(tmp_path, ENTRY), topics=TOPICS, register=register)
    assert entry.id == "thue-hoan-thue-gtgt" and entry.department == "CUC_THUE"
    assert faq_document(entry, register).citations == ("Luật Quản lý thuế số 108/2025/QH15, Điều 72",)
    assert entry.paraphrases[1] == "cty e muon hoan thue gtgt"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  reviewed: 2026-11-27\n", "", "expected the keys"),
        ("  review_by: 2027-05-27\n", "  review_by: 2026-11-01\n", "review_by must come after reviewed"),
        ("doc: 108-2025-qh15", "doc: 108-2099-qh15", "cites 108-2099-qh15, which the legal register does not hold"),
        ('"Thủ tục hoàn thuế GTGT", ', "", "needs at least 3 paraphrases"),
        ("department: CUC_THUE", "department: CUC_THUE_X", "unknown department 'CUC_THUE_X'"),
        ("id: thue-hoan-thue-gtgt", "id: Thue Hoan", "id must be lowercase ASCII"),
        ("sources: [{doc: 108-2025-qh15, part: Điều 72}]", 'sources: [""]', "sources must be non-empty"),
        ("sources: [{doc: 108-2025-qh15, part: Điều 72}]", "sources: []", "needs at least one source"),
    ],
)
def test_a_broken_entry_is_refused(tmp_path: Path, register: Register, old: str, new: str, message: str) -> None:
    assert old in ENTRY
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_faq(write(tmp_path, ENTRY.replace(old, new)), topics=TOPICS, register=register)


def test_a_long_answer_is_cut_into_passages_that_are_keys_of_its_own(tmp_path: Path, register: Register) -> None:
    (entry,) = load_faq(write(tmp_path, ENTRY), topics=TOPICS, register=register)
    answer = "Hồ sơ khai thuế tháng nộp chậm nhất ngày 20 của tháng tiếp theo trên thuedientu.gdt.gov.vn. " * 9
    document = faq_document(replace(entry, answer=answer.strip()), register)
    assert document.keys[: document.asked] == (entry.question, *entry.paraphrases)
    passages_of_answer = document.keys[document.asked :]
    assert len(passages_of_answer) >= 3 and all(len(p.split()) <= 40 for p in passages_of_answer)
    assert " ".join(passages_of_answer) == answer.strip()


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    write(tmp_path, ENTRY)
    (tmp_path / "thue2.yaml").write_text(ENTRY, encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate FAQ id"):
        load_faq(tmp_path, topics=TOPICS)


def test_bm25_ranks_matching_keys_and_scales_to_one() -> None:
    index = Bm25Index.build([["hoan", "thue"], ["thong", "quan"], ["hoan", "thue", "gtgt", "ho", "so"]])
    scores = index.scores([["hoan", "thue"], ["khong", "co"]])
    assert scores[0].argmax() == 0 and scores[0, 1] == 0
    assert (scores <= 1.0).all() and (scores[1] == 0).all()


def test_dense_index_exact_and_approximate_agree_on_the_nearest() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, approximate = DenseIndex(vectors, approximate=False), DenseIndex(vectors, approximate=True)
    _, exact_ids = exact.search(vectors[:20], 1)
    _, approximate_ids = approximate.search(vectors[:20], 1)
    assert (exact_ids[:, 0] == np.arange(20)).all() and (approximate_ids[:, 0] == np.arange(20)).all()


def documents() -> list[Document]:
    return [
        Document(
            "thue-hoan",
            "faq",
            "Hoàn thuế GTGT",
            "Nộp hồ sơ hoàn thuế cho cơ quan thuế.",
            "thue",
            "CUC_THUE",
            ("Doanh nghiệp muốn hoàn thuế giá trị gia tăng", "hoàn thuế gtgt cần hồ sơ gì"),
            ("Luật Quản lý thuế số 38/2019/QH14",),
        ),
        Document(
            "hq-thong-quan",
            "faq",
            "Thông quan",
            "Liên hệ chi cục hải quan nơi mở tờ khai.",
            "hai_quan",
            "CUC_HAI_QUAN",
            ("Lô hàng chưa được thông quan", "hàng bị giữ ở cảng"),
            ("Luật Hải quan số 54/2014/QH13",),
        ),
    ]


def test_hybrid_retrieval_finds_the_entry_with_and_without_diacritics() -> None:
    retriever = HybridRetriever(documents(), FakeEncoder())
    assert retriever.search("hoàn thuế gtgt thế nào")[0].document.id == "thue-hoan"
    assert retriever.search("lo hang chua thong quan o cang")[0].document.id == "hq-thong-quan"


def test_answer_carries_source_department_and_note_within_telegram_limit() -> None:
    document = documents()[0]
    long_answer = Answer(
        "answer",
        "Nội dung. " * 1000,
        "thue",
        "CUC_THUE",
        0.9,
        (Citation("faq", document.id, document.title),),
        sources=document.citations,
    )
    reply = format_reply(long_answer, CATALOG)
    assert len(reply) <= TELEGRAM_LIMIT
    assert "Nguồn: Luật Quản lý thuế số 38/2019/QH14" in reply
    assert "Đơn vị phụ trách: Thuế Thành phố Hồ Chí Minh" in reply
    assert reply.endswith(REFERENCE_NOTE)


def test_low_scores_offer_choices_or_a_ticket_instead_of_an_answer() -> None:
    refund, clearance = documents()
    close_call = compose([Hit(refund, 0.50), Hit(clearance, 0.49)], CATALOG)
    assert close_call.decision == "choose" and close_call.answer is None
    assert [d.id for d in close_call.choices] == ["thue-hoan", "hq-thong-quan"]
    assert CHOOSE_FROM <= close_call.confidence < ANSWER_FROM
    nothing_fits = compose([Hit(refund, 0.10), Hit(clearance, 0.09)], CATALOG, topic_hint="thue")
    assert nothing_fits.decision == "ticket" and nothing_fits.confidence < CHOOSE_FROM
    assert (nothing_fits.topic, nothing_fits.department) == ("thue", "CUC_THUE")
    assert compose([], CATALOG).decision == "ticket"


def test_index_build_is_incremental_and_a_running_base_reloads(tmp_path: Path, register: Register) -> None:
    docs = documents()
    encoder = FakeEncoder()
    assert build_index(docs, encoder, tmp_path) == (4, 4)
    assert build_index(docs, encoder, tmp_path) == (0, 4)
    current = list(docs)
    base = KnowledgeBase(lambda: current, encoder, CATALOG, tmp_path)
    assert base.search("hoàn thuế gtgt")[0].document.id == "thue-hoan"
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    current.append(faq_document(load_faq(write(faq_dir, ENTRY), topics=TOPICS)[0], register))
    assert build_index(current, encoder, tmp_path) == (5, 9)  # question, 3 paraphrases and the answer
    assert {h.document.id for h in base.search("cty e muon hoan thue gtgt", 3)} >= {"thue-hoan-thue-gtgt"}


def test_the_topic_prior_lifts_the_entry_of_the_likely_topic() -> None:
    twins = [
        Document(
            "thue-cham",
            "faq",
            "Hồ sơ chậm",
            "Liên hệ Cục Thuế.",
            "thue",
            "CUC_THUE",
            ("hồ sơ nộp lâu rồi chưa được giải quyết",),
        ),
        Document(
            "hq-cham",
            "faq",
            "Hồ sơ chậm",
            "Liên hệ Cục Hải quan.",
            "hai_quan",
            "CUC_HAI_QUAN",
            ("hồ sơ nộp lâu rồi chưa được giải quyết",),
        ),
        Document("IV.1", "plan-2022", "IV.1", "Báo cáo 6 tháng.", None, None, ("báo cáo kết quả thực hiện",)),
    ]
    retriever = HybridRetriever(twins, FakeEncoder())
    query = "hồ sơ nộp lâu rồi chưa được giải quyết"
    assert retriever.search(query, prior={"hai_quan": 0.9, "thue": 0.05})[0].document.id == "hq-cham"
    assert retriever.search(query, prior={"thue": 0.9, "hai_quan": 0.05})[0].document.id == "thue-cham"
    # A plan section has no topic: it takes the likeliest topic's probability, neither lifted nor sunk.
    assert retriever.prior([{"thue": 0.7, "hai_quan": 0.2}]).tolist() == [
        [pytest.approx(0.7), pytest.approx(0.2), pytest.approx(0.7)]
    ]


def test_best_key_per_document_skips_documents_without_keys() -> None:
    scores = np.array([[0.1, 0.9, 0.3, 0.2]], dtype=np.float32)
    best = KeyGroups.of(np.array([0, 0, 2, 2]), 3).best(scores)
    assert best.tolist() == [[pytest.approx(0.9), -np.inf, pytest.approx(0.3)]]
    with pytest.raises(ValueError, match="grouped by document"):
        KeyGroups.of(np.array([0, 1, 0, 1]), 2)


def test_a_long_plan_section_becomes_passages_cut_at_sentence_ends() -> None:
    sentence = "Sở Kế hoạch và Đầu tư tháo gỡ vướng mắc cho dự án đầu tư trên địa bàn Thành phố. "
    cut = passages(sentence * 20, words=40)
    assert len(cut) == 10 and all(len(p.split()) <= 40 for p in cut)  # 19 words a sentence: two per passage
    assert all(p.endswith(".") for p in cut)
    assert " ".join(cut) == (sentence * 20).strip()


def test_confidence_is_a_probability_that_grows_with_score_and_lead() -> None:
    low, high = answer_probability(0.3, 0.0), answer_probability(0.9, 0.0)
    assert 0.0 <= low < high <= 1.0
    assert answer_probability(0.6, 0.2) > answer_probability(0.6, 0.0)
    hits = HybridRetriever(documents(), FakeEncoder()).search("Doanh nghiệp muốn hoàn thuế giá trị gia tăng")
    answer = compose(hits, CATALOG)
    assert answer.decision == "answer" and answer.confidence >= ANSWER_FROM
    assert answer.citations == (Citation("faq", "thue-hoan", "Hoàn thuế GTGT"),)


def test_the_entry_classifier_learns_what_tells_neighbouring_entries_apart() -> None:
    phrasings = [
        (0, "hoàn thuế gtgt bị chậm quá hạn"),
        (0, "hồ sơ hoàn thuế nộp lâu chưa được giải quyết"),
        (0, "hoan thue tre han thi lam sao"),
        (1, "hồ sơ đề nghị hoàn thuế gồm những gì"),
        (1, "hoàn thuế gtgt cần giấy tờ gì"),
        (1, "chuan bi ho so hoan thue nhu the nao"),
    ]
    classifier = EntryClassifier.train(phrasings, documents=3)
    assert classifier is not None
    probabilities = classifier.probabilities(["hoàn thuế mãi chưa được, quá hạn rồi", "ho so hoan thue gom giay to gi"])
    assert probabilities.shape == (2, 3)
    assert (probabilities[:, 2] == probabilities[:, :2].max(axis=1)).all()  # unknown to it: neutral
    assert probabilities[0].argmax() == 0 and probabilities[1].argmax() == 1
    assert EntryClassifier.train([(0, "một"), (0, "hai")], documents=1) is None


def test_recent_queries_encode_a_repeated_message_once_and_stay_bounded() -> None:
    calls: list[str] = []

    def encode(text: str) -> np.ndarray:
        calls.append(text)
        return np.full(3, len(text), dtype=np.float32)

    recent = RecentQueries(size=2)
    first = recent.get("hoàn thuế", encode)
    first[:] = 0  # a caller changing its copy does not change what the next caller gets
    assert recent.get("hoàn thuế", encode).tolist() == [9.0, 9.0, 9.0] and calls == ["hoàn thuế"]
    recent.get("thông quan", encode)
    recent.get("mã số thuế", encode)  # the oldest, "hoàn thuế", is dropped
    recent.get("hoàn thuế", encode)
    assert calls == ["hoàn thuế", "thông quan", "mã số thuế", "hoàn thuế"]


def test_a_new_knowledge_source_is_one_class_and_is_searched_answered_and_cited(tmp_path: Path) -> None:
    class GuidanceSource:
        """A stand-in for a further source, say the city's guidance letters."""

        def documents(self) -> list[Document]:
            text = "Hướng dẫn mẫu của nguồn thử nghiệm về lịch tiếp doanh nghiệp. " * 40
            keys = ("lịch tiếp doanh nghiệp của nguồn thử nghiệm",)
            return [Document("hd-1", "huong-dan", "Hướng dẫn mẫu", text, "thue", "CUC_THUE", keys, ("Hướng dẫn mẫu",))]

    sources = [PlanSource(load_plan(), CATALOG), GuidanceSource()]
    encoder = FakeEncoder()
    build_index(documents_of(sources), encoder, tmp_path)
    base = KnowledgeBase(lambda: documents_of(sources), encoder, CATALOG, tmp_path)
    assert base.search("lịch tiếp doanh nghiệp của nguồn thử nghiệm")[0].document.id == "hd-1"
    answer = base.answer_document("hd-1")
    assert answer.citations[0].source == "huong-dan" and answer.sources == ("Hướng dẫn mẫu",)
    assert len(answer.answer) < len(GuidanceSource().documents()[0].text)  # a long text is answered by an excerpt
    assert answer.department == "CUC_THUE"
