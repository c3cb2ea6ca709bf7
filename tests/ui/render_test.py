"""Highlighting never lets document text through unescaped, and marks land on the right characters."""

from __future__ import annotations

from retrieval.answer import Answer, AnswerSentence, Citation
from sitroom.config import DisplayConfig
from ui.render import Mark, answer_html, document_html, documents_table_html, highlight, relevance, term_marks


def test_text_is_escaped_inside_and_outside_marks() -> None:
    text = "a <script>alert(1)</script> & <b>b</b>"
    out = highlight(text, [Mark(2, 10, "cited")])
    assert "<script>" not in out and "<b>" not in out
    assert out == 'a <span class="cited">&lt;script&gt;</span>alert(1)&lt;/script&gt; &amp; &lt;b&gt;b&lt;/b&gt;'


def test_nested_and_overlapping_marks_combine_classes() -> None:
    out = highlight("abcdef", [Mark(0, 4, "span"), Mark(2, 6, "cited")])
    assert out == '<span class="span">ab</span><span class="span cited">cd</span><span class="cited">ef</span>'


def test_out_of_range_marks_and_anchors_are_ignored() -> None:
    assert highlight("abc", [Mark(2, 9, "cited"), Mark(1, 1, "term")], anchor=(7, "x")) == "abc"


def test_document_anchor_sits_at_the_span_start() -> None:
    out = document_html("one two three", (4, 7), anchor_id="hl")
    assert out == '<div class="sr-text">one <span id="hl"></span><span class="span">two</span> three</div>'


def test_query_terms_match_by_stem_and_skip_stop_words() -> None:
    text = "The troops said US forces withdrew; a troop left."
    marked = [text[m.start : m.end] for m in term_marks(text, "What did the US say about troops?")]
    assert marked == ["troops", "US", "troop"]


class TestAnswerHtml:
    def answer(self) -> Answer:
        text = "Officials said <b>no</b> to the plan. Other words follow here."
        citations = [
            Citation(1, "a.txt", "Plan <i>talks</i>", "Wire", "2024-02-08", None, 100, 100 + len(text), text),
            Citation(2, "b.txt", "Other", None, None, "KICKER", 0, 20, "Twenty characters!!!"),
        ]
        sentences = [
            AnswerSentence("Officials said <b>no</b> to the plan.", [1], "a.txt", 100, 137, 1.0),
            AnswerSentence("Twenty characters!!!", [2], "b.txt", 0, 20, 0.9),
            AnswerSentence("Other words follow here.", [1], "a.txt", 138, 162, 0.8),
        ]
        return Answer("q", False, "", sentences, citations, [])

    def test_bullets_are_grouped_by_source_and_date_in_answer_order(self) -> None:
        out = answer_html(self.answer())
        assert out.index("Wire · 2024-02-08") < out.index("Unknown source · undated")
        wire = out[out.index("Wire · 2024-02-08") : out.index("Unknown source · undated")]
        assert wire.count("<li>") == 2, "both Wire sentences sit under one heading"

    def test_hover_card_holds_the_escaped_passage_with_the_sentence_marked(self) -> None:
        out = answer_html(self.answer())
        assert "<b>" not in out and "<i>" not in out
        pop = out[out.index('<span class="sr-pop"') :]
        assert '<span class="cited">Officials said &lt;b&gt;no&lt;/b&gt; to the plan.</span>' in pop
        assert "Plan &lt;i&gt;talks&lt;/i&gt; · Wire · 2024-02-08" in pop
        assert 'href="#cite-2"' in out and "Other · undated · KICKER" in out

    def test_relevance_labels_follow_the_cosine(self) -> None:
        config = DisplayConfig()
        assert [relevance(c, config) for c in (0.7, 0.4, 0.1, 0.0)] == ["high", "medium", "low", None]


class TestDocumentsTable:
    def test_rows_link_to_the_document_page_escaped(self) -> None:
        rows = [{"doc_id": "a&b.txt", "title": "<script>x</script>", "source": None, "date": None, "n_chunks": 3}]
        out = documents_table_html(rows)
        assert 'href="document?doc=a%26b.txt"' in out
        assert "&lt;script&gt;" in out and "<script>" not in out and "undated" in out
