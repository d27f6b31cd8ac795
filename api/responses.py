"""A JSON response encoded by orjson in one pass.

FastAPI runs ``jsonable_encoder`` over whatever a route returns, walking every nested value in
Python; for a case view (its data, clocks, actions and their forms) that walk cost more than the
database work of the action. Routes that return plain JSON-ready dicts return ``Json`` instead.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse

# Moments and subclasses go through ``str`` as before (e.g. "2026-01-05 09:00:00+08:00"), keys may be numbers.
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str, option=OPTIONS)
