"""The HTML pages (server-rendered, Simplified Chinese): one router for the app to include."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    admin,
    admin_accounts,
    auth,
    catalogue,
    dashboard,
    evidence,
    hall,
    messages,
    statistics,
    workbench,
)

router = APIRouter(include_in_schema=False)
for _module in (auth, workbench, evidence, hall, dashboard, messages, statistics, catalogue, admin, admin_accounts):
    router.include_router(_module.router)
