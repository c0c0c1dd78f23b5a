"""Export the converted transformer to ONNX, for a fast inference path without torch.

The exported graph maps (input_ids, attention_mask) to the last hidden state; pooling and
normalisation stay in `nlu.embeddings.OnnxEncoder`, so its vectors equal the sentence-transformers
model's (checked by the integration test). Runs at provisioning time; needs torch, transformers and onnx.

`quantize_onnx` then writes an int8 copy (onnxruntime's dynamic quantisation of the matrix products,
per output channel), which the server uses: a question encodes in 4.4 ms instead of 12.4 ms on one
core, its vectors at cosine 0.990–1.000 of the float ones; the NLU gains a little and retrieval loses
1–2 points on the FAQ (README, "Understanding Vietnamese").
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

ONNX_FILE = Path("onnx") / "model.onnx"
INT8_FILE = Path("onnx") / "model_int8.onnx"
OPSET = 17


def export_onnx(model_dir: Path) -> Path:
    """Write `model_dir/onnx/model.onnx` from the transformer in `model_dir`."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformer = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    target = model_dir / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    example = (torch.tensor([[0, 35378, 12, 2]] * 2), torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]))
    dynamic = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about data-dependent branches the inputs never take
        torch.onnx.export(
            LastHiddenState(),
            example,
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            opset_version=OPSET,
            dynamo=False,
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "last_hidden_state": dynamic},
        )
    return target


def quantize_onnx(model_dir: Path) -> Path:
    """Write `model_dir/onnx/model_int8.onnx`, the int8 version of the exported float graph."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = model_dir / INT8_FILE
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime advises a shape pre-processing step that changes nothing here
    try:
        quantize_dynamic(
            str(model_dir / ONNX_FILE),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        root.setLevel(level)
    return target
