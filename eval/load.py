"""Load test for `sitroom serve`: N concurrent clients send search and ask requests for a fixed time.

    python -m eval.load http://127.0.0.1:8765 --clients 4 --seconds 60 [--set eval/sets/seeds_dev.jsonl]

Each client cycles through the eval set's questions, alternating /search and /ask. Reports requests per
second, latency p50/p95 per endpoint and every error (status != 200 or a failed connection) as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from eval.sets import load_set
from sitroom.config import TOKEN_ENV

DEFAULT_SET = Path(__file__).with_name("sets") / "seeds_dev.jsonl"


def run_load(url: str, questions: list[str], clients: int, seconds: float, token: str | None = None) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: dict[str, list[float]] = {"search": [], "ask": []}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            i = offset
            while time.perf_counter() < deadline:
                endpoint = "search" if i % 2 else "ask"
                params = {"query" if endpoint == "search" else "question": questions[i % len(questions)]}
                started = time.perf_counter()
                try:
                    response = http.get(f"/{endpoint}", params=params)
                    error = None if response.status_code == 200 else f"{endpoint} {response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as exc:
                    error = f"{endpoint}: {exc!r}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if error:
                        errors.append(error)
                    else:
                        latencies[endpoint].append(elapsed)
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = sum(len(v) for v in latencies.values())
    return {
        "url": url,
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": done + len(errors),
        "qps": round(done / wall, 2),
        "errors": len(errors),
        "error_samples": errors[:5],
        "latency_ms": {
            name: {"n": len(v), "p50": round(float(np.percentile(v, 50)), 1), "p95": round(float(np.percentile(v, 95)), 1)}
            for name, v in latencies.items()
            if v
        },
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="eval set whose questions are sent")
    args = parser.parse_args()
    questions = [item.question for item in load_set(args.set)]
    print(json.dumps(run_load(args.url, questions, args.clients, args.seconds, os.environ.get(TOKEN_ENV)), indent=2))


if __name__ == "__main__":
    main()
