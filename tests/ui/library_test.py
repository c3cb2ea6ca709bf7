"""Upload checks: what is refused before writing, what the loader refuses, and where accepted files land."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.library import MAX_UPLOAD_BYTES, check_upload, safe_name, save_uploads


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("brief.txt", "brief.txt"),
        ("../../etc/passwd.md", "passwd.md"),
        (".hidden.txt", "hidden.txt"),
        ("a b/c:d?.html", "c_d_.html"),
        ("..", "upload"),
    ],
)
def test_safe_name_keeps_uploads_in_the_library(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_check_upload_refuses_type_size_and_empty() -> None:
    assert check_upload("a.TXT", 10) is None
    assert check_upload("a.docx", 10) is None and check_upload("a.pdf", 10) is None
    assert "unsupported file type .xlsx" in (check_upload("a.xlsx", 10) or "")
    assert "unsupported file type (none)" in (check_upload("README", 10) or "")
    assert "over the 5 MB limit" in (check_upload("a.md", MAX_UPLOAD_BYTES + 1) or "")
    assert check_upload("a.eml", 0) == "the file is empty"


def test_save_uploads_vets_with_the_loader(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("An earlier upload with enough words to index.")
    saved = save_uploads(
        [
            ("new.txt", b"A new briefing with a few words."),
            ("kept.txt", b"A replacement briefing text."),
            ("nul.txt", b"ab\x00cd"),
            ("blank.md", b" \n"),
        ],
        tmp_path,
    )
    assert [p.name for p in saved.saved] == ["new.txt"] and [p.name for p in saved.replaced] == ["kept.txt"]
    assert {r.path: r.reason for r in saved.rejected} == {"nul.txt": "binary file (contains NUL bytes)", "blank.md": "empty (no text)"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "new.txt"], "no rejected or staging file is left"
    assert (tmp_path / "kept.txt").read_text() == "A replacement briefing text."
