"""Highlighting never lets document text through unescaped, and marks land on the right characters."""

from __future__ import annotations

from ui.render import Mark, document_html, highlight, term_marks


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
