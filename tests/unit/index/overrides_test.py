from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import layout, overrides
from index.builder import IndexBuilder
from index.store import Store
from retrieval.passages import Filters
from retrieval.searcher import Searcher
from sitroom.config import Settings
from sitroom.errors import SitroomError

NATSEC = "000_fa8900e209c8b72a.txt"


class TestOverridesFile:
    def test_save_merges_fields_and_load_reads_them_back(self, tmp_path: Path) -> None:
        overrides.save(tmp_path, NATSEC, overrides.checked(title="Troops leaving Iraq?"))
        overrides.save(tmp_path, NATSEC, overrides.checked(date="Jan 25th 2024", source=""))
        assert overrides.load(tmp_path) == {NATSEC: {"title": "Troops leaving Iraq?", "date": "2024-01-25", "source": ""}}
        assert not list(tmp_path.glob(".overrides-*")), "no temporary file is left behind"

    def test_checked_refuses_an_empty_title_and_a_non_date(self) -> None:
        with pytest.raises(SitroomError, match="title cannot be empty"):
            overrides.checked(title="  ")
        with pytest.raises(SitroomError, match="not a date"):
            overrides.checked(date="someday")
        assert overrides.checked(date="") == {"date": ""}

    def test_a_damaged_file_is_an_error_not_a_silent_reset(self, tmp_path: Path) -> None:
        overrides.path(tmp_path).write_text("{not json")
        with pytest.raises(SitroomError, match="unreadable"):
            overrides.load(tmp_path)
        with pytest.raises(SitroomError):
            overrides.save(tmp_path, NATSEC, {"title": "x"})
        assert overrides.path(tmp_path).read_text() == "{not json"


class TestOverlay:
    def test_reads_see_overrides_without_a_rebuild(self, seeds_settings: Settings, embedder) -> None:
        store_path = layout.current(seeds_settings.index_dir) / layout.STORE
        corrected = {NATSEC: {"title": "Troops leaving Iraq?", "date": "2024-01-25", "source": ""}}
        store = Store(store_path, readonly=True, overrides=corrected)
        doc = store.document(NATSEC)
        assert (doc.title, doc.source, doc.date) == ("Troops leaving Iraq?", None, "2024-01-25")
        assert len(store.documents()) == 5 and doc.cleaned, "other columns and documents pass through"
        plain = Store(store_path, readonly=True)

        def dated_docs(of: Store) -> set[str]:
            where, params = Filters(since="2024-01-01").sql(of.has_article_columns())
            sql = f"SELECT DISTINCT c.doc_id FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}"
            return {row[0] for row in of.db.execute(sql, params)}

        assert NATSEC not in dated_docs(plain) and dated_docs(store) == dated_docs(plain) | {NATSEC}
        assert plain.document(NATSEC).title != "Troops leaving Iraq?", "the stored generation is untouched"

    def test_overrides_survive_a_rebuild_and_reach_passages(self, seeds_settings: Settings, corpus: Path, tmp_path: Path, embedder) -> None:
        index_dir = tmp_path / "ix"
        shutil.copytree(seeds_settings.index_dir, index_dir, symlinks=True)  # with its embedding cache
        settings = Settings(index_dir=index_dir)
        overrides.save(index_dir, NATSEC, overrides.checked(title="Troops leaving Iraq?", source="Politico NatSec", date="2024-01-25"))
        IndexBuilder(settings, embedder=embedder).run([corpus], rebuild=True, progress=False)
        stored = Store(layout.current(index_dir) / layout.STORE, readonly=True).document(NATSEC)
        assert (stored.title, stored.source, stored.date) == ("Troops leaving Iraq?", "Politico NatSec", "2024-01-25")
        passages = Searcher(settings, embedder=embedder).search("troops", filters=Filters(since="2024-01-20", until="2024-01-31")).passages
        assert passages and {p.doc for p in passages} == {NATSEC}, "the edited date reaches the date filter"
