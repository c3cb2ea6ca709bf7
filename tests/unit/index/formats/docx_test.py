"""DOCX input: a document written here with python-docx, read back and indexed with the real model."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from index.builder import IndexBuilder
from index.embedding import Embedder
from index.formats import FormatError
from index.formats import docx as docx_format
from index.loading import load_paths
from retrieval.searcher import Searcher
from sitroom.config import Settings

BODY = "Iraqi officials said the coalition's mission should end by September, and Washington agreed to a timetable for talks."


@pytest.fixture
def memo(tmp_path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Baghdad memo"
    document.add_heading("Coalition talks in Baghdad", level=1)
    document.add_paragraph("Date: 2024-02-08")
    document.add_paragraph(BODY)
    table = document.add_table(rows=2, cols=2)
    for row, (a, b) in zip(table.rows, [("Country", "Troops"), ("Iraq", "2,500")], strict=True):
        row.cells[0].text, row.cells[1].text = a, b
    path = tmp_path / "memo.docx"
    document.save(str(path))
    return path


class TestDocx:
    def test_paragraphs_and_tables_in_order(self, memo: Path) -> None:
        extracted = docx_format.extract(memo.read_bytes())
        assert extracted.title == "Baghdad memo"
        assert extracted.text.splitlines() == ["Coalition talks in Baghdad", "Date: 2024-02-08", BODY, "Country | Troops", "Iraq | 2,500"]

    def test_broken_docx_is_rejected_and_the_rest_loads(self, tmp_path: Path, memo: Path) -> None:
        (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 this is not a word file")
        with pytest.raises(FormatError, match="not a readable DOCX"):
            docx_format.extract((tmp_path / "broken.docx").read_bytes())
        result = load_paths([tmp_path])
        assert [d.doc_id for d in result.documents] == ["memo.docx"]
        assert [Path(r.path).name for r in result.rejected] == ["broken.docx"]
        assert result.rejected[0].reason.startswith("not a readable DOCX")

    def test_indexed_with_date_and_exact_spans(self, tmp_path: Path, memo: Path, embedder: Embedder) -> None:
        settings = Settings(index_dir=tmp_path / "index")
        IndexBuilder(settings, embedder=embedder).run([memo], progress=False)
        searcher = Searcher(settings, embedder=embedder)
        top = searcher.search("When should the coalition mission in Iraq end?", k=1).passages[0]
        assert (top.doc, top.title, top.date, top.page) == ("memo.docx", "Baghdad memo", "2024-02-08", None)
        assert BODY in top.text
        stored = searcher.store.document("memo.docx")
        assert stored is not None and stored.cleaned[top.start : top.end] == top.text
