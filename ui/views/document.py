"""Document: every indexed document listed; the full cleaned text with the followed passage highlighted and scrolled to, metadata, and the original text."""

from __future__ import annotations

import html
import json
import re

import streamlit as st

from index.metadata import UNDATED
from index.store import StoredDocument
from sitroom.escaping import md_escape
from ui import render
from ui.resources import require_engine

_SPAN = re.compile(r"(\d+)-(\d+)")


def span(value: str | None) -> tuple[int, int] | None:
    """A `start-end` query parameter, or None when absent or malformed (links can be edited by hand)."""
    match = _SPAN.fullmatch(value or "")
    return (int(match[1]), int(match[2])) if match and int(match[1]) < int(match[2]) else None


def show(doc: StoredDocument) -> None:
    params = st.query_params
    passage = span(params.get("span"))
    sentences = [s for s in map(span, params.get_all("sent")) if s]
    heading = f"<h3>{html.escape(doc.title)}</h3><div class='sr-meta'>{render.meta_line(doc.source, doc.date or UNDATED)}</div>"
    st.html(heading)
    with st.sidebar:  # stays in view while the text is scrolled to the passage
        st.html(
            heading + f"<div class='sr-meta'>{doc.n_chunks} chunks · {html.escape(doc.format)}, {html.escape(doc.encoding)}</div>"
            f"<div class='sr-meta'>{html.escape(doc.doc_id)}</div>"
        )
        if passage:
            st.caption("The passage you followed is highlighted in blue; the sentences the answer quotes are darker.")
    with st.expander("Original text, before cleaning"):
        st.caption(f"From {md_escape(doc.root)}; the passage's span in the original is highlighted.")
        st.html(render.document_html(doc.text, span(params.get("orig"))))
    dropped = json.loads(doc.dropped)
    if dropped:
        with st.expander(f"Removed as boilerplate ({len(dropped)} blocks)"):
            st.html("".join(f"<p class='sr-text'><b>{html.escape(d['reason'])}</b>: {html.escape(d['text'])}</p>" for d in dropped))
    st.html(render.document_html(doc.cleaned, passage, sentences, render.HIGHLIGHT_ID))
    if passage:
        st.html(render.SCROLL_SCRIPT, unsafe_allow_javascript=True)


def main() -> None:
    st.title("Document")
    engine = require_engine()
    rows = engine.searcher.store.documents("doc_id, title, source, date, n_chunks")
    titles = {row["doc_id"]: row["title"] for row in rows}
    wanted = st.query_params.get("doc")
    if wanted and wanted not in titles:
        st.warning("The linked document is not in the index; it may have been removed:")
        st.code(wanted, language=None)  # shown verbatim: the id comes from the URL
    ids = list(titles)
    choice = st.selectbox(
        "Document", ids, index=ids.index(wanted) if wanted in titles else None, placeholder="Pick a document",
        format_func=lambda d: f"{titles[d][:80]} ({d})",
    )  # fmt: skip
    if choice is None:
        st.caption(f"{len(rows)} documents; click a title to read it.")
        st.html(render.documents_table_html(rows))
        return
    if choice != wanted:  # picked another document: its URL carries no passage
        st.query_params.from_dict({"doc": choice})
    document = engine.searcher.store.document(choice)
    if document is not None:
        show(document)


main()
