from __future__ import annotations

from pathlib import Path

from index.store import read_ahead


class TestReadAhead:
    def test_reads_the_whole_file_in_the_background(self, tmp_path: Path):
        path = tmp_path / "store.sqlite"
        path.write_bytes(b"x" * (3 << 20))
        thread = read_ahead(path)
        assert thread is not None
        thread.join(timeout=30)
        assert not thread.is_alive()

    def test_skips_a_file_too_large_for_free_memory_and_a_missing_one(self, tmp_path: Path):
        path = tmp_path / "store.sqlite"
        path.write_bytes(b"x" * 1024)
        assert read_ahead(path, memory_share=0.0) is None
        assert read_ahead(tmp_path / "absent.sqlite") is None
