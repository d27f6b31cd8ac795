"""Measures on evidence inside a penalty case: the head approves first (处罚法第五十六条; 强制法第十八条).

先行登记保存 needs the head's approval (处罚法第五十六条), and so does 封存 (强制法第十八条第一项),
except the emergency sealing that is reported and approved within 24 hours (强制法第十九条, a
transition of its own). One approval serves one act.
"""

from __future__ import annotations

from engine.errors import RuleViolation
from engine.registry import Context, action, guard

MEASURES = {
    "preservation": ("先行登记保存", "行政处罚法第五十六条"),
    "seal": ("封存", "行政强制法第十八条第一项；情况紧急的，可当场封存并在二十四小时内补办批准，第十九条"),
}


@action("approve_measure")
def approve_measure(ctx: Context) -> None:
    measure = str(ctx.payload.get("measure"))
    ctx.case.data.setdefault("measure_approvals", {})[measure] = {
        "approved_by": ctx.actor.username,
        "opinion": ctx.payload.get("opinion"),
        "at": ctx.occurred_at.isoformat(),
    }


@guard("measure_approved")
def measure_approved(ctx: Context, measure: str) -> None:
    if measure not in (ctx.case.data.get("measure_approvals") or {}):
        label, law = MEASURES[measure]
        raise RuleViolation(
            "MEASURE_NOT_APPROVED",
            f"实施{label}前须经行政机关负责人批准（{law}）",
            measure=measure,
        )


@action("use_measure_approval")
def use_measure_approval(ctx: Context, measure: str) -> None:
    """The approval is spent on this act, and recorded with it."""
    approval = (ctx.case.data.get("measure_approvals") or {}).pop(measure, None)
    ctx.payload["approval"] = approval
