"""Domain errors to HTTP in one place: {"code", "message", "detail"}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from engine.errors import DomainError

STATUS = {
    "conflict": 409,
    "not_found": 404,
    "invalid": 422,
    "forbidden": 403,
    "unauthenticated": 401,
    "throttled": 429,
}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.kind == "unauthenticated" else None
        if error.kind == "throttled":
            headers = {"Retry-After": str(error.detail.get("retry_after", 60))}
        return JSONResponse(
            {"code": error.code, "message": error.message, "detail": error.detail},
            status_code=STATUS[error.kind],
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(
            {
                "code": "MALFORMED_REQUEST",
                "message": f"请求格式不正确：{where}（{first.get('msg', '')}）",
                "detail": {"errors": [{"loc": e.get("loc"), "msg": e.get("msg")} for e in error.errors()]},
            },
            status_code=422,
        )
