"""int8 embeddings: the bundled model exported locally to ONNX and dynamically quantized for VNNI CPUs.

fp32 MiniLM already runs near this CPU's fp32 FLOP ceiling, so only lower precision makes ingestion
faster. The export reads the local weights only (nothing is downloaded) and happens once per model:
the quantized graph is cached under `~/.cache/sitroom/onnx/<fingerprint>/`. Only the transformer
runs in ONNX Runtime; tokenizer, pooling and normalisation stay the model's own sentence-transformers
modules, so the int8 vectors are drop-in replacements for the fp32 ones (cosine > 0.98).

Texts encoded at query time whose scores meet calibrated thresholds (the question, timeline statements:
`Embedder.encode_queries`) run the fused graph before quantization, in fp32 (`full_precision`): the torch
model's vectors (cosine 1.0) at 7 rather than 14 ms a question. Activations are quantized with one
scale per tensor (and per batch), set by the largest value, and in a text of a few tokens the
[CLS]/[SEP] outliers weigh most: the 65 dev-set and test queries encoded alone have cosine to fp32 of
0.985 at worst ("Iraq US troops"), 0.995 on average. The thresholds that judge those scores (the
abstention cosine, timeline floors) were set on fp32 vectors, and a seeds timeline statement sitting
0.007 above its floor fell out in int8. An answer's shortlisted sentences, only ranked against each
other, run int8 like the passages (`Embedder.encode_uncached`): a third of the fp32 time, and the same
dev-set answers at both index sizes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from index.threads import is_single_threaded
from sitroom.errors import SitroomError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

# Bump when the export or quantization recipe changes, so stale cached graphs are not reused.
RECIPE = "int8-fused-dynamic-v3"
QUANTIZED = "model_qint8_avx512_vnni.onnx"
FUSED = "model_fp32_fused.onnx"  # the same graph before quantization: `full_precision` runs it
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
CACHE_ENV = "SITROOM_CACHE_DIR"

_precision = threading.local()


@contextmanager
def full_precision() -> Iterator[None]:
    """Inside, an int8 model loaded by `load_int8_model` runs its fused fp32 graph (on this thread only)."""
    outer = getattr(_precision, "full", False)
    _precision.full = True
    try:
        yield
    finally:
        _precision.full = outer


def cache_root() -> Path:
    """`$SITROOM_CACHE_DIR`, else `$XDG_CACHE_HOME/sitroom`, else `~/.cache/sitroom`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitroom"


def fingerprint(model_dir: Path) -> str:
    """Identifies the weights and recipe cheaply (names, sizes, mtimes) so a reinstalled model re-exports."""
    import onnxruntime

    digest = hashlib.sha256(f"{RECIPE}\x00{onnxruntime.__version__}\x00{model_dir.resolve()}".encode())
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".safetensors", ".bin", ".txt"):
            stat = path.stat()
            digest.update(f"{path.relative_to(model_dir)}\x00{stat.st_size}\x00{stat.st_mtime_ns}\x00".encode())
    return digest.hexdigest()[:16]


def export_int8(model_dir: Path) -> Path:
    """Path of the cached int8 ONNX graph of the transformer in `model_dir`, exporting it on first use."""
    target = cache_root() / "onnx" / fingerprint(model_dir)
    final = target / QUANTIZED
    if final.exists():
        return final
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.info("exporting %s to int8 ONNX in %s (once)", model_dir, target)
    bar = tqdm(
        total=3, desc="preparing the int8 embedding model (once, cached)", unit="step", bar_format="{desc}: {n}/{total} steps [{elapsed}]"
    )
    with bar, tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
        work = Path(tmp)
        fp32 = work / "model.onnx"
        config = _export_fp32(model_dir, fp32)
        bar.update()
        (work / "out").mkdir()
        _fuse(fp32, work / "out" / FUSED, config.num_attention_heads, config.hidden_size)
        bar.update()
        _quantize(work / "out" / FUSED, work / "out" / QUANTIZED)
        bar.update()
        try:
            (work / "out").rename(target)
        except OSError:  # another process finished the same export first
            if not final.exists():
                raise
    return final


def _export_fp32(model_dir: Path, out: Path) -> Any:
    """Eager attention exports as plain MatMul/Softmax nodes, the pattern ONNX Runtime's BERT fusion recognises."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Encoder(torch.nn.Module):
        """Token embeddings only: pooling and normalisation stay in sentence-transformers."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    sample = AutoTokenizer.from_pretrained(model_dir)(["an example sentence", "another"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "token_embeddings")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(model), tuple(sample[name] for name in INPUTS), str(out), dynamo=False, opset_version=17,
            input_names=list(INPUTS), output_names=["token_embeddings"], dynamic_axes=axes,
        )  # fmt: skip
    return model.config


def _fuse(fp32: Path, out: Path, heads: int, hidden: int) -> None:
    """Fused Attention, embedding LayerNorm, bias+GELU and skip LayerNorm: fewer, larger kernels, and an
    Attention op that quantizes as a whole (QAttention), which keeps the int8 vectors closer to fp32."""
    from onnxruntime.transformers.optimizer import optimize_model

    with _quiet_root_logger():
        optimize_model(str(fp32), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0, use_gpu=False).save_model_to_file(
            str(out)
        )


def _quantize(fp32: Path, out: Path) -> None:
    """Dynamic int8 with the avx512_vnni recipe: per-channel symmetric int8 weights, uint8 activations, full range.

    Per-channel weights matter: per-tensor scales drop the cosine to fp32 to ~0.92 on real chunks. The fused
    ops have no ONNX shape inference, hence the explicit float default for their outputs.
    """
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    options = {"WeightSymmetric": True, "ActivationSymmetric": False, "DefaultTensorType": TensorProto.FLOAT}
    with _quiet_root_logger():
        quantize_dynamic(
            str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True, reduce_range=False,
            op_types_to_quantize=["MatMul", "Attention"], extra_options=options,
        )  # fmt: skip


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime's optimizer and quantizer log to the root logger (fusion counts, optional pre-processing): noise here."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


@lru_cache(maxsize=8)
def _session(path: Path, threads: int = 0) -> Any:
    """One session per graph and thread count, made on first use; `threads` 0 lets ONNX Runtime use every core.

    Its idle pool threads sleep instead of spinning: during a build the chunking thread needs a core between
    batches, and spinning took it (int8 builds of 1,635 chunks: 74.3 against 67.0 chunks/s, median of 3).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load_int8_model(path: str | Path) -> SentenceTransformer:
    """The sentence-transformers model at `path` with its transformer replaced by the cached int8 ONNX graph."""
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        import onnx  # noqa: F401 - needed by the export
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise SitroomError("the onnx-int8 backend needs `pip install onnxruntime onnx`") from exc
    model_dir = Path(path)
    graph = export_int8(model_dir)
    fused = graph.with_name(FUSED)
    model = SentenceTransformer(str(model_dir), device="cpu")
    transformer = model[0]

    class OnnxEncoder(torch.nn.Module):
        """Stands in for the Hugging Face model inside sentence-transformers' Transformer module.

        Under `full_precision` it runs the fused fp32 graph: the torch model's numbers (cosine 1.0) in half the time
        for a question, which is mostly per-op overhead at a dozen tokens."""

        def __init__(self, config: Any) -> None:
            super().__init__()
            self.config = config
            self.inputs = [i.name for i in _session(graph).get_inputs()]

        def forward(self, **features: torch.Tensor) -> Any:
            feed = {name: np.ascontiguousarray(features[name].numpy(), dtype=np.int64) for name in self.inputs}
            session = _session(fused if getattr(_precision, "full", False) else graph, 1 if is_single_threaded() else 0)
            return {"last_hidden_state": torch.from_numpy(session.run(None, feed)[0])}

    transformer.model = OnnxEncoder(transformer.model.config)
    return model


if __name__ == "__main__":  # `python -m index.quantized`: export the bundled model now (make setup), not on first use
    from index.embedding import resolve_model
    from sitroom.config import BUNDLED_MODEL

    print(export_int8(Path(resolve_model(BUNDLED_MODEL))))
