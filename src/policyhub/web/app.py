"""The HTTP application: the JSON API, its OpenAPI description and the explorer's pages."""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import anyio
import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..evaluation.evaluator import Evaluator
from .api import Api, Limits
from .openapi import openapi
from .packwatch import PackWatcher

log = structlog.get_logger("policyhub.web")
STATIC = Path(__file__).parent / "static"


def _version() -> str:
    try:
        return version("policyhub")
    except PackageNotFoundError:
        return "0"


class Observe:
    """One log line per HTTP call: method, route, status and time; never the query string or body
    (a permalink carries a case in its query). Also lets the pack watcher look for edits first."""

    def __init__(self, app: ASGIApp, watcher: PackWatcher | None = None) -> None:
        self.app = app
        self.watcher = watcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.watcher is not None:  # a reload loads packs: off the event loop
            await anyio.to_thread.run_sync(self.watcher.check)
        started = time.perf_counter()
        status = {"code": 500}

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # logged by its type only: an exception's text may quote a submission
            log.error("http_failed", error=type(exc).__name__)
            if status["code"] == 500 and not status.get("started"):
                await JSONResponse({"error": {"code": 500, "status": "INTERNAL", "message": "internal error",
                                              "details": []}}, status_code=500)(scope, receive, sending)
        finally:
            route = scope.get("route")
            log.info("http", method=scope["method"], route=getattr(route, "path", "-"), status=status["code"],
                     ms=round((time.perf_counter() - started) * 1000, 1))


def create_app(evaluator: Evaluator, limits: Limits | None = None, watcher: PackWatcher | None = None,
               explorer: bool = False) -> Starlette:
    api = Api(evaluator, limits)
    description = openapi(_version())

    async def openapi_json(request: Request) -> JSONResponse:
        return JSONResponse(description)

    routes: list[BaseRoute] = [*api.routes(), Route("/openapi.json", openapi_json, name="openapi")]
    if explorer:
        from .explorer import Explorer

        routes += Explorer(evaluator, api, watcher).routes()
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    async def not_here(request: Request, exc: HTTPException) -> Response:
        """The API answers its own error shape for a path or method it does not have."""
        if request.url.path.startswith("/v1/"):
            status = {404: "NOT_FOUND", 405: "UNIMPLEMENTED"}.get(exc.status_code, "INVALID_ARGUMENT")
            return JSONResponse({"error": {"code": exc.status_code, "status": status, "message": str(exc.detail),
                                           "details": []}}, status_code=exc.status_code)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    app = Starlette(routes=routes, middleware=[Middleware(Observe, watcher=watcher)],
                    # starlette types a handler as taking any Exception; this one is only for HTTPException
                    exception_handlers={HTTPException: not_here})  # type: ignore[dict-item]
    app.state.api = api
    return app
