"""The FastAPI application: JSON API under /api, documented at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio.to_thread
from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api import contract, errors
from api.config import Settings, load_settings
from api.deps import AppState
from api.hardening import BodyLimit, SecurityHeaders, clean_address
from api.pages import router as pages_router
from api.routes import admin, auth, cases, catalogue, dashboard, evidence, messages
from api.routes import documents as document_routes
from api.routes.evidence import EVIDENCE_UPLOAD, MULTIPART_ALLOWANCE
from documents.issuer import PdfIssuer
from documents.worker import RenderWorker
from engine.cases import CaseService
from engine.evidence_store import store_for
from engine.library import Library
from engine.persistence import make_engine
from processes.loader import default_library


def create_app(
    settings: Settings | None = None,
    library: Library | None = None,
    *,
    prepare: bool = True,
    render_worker: bool = True,
) -> FastAPI:
    """Build the app; with ``prepare`` the database is migrated and bureaus are created first.

    With ``render_worker`` the app's lifespan runs a thread that renders the PDFs of issued
    documents after their action committed (``documents.worker``).
    """
    settings = settings or load_settings()
    library = library or default_library()
    engine = make_engine(settings.database_url)
    if prepare:
        from api.bootstrap import prepare_database

        prepare_database(engine, library)
    requests = RequestGauge()
    worker = RenderWorker(engine, busy=requests.busy)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        if render_worker:
            worker.start()
        try:
            yield
        finally:
            worker.stop()

    app = FastAPI(
        title="caseflow",
        description="医疗保障局权责清单事项办理系统 API",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(clean_address)],
    )
    # an evidence upload may be larger than any other body: its route has its own limit (plus the multipart framing)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        larger={EVIDENCE_UPLOAD: settings.max_evidence_bytes + MULTIPART_ALLOWANCE},
    )
    app.add_middleware(SecurityHeaders)
    issuer = PdfIssuer(on_commit=worker.wake)
    app.state.caseflow = AppState(
        settings, engine, library, CaseService(engine, library, issuer), store_for(settings.evidence_dir)
    )
    app.add_middleware(InFlight, gauge=requests)
    errors.install(app)
    for module in (auth, catalogue, cases, dashboard, messages, admin, evidence):
        app.include_router(module.router)
    app.include_router(document_routes.router)
    app.include_router(pages_router)
    contract.install(app, library)
    return app


def app_from_environment() -> FastAPI:
    """The app of one server process (``uvicorn --factory``), configured from the environment.

    The database must be migrated already: ``caseflow serve`` and ``caseflow db upgrade`` do it
    once before any process starts.
    """
    return create_app(prepare=False)


@dataclass
class RequestGauge:
    count: int = 0  # changed on the event loop only; the render worker just reads it

    def busy(self) -> bool:
        return self.count > 0


class InFlight:
    """Counts the requests being answered, so the render worker lets them go first."""

    def __init__(self, app: ASGIApp, gauge: RequestGauge) -> None:
        self.app = app
        self.gauge = gauge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.gauge.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.gauge.count -= 1
