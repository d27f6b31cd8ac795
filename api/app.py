"""The FastAPI application: JSON API under /api, documented at /docs."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.config import Settings, load_settings
from api.deps import AppState
from api.pages import router as pages_router
from api.routes import admin, auth, cases, catalogue, dashboard
from api.routes import documents as document_routes
from documents.issuer import PdfIssuer
from engine.cases import CaseService
from engine.library import Library
from engine.persistence import make_engine
from processes.loader import default_library


def create_app(settings: Settings | None = None, library: Library | None = None, *, prepare: bool = True) -> FastAPI:
    """Build the app; with ``prepare`` the database is migrated and bureaus are created first."""
    settings = settings or load_settings()
    library = library or default_library()
    engine = make_engine(settings.database_url)
    if prepare:
        from api.bootstrap import prepare_database

        prepare_database(engine, library)
    app = FastAPI(title="caseflow", description="医疗保障局权责清单事项办理系统 API", version="0.1.0")
    issuer = _document_issuer(settings)
    app.state.caseflow = AppState(settings, engine, library, CaseService(engine, library, issuer))
    errors.install(app)
    for module in (auth, catalogue, cases, dashboard, admin):
        app.include_router(module.router)
    app.include_router(document_routes.router)
    app.include_router(pages_router)
    return app


def _document_issuer(settings: Settings) -> PdfIssuer:
    return PdfIssuer()
