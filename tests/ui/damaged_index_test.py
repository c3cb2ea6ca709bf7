"""A damaged index in the UI: every page that needs it shows one error box naming the damage, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from index import layout


@pytest.mark.parametrize("damage", ["empty store", "current loop"])
def test_damaged_index_shows_an_error_box(app: Callable[[Path], AppTest], writable_index: Path, damage: str) -> None:
    if damage == "empty store":
        (layout.current(writable_index) / layout.STORE).write_bytes(b"")
    else:
        (writable_index / "current").unlink()
        (writable_index / "current").symlink_to("current")
    at = app(writable_index)
    for page in ("views/ask.py", "views/search.py", "views/document.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and errors[0].startswith("damaged index:") and "--rebuild" in errors[0], (page, errors)
