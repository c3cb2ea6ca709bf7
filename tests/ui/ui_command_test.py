"""`sitroom ui` starts Streamlit on localhost only and hands it the index directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from sitroom.cli import build_parser
from sitroom.config import INDEX_DIR_ENV, Settings
from ui import command


class FakeStreamlit:
    """Records how Streamlit would be started, and exits at once."""

    calls: ClassVar[list[tuple[list[str], dict[str, str]]]] = []

    def __init__(self, cmd: list[str], env: dict[str, str], stdout: object = None) -> None:
        self.calls.append((cmd, env))

    def wait(self) -> int:
        return 0


def test_ui_runs_streamlit_on_localhost_with_the_index_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(subprocess, "Popen", FakeStreamlit)
    args = build_parser().parse_args(["ui", "--index-dir", str(tmp_path), "--port", "8601"])
    assert command.run(args, Settings().with_index_dir(args.index_dir)) == 0
    cmd, env = FakeStreamlit.calls[-1]
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", str(command.APP)]
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8601"
    assert flags["--server.headless"] == "true" and flags["--browser.gatherUsageStats"] == "false"
    assert env[INDEX_DIR_ENV] == str(tmp_path.resolve())
