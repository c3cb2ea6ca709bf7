"""What retrieval returns: ranked passages with exact spans, and the filters that narrow them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from index.metadata import display_date


@dataclass(frozen=True)
class SourceRef:
    """Another document carrying a near-duplicate of a passage."""

    doc: str
    title: str
    source: str | None
    date: str | None
    start: int
    end: int


@dataclass
class Passage:
    """A ranked chunk. `title`, `source` and `date` are its article's (a digest's related article, a pasted
    piece), falling back to the document's for the lead article; `doc_title` is the document's."""

    rank: int
    score: float
    chunk_id: int
    doc: str
    title: str
    source: str | None
    date: str | None
    headline: str | None
    text: str
    start: int  # span in the cleaned document text
    end: int
    orig_start: int  # span in the original file text
    orig_end: int
    sentences: tuple[tuple[int, int], ...]  # relative to `start`
    dense: float  # cosine similarity to the query, used for abstention
    rerank: float | None = None  # cross-encoder logit, when the passage was reranked
    also_in: list[SourceRef] = field(default_factory=list)
    page: int | None = None  # PDF pages the passage starts and ends on
    page_end: int | None = None
    article: int = 0  # which article of the document
    doc_title: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "doc": self.doc,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "date_display": display_date(self.date),
            "article": self.article,
            "doc_title": self.doc_title or self.title,
            "headline": self.headline,
            "start": self.start,
            "end": self.end,
            "orig_start": self.orig_start,
            "orig_end": self.orig_end,
            "page": self.page,
            "page_end": self.page_end,
            "text": self.text,
            "rerank": None if self.rerank is None else round(self.rerank, 4),
            "also_in": [asdict(ref) for ref in self.also_in],
        }


@dataclass(frozen=True)
class Filters:
    source: str | None = None  # case-insensitive substring of the document's source
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    doc: str | None = None  # exact document id

    def is_empty(self) -> bool:
        return not (self.source or self.since or self.until or self.doc)

    def active(self) -> list[tuple[str, str]]:
        """(name, value) of each filter in use, in a fixed order, for chips and messages."""
        return [(f.name, value) for f in fields(self) if (value := getattr(self, f.name))]

    def without(self, name: str) -> Filters:
        return replace(self, **{name: None})

    def sql(self, articles: bool = True) -> tuple[str, list[object]]:
        """WHERE clause over `chunks c JOIN documents d`: the article's source and date (the lead article's are the document's).

        Undated passages never match a date filter. `articles=False` for indexes built before chunks
        carried article metadata.
        """
        if articles:  # as passages show them: sub-articles never take the document's source or date
            source = "COALESCE(CASE WHEN c.article = 0 THEN COALESCE(c.source, d.source) ELSE c.source END, '')"
            when = "CASE WHEN c.article = 0 THEN COALESCE(c.date, d.date) ELSE c.date END"
        else:
            source, when = "COALESCE(d.source, '')", "d.date"
        clauses: list[str] = []
        params: list[object] = []
        if self.source:
            clauses.append(f"LOWER({source}) LIKE ? ESCAPE '\\'")
            params.append(f"%{_like_literal(self.source.lower())}%")
        if self.since:
            clauses.append(f"{when} >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{when} <= ?")
            params.append(self.until)
        if self.doc:
            clauses.append("d.doc_id = ?")
            params.append(self.doc)
        return " AND ".join(clauses) or "1", params


def _like_literal(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '\\': its own %, _ and backslashes are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
