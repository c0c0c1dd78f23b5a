"""The knowledge base as the app uses it: built from the knowledge sources (`knowledge.sources`), cached,
reloaded when rebuilt.

`build_index` encodes every key once and keeps the vectors in `var/kb/vectors.npz`, keyed by a hash of the
text, so a rebuild after editing a few entries encodes only those. It then writes `var/kb/stamp`; a
running `KnowledgeBase` sees the new stamp at its next question and reloads, without a restart.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from knowledge.answer import Answer, answer_from, answer_probability, compose
from knowledge.catalog import Catalog
from knowledge.loader import PLAN_DOCUMENT
from knowledge.retriever import Document, Hit, HybridRetriever, TopicPrior
from knowledge.sources import PLAN_DAY, sentences
from nlu.diacritics import DiacriticRestorer
from nlu.embeddings import Encoder
from nlu.normalize import normalize, strip_diacritics
from nlu.pipeline import ParseResult
from nlu.questions import detail_asked, states_detail

BATCH = 64
FOLLOW_UP_DEPTH = 10
DETAIL_SENTENCES = 3  # a detail question is answered with at most this many sentences of the entry
# The best fused score of a message about the knowledge's matters: 90 % of the follow-ups of the follow-up
# set score above it, 90 % of off-topic messages (chit-chat, weather, sport) below.
DOMAIN_SCORE = 0.48
# Folded forms that name the plan itself (not a business plan, "kế hoạch kinh doanh")
_PLAN_WORDS = re.compile(
    r"\bke hoach (?:nam 2022|2022|nay|chu de)|\b(?:thuc hien|trien khai|theo doi|giam sat) (?:ke hoach|chu de)\b"
    r"(?! kinh doanh| san xuat)"
)
_TASK_WORDS = re.compile(r"\b(?:duoc giao|giao cho|nhiem vu|trach nhiem|phu trach|tham muu|chu tri|phan cong)\b")
# Folded forms that point at the plan without naming it: "trong kế hoạch" (not an inspection, land-use or
# business plan, which businesses ask about), what it requires or attaches, the party documents it carries
# out, its programmes, and who it assigns to do what
_PLAN_HINTS = re.compile(
    r"\b(?:trong|theo|cua) ke hoach\b"
    r"|\bke hoach (?:co |da )?(?:yeu cau|de ra|dat ra|kem|giao|neu)\b"
    r"|\bthanh uy\b|\bbo chinh tri\b|\b(?:nq|ct|qd|kl)/(?:tw|tu)\b"
    r"|\bchu de nam\b|\bnam 2022\b|\bchuong trinh (?:dot pha|trong diem)\b"
    r"|\bthanh pho (?:co )?(?:dat muc tieu|phan dau|cam ket|uu tien)\b"
    r"|\b(?:don vi|co quan|so nganh|ai) (?:nao )?(?:duoc giao|tham muu|chu tri|theo doi|giam sat|don doc)\b"
)
# Plans businesses ask about that are not the city's plan: an inspection, land-use or business plan
_OTHER_PLANS = re.compile(r"\bke hoach (?:kinh doanh|san xuat|su dung dat|thanh tra|kiem tra|phong chong)\b")
# A hinted question is about the plan when its best plan section scores at least this close to its best FAQ
# entry: FAQ entries built on the plan come close, a business's own question leads by far more (chosen on
# data/plan/questions.yaml; see docs/benchmarks.md)
PLAN_HINT_GAP = 0.08
# The plan's sections found for a question are reordered by their fused score plus this much of their best
# sentence's match (the summed inverse section frequency of the syllables it shares with the question): among
# the sections, the right one came first for 0.947 / 1.000 of data/plan/questions.yaml and 0.986 / 0.879 of
# questions_heldout.yaml, with diacritics / without (0.947 / 0.955 and 0.943 / 0.727 without it)
PLAN_SENTENCE_WEIGHT = 0.01
PLAN_RERANKED = 8
PLAN_DEPTH = 40  # hits searched for a question about the plan, to find its sections among the FAQ entries
log = logging.getLogger(__name__)


def _syllables(text: str) -> list[str]:
    """The folded syllables of a text, abbreviations expanded ("so khdt" reads "so ke hoach va dau tu")."""
    return re.findall(r"[^\W\d_]+", normalize(text).folded.lower())


@functools.lru_cache(maxsize=4)
def _syllable_idf(texts: tuple[str, ...]) -> dict[str, float]:
    """log(N / n) of each syllable found in n of the N texts."""
    counts = Counter(syllable for text in texts for syllable in set(_syllables(text)))
    return {syllable: math.log(len(texts) / n) for syllable, n in counts.items()}


@functools.lru_cache(maxsize=128)
def _sentence_syllables(text: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(_syllables(sentence)) for sentence in sentences(text))


def _sentence_match(asked: set[str], text: str, idf: dict[str, float]) -> float:
    """How well the text's best sentence matches the question's syllables `asked`."""
    return max((sum(idf.get(s, 0.0) for s in asked & found) for found in _sentence_syllables(text)), default=0.0)


def key_hash(encoder: Encoder, text: str) -> str:
    return hashlib.sha256(f"{encoder.name}\n{text}".encode()).hexdigest()[:24]


def _reciprocal_rank(lists: Sequence[Sequence[Hit]], k: int = 10) -> list[Document]:
    """Documents ordered by the sum of 1 / (k + rank) over the lists (reciprocal rank fusion)."""
    scores: dict[str, float] = {}
    documents: dict[str, Document] = {}
    for hits in lists:
        for rank, hit in enumerate(hits):
            scores[hit.document.id] = scores.get(hit.document.id, 0.0) + 1 / (k + rank)
            documents[hit.document.id] = hit.document
    return [documents[i] for i in sorted(scores, key=lambda i: -scores[i])]


def _load_vectors(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as stored:
        return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))


def build_index(
    documents: Sequence[Document],
    encoder: Encoder,
    kb_dir: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Encode the keys not yet cached and publish a new stamp. Returns (keys encoded now, keys in all)."""
    kb_dir.mkdir(parents=True, exist_ok=True)
    cached = _load_vectors(kb_dir / "vectors.npz")
    texts = list(dict.fromkeys(key for document in documents for key in document.keys))
    hashes = [key_hash(encoder, t) for t in texts]
    missing = [(h, t) for h, t in zip(hashes, texts, strict=True) if h not in cached]
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        for (h, _), vector in zip(batch, encoder.encode_passages([t for _, t in batch]), strict=True):
            cached[h] = vector
        if progress:
            progress(min(start + BATCH, len(missing)), len(missing))
    kept = {h: cached[h] for h in hashes}
    temporary = kb_dir / "vectors.tmp.npz"
    np.savez(
        temporary,
        keys=np.array(list(kept), dtype=str),
        vectors=np.array(list(kept.values()), dtype=np.float32).reshape(len(kept), -1),
    )
    temporary.replace(kb_dir / "vectors.npz")
    stamp = hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()[:16]
    (kb_dir / "stamp").write_text(stamp, encoding="utf-8")
    return len(missing), len(texts)


class KnowledgeBase:
    """Answers questions from the current index; reloads when `build_index` published a new one."""

    def __init__(
        self, load_documents: Callable[[], list[Document]], encoder: Encoder, catalog: Catalog, kb_dir: Path
    ) -> None:
        self.load_documents = load_documents
        self.encoder = encoder
        self.catalog = catalog
        self.kb_dir = kb_dir
        self._lock = threading.Lock()
        self._stamp: str | None = None
        self._retriever: HybridRetriever | None = None

    @property
    def stamp(self) -> str | None:
        path = self.kb_dir / "stamp"
        return path.read_text(encoding="utf-8").strip() if path.exists() else None

    @property
    def loaded_stamp(self) -> str | None:
        """The stamp of the index this process answers from (None before the first question)."""
        return self._stamp

    def rebuild(self) -> tuple[int, int]:
        """Re-index the current documents (after an FAQ entry was published); servers reload at their next question."""
        return build_index(self.load_documents(), self.encoder, self.kb_dir)

    def retriever(self) -> HybridRetriever:
        """The retriever for the newest published index (built first when none was published)."""
        with self._lock:
            if self.stamp is None:
                build_index(self.load_documents(), self.encoder, self.kb_dir)
            stamp = self.stamp
            if self._retriever is None or stamp != self._stamp:
                self._retriever = self._load()
                self._stamp = stamp
            return self._retriever

    def _load(self) -> HybridRetriever:
        documents = self.load_documents()
        vectors = _load_vectors(self.kb_dir / "vectors.npz")
        keys = [key for document in documents for key in document.keys]
        hashes = [key_hash(self.encoder, k) for k in keys]
        if any(h not in vectors for h in hashes):  # data edited since the last build: encode what is new
            build_index(documents, self.encoder, self.kb_dir)
            vectors = _load_vectors(self.kb_dir / "vectors.npz")
        matrix = np.array([vectors[h] for h in hashes], dtype=np.float32).reshape(len(keys), -1)
        texts = [normalize(t).text for d in documents for t in (*d.keys, d.text)]
        restorer = DiacriticRestorer.train(texts)
        return HybridRetriever(documents, self.encoder, restore=restorer.restore, key_vectors=matrix)

    def search(self, question: str, k: int = 5, *, prior: TopicPrior | None = None) -> list[Hit]:
        return self.retriever().search(question, k, prior=prior)

    def ask(
        self, question: str, understood: ParseResult | None = None, *, besides: frozenset[str] = frozenset()
    ) -> Answer:
        """The answer, choices or ticket offer for a question, given what the NLU understood of it, from
        other entries than `besides` (those that answered the message's other questions).

        A message the NLU finds out of scope gets no policy answer; otherwise its topic probabilities
        favour the entries of likely topics.
        """
        plan_hits = self._plan_search(question)
        if plan_hits is not None:
            return self._ask_the_plan(question, plan_hits)
        if understood is not None and understood.intent == "out_of_scope":
            return Answer("out_of_scope", None, None, None, understood.confidence, ())
        prior = understood.topic_prior if understood else None
        topic_hint = understood.topic if understood else None
        hits = [h for h in self.search(question, 5 + len(besides), prior=prior) if h.document.id not in besides]
        return compose(hits[:5], self.catalog, topic_hint=topic_hint, question=question)

    def in_domain(self, message: str) -> bool:
        """Whether a message the NLU finds out of scope still reads like the knowledge base (its best fused
        score reaches `DOMAIN_SCORE`): "mất bao lâu?" does, "thời tiết hôm nay thế nào" does not."""
        hits = self.search(message, 1)
        return bool(hits) and hits[0].score >= DOMAIN_SCORE

    def plan_question(self, question: str) -> bool:
        """Whether a message asks about the plan itself: it names the plan, or a department and its tasks;
        or it hints at the plan and the plan's best section comes close to the best FAQ entry."""
        return self._plan_search(question) is not None

    def _plan_search(self, question: str) -> list[Hit] | None:
        """The search hits of a question about the plan itself (see `plan_question`), None for any other."""
        folded = normalize(question).folded.lower()
        named = _PLAN_WORDS.search(folded) or (
            _TASK_WORDS.search(folded) and any(name in folded for name in self._department_names)
        )
        if not named and (not _PLAN_HINTS.search(folded) or _OTHER_PLANS.search(folded)):
            return None
        hits = self.search(question, PLAN_DEPTH)
        if named:
            return hits
        plan = next((h.score for h in hits if h.document.source == PLAN_DOCUMENT), None)
        other = next((h.score for h in hits if h.document.source != PLAN_DOCUMENT), 0.0)
        return hits if plan is not None and plan >= other - PLAN_HINT_GAP else None

    @functools.cached_property
    def _department_names(self) -> list[str]:
        """The folded names (the plan's, today's, the short one) of the departments the plan assigns tasks."""
        names = {
            name
            for d in self.catalog.departments.values()
            if d.plan_section
            for name in (d.name_on(PLAN_DAY), d.name, d.short_name)
        }
        return [strip_diacritics(n).lower() for n in names]

    def _ask_the_plan(self, question: str, hits: Sequence[Hit]) -> Answer:
        """A question about the plan, answered from its best section, quoted around the sentence that answers
        it. The sections found are reordered by how well their best sentence matches the question (the rarer
        the syllables it shares, the better): a question about the plan usually asks for one sentence. (Offering
        the two best when they nearly tie did not help on data/plan/questions.yaml: the plan's sections are
        told apart well once the FAQ is set aside.)"""
        hits = [h for h in hits if h.document.source == PLAN_DOCUMENT][:PLAN_RERANKED]
        if not hits:
            return compose([], self.catalog)
        idf = _syllable_idf(tuple(d.text for d in self.retriever().documents if d.source == PLAN_DOCUMENT))
        asked = set(_syllables(question))
        hits = sorted(
            (
                Hit(h.document, h.score + PLAN_SENTENCE_WEIGHT * _sentence_match(asked, h.document.text, idf))
                for h in hits
            ),
            key=lambda h: -h.score,
        )
        confidence = answer_probability(hits[0].score, hits[0].score - (hits[1].score if len(hits) > 1 else 0.0))
        return answer_from(hits[0].document, self.catalog, confidence=confidence, question=question)

    def ask_in_context(self, follow_up: str, subject: str, topic: str | None, answered: str | None) -> Answer:
        """A follow-up that leans on an earlier question (`subject`, about `topic`, answered from the entry
        `answered` if any): the entries found for the follow-up with the subject, with the answered entry's
        own question, and alone, all with the subject's topic as the prior, merged by reciprocal rank. It is
        answered only when the three searches agree on the best entry; otherwise the three best are offered.
        (Chosen on the follow-up set of `bench/dialogue.py`: agreeing searches were right in 9 of 11 cases
        there, and the three best held the right entry in 81 of 85.)"""
        prior = {topic: 1.0} if topic else None
        leads = [subject]
        document = self.retriever().document(answered) if answered else None
        if document is not None:
            leads.append(document.title)
        lists = [self.search(f"{lead} {follow_up}", FOLLOW_UP_DEPTH, prior=prior) for lead in leads]
        lists.append(self.search(follow_up, FOLLOW_UP_DEPTH, prior=prior))
        ranked = _reciprocal_rank(lists)
        if not ranked:
            return compose([], self.catalog, topic_hint=topic)
        best = ranked[0]
        if all(hits and hits[0].document.id == best.id for hits in lists):
            return answer_from(best, self.catalog, confidence=1.0, topic_hint=topic, question=follow_up)
        return Answer("choose", None, best.topic or topic, best.department, 0.5, (), tuple(ranked[:3]))

    def detail(self, document_id: str, question: str) -> Answer | None:
        """A bare question about one detail of the entry just answered ("mất bao lâu?" after the answer on
        registering online): the entry's sentences that state it, or None when the question asks more or
        the entry does not say."""
        kind = detail_asked(question)
        document = self.retriever().document(document_id) if kind else None
        if document is None:
            return None
        stated = [s for s in sentences(document.text) if states_detail(kind, s)][:DETAIL_SENTENCES]
        if not stated:
            return None
        answer = answer_from(document, self.catalog, confidence=1.0)
        return dataclasses.replace(answer, answer=" ".join(stated))

    def answer_document(self, document_id: str) -> Answer | None:
        """The answer from a document the user chose among the offered ones (None for an unknown id)."""
        document = self.retriever().document(document_id)
        return answer_from(document, self.catalog, confidence=1.0) if document else None
