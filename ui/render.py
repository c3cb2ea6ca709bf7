"""HTML for document text: every character of a briefing is escaped here, then marked up.

Briefings are untrusted input (scraped pages, forwarded e-mails), so no document text ever reaches the
page unescaped; the only markup is ours. Output goes to `st.html`, which does not interpret Markdown,
so `$`, `*` or `|` in a briefing also render as themselves.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index import lexical
from retrieval.answer import Answer
from retrieval.passages import Passage

HIGHLIGHT_ID = "sitroom-hl"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")  # letters and digits in any script, with an apostrophe suffix

STYLE = """
<style>
.sr-text { white-space: pre-wrap; line-height: 1.6; font-size: 0.95rem; overflow-wrap: anywhere; }
.sr-text .term { font-weight: 700; text-decoration: underline dotted; }
.sr-text .cited { background: #fde68a; color: inherit; border-radius: 2px; }
.sr-text .span { background: #dbeafe; color: inherit; }
.sr-text .span.cited { background: #fcd34d; }
.sr-meta { color: #6b7280; font-size: 0.85rem; margin-bottom: 0.25rem; }
.sr-head { font-weight: 600; }
.sr-answer { font-size: 1.05rem; line-height: 1.7; }
.sr-answer a.cite, .sr-sources a { text-decoration: none; font-weight: 600; }
.sr-badge { background: #fde68a; border-radius: 4px; padding: 0 0.35rem; font-weight: 600; }
</style>
"""


@dataclass(frozen=True)
class Mark:
    """A span of text to wrap in `<span class=…>`; marks may nest or overlap."""

    start: int
    end: int
    css: str


def highlight(text: str, marks: Iterable[Mark] = (), anchor: tuple[int, str] | None = None) -> str:
    """Escaped `text` with each mark's span wrapped; `anchor` is (offset, element id) to scroll to."""
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    anchor = anchor if anchor and 0 <= anchor[0] < len(text) else None
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks), *([anchor[0]] if anchor else [])})
    out: list[str] = []
    for start, end in itertools.pairwise(cuts):
        if anchor and anchor[0] == start:
            out.append(f'<span id="{html.escape(anchor[1])}"></span>')
        piece = html.escape(text[start:end])
        classes = " ".join(dict.fromkeys(m.css for m in marks if m.start <= start and end <= m.end))
        out.append(f'<span class="{classes}">{piece}</span>' if classes else piece)
    return "".join(out)


def term_marks(text: str, query: str) -> list[Mark]:
    """Words of `text` whose BM25 token (stemmed, stop words dropped) is one of the query's."""
    terms = set(lexical.tokenize([query])[0]) if query.strip() else set()
    if not terms:
        return []
    words = list(_WORD.finditer(text))
    unique = list(dict.fromkeys(w.group(0) for w in words))
    hits = {word for word, tokens in zip(unique, lexical.tokenize(unique), strict=True) if terms.intersection(tokens)}
    return [Mark(w.start(), w.end(), "term") for w in words if w.group(0) in hits]


def meta_line(*parts: str | None) -> str:
    return html.escape(" · ".join(p for p in parts if p))


def answer_html(answer: Answer) -> str:
    """Answer sentences, each followed by citation links that jump to the cited passage on the page."""
    body = " ".join(
        html.escape(s.text) + "".join(f' <a class="cite" href="#cite-{n}" title="jump to passage {n}">[{n}]</a>' for n in s.citations)
        for s in answer.sentences
    )
    sources = "".join(
        f'<li><a href="#cite-{c.n}">[{c.n}]</a> {html.escape(c.title)} <span class="sr-meta">{meta_line(c.headline, c.source, c.date)}</span></li>'
        for c in answer.citations
    )
    return f'<div class="sr-answer">{body}</div><ol class="sr-sources" style="list-style:none;padding-left:0">{sources}</ol>'


def passage_html(passage: Passage, query: str, cited: Sequence[tuple[int, int]] = (), cite_n: int | None = None) -> str:
    """A ranked passage card: metadata, headline, text with cited sentences and query terms marked.

    `cited` spans are in the cleaned document; the card's element id is the citation's jump target.
    """
    relative = [Mark(s - passage.start, e - passage.start, "cited") for s, e in cited]
    text = highlight(passage.text, [*relative, *term_marks(passage.text, query)])
    badge = f'<span class="sr-badge">[{cite_n}]</span> ' if cite_n else ""
    element_id = f"cite-{cite_n}" if cite_n else f"passage-{passage.rank}"
    also = "".join(
        f"<div class='sr-meta'>also in {html.escape(ref.title)} ({meta_line(ref.source, ref.date)})</div>" for ref in passage.also_in
    )
    headline = f'<div class="sr-head">{html.escape(passage.headline)}</div>' if passage.headline else ""
    return (
        f'<div id="{element_id}">'
        f'<div class="sr-meta">{badge}#{passage.rank} · score {passage.score:.4f} · {meta_line(passage.source, passage.date)}</div>'
        f'<div class="sr-head">{html.escape(passage.title)}</div>{headline}'
        f'<div class="sr-text">{text}</div>{also}</div>'
    )


def document_html(text: str, span: tuple[int, int] | None, sentences: Sequence[tuple[int, int]] = (), anchor_id: str | None = None) -> str:
    """Full document text with the passage span and its cited sentences highlighted, and `anchor_id` at the span."""
    marks = [Mark(*span, "span")] if span else []
    marks += [Mark(s, e, "cited") for s, e in sentences]
    anchor = (span[0], anchor_id) if span and anchor_id else None
    return f'<div class="sr-text">{highlight(text, marks, anchor)}</div>'


SCROLL_SCRIPT = f"""
<script>
(function scroll(tries) {{
  const el = document.getElementById("{HIGHLIGHT_ID}");
  if (el) {{ el.scrollIntoView({{block: "center"}}); }} else if (tries > 0) {{ setTimeout(() => scroll(tries - 1), 100); }}
}})(50);
</script>
"""
