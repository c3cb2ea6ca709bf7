"""The screenshot tool refuses, in one line, what it cannot shoot; the shots themselves are the browser tests' flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui import screenshots
from ui.served import CHROMIUM


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
def test_an_empty_index_dir_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert screenshots.main(["--index-dir", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("screenshots: error: no index in") and "sitroom index seeds" in err[0]
    assert not (tmp_path / "out").exists()


def test_source_options_are_read_with_their_document_counts() -> None:
    assert screenshots.SOURCE_OPTION.match("NatSec Daily (3 documents)").groups() == ("NatSec Daily", "3")
    assert screenshots.SOURCE_OPTION.match("The Hill (1 document)").groups() == ("The Hill", "1")
