"""PDF input: a two-page PDF written here with fpdf2, read back through pypdf, indexed with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from index.builder import IndexBuilder
from index.embedding import Embedder
from index.formats import FormatError, pdf
from index.loading import load_paths
from retrieval.answer import AnswerComposer
from retrieval.searcher import Searcher
from sitroom.config import Settings

FIRST = (
    "Admiral Amara Okonkwo said the Zanzibar naval base agreement secures the deep-water port for ten years. "
    "She told reporters that the deal keeps rival fleets out of the channel while talks on patrol routes continue."
)
SECOND = "On the second page, the Quetzal ministry said the undersea cable near Guam will be repaired by the spring."


def write_pdf(path: Path, pages: list[list[str]], title: str | None = None, password: str | None = None) -> Path:
    document = FPDF()
    if title:
        document.set_title(title)
    document.set_font("helvetica", size=11)
    for paragraphs in pages:
        document.add_page()
        for paragraph in paragraphs:
            document.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            document.ln(4)
    if password:
        document.set_encryption(owner_password="owner", user_password=password)
    document.output(str(path))
    return path


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    return write_pdf(tmp_path / "brief.pdf", [["Harbor Watch briefing", FIRST], [SECOND]], title="Harbor Watch, March 3")


class TestPdfExtract:
    def test_text_round_trips_with_pages(self, brief: Path) -> None:
        extracted = pdf.extract(brief.read_bytes())
        assert extracted.title == "Harbor Watch, March 3"
        assert FIRST in extracted.text, "wrapped lines are joined back into the paragraph"
        assert "Harbor Watch briefing\n" in extracted.text, "a short heading line stays its own line"
        assert pdf.page_at(extracted.text, extracted.text.index(FIRST)) == 1
        assert pdf.page_at(extracted.text, extracted.text.index(SECOND)) == 2

    def test_reflow_keeps_paragraph_breaks(self) -> None:
        page = "A long line that runs all the way across the page\nand wraps onto this one.\nShort end.\n\nNew para-\ngraph here."
        assert pdf.reflow(page).splitlines() == [
            "A long line that runs all the way across the page and wraps onto this one.",
            "Short end.",
            "New para-graph here.",
        ]

    @pytest.mark.parametrize(
        ("make", "reason"),
        [
            (lambda p: write_pdf(p, [[FIRST]], password="secret"), "encrypted PDF"),
            (lambda p: write_pdf(p, [[]]), "no extractable text"),
            (lambda p: p.write_bytes(b"%PDF-1.4\nnot really a pdf"), "not a readable PDF"),
        ],
    )
    def test_bad_pdfs_are_rejected_with_one_reason(self, tmp_path: Path, brief: Path, make, reason: str) -> None:
        make(tmp_path / "bad.pdf")
        with pytest.raises(FormatError, match=reason):
            pdf.extract((tmp_path / "bad.pdf").read_bytes())
        result = load_paths([tmp_path])
        assert [d.doc_id for d in result.documents] == ["brief.pdf"], "the good PDF still loads"
        assert [(Path(r.path).name, reason in r.reason) for r in result.rejected] == [("bad.pdf", True)]


class TestPdfCitations:
    def test_passages_cite_page_and_span(self, tmp_path: Path, brief: Path, embedder: Embedder) -> None:
        settings = Settings(index_dir=tmp_path / "index")
        IndexBuilder(settings, embedder=embedder).run([tmp_path], progress=False)
        searcher = Searcher(settings, embedder=embedder)
        top = searcher.search("When will the undersea cable near Guam be repaired?", k=1).passages[0]
        assert top.doc == "brief.pdf" and SECOND in top.text
        assert (top.page, top.page_end) == (1, 2) and top.to_json()["page_end"] == 2, "the passage runs from page 1 onto page 2"
        stored = searcher.store.document("brief.pdf")
        assert stored is not None and stored.format == "pdf"
        assert stored.cleaned[top.start : top.end] == top.text
        assert pdf.page_at(stored.text, stored.text.index(SECOND)) == 2
        assert stored.text[top.orig_start : top.orig_end].replace("\f", "").split() == top.text.split()
        answer = AnswerComposer(searcher).run("When will the undersea cable near Guam be repaired?")
        assert [(c.doc, c.page, c.page_end) for c in answer.citations] == [("brief.pdf", 1, 2)]
