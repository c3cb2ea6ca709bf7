"""The HTTP API: GET /search, /ask, /timeline and /info return exactly the CLI's `--json` objects.

Errors are JSON `{"error": message}`: 400 for bad input, 401 without the right token, 503 while there is no
usable index (none built yet, or built with another model). Model work runs in FastAPI's thread pool,
at most `concurrency` requests at once (one per core by default, each encoding on one thread); the rest wait.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from retrieval.searcher import MODES
from retrieval.timeline import TimelineBuilder
from server.engine import Engine, Loaded
from sitroom import queries
from sitroom.config import RetrievalConfig
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

MAX_K = RetrievalConfig.max_k
# Module level: FastAPI resolves the (postponed) annotations of the endpoints in this module's namespace.
Mode = Literal[MODES]  # type: ignore[valid-type]
K = Annotated[int | None, Query(ge=1, le=MAX_K, description="number of passages (default 10)")]
Text = Annotated[str | None, Query(max_length=1000)]
QueryText = Annotated[str, Query(max_length=2000)]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "bad request"


def create_app(engine: Engine, token: str | None = None, concurrency: int = 2) -> FastAPI:
    """`token`: when set, every request except /health needs `Authorization: Bearer TOKEN`."""
    app = FastAPI(title="sitroom", summary="Semantic search and cited answers over briefings", docs_url=None, redoc_url=None)
    slots = threading.BoundedSemaphore(concurrency)
    expected = token.encode() if token else None

    def authorized(request: Request) -> None:
        if expected is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise ApiError(401, "missing or wrong token")

    def serve(work: Callable[[Loaded], dict[str, Any]]) -> JSONResponse:
        """No usable index is the server's state (503); a SitroomError from the request itself is bad input (400)."""
        with slots:
            try:
                loaded = engine.current()
            except SitroomError as exc:
                raise ApiError(503, str(exc)) from exc
            try:
                return JSONResponse(work(loaded))
            except SitroomError as exc:
                raise ApiError(400, str(exc)) from exc

    @app.exception_handler(ApiError)
    def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message, {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, _validation_message(exc))

    @app.exception_handler(Exception)
    def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("%s %s failed", request.method, request.url.path)
        return _error(500, f"internal error: {type(exc).__name__}: {exc}")

    guarded = [Depends(authorized)]

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/search", dependencies=guarded)
    def search(query: QueryText, options: Options) -> JSONResponse:
        return serve(lambda loaded: queries.search_json(loaded.searcher, query, **options))

    @app.get("/ask", dependencies=guarded)
    def ask(question: QueryText, options: Options) -> JSONResponse:
        return serve(lambda loaded: queries.ask_json(loaded.composer, question, **options))

    @app.get("/timeline", dependencies=guarded)
    def timeline(query: QueryText, options: Options) -> JSONResponse:
        return serve(lambda loaded: queries.timeline_json(TimelineBuilder(loaded.searcher), query, **options))

    @app.get("/info", dependencies=guarded)
    def info() -> JSONResponse:
        return serve(lambda loaded: queries.info_json(engine.settings.index_dir))

    return app


def query_options(
    k: K = None, mode: Mode | None = None, source: Text = None, since: Text = None, until: Text = None, doc: Text = None
) -> dict[str, Any]:
    """A FastAPI dependency: the parameters search, ask and timeline share, declared once, checked like the CLI's options."""
    try:
        return {"k": k, "mode": mode, "filters": queries.make_filters(source=source, since=since, until=until, doc=doc)}
    except SitroomError as exc:
        raise ApiError(400, str(exc)) from exc


Options = Annotated[dict[str, Any], Depends(query_options)]
