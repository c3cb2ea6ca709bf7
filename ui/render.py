"""HTML for document text: every character of a briefing is escaped here, then marked up.

Briefings are untrusted input (scraped pages, forwarded e-mails), so no document text ever reaches the
page unescaped; the only markup is ours. Output goes to `st.html`, which does not interpret Markdown,
so `$`, `*` or `|` in a briefing also render as themselves.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from index import lexical
from index.metadata import UNDATED
from retrieval.answer import Answer, AnswerSentence, Citation
from retrieval.citing import grouped, pages_label, source_line
from sitroom.config import DisplayConfig
from ui.cards import Card

HIGHLIGHT_ID = "sitroom-hl"
DOCUMENT_URL = "document"  # the Document page's URL path, relative to the app (st.navigation names it after views/document.py)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")  # letters and digits in any script, with an apostrophe suffix

STYLE = """
<style>
.sr-text { white-space: pre-wrap; line-height: 1.6; font-size: 0.95rem; overflow-wrap: anywhere; }
.sr-text .term { font-weight: 700; text-decoration: underline dotted; }
.sr-text .cited, .sr-pop .cited { background: #fde68a; color: inherit; border-radius: 2px; }
.sr-text .span { background: #dbeafe; color: inherit; }
.sr-text .span.cited { background: #fcd34d; }
.sr-meta { color: #6b7280; font-size: 0.85rem; margin-bottom: 0.25rem; }
.sr-head { font-weight: 600; }
.sr-answer { font-size: 1.05rem; line-height: 1.6; }
.sr-answer .sr-group { font-weight: 600; margin: 0.6rem 0 0.1rem; }
.sr-answer ul { margin: 0 0 0.4rem 0; padding-left: 1.3rem; }
.sr-answer li { margin: 0.15rem 0; }
.sr-answer a.cite, .sr-sources a { text-decoration: none; font-weight: 600; }
.sr-sources { list-style: none; padding-left: 0; font-size: 0.9rem; }
.sr-badge { background: #fde68a; border-radius: 4px; padding: 0 0.35rem; font-weight: 600; }
.sr-rel { border-radius: 4px; padding: 0 0.35rem; font-size: 0.8rem; }
.sr-rel.high { background: #dcfce7; color: #166534; }
.sr-rel.medium { background: #fef9c3; color: #854d0e; }
.sr-rel.low { background: #f3f4f6; color: #4b5563; }
.sr-cite { position: relative; display: inline-block; }
.sr-pop { display: none; position: absolute; left: 0; top: 1.5em; z-index: 1000; width: min(34rem, 80vw);
  max-height: 18rem; overflow: auto; background: #ffffff; color: #111827; border: 1px solid #d1d5db;
  border-radius: 6px; box-shadow: 0 6px 20px rgba(0, 0, 0, 0.18); padding: 0.5rem 0.75rem;
  font-size: 0.85rem; font-weight: 400; line-height: 1.5; white-space: normal; text-align: left; }
.sr-cite:hover .sr-pop, .sr-cite:focus-within .sr-pop { display: block; }
.sr-card { border-radius: 6px; padding: 0.25rem; scroll-margin-top: 4rem; }
.sr-anchor { scroll-margin-top: 4rem; }
@keyframes sr-flash { 0%, 35% { background: #fde68a; } 100% { background: transparent; } }
.sr-card:has(.sr-anchor:target) { animation: sr-flash 2.5s ease-out; }
.sr-summary { color: #374151; font-size: 0.92rem; }
.sr-docs { width: 100%; border-collapse: collapse; font-size: 0.9rem; table-layout: auto; }
.sr-docs th, .sr-docs td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e5e7eb; overflow-wrap: anywhere; }
.sr-docs th { font-weight: 600; color: #374151; }
.sr-docs td:first-child { width: 45%; }
section[data-testid="stSidebar"] { min-width: 22rem; }
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


def relevance(cosine: float, config: DisplayConfig) -> str | None:
    """A label from the passage's cosine to the query; None when no cosine was computed (BM25 mode)."""
    if cosine <= 0:
        return None
    return "high" if cosine >= config.high_relevance else "medium" if cosine >= config.medium_relevance else "low"


def _popover(citation: Citation, sentences: Sequence[AnswerSentence]) -> str:
    """The cited passage, escaped, with the answer's sentences from it marked: shown on hover or focus of [n]."""
    cited = [Mark(s.start - citation.start, s.end - citation.start, "cited") for s in sentences if citation.n in s.citations]
    pages = pages_label(getattr(citation, "page", None), getattr(citation, "page_end", None))
    where = meta_line(source_line(citation.title, citation.source, citation.date, citation.headline), pages)
    return f'<span class="sr-pop" role="tooltip"><span class="sr-meta">[{citation.n}] {where}</span><br>{highlight(citation.text, cited)}</span>'


def cite_link(citation: Citation, sentences: Sequence[AnswerSentence]) -> str:
    return (
        f'<span class="sr-cite"><a class="cite" href="#cite-{citation.n}" aria-label="passage {citation.n}">[{citation.n}]</a>'
        f"{_popover(citation, sentences)}</span>"
    )


def answer_html(answer: Answer) -> str:
    """Bullets grouped by source and date, best group first; each [n] previews its passage on hover and jumps to it."""
    by_n = {c.n: c for c in answer.citations}
    groups = []
    for group in grouped(answer):
        bullets = "".join(
            "<li>" + html.escape(s.text) + "".join(f" {cite_link(by_n[n], answer.sentences)}" for n in s.citations if n in by_n) + "</li>"
            for s in group.sentences
        )
        groups.append(f'<div class="sr-group">{html.escape(group.label)}</div><ul>{bullets}</ul>')
    sources = "".join(
        f'<li><a href="#cite-{c.n}">[{c.n}]</a> {meta_line(source_line(c.title, c.source, c.date, c.headline))}</li>'
        for c in answer.citations
    )
    return f'<div class="sr-answer">{"".join(groups)}</div><ol class="sr-sources">{sources}</ol>'


def card_html(card: Card, query: str, config: DisplayConfig) -> str:
    """A ranked card: rank and relevance label, title · source · date, headline, text with cited sentences and query terms marked.

    Each citation number pointing into the card gets an anchor (`cite-n`); the card flashes when one is the URL's target.
    """
    lead = card.lead
    relative = [Mark(s - card.start, e - card.start, "cited") for s, e in card.cited]
    text = highlight(card.text, [*relative, *term_marks(card.text, query)])
    anchors = "".join(f'<span class="sr-anchor" id="cite-{n}"></span>' for n in card.citations)
    badges = "".join(f'<span class="sr-badge">[{n}]</span> ' for n in card.citations)
    label = relevance(card.dense, config)
    rel = f' · <span class="sr-rel {label}">{label} relevance</span>' if label else ""
    merged = f" · merged from ranks {', '.join(f'#{r}' for r in card.ranks)}" if len(card.passages) > 1 else ""
    headlines = "".join(f'<div class="sr-head">{html.escape(h)}</div>' for h in card.headlines if h != lead.title)
    document = getattr(lead, "doc_title", "")  # set when the passage belongs to an article inside a digest
    within = f"<div class='sr-meta'>in {html.escape(document)}</div>" if document and document != lead.title else ""
    also = "".join(f"<div class='sr-meta'>also in {meta_line(source_line(ref.title, ref.source, ref.date))}</div>" for ref in card.also_in)
    return (
        f'<div class="sr-card" id="passage-{card.rank}">{anchors}'
        f'<div class="sr-meta">{badges}#{card.rank}{rel}{merged}</div>'
        f'<div class="sr-head">{html.escape(lead.title)}</div>'
        f'<div class="sr-meta">{meta_line(lead.source, lead.date or UNDATED, pages_label(*card.pages))}</div>{within}{headlines}'
        f'<div class="sr-text">{text}</div>{also}</div>'
    )


def document_html(text: str, span: tuple[int, int] | None, sentences: Sequence[tuple[int, int]] = (), anchor_id: str | None = None) -> str:
    """Full document text with the passage span and its cited sentences highlighted, and `anchor_id` at the span."""
    marks = [Mark(*span, "span")] if span else []
    marks += [Mark(s, e, "cited") for s, e in sentences]
    anchor = (span[0], anchor_id) if span and anchor_id else None
    return f'<div class="sr-text">{highlight(text, marks, anchor)}</div>'


def documents_table_html(rows: Sequence[Mapping[str, object]], extra: Sequence[str] = ()) -> str:
    """Documents as a table that wraps to the page width; each title opens the Document page (a plain link, escaped)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("title", "source", "date", "passages", *extra))
    body = []
    for row in rows:
        doc = str(row["doc_id"])
        link = f'<a href="{DOCUMENT_URL}?{urlencode({"doc": doc})}">{html.escape(str(row["title"]))}</a>'
        cells = [
            f"{link}<div class='sr-meta'>{html.escape(doc)}</div>",
            html.escape(str(row["source"] or "—")),
            html.escape(str(row["date"] or UNDATED)),
            str(row["n_chunks"]),
            *(html.escape(str(row[c])) for c in extra),
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f'<table class="sr-docs"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


SCROLL_SCRIPT = f"""
<script>
(function scroll(tries) {{
  const el = document.getElementById("{HIGHLIGHT_ID}");
  if (el) {{ el.scrollIntoView({{block: "center"}}); }} else if (tries > 0) {{ setTimeout(() => scroll(tries - 1), 100); }}
}})(50);
</script>
"""
