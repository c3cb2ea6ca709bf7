"""The int8 ONNX embeddings: exported once from the local weights, and in agreement with fp32."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime", reason="the int8 backend needs onnxruntime and onnx")
onnx = pytest.importorskip("onnx", reason="the int8 backend needs onnxruntime and onnx")

from index import layout, quantized  # noqa: E402
from index.embedding import Embedder, resolve_model  # noqa: E402
from index.store import Store  # noqa: E402
from sitroom.config import BUNDLED_MODEL, EmbeddingConfig, Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def int8() -> Embedder:
    return Embedder(EmbeddingConfig(backend="onnx-int8"))


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return Embedder(EmbeddingConfig(backend="torch"))


def seed_chunks(settings: Settings) -> list[str]:
    store = Store(layout.current(settings.index_dir) / layout.STORE, readonly=True)
    texts = [row[0] for row in store.db.execute("SELECT embed FROM chunks ORDER BY id")]
    store.close()
    return texts


def test_int8_agrees_with_fp32_on_the_seed_chunks(seeds_settings: Settings, fp32: Embedder, int8: Embedder) -> None:
    texts = seed_chunks(seeds_settings)
    cosine = (fp32.encode(texts)[0] * int8.encode(texts)[0]).sum(axis=1)
    assert len(texts) > 20
    assert cosine.min() > 0.98, f"worst chunk: {texts[int(cosine.argmin())][:80]!r}"


def test_int8_vectors_are_unit_length_and_queries_rank_alike(fp32: Embedder, int8: Embedder) -> None:
    passages = ["Iraq demanded the withdrawal of American forces.", "The central bank raised interest rates.", "A storm hit the coast."]
    query = "What did Iraq say about US troops?"
    fp32_order = np.argsort(-(fp32.encode(passages)[0] @ fp32.encode_query(query)))
    vectors, _ = int8.encode(passages)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    np.testing.assert_array_equal(np.argsort(-(vectors @ int8.encode_query(query))), fp32_order)


def test_the_export_is_cached_and_quantized(int8: Embedder) -> None:
    int8.encode_query("warm")  # exported by now
    path = quantized.export_int8(Path(resolve_model(BUNDLED_MODEL)))
    assert path.is_relative_to(quantized.cache_root() / "onnx")
    modified = path.stat().st_mtime_ns
    assert quantized.export_int8(Path(resolve_model(BUNDLED_MODEL))) == path
    assert path.stat().st_mtime_ns == modified
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"QAttention", "MatMulInteger", "DynamicQuantizeLinear"} <= ops  # fused attention and every MatMul run in int8
    fused = {node.op_type for node in onnx.load(str(path.with_name(quantized.FUSED))).graph.node}
    assert "Attention" in fused and not fused & {"QAttention", "MatMulInteger"}  # what `full_precision` runs: fused, fp32


def test_changed_weights_get_a_new_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"a")
    before = quantized.fingerprint(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"ab")
    assert quantized.fingerprint(tmp_path) != before


def test_cache_root_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quantized.CACHE_ENV, str(tmp_path / "c"))
    assert quantized.cache_root() == tmp_path / "c"
    monkeypatch.delenv(quantized.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert quantized.cache_root() == tmp_path / "x" / "sitroom"


def test_the_one_thread_session_gives_the_batch_session_vectors(int8: Embedder) -> None:
    """Up to `single_thread_texts` texts run in the one-thread session; more run in the all-cores one. Not bit-equal:
    dynamic quantization scales activations over the whole batch."""
    texts = [f"Iraq and the United States discussed troop levels, round {i}." for i in range(12)]
    small = np.vstack([int8.encode([text])[0] for text in texts])
    assert (small * int8.encode(texts)[0]).sum(axis=1).min() > 0.98


def test_query_time_texts_run_the_fp32_weights(fp32: Embedder, int8: Embedder) -> None:
    """A short query is where per-tensor activation scales cost most (cosine 0.985 to fp32 for this one)."""
    texts = ["Iraq US troops", "An Iraqi official complained that the strike violated Iraqi sovereignty."]
    exact = fp32.encode_queries(texts)
    assert float(int8.encode_query(texts[0]) @ exact[0]) > 0.9999
    assert (int8.encode_queries(texts) * exact).sum(axis=1).min() > 0.9999
    assert float(int8.encode(texts[:1])[0][0] @ exact[0]) < 0.995, "passages still run the int8 graph"


def test_answer_sentences_run_the_passages_int8_graph(fp32: Embedder, int8: Embedder) -> None:
    texts = ["Iraqi Prime Minister Mohammed Shia al-Sudani said the coalition's mission had ended.", "Iraq US troops"]
    vectors = int8.encode_uncached(texts)
    assert np.allclose(vectors, int8.encode(texts)[0], atol=1e-3)
    exact = fp32.encode_queries(texts)
    assert float(vectors[1] @ exact[1]) < 0.9999 < float(int8.encode_queries(texts[1:])[0] @ exact[1])
    assert (vectors * exact).sum(axis=1).min() > 0.98


def test_setup_exports_once_with_a_progress_line(tmp_path: Path) -> None:
    """`make setup` runs `python -m index.quantized`; first use runs the same export. Local weights only, ~20 s."""

    def export() -> subprocess.CompletedProcess[str]:
        env = {**os.environ, quantized.CACHE_ENV: str(tmp_path), "HF_HUB_OFFLINE": "1"}
        return subprocess.run([sys.executable, "-m", "index.quantized"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    first = export()
    assert first.returncode == 0, first.stderr[-2000:]
    assert "preparing the int8 embedding model (once, cached): 3/3 steps" in first.stderr
    path = Path(first.stdout.strip())
    assert path.is_relative_to(tmp_path / "onnx") and path.stat().st_size > 10_000_000
    again = export()
    assert again.stdout == first.stdout and "preparing" not in again.stderr


def test_sessions_optimize_fully_and_do_not_spin(int8: Embedder) -> None:
    import onnxruntime as ort

    int8.encode_query("warm")  # exported by now
    path = quantized.export_int8(Path(resolve_model(BUNDLED_MODEL)))
    for threads in (0, 1):
        options = quantized._session(path, threads=threads).get_session_options()
        assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        assert options.intra_op_num_threads == threads
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_full_precision_nests_and_restores_the_outer_state() -> None:
    with quantized.full_precision():
        with quantized.full_precision():
            assert quantized._precision.full
        assert quantized._precision.full, "leaving an inner block must not switch the outer one back to int8"
    assert not quantized._precision.full
