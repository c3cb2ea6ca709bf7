"""The HTTP API against a real uvicorn server: the CLI's JSON, token checks, error statuses, concurrency."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from index.embedding import Embedder
from server.app import create_app
from server.engine import Engine
from sitroom.cli import main
from sitroom.config import Settings

TOKEN = "test-token-0123456789"  # the `server_url` fixture's token
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = "What did Iraq say about US troops?"


def _without_timing(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "timing_ms"}


def _cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


class TestResponses:
    def test_search_ask_timeline_info_equal_the_cli_json(
        self, server_url: str, seeds_settings: Settings, one_model: Embedder, capsys
    ) -> None:
        index = ["--index-dir", str(seeds_settings.index_dir)]
        cases = [
            ("/search", {"query": "Kaspersky", "k": 3, "source": "natsec"}, ["search", "Kaspersky", "-k", "3", "--source", "natsec"]),
            ("/ask", {"question": QUESTION}, ["ask", QUESTION]),
            (
                "/ask",
                {"question": QUESTION, "mode": "bm25", "since": "2024-01-01"},
                ["ask", QUESTION, "--mode", "bm25", "--since", "2024-01-01"],
            ),
            ("/timeline", {"query": "Iraq US troops", "k": 5}, ["timeline", "Iraq US troops", "-k", "5"]),
            ("/info", {}, ["info"]),
        ]
        for path, params, argv in cases:
            response = httpx.get(server_url + path, params=params, headers=AUTH)
            assert response.status_code == 200, response.text
            assert _without_timing(response.json()) == _without_timing(_cli_json([*argv, *index], capsys)), path
        answer = httpx.get(server_url + "/ask", params={"question": QUESTION}, headers=AUTH).json()
        assert not answer["abstained"] and answer["citations"] and "Iraq" in answer["answer"]["text"]

    def test_concurrent_requests_all_succeed_with_the_same_answer(self, server_url: str) -> None:
        def ask(i: int) -> dict:
            path, params = ("/ask", {"question": QUESTION}) if i % 2 else ("/search", {"query": "troops in Iraq", "k": 5})
            response = httpx.get(server_url + path, params=params, headers=AUTH, timeout=60)
            assert response.status_code == 200, response.text
            return _without_timing(response.json())

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(ask, range(18)))
        assert all(r == results[1] for r in results[1::2]) and all(r == results[0] for r in results[0::2])


class TestToken:
    def test_requests_without_the_right_token_get_401(self, server_url: str) -> None:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}):
            response = httpx.get(server_url + "/search", params={"query": "troops"}, headers=headers)
            assert response.status_code == 401, headers
            assert response.json() == {"error": "missing or wrong token"} and response.headers["www-authenticate"] == "Bearer"
        assert httpx.get(server_url + "/info", headers=AUTH).status_code == 200

    def test_health_needs_no_token(self, server_url: str) -> None:
        assert httpx.get(server_url + "/health").json() == {"status": "ok"}


class TestErrors:
    @pytest.mark.parametrize(
        ("path", "params", "message"),
        [
            ("/search", {"query": "  "}, "empty query"),
            ("/ask", {}, "question: Field required"),
            ("/search", {"query": "troops", "k": 0}, "k: Input should be greater than or equal to 1"),
            ("/search", {"query": "troops", "k": "ten"}, "k: Input should be a valid integer"),
            ("/ask", {"question": "troops", "mode": "semantic"}, "mode: Input should be 'hybrid', 'dense' or 'bm25'"),
            ("/search", {"query": "troops", "since": "yesterday-ish"}, "is not a date"),
            ("/timeline", {"query": "troops", "since": "2024-05-01", "until": "2024-01-01"}, "is after --until"),
            ("/timeline", {"query": "troops", "k": 501}, "k: Input should be less than or equal to 500"),
        ],
    )
    def test_bad_input_is_400_with_a_message(self, server_url: str, path: str, params: dict, message: str) -> None:
        response = httpx.get(server_url + path, params=params, headers=AUTH)
        assert response.status_code == 400
        assert message in response.json()["error"]

    def test_no_index_is_503_until_one_is_built(self, tmp_path: Path, embedder: Embedder) -> None:
        client = TestClient(create_app(Engine(Settings(index_dir=tmp_path / "none"), embedder)))
        for path, params in (("/search", {"query": "troops"}), ("/ask", {"question": "troops"}), ("/info", {})):
            response = client.get(path, params=params)
            assert response.status_code == 503
            assert response.json()["error"].startswith("no index at")


class TestLoadScript:
    def test_two_clients_for_a_second_without_errors(self, server_url: str) -> None:
        from eval.load import run_load

        report = run_load(server_url, [QUESTION, "Kaspersky ban"], clients=2, seconds=1.0, token=TOKEN)
        assert report["errors"] == 0 and report["requests"] >= 2 and report["qps"] > 0
        assert set(report["latency_ms"]) <= {"search", "ask"} and report["latency_ms"]
