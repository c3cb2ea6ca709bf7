from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.cleaning import RepeatedBlocks, clean
from index.documents import Document, content_hash
from index.loading import load_paths
from tests.conftest import SEEDS
from tests.strategies import briefing_text

BOILERPLATE = re.compile(
    r"A message from Lockheed|Learn more\.|Subscribe here|Email (?:Alex|Matt|Eric)\b|Follow us|Thanks for tuning in|"
    r"This space is reserved|Related Articles|Download the app|Download Daily8|Get The Beast In Your Inbox|"
    r"You are now subscribed|Thanks to our (?:editor|producer)|REGISTER HERE|Take our survey|No comments yet",
    re.I,
)


@pytest.fixture(scope="module")
def cleaned():
    docs = load_paths([SEEDS]).documents
    repeated = RepeatedBlocks(docs)
    return {doc.doc_id: (doc, clean(doc, repeated)) for doc in docs}


def test_no_boilerplate_survives(cleaned):
    for doc_id, (_, result) in cleaned.items():
        assert not BOILERPLATE.search(result.text), (doc_id, BOILERPLATE.search(result.text))


def test_news_content_and_headlines_are_kept(cleaned):
    _, natsec = cleaned["000_fa8900e209c8b72a.txt"]
    assert "PUTIN OPEN TO TALKS?:" in natsec.text
    assert "All of a sudden, there’s a lot of talk about American forces" in natsec.text
    assert {"PUTIN OPEN TO TALKS?", "UFO PROBS", "‘OVERREADING’ MCCONNELL"} <= {item.headline for item in natsec.items}
    _, blog = cleaned["003_bec8731c7900498a.txt"]
    assert "Our land and sovereign authority is not the right place for rival forces" in blog.text


def test_drops_are_reported_with_reasons(cleaned):
    reasons = {d.reason for _, (_, result) in cleaned.items() for d in result.dropped}
    assert {"ad", "signoff", "related", "signup", "promo", "subscribe"} <= reasons


def test_cleaned_spans_map_back_to_the_original(cleaned):
    for doc, result in cleaned.values():
        for item in result.items:
            for start, end in item.sentences:
                o_start, o_end = result.to_original(start, end)
                assert doc.text[o_start:o_end] == result.text[start:end]


def test_keep_boilerplate_keeps_everything():
    doc = load_paths([SEEDS / "000_fa8900e209c8b72a.txt"]).documents[0]
    result = clean(doc, None, keep_boilerplate=True)
    assert "A message from Lockheed Martin" in result.text and not result.dropped


def test_blocks_repeated_across_documents_are_dropped():
    footer = "Copyright Example Media Group. All rights reserved worldwide, reproduction prohibited."
    docs = [
        Document(
            f"d{i}.txt",
            "/c",
            f"Story {i} headline here\n\nReal news sentence number {i} about Iraq.\n\n{footer}\n",
            0,
            "",
            None,
            None,
            content_hash(str(i)),
            "txt",
        )
        for i in range(3)
    ]
    result = clean(docs[0], RepeatedBlocks(docs))
    assert "Copyright" not in result.text and "Real news sentence number 0" in result.text
    assert any(d.reason == "repeated" for d in result.dropped)


class TestCleaningProperties:
    """Any text: cleaning never raises, and every kept sentence maps back to the same characters of the original."""

    @settings(max_examples=60, deadline=None)
    @given(text=briefing_text(), keep=st.booleans(), repeated=st.booleans())
    def test_kept_spans_map_back(self, text: str, keep: bool, repeated: bool):
        doc = Document("random.txt", "/tmp", text, 0, "", None, None, content_hash(text), "txt")
        blocks = RepeatedBlocks([doc, doc, doc]) if repeated else None
        cleaned = clean(doc, blocks, keep)
        for item in cleaned.items:
            assert 0 <= item.span[0] <= item.span[1] <= len(cleaned.text)
            for start, end in item.sentences:
                assert cleaned.text[start:end] == text[slice(*cleaned.to_original(start, end))]
