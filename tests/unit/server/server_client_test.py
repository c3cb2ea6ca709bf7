"""The CLI's `--server` path prints what the local path prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.embedding import Embedder
from sitroom.cli import main
from sitroom.config import Settings

TOKEN = "test-token-0123456789"  # the `server_url` fixture's token
QUESTION = "What did Iraq say about US troops?"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


class TestServerOption:
    def test_same_output_through_the_server(
        self, server_url: str, seeds_settings: Settings, one_model: Embedder, monkeypatch: pytest.MonkeyPatch, capsys
    ) -> None:
        monkeypatch.setenv("SITROOM_TOKEN", TOKEN)
        local = ["--index-dir", str(seeds_settings.index_dir)]
        for argv in (
            ["ask", QUESTION],
            ["search", "Kaspersky", "-k", "3"],
            ["search", "x", "--source", "natsec", "--since", "2030-01-01"],
            ["timeline", "Iraq US troops", "-k", "5"],
            ["info"],
        ):
            code, remote_out, _ = _run([*argv, "--server", server_url], capsys)
            assert code == 0 and remote_out == _run([*argv, *local], capsys)[1], argv
        expected = json.loads(_run(["search", "Kaspersky", "-k", "2", "--json", *local], capsys)[1])
        monkeypatch.setenv("SITROOM_SERVER", server_url)
        code, out, _ = _run(["search", "Kaspersky", "-k", "2", "--json"], capsys)
        assert code == 0 and json.loads(out)["results"] == expected["results"]

    def test_errors_are_one_line_and_exit_2(self, server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
        monkeypatch.delenv("SITROOM_SERVER", raising=False)
        monkeypatch.setenv("SITROOM_TOKEN", TOKEN)
        cases = [
            (["ask", "  ", "--server", server_url], "empty query"),
            (["search", "troops", "--since", "later", "--server", server_url], "is not a date"),
            (["search", "troops", "--server", server_url, "--index-dir", str(tmp_path)], "cannot be combined with --server"),
            (["info", "--server", "http://127.0.0.1:9"], "cannot reach the sitroom server"),
        ]
        for argv, message in cases:
            code, out, err = _run(argv, capsys)
            lines = err.strip().splitlines()
            assert code == 2 and not out and len(lines) == 1 and lines[0].startswith("sitroom: error:") and message in lines[0], (argv, err)
        monkeypatch.setenv("SITROOM_TOKEN", "wrong")
        code, _, err = _run(["info", "--server", server_url], capsys)
        assert code == 2 and "missing or wrong token (set SITROOM_TOKEN)" in err
