from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentActor, State
from engine.errors import Forbidden

router = APIRouter(prefix="/api", tags=["catalogue"])


@router.get("/catalogue")
def catalogue(
    state: State, actor: CurrentActor, bureau: str | None = None, type: str | None = None, internal: bool = False
) -> dict[str, Any]:
    """The 权责清单 of the user's bureau (another bureau's list is public and may be read too);
    with ``internal=true`` the internal procedures every bureau runs outside its list (委托执法, 协查)."""
    code = bureau or actor.bureau
    cat = state.library.catalogue(code)
    source = state.library.internal if internal else cat.items
    items = [i.model_dump() for i in source if type in (None, i.type, i.power_type)]
    return {"bureau": cat.bureau.model_dump(), "internal": internal, "count": len(items), "items": items}


@router.get("/flows")
def flows(state: State, actor: CurrentActor) -> list[dict[str, Any]]:
    return [
        {"key": f.key, "version": f.version, "label": f.label, "description": f.description}
        for f in state.library.latest_flows()
    ]


@router.get("/flows/{key}")
def flow(state: State, actor: CurrentActor, key: str, version: int | None = None) -> dict[str, Any]:
    return state.library.flow(key, version).model_dump(by_alias=True)


@router.get("/flows/{key}/diagram")
def diagram(
    state: State, actor: CurrentActor, key: str, version: int | None = None, current: str | None = None
) -> Response:
    """The flow's picture as SVG, the current state highlighted when given."""
    from api.diagram import flow_svg

    spec = state.library.flow(key, version)
    if current is not None and current not in {s.name for s in spec.states}:
        raise Forbidden("STATE_NOT_FOUND", f"流程中没有“{current}”环节")
    return Response(flow_svg(spec, current), media_type="image/svg+xml")
