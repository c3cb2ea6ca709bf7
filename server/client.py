"""The CLI's side of `--server URL`: the same JSON objects, fetched from a running `sitroom serve`."""

from __future__ import annotations

import os

import httpx

from sitroom.config import TOKEN_ENV
from sitroom.errors import SitroomError

TIMEOUT_S = 120.0


def get(server: str, path: str, params: dict[str, object]) -> dict:
    """GET `path` on the server; an error response becomes a SitroomError carrying the server's message."""
    token = os.environ.get(TOKEN_ENV)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    query = {name: value for name, value in params.items() if value is not None}
    url = server.rstrip("/") + path
    try:
        response = httpx.get(url, params=query, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise SitroomError(f"cannot reach the sitroom server at {server}: {exc}") from exc
    try:
        data = response.json()
    except ValueError as exc:
        raise SitroomError(f"{url} answered {response.status_code} without JSON; is it a sitroom server?") from exc
    if response.status_code == 401:
        raise SitroomError(f"the server at {server} refused the request: {data.get('error')} (set {TOKEN_ENV})")
    if response.status_code != 200:
        raise SitroomError(data.get("error") if isinstance(data, dict) and data.get("error") else f"{url} answered {response.status_code}")
    return data
