"""`sitroom ui` starts Streamlit on localhost only and hands it the index directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from sitroom.cli import build_parser, main
from sitroom.config import INDEX_DIR_ENV, Settings
from ui import command
from ui.served import free_port


class FakeStreamlit:
    """Records how Streamlit would be started, and exits at once."""

    calls: ClassVar[list[tuple[list[str], dict[str, str]]]] = []

    def __init__(self, cmd: list[str], env: dict[str, str], **_: object) -> None:
        self.calls.append((cmd, env))

    def wait(self) -> int:
        return 0


def test_ui_runs_streamlit_on_localhost_with_the_index_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(subprocess, "Popen", FakeStreamlit)
    args = build_parser().parse_args(["ui", "--index-dir", str(tmp_path), "--port", str(free_port())])
    assert command.run(args, Settings().with_index_dir(args.index_dir)) == 0
    cmd, env = FakeStreamlit.calls[-1]
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", str(command.APP)]
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == str(args.port)
    assert flags["--server.headless"] == "true" and flags["--browser.gatherUsageStats"] == "false"
    assert env[INDEX_DIR_ENV] == str(tmp_path.resolve())


class TestPort:
    @pytest.mark.parametrize("port", ["99999", "0", "-1"])
    def test_out_of_range_port_is_one_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str], port: str) -> None:
        assert main(["ui", "--port", port, "--index-dir", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"sitroom: error: --port {port} is not a port number (1 to 65535)"]

    def test_busy_port_is_one_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            assert main(["ui", "--port", str(port), "--index-dir", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"sitroom: error: port {port} on 127.0.0.1 is already in use; pick another with --port"]


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the Streamlit child")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])  # SIGINT and SIGHUP take the SIGTERM path
def test_stopping_sitroom_ui_stops_streamlit(tmp_path: Path, signum: signal.Signals) -> None:
    """The real `sitroom ui` in its own process group, signalled alone (as `kill PID` does): Streamlit must not outlive it."""
    port = free_port()
    ui = subprocess.Popen(
        [sys.executable, "-m", "sitroom.cli", "ui", "--port", str(port), "--index-dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    try:
        assert _wait(lambda: bool(_children(ui.pid)), 30), "Streamlit did not start"
        streamlit = _children(ui.pid)[0]
        with socket.socket() as client:
            assert _wait(lambda: client.connect_ex(("127.0.0.1", port)) == 0, 60), "Streamlit is not serving"
        os.kill(ui.pid, signum)
        ui.wait(timeout=30)
        assert _wait(lambda: not _alive(streamlit), 30), f"Streamlit {streamlit} outlived `sitroom ui` ({signum.name})"
    finally:
        if ui.poll() is None:
            os.killpg(ui.pid, signal.SIGKILL)
