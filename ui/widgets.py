"""Pieces shared by the Ask and Search pages: the retrieval sidebar and the ranked passage cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from retrieval.answer import Answer
from retrieval.passages import Filters, Passage
from retrieval.searcher import MODES
from ui import render
from ui.resources import Engine

DOCUMENT_PAGE = "views/document.py"
# Any date a briefing can carry (index.metadata.parse_date's range), so a range wider than the corpus's stays pickable.
EARLIEST, LATEST = date(1901, 1, 1), date(2099, 12, 31)
_MODE_HELP = "hybrid fuses dense (meaning) and BM25 (exact words) rankings; dense or bm25 use one of them"


@dataclass(frozen=True)
class QueryOptions:
    mode: str
    k: int
    filters: Filters


def sidebar_options(engine: Engine) -> QueryOptions:
    """Mode, k and filters; kept for the whole session so Ask and Search share them."""
    docs = engine.searcher.store.documents("doc_id, title, source, date")
    titles = {row["doc_id"]: row["title"] for row in docs}
    sources = sorted({row["source"] for row in docs if row["source"]})
    dates = sorted(date.fromisoformat(row["date"]) for row in docs if row["date"])
    with st.sidebar:
        st.subheader("Retrieval")
        mode = st.radio("Mode", MODES, key="f_mode", horizontal=True, help=_MODE_HELP, persist_state="session")
        k = st.slider("Passages (k)", 1, 50, engine.searcher.settings.retrieval.k, key="f_k", persist_state="session")
        st.subheader("Filters")
        source = st.selectbox("Source", sources, index=None, placeholder="Any source", key="f_source", persist_state="session")
        span = f", from {dates[0]} to {dates[-1]}" if dates else ""
        picked = st.date_input(
            "Date range", value=(), min_value=EARLIEST, max_value=LATEST, disabled=not dates, key="f_dates", persist_state="session",
            help=f"{len(dates)} of {len(docs)} documents state a date{span}; undated ones never match a date filter",
        )  # fmt: skip
        doc = st.selectbox(
            "Document", list(titles), index=None, placeholder="Any document", format_func=lambda d: f"{titles[d][:60]} ({d})",
            key="f_doc", persist_state="session",
        )  # fmt: skip
    since, until = [*picked, None, None][:2]
    filters = Filters(source=source, since=since and since.isoformat(), until=until and until.isoformat(), doc=doc)
    return QueryOptions(mode, k, filters)


def document_link(passage: Passage, sentences: Sequence[tuple[int, int]] = (), label: str = "Open in document") -> None:
    """A link to the Document page that highlights and scrolls to this passage (and its cited sentences)."""
    params: dict[str, str | list[str]] = {
        "doc": passage.doc,
        "span": f"{passage.start}-{passage.end}",
        "orig": f"{passage.orig_start}-{passage.orig_end}",
    }
    if sentences:
        params["sent"] = [f"{s}-{e}" for s, e in sentences]
    st.page_link(DOCUMENT_PAGE, label=label, icon=":material/article:", query_params=params)


def passage_cards(passages: Sequence[Passage], query: str, answer: Answer | None = None) -> None:
    """Ranked passages; a cited one carries its citation number, is the target of that number's link, and shows the cited sentences."""
    cite_of = {(c.doc, c.start, c.end): c.n for c in (answer.citations if answer else [])}
    sentences: dict[int, list[tuple[int, int]]] = {}
    for sentence in answer.sentences if answer else []:
        for n in sentence.citations:
            sentences.setdefault(n, []).append((sentence.start, sentence.end))
    for passage in passages:
        n = cite_of.get((passage.doc, passage.start, passage.end))
        cited = sentences.get(n, []) if n else []
        with st.container(border=True):
            st.html(render.passage_html(passage, query, cited, n))
            document_link(passage, cited)
