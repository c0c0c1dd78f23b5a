"""The sentence-encoder interface, and its sentence-transformers implementation.

Everything that needs dense vectors depends on :class:`Encoder` only. The production implementation,
:class:`SentenceTransformerEncoder`, loads any local sentence-transformers folder (by default the
multilingual-e5-small folder built by :mod:`nlu.e5_convert`) on first use, strictly offline. Tests can
use ``tests.fakes.fake_encoder.FakeEncoder`` instead.

Importing this module does not import torch or sentence-transformers.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from nlu.onnx_export import INT8_FILE, ONNX_FILE

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

QUERY_PROMPT = "query"
PASSAGE_PROMPT = "passage"

_SELF_CHECK_QUERY = "Thủ tục hoàn thuế giá trị gia tăng cần những giấy tờ gì?"
_SELF_CHECK_RELEVANT = (
    "Hồ sơ đề nghị hoàn thuế giá trị gia tăng gồm giấy đề nghị hoàn trả khoản thu ngân sách nhà nước "
    "và bảng kê hóa đơn hàng hóa, dịch vụ mua vào."
)
_SELF_CHECK_UNRELATED = "Lễ hội hoa anh đào sẽ diễn ra tại công viên vào cuối tuần này, vé vào cửa miễn phí."


class RecentQueries:
    """The vectors of the last few single queries. The NLU and retrieval both encode the message being
    answered, most often as the same text: the second call is then free."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, encode: Callable[[str], np.ndarray]) -> np.ndarray:
        with self._lock:
            if text in self._vectors:
                self._vectors.move_to_end(text)
                return self._vectors[text].copy()
        vector = encode(text)
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector.copy()


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(n, dimension)``.

    Queries and passages are encoded separately because asymmetric models (like e5) embed them with
    different prompts.
    """

    @property
    def name(self) -> str:
        """A short name of the model, for logs and ``donghanh model info``."""
        ...

    @property
    def dimension(self) -> int:
        """The length of every vector."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries (user questions)."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages (the documents searched)."""
        ...


def _set_offline() -> None:
    """Forbid any model-hub access by huggingface_hub and transformers in this process."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


class SentenceTransformerEncoder:
    """An :class:`Encoder` over a local sentence-transformers folder, loaded lazily and offline.

    The model's ``query`` and ``passage`` prompts are used when the folder defines them (e5 does);
    otherwise texts are encoded as they are.

    Args:
        path: The model folder (must contain ``modules.json``).
        batch_size: Texts per forward pass.
        threads: Torch intra-op threads for this process.
        dimension: Expected embedding size; read from the model when None. Passing it lets callers
            size indexes without loading the model.
    """

    def __init__(
        self, path: Path | str, *, batch_size: int = 32, dimension: int | None = None, threads: int = 1
    ) -> None:
        self.path = Path(path)
        self.threads = threads
        self.name = self.path.name
        self.batch_size = batch_size
        self._dimension = dimension
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._recent = RecentQueries()

    @property
    def dimension(self) -> int:
        """The embedding size (loads the model unless it was given)."""
        if self._dimension is None:
            self._dimension = _embedding_dimension(self.model)
        return self._dimension

    @property
    def model(self) -> SentenceTransformer:
        """The underlying model, loaded once per encoder (thread-safe)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (for health reports; never triggers a load)."""
        return self._model is not None

    def warm_up(self) -> None:
        """Load the model now and run one encoding, so the first real request is fast."""
        self.encode_queries(["khởi động"])

    def _load(self) -> SentenceTransformer:
        if not (self.path / "modules.json").is_file():
            raise FileNotFoundError(f"No sentence-transformers model at {self.path}; run `donghanh model provision`.")
        _set_offline()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no weight-loading bar in server logs
        import torch

        # One thread: on a small machine, a second thread per forward pass buys little and, when another
        # process or request holds the other core, intra-op spin-waiting makes short queries many times slower.
        torch.set_num_threads(self.threads)

        return SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries with the model's ``query`` prompt (a single query through the recent cache)."""
        if len(texts) == 1:
            return self._recent.get(texts[0], lambda text: self._encode([text], QUERY_PROMPT))
        return self._encode(texts, QUERY_PROMPT)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages with the model's ``passage`` prompt."""
        return self._encode(texts, PASSAGE_PROMPT)

    def _encode(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        model = self.model
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            prompt_name=prompt_name if prompt_name in (model.prompts or {}) else None,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class OnnxEncoder:
    """The same model run by onnxruntime on its ONNX export: no torch, faster to load and to run.

    Tokenisation (the folder's `tokenizer.json`, with the model's prompts), mean pooling over the attention
    mask and L2 normalisation reproduce the sentence-transformers pipeline of the folder.

    Args:
        path: A folder provisioned by `nlu.e5_convert` (it holds `onnx/model.onnx` and `onnx/model_int8.onnx`).
        threads: onnxruntime intra-op threads.
        int8: Run the int8 graph (the server's default, see `load_encoder`) rather than the float one.
    """

    def __init__(self, path: Path | str, *, batch_size: int = 32, threads: int = 1, int8: bool = False) -> None:
        self.path = Path(path)
        self.int8 = int8
        # Cached vectors and models are keyed by this name: the int8 graph's vectors are not the float one's.
        self.name = f"{self.path.name}-int8" if int8 else self.path.name
        self.batch_size = batch_size
        self.threads = threads
        self._loaded: tuple[Any, Any, dict[str, str], int] | None = None
        self._lock = threading.Lock()
        self._recent = RecentQueries()

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def warm_up(self) -> None:
        self.encode_queries(["khởi động"])

    def _load(self) -> tuple[Any, Any, dict[str, str], int]:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    import json

                    import onnxruntime
                    from tokenizers import Tokenizer

                    options = onnxruntime.SessionOptions()
                    options.intra_op_num_threads = self.threads
                    options.inter_op_num_threads = 1
                    graph = self.path / (INT8_FILE if self.int8 else ONNX_FILE)
                    session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
                    tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
                    settings = json.loads((self.path / "sentence_bert_config.json").read_text(encoding="utf-8"))
                    tokenizer.enable_truncation(int(settings.get("max_seq_length", 512)))
                    prompts = json.loads(
                        (self.path / "config_sentence_transformers.json").read_text(encoding="utf-8")
                    ).get("prompts", {})
                    pad_id = tokenizer.token_to_id("<pad>")
                    self._loaded = (session, tokenizer, prompts, 1 if pad_id is None else pad_id)
        return self._loaded

    @property
    def dimension(self) -> int:
        import json

        return int(json.loads((self.path / "config.json").read_text(encoding="utf-8"))["hidden_size"])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._recent.get(texts[0], lambda text: self._encode([text], QUERY_PROMPT))
        return self._encode(texts, QUERY_PROMPT)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PROMPT)

    def _encode(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        session, tokenizer, prompts, pad_id = self._load()
        prefix = prompts.get(prompt_name, "")
        # Texts of similar length share a batch, so short questions are not padded to a long answer.
        encoded = tokenizer.encode_batch([prefix + t for t in texts])
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
        # The int8 graph quantises activations with scales taken over the whole batch, so a text's vector
        # would move with its batch-mates: it encodes one text at a time, and a text always gets one vector.
        size = 1 if self.int8 else self.batch_size
        batches = []
        for start in range(0, len(order), size):
            encodings = [encoded[i] for i in order[start : start + size]]
            width = max(len(e.ids) for e in encodings)
            ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(encodings), width), dtype=np.int64)
            for row, encoding in enumerate(encodings):
                ids[row, : len(encoding.ids)] = encoding.ids
                mask[row, : len(encoding.ids)] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            batches.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        if not batches:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.empty((len(order), batches[0].shape[1]), dtype=np.float32)
        vectors[order] = np.vstack(batches)
        return vectors


def load_encoder(path: Path | str, *, threads: int = 1) -> Encoder:
    """The fastest encoder for a model folder: onnxruntime over the int8 graph when the folder has one
    (`nlu.onnx_export.quantize_onnx`), over the float graph when it has only that, else sentence-transformers.

    One thread suits a server answering one message at a time; batch jobs (index builds) pass more.
    """
    path = Path(path)
    if (path / INT8_FILE).is_file():
        return OnnxEncoder(path, threads=threads, int8=True)
    if (path / ONNX_FILE).is_file():
        return OnnxEncoder(path, threads=threads)
    return SentenceTransformerEncoder(path, threads=threads)


def _embedding_dimension(model: Any) -> int:
    """Read the output size from a SentenceTransformer, across library versions."""
    getter = getattr(model, "get_embedding_dimension", None) or getattr(model, "get_sentence_embedding_dimension", None)
    dimension = getter() if getter else None
    if dimension is None:  # some module stacks cannot tell without running
        dimension = model.encode(["a"], convert_to_numpy=True).shape[1]
    return int(dimension)


def self_check(encoder: Encoder, *, expected_dimension: int | None = 384) -> dict[str, Any]:
    """Encode a Vietnamese query and two passages and check the vectors make sense.

    Checks unit norm, the dimension (when ``expected_dimension`` is given) and that the relevant
    passage scores higher than the unrelated one.

    Returns:
        ``{"ok": bool, "detail": str}``; ``detail`` is English and names the failed check, if any.
    """
    try:
        query = encoder.encode_queries([_SELF_CHECK_QUERY])
        passages = encoder.encode_passages([_SELF_CHECK_RELEVANT, _SELF_CHECK_UNRELATED])
    except Exception as exc:  # the point is to report, not to raise
        return {"ok": False, "detail": f"encoding failed: {type(exc).__name__}: {exc}"}
    problems = []
    dim = query.shape[1]
    if expected_dimension is not None and dim != expected_dimension:
        problems.append(f"dimension {dim} != {expected_dimension}")
    norms = np.linalg.norm(np.vstack([query, passages]), axis=1)
    if not np.allclose(norms, 1.0, atol=1e-3):
        problems.append(f"vectors not unit-norm (norms {np.round(norms, 4).tolist()})")
    relevant, unrelated = (passages @ query[0]).tolist()
    if relevant <= unrelated:
        problems.append("unrelated passage scored higher")
    scores = f"relevant {relevant:.3f} > unrelated {unrelated:.3f}"
    if problems:
        return {"ok": False, "detail": "; ".join(problems) + f" (scores: {scores})"}
    return {"ok": True, "detail": f"dimension {dim}, unit norm, {scores}"}


def model_info(path: Path) -> dict[str, Any]:
    """Describe a sentence-transformers model folder and run :func:`self_check` on it.

    Returns:
        ``{"path", "dimension", "size_bytes", "files", "self_check": {"ok", "detail"}}``; ``dimension``
        is None when the model cannot be loaded.
    """
    path = Path(path).absolute()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
    info: dict[str, Any] = {
        "path": str(path),
        "dimension": None,
        "size_bytes": sum(p.stat().st_size for p in files),
        "files": [p.relative_to(path).as_posix() for p in files],
    }
    encoder = SentenceTransformerEncoder(path)
    try:
        info["dimension"] = encoder.dimension
    except Exception as exc:  # reported in the result
        info["self_check"] = {"ok": False, "detail": f"cannot load model: {type(exc).__name__}: {exc}"}
        return info
    info["self_check"] = self_check(encoder)
    return info
