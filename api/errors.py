"""Errors to HTTP in one place: {"code", "message", "detail"} for the API, the error page for pages.

Domain errors carry their own code and Chinese message. What FastAPI or Starlette refuse before
a route runs (a malformed body, an unknown address, a body over the size limit) is given a
code and a Chinese message here too, so no client ever sees an English framework sentence.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from engine.errors import DomainError

STATUS = {
    "conflict": 409,
    "not_found": 404,
    "invalid": 422,
    "forbidden": 403,
    "unauthenticated": 401,
    "throttled": 429,
}

HTTP_ERRORS = {
    400: ("BAD_REQUEST", "请求无法解析，请检查提交的内容"),
    401: ("NOT_AUTHENTICATED", "请先登录"),
    403: ("FORBIDDEN", "无权进行此操作"),
    404: ("NOT_FOUND", "请求的地址不存在"),
    405: ("METHOD_NOT_ALLOWED", "此地址不支持该请求方法"),
    406: ("NOT_ACCEPTABLE", "无法提供所要求的格式"),
    413: ("BODY_TOO_LARGE", "提交的内容过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持提交内容的格式"),
}

# pydantic error types → what is wrong, in words a client developer and a clerk both follow
VALIDATION_REASONS = {
    "missing": "缺少必填项",
    "extra_forbidden": "不允许的项",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "finite_number": "须为有限的数",
    "decimal_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_max_places": "最多两位小数",
    "decimal_max_digits": "数值位数过多",
    "decimal_whole_digits": "数值位数过多",
    "multiple_of": "最多两位小数",
    "bool_type": "须为是或否",
    "bool_parsing": "须为是或否",
    "string_type": "须为文字",
    "string_too_short": "不能为空",
    "string_too_long": "文字过长",
    "too_short": "项数不足",
    "too_long": "项数过多",
    "dict_type": "须为对象",
    "list_type": "须为列表",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "union_tag_invalid": "类型不是可选的值",
    "union_tag_not_found": "缺少类型",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "date_type": "须为日期（如 2026-03-01）",
    "date_parsing": "须为日期（如 2026-03-01）",
    "date_from_datetime_parsing": "须为日期（如 2026-03-01）",
    "date_from_datetime_inexact": "须为日期（如 2026-03-01）",
    "datetime_type": "须为时间（如 2026-03-01T09:00:00+08:00）",
    "datetime_parsing": "须为时间（如 2026-03-01T09:00:00+08:00）",
    "datetime_from_date_parsing": "须为时间（如 2026-03-01T09:00:00+08:00）",
    "datetime_object_invalid": "不是有效的时间",
    "value_error": "取值不正确",
}


def is_api(request: Request) -> bool:
    """Whether a request is for the JSON API (and its docs) rather than a page."""
    path = request.url.path
    return path.startswith("/api") or path in ("/openapi.json", "/docs", "/redoc")


def _json(status: int, code: str, message: str, detail: dict[str, Any], headers: Any = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "detail": detail}, status_code=status, headers=headers)


def _page(request: Request, error: DomainError, status: int) -> Response:
    from api.pages.web import render, session_actor

    state = request.app.state.caseflow
    return render(request, state, "error.html", session_actor(request, state), status_code=status, error=error)


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One Chinese sentence for the first of pydantic's errors: where, then what is wrong."""
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    reason = VALIDATION_REASONS.get(str(first.get("type")), "取值不正确")
    return f"请求格式不正确：{where}{'：' if where else ''}{reason}"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        status = STATUS[error.kind]
        if not is_api(request):
            return _page(request, error, status)
        headers = {"WWW-Authenticate": "Bearer"} if error.kind == "unauthenticated" else None
        if error.kind == "throttled":
            headers = {"Retry-After": str(error.detail.get("retry_after", 60))}
        return _json(status, error.code, error.message, error.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> Response:
        errors = list(error.errors())
        if not is_api(request):
            return _page(request, DomainError("MALFORMED_REQUEST", "页面地址中的参数不正确"), 422)
        listed = [{"loc": e.get("loc"), "type": e.get("type"), "msg": e.get("msg")} for e in errors]
        return _json(422, "MALFORMED_REQUEST", validation_message(errors), {"errors": listed})

    app.add_exception_handler(HTTPException, http_error_response)  # type: ignore[arg-type]


async def http_error_response(request: Request, error: HTTPException) -> Response:
    """What Starlette or FastAPI refuse (404, 405, 413 …), with a code and a Chinese message."""
    if error.status_code < 400:  # a page's redirect (to the login page) is not an error
        return await http_exception_handler(request, error)
    code, message = HTTP_ERRORS.get(error.status_code, ("HTTP_ERROR", "请求未能办理"))
    detail: dict[str, Any] = {}
    if error.status_code == 413:
        limit = request.app.state.caseflow.settings.max_body_bytes
        message = f"提交的内容过大：不得超过{limit // 1024}KB"
        detail = {"limit": limit}
    if not is_api(request):
        return _page(request, DomainError(code, message), error.status_code)
    return _json(error.status_code, code, message, detail, getattr(error, "headers", None))
