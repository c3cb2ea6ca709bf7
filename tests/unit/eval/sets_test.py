"""Sanity checks for the hand-written dev evaluation set eval/sets/seeds_dev.jsonl."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SET_PATH = ROOT / "eval/sets/seeds_dev.jsonl"
SEEDS_DIR = ROOT / "seeds"

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def norm(text: str) -> str:
    """NFKC, straight quotes, dashes to '-', collapsed whitespace, casefold."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


@pytest.fixture(scope="module")
def lines():
    return [ln for ln in SET_PATH.read_text(encoding="utf-8").splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def questions(lines):
    return [json.loads(ln) for ln in lines]


@pytest.fixture(scope="module")
def seeds():
    docs = {p.name: norm(p.read_text(encoding="utf-8")) for p in sorted(SEEDS_DIR.glob("*.txt"))}
    assert docs, f"no seed documents in {SEEDS_DIR}"
    return docs


def test_every_line_parses(lines):
    for i, ln in enumerate(lines, 1):
        obj = json.loads(ln)
        assert isinstance(obj, dict), f"line {i} is not an object"
        for key in ("id", "question", "evidence", "answer", "unanswerable"):
            assert key in obj, f"line {i} missing {key!r}"
        assert isinstance(obj["evidence"], list) and isinstance(obj["answer"], list)
        assert isinstance(obj["unanswerable"], bool)


def test_ids_unique(questions):
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_size(questions):
    assert len(questions) >= 40
    assert sum(q["unanswerable"] for q in questions) >= 15


def test_unanswerable_have_no_evidence_or_answer(questions):
    """An unanswerable question's answer strings belong to the evidence outside the seeds that answers it, if any."""
    for q in questions:
        if q["unanswerable"]:
            assert q["evidence"] == [] and (q["answer"] == []) == (q.get("answered_by", []) == []), q["id"]
        else:
            assert q["evidence"] and q["answer"], q["id"]


def test_evidence_outside_the_seeds_is_in_the_distractor_corpus(questions):
    docs = ROOT.parent / "shared" / "corpora" / "usgov-natsec" / "docs"
    outside = [(q, e) for q in questions for e in q.get("answered_by", [])]
    if not docs.is_dir():
        pytest.skip(f"no distractor corpus at {docs}")
    for q, e in outside:
        text = norm((docs / e["doc"]).read_text(encoding="utf-8"))
        assert norm(e["text"]) in text, (q["id"], e["doc"])
        if q["unanswerable"]:  # its answer strings come from this evidence
            assert all(norm(a) in text for a in q["answer"]), (q["id"], e["doc"])


def test_every_seed_used(questions, seeds):
    used = {e["doc"] for q in questions for e in q["evidence"]}
    assert set(seeds) <= used, f"unused seeds: {sorted(set(seeds) - used)}"


def test_evidence_quotes_in_documents(questions, seeds):
    missing = []
    for q in questions:
        for e in q["evidence"]:
            if e["doc"] not in seeds or norm(e["text"]) not in seeds[e["doc"]]:
                missing.append((q["id"], e["doc"], e["text"]))
    assert not missing, missing


def test_answers_in_evidence_documents(questions, seeds):
    missing = []
    for q in questions:
        if q["unanswerable"]:
            continue
        docs = {e["doc"] for e in q["evidence"]}
        for a in q["answer"]:
            if not any(norm(a) in seeds.get(d, "") for d in docs):
                missing.append((q["id"], a))
    assert not missing, missing


def test_evidence_quotes_survive_cleaning(questions):
    """Every quote must be findable in the cleaned text the index holds, not only in the raw seed."""
    from eval.relevance import quote_spans
    from index.cleaning import RepeatedBlocks, clean
    from index.loading import load_paths

    docs = load_paths([SEEDS_DIR]).documents
    repeated = RepeatedBlocks(docs)
    cleaned = {doc.doc_id: clean(doc, repeated).text for doc in docs}
    lost = [(q["id"], e["text"][:60]) for q in questions for e in q["evidence"] if not quote_spans(cleaned[e["doc"]], e["text"])]
    assert not lost, lost
