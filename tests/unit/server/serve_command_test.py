from __future__ import annotations

from pathlib import Path

import pytest

from server.command import is_loopback
from sitroom.cli import main


class TestServeCommand:
    def test_loopback_addresses(self) -> None:
        assert all(map(is_loopback, ("127.0.0.1", "localhost", "::1", "127.0.0.2")))
        assert not any(map(is_loopback, ("0.0.0.0", "192.168.1.4", "example.org", "::")))

    def test_other_addresses_need_a_token(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
        monkeypatch.delenv("SITROOM_TOKEN", raising=False)
        assert main(["serve", "--host", "0.0.0.0", "--index-dir", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "set a token with --token or SITROOM_TOKEN" in err[0]
