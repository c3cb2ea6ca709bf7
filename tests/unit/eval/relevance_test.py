from __future__ import annotations

from eval.relevance import covers, normalize, quote_spans, span_covers
from eval.sets import Evidence
from retrieval.passages import Passage, SourceRef

DOC = "briefing.txt"
TEXT = "Intro line.\n\nThe minister said “American forces must be removed — immediately” from Iraq. Later text follows here."
QUOTE = '"american forces must be removed - immediately"'


def passage(start: int, end: int, doc: str = DOC, text: str = TEXT, also_in: list[SourceRef] | None = None) -> Passage:
    return Passage(
        rank=1, score=1.0, chunk_id=0, doc=doc, title="t", source=None, date=None, headline=None, text=text[start:end],
        start=start, end=end, orig_start=start, orig_end=end, sentences=(), dense=0.0, also_in=also_in or [],
    )  # fmt: skip


def test_normalize_folds_unicode_quotes_dashes_space_and_case():
    assert normalize("  The “Office”\u00a0—\tﬁnal  ‘word’ – Straße ") == "the \"office\" - final 'word' - strasse"
    assert normalize("") == ""
    assert normalize("e\u0301") == normalize("\u00e9")  # combining accent composes as in NFKC


def test_quote_spans_map_back_to_original_offsets():
    (span,) = quote_spans(TEXT, QUOTE)
    assert TEXT[span[0] : span[1]] == "“American forces must be removed — immediately”"
    assert quote_spans(TEXT, "not in the text") == ()
    assert len(quote_spans("a b. a  b.", "A B")) == 2


def test_contained_quote_covers():
    evidence = Evidence(DOC, QUOTE)
    assert covers(passage(0, len(TEXT)), evidence, TEXT)
    assert not covers(passage(0, len(TEXT), doc="other.txt"), evidence, TEXT)
    assert not covers(passage(0, 20), evidence, TEXT)


def test_quote_split_across_two_chunks_counts_for_the_chunk_with_at_least_half():
    start, end = quote_spans(TEXT, QUOTE)[0]
    cut = start + (end - start) * 6 // 10
    evidence = Evidence(DOC, QUOTE)
    first, second = passage(0, cut), passage(cut, len(TEXT))
    assert covers(first, evidence, TEXT)  # 60% of the quote
    assert not covers(second, evidence, TEXT)  # 40%
    middle = start + (end - start) // 2
    assert covers(passage(0, middle), evidence, TEXT) or covers(passage(middle, len(TEXT)), evidence, TEXT)
    assert span_covers(DOC, start, end, evidence, TEXT)


def test_near_duplicate_collapsed_into_a_passage_counts_at_its_own_span():
    start, end = quote_spans(TEXT, QUOTE)[0]
    twin = passage(0, 10, doc="wire-copy.txt", text="x" * 10, also_in=[SourceRef(DOC, "t", None, None, start - 5, end + 5)])
    assert covers(twin, Evidence(DOC, QUOTE), TEXT)
