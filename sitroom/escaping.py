"""Untrusted text (file names, titles, questions) inside Markdown that we write, shown as itself.

Streamlit's messages and captions and `report.md` all render Markdown: a file name such as
`![x](https://host/t.png)` or a question carrying `<img src=…>` must stay text, never become an
image the browser fetches or markup it runs.
"""

from __future__ import annotations

import html
import re

# Inline Markdown (links, images, emphasis, table cells) and Streamlit's :color[…] and $math$; & < >
# become HTML entities instead, which every Markdown renderer shows as the characters. Backticks are
# left alone: a code span is inert (nothing inside it is a link, image or tag), and our own messages
# use them to show commands such as `sitroom index --rebuild`.
_INLINE = re.compile(r"([\\*_\[\]()!|$~])")


def md_escape(text: object) -> str:
    """`text` as one line of literal inline Markdown (placed after our own markup, not at a line start)."""
    return html.escape(_INLINE.sub(r"\\\1", " ".join(str(text).split())), quote=False)
