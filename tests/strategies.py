"""Hypothesis strategies for hostile input: briefing-like text with markup, odd characters and huge runs."""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = ["Iraq", "troops", "said", "the", "U.S.", "Sen.", "minister", "talks", "(R-S.C.)", "café", "naïve", "’s", "“quoted”"]
MARKUP = [
    "<b>", "</b>", "<script>alert(1)</script>", "<!--", "-->", "**", "__", "[x](http://h/t.png)", "![x](http://h/i.png)",
    "`", "|", " | ", "•", "---", "# ", "> ", "&amp;", "&#x27;", "$", ":red[", "]", "\\", "{{", "}}",
]  # fmt: skip
ODD = ["\u00a0", "\u200b", "\ufeff", "\ufffd", "\u2028", "\r", "\t", "\x0b", "\u0301", "😀", "中文", "עברית", "\U0001f1fa\U0001f1f8"]


@st.composite
def runs(draw: st.DrawFn) -> str:
    """A long run without spaces: one repeated character, a repeated fragment, or a URL-like blob."""
    size = draw(st.integers(200, 12_000))
    unit = draw(st.sampled_from(["x", "A", "ab1", "a%2F", "😀", "中", "-", ".", "/"]))
    return (unit * (size // len(unit) + 1))[:size]


def pieces() -> st.SearchStrategy[str]:
    lead_in = st.builds(lambda w: f"{w.upper()} {w.upper()}:", st.sampled_from(WORDS))
    sentence_end = st.sampled_from([". ", "? ", "! ", ".\n", "\n\n", " "])
    return st.one_of(
        st.sampled_from(WORDS).map(lambda w: w + " "),
        st.sampled_from(MARKUP),
        st.sampled_from(ODD),
        lead_in,
        sentence_end,
        st.text(max_size=20),
        runs(),
    )


def briefing_text(max_pieces: int = 60) -> st.SearchStrategy[str]:
    """Words, sentence ends, lead-ins, nested markup, odd characters, random text and occasional huge runs."""
    nested = st.recursive(
        pieces(), lambda inner: st.tuples(st.sampled_from(MARKUP), inner, st.sampled_from(MARKUP)).map("".join), max_leaves=8
    )
    return st.lists(nested, max_size=max_pieces).map("".join)
