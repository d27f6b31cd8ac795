"""Separation of duties (职责分离), declared per transition in the flow's YAML.

``distinct_from: [propose_filing]`` — the actor must not be the user who last fired any of the
named triggers on this case: a user holding both the officer and the head role cannot approve
the filing he proposed (处罚法第五十七条: decisions by the head, not by the investigator).
``own_officers: true`` — an officer may fire it only on a case that names him (assigned and not
recused): investigative steps are done by the case's own officers (处罚法第四十二条、第四十三条).
A user who also holds another role the step allows (a head, a reviewer) acts in that role.

The case keeps who last fired each trigger (``CaseModel.acted_by``) in its snapshot, so the
check reads no history.
"""

from __future__ import annotations

from typing import Any

from engine.definitions import Role, TransitionSpec
from engine.errors import Forbidden, RuleViolation
from engine.registry import Context


def check_duties(spec: TransitionSpec, ctx: Context) -> None:
    """Raise when the actor may hold the role but not this step on this case."""
    other_roles = ctx.actor.roles & (set(spec.roles) - {Role.officer})
    if spec.own_officers and not other_roles and not is_case_officer(ctx.actor.cert_no, ctx.case.officers):
        raise Forbidden(
            "NOT_CASE_OFFICER",
            f"“{spec.label}”只能由本案的承办执法人员办理，您不是本案的执法人员",
            trigger=spec.trigger,
            user=ctx.actor.username,
        )
    for other in spec.distinct_from:
        if ctx.case.acted_by.get(other) == ctx.actor.username:
            earlier = _label(ctx, other)
            raise RuleViolation(
                "SAME_ACTOR_FORBIDDEN",
                f"“{spec.label}”不得由办理“{earlier}”的同一人员办理（职责分离）",
                trigger=spec.trigger,
                distinct_from=other,
                user=ctx.actor.username,
            )


def is_case_officer(cert_no: str | None, officers: list[dict[str, Any]]) -> bool:
    """Whether the certificate number is one of the case's officers who has not been recused."""
    cert = (cert_no or "").strip()
    return bool(cert) and any(
        str(o.get("cert_no") or "").strip() == cert and not o.get("recused") for o in officers
    )


def _label(ctx: Context, trigger: str) -> str:
    if trigger == ctx.flow.open.trigger:
        return ctx.flow.open.label
    return ctx.flow.transitions_for(trigger)[0].label
