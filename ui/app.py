"""Streamlit entry point (`sitroom ui` runs this file); each page is a script in ui/views/."""

from __future__ import annotations

import streamlit as st

from sitroom.escaping import md_escape
from ui import render, resources

st.set_page_config(page_title="sitroom", page_icon="🔎", layout="wide")
st.html(render.STYLE)
page = st.navigation(
    [
        st.Page("views/ask.py", title="Ask", icon=":material/question_answer:", default=True),
        st.Page("views/search.py", title="Search", icon=":material/search:"),
        st.Page("views/timeline.py", title="Timeline", icon=":material/timeline:"),
        st.Page("views/document.py", title="Document", icon=":material/article:"),
        st.Page("views/library.py", title="Library", icon=":material/library_books:"),
        st.Page("views/evaluation.py", title="Eval", icon=":material/monitoring:"),
    ]
)
st.sidebar.caption(f"Index: {md_escape(resources.settings().index_dir)}")
page.run()
