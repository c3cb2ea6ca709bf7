"""How answers and citations read to a person: bullets grouped by source and date, and one line per source.

Shared by the CLI (and so `sitroom serve`) and the UI, so all name a citation the same way (title,
source, date, headline, never a file name and character offsets alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.metadata import display_date

if TYPE_CHECKING:  # annotations only: the CLI's text output imports this module without the retrieval stack
    from retrieval.answer import Answer, AnswerSentence, Citation


def source_line(title: str | None, source: str | None, date: str | None, headline: str | None = None) -> str:
    """Title · source · date ("undated" when none is known) · headline (when it is not the title)."""
    parts = [title, source, display_date(date)]
    if headline and headline != title:
        parts.append(headline)
    return " · ".join(p for p in parts if p)


def pages_label(first: int | None, last: int | None) -> str | None:
    """ "p. 2" or "pp. 2-3" for PDF passages; None for formats without pages."""
    if not first:
        return None
    return f"p. {first}" if last in (None, first) else f"pp. {first}-{last}"


@dataclass(frozen=True)
class SentenceGroup:
    """Answer sentences whose citations share a source and date, in the answer's own order."""

    source: str | None
    date: str | None
    sentences: list[AnswerSentence]

    @property
    def label(self) -> str:
        return f"{self.source or 'Unknown source'} · {display_date(self.date)}"


def grouped(answer: Answer) -> list[SentenceGroup]:
    """Groups ordered by their best sentence, so the sentence that answers the question stays first."""
    by_n: dict[int, Citation] = {c.n: c for c in answer.citations}
    groups: dict[tuple[str | None, str | None], list[AnswerSentence]] = {}
    for sentence in answer.sentences:
        cited = by_n.get(sentence.citations[0]) if sentence.citations else None
        key = (cited.source, cited.date) if cited else (None, None)
        groups.setdefault(key, []).append(sentence)
    return [SentenceGroup(source, date, sentences) for (source, date), sentences in groups.items()]
