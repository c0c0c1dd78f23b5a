"""Recurring problems: the period's tickets grouped by meaning, each group labelled and exemplified.

Each ticket's description is embedded once, by the project's sentence encoder, and the vector is kept in
`ticket_vectors`; a report only reads vectors (and embeds the few tickets still without one). The vectors are
the encoder's *query* form: e5 models use the "query: " prompt on both sides of a symmetric similarity task,
and it separates paraphrases from neighbouring problems better than the passage form.

Clustering is average-linkage agglomerative clustering on cosine distance, cut at `DISTANCE_THRESHOLD`:
a group holds tickets whose mean pairwise cosine similarity is at least 1 - threshold. e5 vectors are
anisotropic (unrelated Vietnamese texts already score ~0.85), so the threshold is small.

Labels are c-TF-IDF style: the syllables and syllable pairs frequent in the group and rare in the period's
other tickets, each grown into the phrase it sits in (while at least 80 % of its tickets agree), stop words
trimmed, in the normalised (NFC, lower-case, abbreviations expanded) spelling with its diacritics.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from nlu.embeddings import Encoder
from nlu.normalize import normalize
from tickets.reports.data import Cluster, ClusterTicket, Filters
from tickets.reports.stats import filtered
from tickets.storage.db import Database
from tickets.storage.models import Ticket, TicketVector

DISTANCE_THRESHOLD = 0.095  # average-linkage cosine distance; calibrated on multilingual-e5-small
EXCERPT_CHARS = 200
MAX_LABEL_WORDS = 6
MIN_LABEL_WORDS = 3
_IDS_PER_QUERY = 500  # bound on an IN (...) list

# Vietnamese function syllables that never start or end a label phrase.
STOP_WORDS = frozenset(
    "à ạ ai anh bà bao bạn bằng bị bởi cả các cái cần cho chỉ chị chiếc chúng có còn của cùng cũng đã đang "
    "đây để đến đều đó được gì hay hãy hoặc họ hơn khi không là lại lên lúc mà mình mới một này nào nay nên "
    "nếu nhé nhiều như nhưng những nữa ơi ông phải qua quá ra rằng rất rồi sau sẽ sự tại tôi từ thì thế theo "
    "trên trong và vào vẫn về vì việc với vừa xin xuống".split()
)
# Phrases every kind of ticket contains; neither they nor their syllables make a label.
STOP_PHRASES = frozenset(
    {"công ty", "doanh nghiệp", "đề nghị", "chúng tôi", "hiện nay", "thời gian", "giải quyết", "hỗ trợ"}
)
_STOP_SYLLABLES = STOP_WORDS | {word for phrase in STOP_PHRASES for word in phrase.split()}
_WORD = re.compile(r"\w+")


def vector_model(encoder: Encoder) -> str:
    """The `model` value stored with the vectors this module computes with `encoder`."""
    return f"{encoder.name}:query"


def embed_missing(
    database: Database,
    encoder: Encoder,
    *,
    ticket_ids: Iterable[int] | None = None,
    batch: int = 64,
    limit: int | None = None,
) -> int:
    """Embed the descriptions of tickets that have no vector by this encoder (or one by another model,
    which is replaced), in batches each committed on its own; returns how many were embedded.

    Args:
        ticket_ids: Only these tickets (default: all tickets, oldest first).
        batch: Texts per encoder call and per transaction.
        limit: Stop after this many (for a background job that works in slices).
    """
    model, done, after = vector_model(encoder), 0, 0
    ids = sorted(set(ticket_ids)) if ticket_ids is not None else None
    chunks = [ids[i : i + _IDS_PER_QUERY] for i in range(0, len(ids), _IDS_PER_QUERY)] if ids is not None else [None]
    for chunk in chunks:
        after = 0
        while limit is None or done < limit:
            size = batch if limit is None else min(batch, limit - done)
            with database.session() as session:
                query = (
                    select(Ticket.id, Ticket.description)
                    .outerjoin(TicketVector, col(TicketVector.ticket_id) == col(Ticket.id))
                    .where(
                        sa.or_(col(TicketVector.ticket_id).is_(None), col(TicketVector.model) != model),
                        col(Ticket.id) > after,
                    )
                    .order_by(col(Ticket.id))
                    .limit(size)
                )
                if chunk is not None:
                    query = query.where(col(Ticket.id).in_(chunk))
                rows = session.exec(query).all()
                if not rows:
                    break
                vectors = encoder.encode_queries([description for _, description in rows])
                found = [ticket_id for ticket_id, _ in rows]
                session.execute(sa.delete(TicketVector).where(col(TicketVector.ticket_id).in_(found)))
                session.execute(
                    sa.insert(TicketVector),
                    [
                        {"ticket_id": i, "model": model, "vector": _to_bytes(v)}
                        for i, v in zip(found, vectors, strict=True)
                    ],
                )
            done, after = done + len(rows), found[-1]
    return done


@dataclass
class _Item:
    code: str
    topic: str
    description: str


def recurring_problems(
    database: Database,
    *,
    period_start: datetime,
    period_end: datetime,
    filters: Filters,
    encoder: Encoder | None = None,
    max_tickets: int = 3000,
    min_size: int = 3,
    limit: int = 10,
    threshold: float = DISTANCE_THRESHOLD,
) -> list[Cluster]:
    """The period's largest groups of similar tickets, biggest first.

    Tickets created in [period_start, period_end) that match `filters` are read; when there are more than
    `max_tickets`, only the most recent `max_tickets` are clustered (the distance matrix grows with the
    square of the count: 3000 tickets take ~70 MB and about a second). Tickets without a vector are embedded
    first when `encoder` is given, else left out (and only vectors of the most common model are used).

    Args:
        min_size: Smallest group reported.
        limit: Most groups reported.
        threshold: Average-linkage cosine distance at which groups stop merging.
    """
    items, vectors = _load(database, period_start, period_end, filters, encoder, max_tickets)
    if len(items) < max(min_size, 2):
        return []
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distances = 1.0 - (vectors @ vectors.T).astype(np.float64)
    np.clip(distances, 0.0, 2.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    assignment = fcluster(
        linkage(squareform(distances, checks=False), method="average"), t=threshold, criterion="distance"
    )
    del distances
    groups: dict[int, list[int]] = {}
    for index, group in enumerate(assignment.tolist()):
        groups.setdefault(group, []).append(index)  # indexes ascend: the most recent ticket first
    kept = sorted((m for m in groups.values() if len(m) >= min_size), key=lambda m: (-len(m), m[0]))[:limit]
    if not kept:
        return []
    texts = [_label_text(item.description) for item in items]
    terms = [_terms(text) for text in texts]
    document_frequency = Counter(term for found in terms for term in found)
    return [_cluster(members, items, vectors, texts, terms, document_frequency) for members in kept]


def _load(
    database: Database, start: datetime, end: datetime, filters: Filters, encoder: Encoder | None, max_tickets: int
) -> tuple[list[_Item], np.ndarray]:
    query = (
        select(Ticket.id, Ticket.code, Ticket.topic, Ticket.description, TicketVector.model, TicketVector.vector)
        .outerjoin(TicketVector, col(TicketVector.ticket_id) == col(Ticket.id))
        .where(col(Ticket.created_at) >= start, col(Ticket.created_at) < end)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(max_tickets)
    )
    query = query.where(*filtered(filters))
    with database.session() as session:
        rows = session.exec(query).all()
        if encoder is not None:
            model = vector_model(encoder)
            stale = [row[0] for row in rows if row[4] != model]
        else:
            models = Counter(row[4] for row in rows if row[4] is not None)
            model, stale = (models.most_common(1)[0][0] if models else ""), []
    blobs = {row[0]: row[5] for row in rows if row[4] == model}
    if stale and encoder is not None:
        embed_missing(database, encoder, ticket_ids=stale)
        with database.session() as session:
            blobs.update(_vectors(session, stale, model))
    kept = [row for row in rows if row[0] in blobs]
    items = [_Item(code=row[1], topic=row[2], description=row[3]) for row in kept]
    vectors = (
        np.vstack([np.frombuffer(blobs[row[0]], dtype="<f4") for row in kept]) if kept else np.zeros((0, 0), np.float32)
    )
    return items, vectors.astype(np.float32, copy=False)


def _vectors(session: Session, ticket_ids: Sequence[int], model: str) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for start in range(0, len(ticket_ids), _IDS_PER_QUERY):
        chunk = ticket_ids[start : start + _IDS_PER_QUERY]
        query = select(TicketVector.ticket_id, TicketVector.vector).where(
            col(TicketVector.ticket_id).in_(chunk), TicketVector.model == model
        )
        found.update((ticket_id, blob) for ticket_id, blob in session.exec(query).all())
    return found


def _to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def _cluster(
    members: list[int],
    items: list[_Item],
    vectors: np.ndarray,
    texts: list[str],
    terms: list[set[str]],
    document_frequency: Counter[str],
) -> Cluster:
    centroid = vectors[members].mean(axis=0)
    closest = sorted(members, key=lambda i: (-float(vectors[i] @ centroid), i))[:3]
    topics = Counter(items[i].topic for i in members)
    return Cluster(
        label=_label([texts[i] for i in members], [terms[i] for i in members], document_frequency, len(items)),
        size=len(members),
        topics=[topic for topic, _ in sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))],
        examples=[
            ClusterTicket(code=items[i].code, excerpt=items[i].description[:EXCERPT_CHARS].strip()) for i in closest
        ],
    )


def _label_text(description: str) -> str:
    """The normalised description as " word word | word ", a bar where punctuation broke the phrase."""
    tokens = [token if _WORD.fullmatch(token) else "|" for token in normalize(description).text.split()]
    return f" {' '.join(tokens)} "


def _terms(text: str) -> set[str]:
    """The syllables and syllable pairs of a text that could name a problem."""
    terms: set[str] = set()
    for segment in text.split("|"):
        words = segment.split()
        terms.update(w for w in words if _content(w))
        terms.update(
            f"{a} {b}"
            for a, b in zip(words, words[1:], strict=False)
            if _content(a) and _content(b) and f"{a} {b}" not in STOP_PHRASES
        )
    return terms


def _content(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in _STOP_SYLLABLES


def _label(texts: list[str], terms: list[set[str]], document_frequency: Counter[str], total: int) -> str:
    """The 3-6 words that best tell this group from the rest (c-TF-IDF), as comma-separated phrases."""
    size, in_group = len(texts), Counter(term for found in terms for term in found)
    floor = max(2, math.ceil(0.3 * size))
    ranked = sorted(
        (term for term, count in in_group.items() if count >= floor),
        key=lambda t: (-in_group[t] / size * math.log(1 + total / document_frequency[t]), -len(t.split()), t),
    )
    phrases: list[str] = []
    for term in ranked:
        words = sum(len(p.split()) for p in phrases)
        if words >= MIN_LABEL_WORDS:
            break
        phrase = _grow(term, texts, MAX_LABEL_WORDS - words, document_frequency)
        if any(set(phrase.split()) & set(p.split()) for p in phrases):
            continue
        phrases.append(phrase)
    return ", ".join(phrases)


def _grow(term: str, texts: list[str], room: int, document_frequency: Counter[str]) -> str:
    """Extend `term` by the neighbouring syllable most of its tickets share (left, then right), then keep the
    best window of at most `room` syllables around it."""
    words, first = term.split(), 0  # words[first:first + len(term)] is the term
    while len(words) < 2 * MAX_LABEL_WORDS:
        phrase = " ".join(words)
        holders = [text for text in texts if f" {phrase} " in text]
        for pattern, side in ((rf" (\w+) {re.escape(phrase)}(?= )", 0), (rf" {re.escape(phrase)} (\w+)(?= )", 1)):
            neighbours = Counter(w for text in holders for w in set(re.findall(pattern, text)))
            if neighbours:
                word, count = neighbours.most_common(1)[0]
                if count >= 2 and count >= 0.8 * len(holders) and not word.isdigit():
                    words, first = ([*words, word], first) if side else ([word, *words], first + 1)
                    break
        else:
            break
    words = _window(words, first, len(term.split()), room, document_frequency)
    while len(words) > 1 and words[-1] in STOP_WORDS:
        words.pop()
    while len(words) > 1 and words[0] in STOP_WORDS:
        words.pop(0)
    return " ".join(words)


def _window(words: list[str], first: int, length: int, room: int, document_frequency: Counter[str]) -> list[str]:
    """The longest run of at most `room` syllables holding words[first:first + length] whose ends do not split a
    word: a cut between two syllables costs how often they go together in the period's tickets."""

    def cost(at: int) -> float:  # of cutting before words[at]
        if at in (0, len(words)):
            return 0.0
        a, b = words[at - 1], words[at]
        return document_frequency[f"{a} {b}"] / max(1, min(document_frequency[a], document_frequency[b]))

    spans = [
        (start, end)
        for start in range(0, first + 1)
        for end in range(first + length, len(words) + 1)
        if end - start <= room
    ]
    if not spans:
        return words[first : first + length]
    start, end = min(spans, key=lambda s: (round(cost(s[0]) + cost(s[1]), 1), -(s[1] - s[0]), s[0]))
    return words[start:end]
