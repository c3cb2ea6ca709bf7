"""Ask: a corpus summary and example questions, then a cited extractive answer and the passages it was drawn from."""

from __future__ import annotations

import streamlit as st

from retrieval.answer import NO_ANSWER, Answer
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui import onboarding, render, widgets
from ui.resources import Engine, require_engine

_EXAMPLES = 4


@st.cache_data(show_spinner=False, max_entries=4)
def corpus_overview(generation: str, _engine: Engine) -> tuple[str, list[str]]:
    """Summary line and example questions; `generation` (the live index and its overrides) is the cache key."""
    store = _engine.searcher.store
    return onboarding.summarize(store).text(), onboarding.example_questions(store, _EXAMPLES)


def use_example(question: str) -> None:
    st.session_state["question"] = question
    st.session_state["ask_now"] = True


def show(answer: Answer, engine: Engine, options: widgets.QueryOptions) -> None:
    widgets.filter_chips(options.filters)
    if answer.abstained:
        if not answer.passages:
            widgets.explain_no_results(engine, options)
            return
        st.warning(NO_ANSWER, icon=":material/search_off:")
        with st.expander(f"Closest passages ({len(answer.passages)}), none close enough to quote"):
            widgets.passage_cards(answer.passages, answer.question, engine)
        return
    st.subheader("Answer")
    st.html(render.answer_html(answer))
    st.caption(
        f"{len(answer.sentences)} sentences quoted verbatim from {len(answer.citations)} passages "
        f"in {answer.timing_ms.get('total', 0):.0f} ms. Hover a number to preview its passage; click it to jump there."
    )
    st.subheader("Ranked passages")
    widgets.passage_cards(answer.passages, answer.question, engine, answer)


def main() -> None:
    st.title("Ask the briefings")
    engine = require_engine()
    options = widgets.sidebar_options(engine)
    summary, examples = corpus_overview(f"{engine.searcher.path}|{id(engine)}", engine)
    st.html(f'<div class="sr-summary">{render.meta_line(summary)}</div>')
    with st.form("ask", border=False):
        question = st.text_input("Question", key="question", placeholder=examples[0] if examples else "What did Iraq say about US troops?")
        asked = st.form_submit_button("Ask", type="primary", icon=":material/send:")
    if examples and "answer" not in st.session_state:
        with st.container(horizontal=True, key="examples"):
            st.caption("Try:")
            for i, example in enumerate(examples):
                st.button(example, key=f"example_{i}", type="tertiary", on_click=use_example, args=(example,))
    if asked or st.session_state.pop("ask_now", False):
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
        show(st.session_state["answer"], engine, options)


main()
