"""Ask: a cited extractive answer, then the ranked passages it was drawn from."""

from __future__ import annotations

import streamlit as st

from retrieval.answer import NO_ANSWER, Answer
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui import render, widgets
from ui.resources import require_engine


def show(answer: Answer) -> None:
    if answer.abstained:
        st.warning(NO_ANSWER, icon=":material/search_off:")
        if answer.passages:
            with st.expander(f"Closest passages ({len(answer.passages)}), none close enough to quote"):
                widgets.passage_cards(answer.passages, answer.question)
        else:
            st.caption("No passage matches the filters in the sidebar.")
        return
    st.subheader("Answer")
    st.html(render.answer_html(answer))
    st.caption(
        f"{len(answer.sentences)} sentences quoted verbatim from {len(answer.citations)} passages "
        f"in {answer.timing_ms.get('total', 0):.0f} ms. Click a number to jump to its passage."
    )
    st.subheader("Ranked passages")
    widgets.passage_cards(answer.passages, answer.question, answer)


def main() -> None:
    st.title("Ask the briefings")
    engine = require_engine()
    options = widgets.sidebar_options(engine)
    with st.form("ask", border=False):
        question = st.text_input("Question", key="question", placeholder="What did Iraq say about US troops?")
        asked = st.form_submit_button("Ask", type="primary", icon=":material/send:")
    if asked:
        if not question.strip():
            st.warning("Type a question first.")
            return
        with st.spinner("Reading the briefings…"):
            try:
                st.session_state["answer"] = engine.composer.run(question, k=options.k, mode=options.mode, filters=options.filters)
            except SitroomError as exc:
                st.error(md_escape(exc))
                return
    if "answer" in st.session_state:
        show(st.session_state["answer"])


main()
