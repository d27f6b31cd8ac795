"""A JSON response encoded by the standard library's C encoder in one pass.

FastAPI runs ``jsonable_encoder`` over whatever a route returns, walking every nested value in
Python; for a case view (its data, clocks, actions and their forms) that walk cost more than the
database work of the action. Routes that return plain JSON-ready dicts return ``Json`` instead.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
