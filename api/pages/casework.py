"""What the case pages show and do, built from the case view, its flow and its catalogue item.

Every change goes through the same CaseService as the JSON API, and input is validated by
the same request schemas, so a page cannot accept what the API would refuse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlmodel import Session, select

from api.deps import AppState
from api.diagram import flow_svg, stages
from api.errors import VALIDATION_REASONS
from api.pages import fields as F
from api.pages.evidence_view import evidence_section, shown_events
from api.pages.fields import doc_label
from api.pages.lists import party_elapsed_text
from api.schemas import FireAction, OpenCase
from engine import certificates
from engine.definitions import ROLE_LABELS, CatalogueItem, Duty, FlowSpec, TransitionSpec
from engine.errors import DomainError, InvalidInput, NotFound
from engine.model import Actor
from engine.tables import User
from engine.timeutil import local, parse_moment


def flow_or_none(state: AppState, key: str, version: int | None = None) -> FlowSpec | None:
    try:
        return state.library.flow(key, version)
    except (DomainError, KeyError):
        return None


def duties_of(item: CatalogueItem, stage: str | None) -> list[Duty]:
    """The 责任事项 of the catalogue item for a flow stage (立案 matches 立案阶段责任 …)."""
    if not stage:
        return []
    return [d for d in item.duties if stage in d.stage or d.stage.startswith(stage)]


def moment_from(form: Any) -> datetime | None:
    raw = str(form.get("occurred_at") or "").strip()
    if not raw:
        return None
    try:
        return parse_moment(raw.replace("T", " ") if len(raw) > 10 else raw)
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"发生时间不是有效的日期时间：{raw}", field="occurred_at") from None


def _schema_error(error: ValidationError) -> InvalidInput:
    errors = error.errors()
    where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
    message = VALIDATION_REASONS.get(errors[0]["type"], "取值不正确") if errors else ""
    labels = {"officers": "执法人员", "name": "姓名", "cert_no": "执法证号", "party": "当事人", "type": "类型",
              "individual": "公民", "organisation": "法人或其他组织", "address": "地址", "phone": "联系电话",
              "id_no": "身份证件号码", "credit_code": "统一社会信用代码", "legal_rep": "法定代表人"}
    named = "·".join(labels.get(p, f"第{int(p) + 1}人" if p.isdigit() else p) for p in where.split("."))
    return InvalidInput("MALFORMED_REQUEST", f"填写内容不正确：{named}（{message}）", field=where)


def certified_officers(state: AppState, bureau: str) -> list[dict[str, str]]:
    """The bureau's officers holding an enforcement certificate valid today: the choices of the forms."""
    today = local(datetime.now().astimezone()).date()
    with Session(state.engine) as session:
        rows = certificates.listing(session, bureau)
    return [
        {"cert_no": cert.number, "name": user.name or user.username, "username": user.username}
        for cert, user in rows
        if cert.kind == certificates.ENFORCEMENT and user.active
        and certificates.status_label(cert, today) in ("有效", "有效期未登记")
    ]


def open_from_form(
    state: AppState,
    actor: Actor,
    item: CatalogueItem,
    form: Any,
    extra: dict[str, Any] | None = None,
    then: tuple[str, dict[str, Any]] | None = None,
) -> int:
    """Open a case from the open-case form, through the API's schema and the case service.

    ``extra`` adds data the form's fields do not carry (the hall's applicant category); ``then``
    fires a first action in the same transaction (the hall's decision at intake).
    """
    flow = state.library.flow(item.flow)
    fields = F.fields_for(flow, flow.open, item, state.library.catalogue(actor.bureau).items)
    data = {**F.payload_from(form, fields), **(extra or {})}
    raw: dict[str, Any] = {"item": item.code, "data": data}
    if "party" in flow.open.fields or form.get("party.name"):
        raw["party"] = F.party_from(form)
    if "officers" in flow.open.fields:
        names = {o["cert_no"]: o["name"] for o in certified_officers(state, actor.bureau)}
        raw["officers"] = F.officers_from(form, names)
    moment = moment_from(form)
    if moment is not None:
        raw["occurred_at"] = moment.isoformat()  # the schema cleans JSON-shaped input: text, not datetime
    try:
        body = OpenCase.model_validate(raw)
    except ValidationError as error:
        raise _schema_error(error) from None
    return state.cases.open_case(
        actor,
        body.item,
        body.party_data(),
        [o.model_dump() for o in body.officers],
        body.data,
        body.occurred_at,
        [link.model_dump() for link in body.links],
        then,
    )


def transition_fields(
    state: AppState, flow: FlowSpec, item: CatalogueItem, trigger: str, bureau: str
) -> list[F.Field]:
    """The union of the fields of every transition sharing the trigger (a conditional branch)."""
    seen: dict[str, F.Field] = {}
    peers = state.library.catalogue(bureau).items
    for spec in flow.transitions_for(trigger):
        for f in F.fields_for(flow, spec, item, peers):
            seen.setdefault(f.name, f)
    return list(seen.values())


def fire_from_form(state: AppState, actor: Actor, case_id: int, trigger: str, form: Any) -> None:
    view = state.cases.view(actor, case_id)
    flow = state.library.flow(view["flow"]["key"], view["flow"]["version"])
    item = state.library.item(view["bureau"], view["item"]["code"])
    if not flow.transitions_for(trigger):
        raise InvalidInput("UNKNOWN_ACTION", f"流程“{flow.label}”没有“{trigger}”这项操作", trigger=trigger)
    data = F.payload_from(form, transition_fields(state, flow, item, trigger, view["bureau"]))
    raw: dict[str, Any] = {"data": data}
    moment = moment_from(form)
    if moment is not None:
        raw["occurred_at"] = moment.isoformat()  # the schema cleans JSON-shaped input: text, not datetime
    version = str(form.get("expected_version") or "")
    if version.isdigit():
        raw["expected_version"] = int(version)
    try:
        body = FireAction.model_validate(raw)
    except ValidationError as error:
        raise _schema_error(error) from None
    state.cases.fire(actor, case_id, trigger, body.data, body.occurred_at, body.expected_version)


def document_links(request: Request, case_id: int) -> dict[str, str]:
    """URL patterns of the documents API that exist in this app (found in its OpenAPI paths)."""
    found: dict[str, str] = {}
    prefix = "/api/cases/{case_id}/documents"
    for path, methods in request.app.openapi().get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        if "preview" in rest and "{kind}" in rest:
            found["preview"] = path.replace("{case_id}", str(case_id))
        elif rest == "/{doc_id}" and "get" in methods:
            found["download"] = path.replace("{case_id}", str(case_id))
    return found


def preview_from_form(
    state: AppState, actor: Actor, case_id: int, trigger: str, kind: str, form: Any
) -> bytes:
    """The PDF the action would issue, from the action's form as filled so far (nothing stored)."""
    try:
        from documents.preview import preview
    except ImportError:
        raise NotFound("PREVIEW_NOT_AVAILABLE", "文书预览功能尚未上线") from None
    view = state.cases.view(actor, case_id)
    flow = state.library.flow(view["flow"]["key"], view["flow"]["version"])
    item = state.library.item(view["bureau"], view["item"]["code"])
    data = F.payload_from(form, transition_fields(state, flow, item, trigger, view["bureau"])) if trigger else {}
    moment = moment_from(form) or datetime.now().astimezone()
    pdf, _missing = preview(state.cases, actor, case_id, kind, data, moment)
    return pdf


def stage_bar(flow: FlowSpec, current: str | None, final: bool) -> list[dict[str, str]]:
    """The flow's stages left to right, each done, current or to come."""
    names = stages(flow)
    at = names.index(current) if current in names else -1
    bar = []
    for index, name in enumerate(names):
        status = "done" if index < at or (final and index == at) else ("current" if index == at else "todo")
        bar.append({"name": name, "status": status})
    return bar


def case_page(request: Request, state: AppState, actor: Actor, case_id: int) -> dict[str, Any]:
    """Everything the case page shows."""
    view = state.cases.view(actor, case_id)
    flow = state.library.flow(view["flow"]["key"], view["flow"]["version"])
    item = state.library.item(view["bureau"], view["item"]["code"])
    current = flow.state(view["state"])
    F.learn_labels(flow)
    actions = []
    for action in view["actions"]:
        spec: TransitionSpec = flow.transitions_for(action["trigger"])[0]
        actions.append(
            {
                **action,
                "law": spec.source_law,
                "form": (form := transition_fields(state, flow, item, action["trigger"], view["bureau"])),
                "carried": F.carried_values(flow.key, action["trigger"], view["data"], form),
                "document_labels": [doc_label(k) for k in action.get("documents") or []],
                "document_pairs": [(k, doc_label(k)) for k in action.get("documents") or []],
                "relevant": action["allowed"] or action.get("code") != "ACTION_NOT_ALLOWED_IN_STATE",
            }
        )
    allowed = [a for a in actions if a["allowed"]]
    refused = [a for a in actions if not a["allowed"] and a["relevant"]]
    later = [a for a in actions if not a["relevant"]]
    links = document_links(request, case_id)
    documents = []
    for doc in view["documents"]:
        download = links.get("download", "").replace("{doc_id}", str(doc["id"]))
        documents.append({**doc, "label": doc.get("title") or doc_label(doc["kind"]), "download": download})
    agency_clocks = [c for c in view["clocks"] if not c.get("party")]
    party_clocks = [c for c in view["clocks"] if c.get("party")]
    pressing = sorted((c for c in agency_clocks if c["status"] in ("overdue", "due_soon", "running")),
                      key=lambda c: c["due_at"])
    now = datetime.now().astimezone()
    ran_out = sorted(
        (c for c in party_clocks if c.get("due_at") and c["status"] not in ("satisfied", "satisfied_late", "cancelled")
         and datetime.fromisoformat(c["due_at"]) < now),
        key=lambda c: c["due_at"], reverse=True,
    )
    decision = view["data"].get("decision") or {}
    paid = sum(float(p.get("amount") or 0) for p in view["data"].get("payments") or [] if isinstance(p, dict))
    period_text = party_elapsed_text({
        "final": view["final"], "stage": current.stage, "fine": str(decision.get("fine") or "") or None,
        "paid": str(paid), "party_elapsed": [c["key"] for c in ran_out],
    })
    labels = {s.name: s.label for s in flow.states}
    for link in view["links"]:
        other = flow_or_none(state, link["flow"])
        try:
            link["state_label"] = other.state(link["state"]).label if other else link["state"]
        except KeyError:
            link["state_label"] = link["state"]
    with Session(state.engine) as session:
        names = {u.username: u.name for u in session.exec(select(User).where(User.bureau_code == actor.bureau))}
    view["events"] = shown_events(view["events"], flow)
    return {
        **evidence_section(state, actor, view, flow),
        "case": view,
        "flow": flow,
        "item": item,
        "current": current,
        "svg": flow_svg(flow, view["state"]),
        "stages": stage_bar(flow, current.stage or "其他", current.final),
        "acting_role": ROLE_LABELS.get(current.role) if current.role else "",
        "next_clock": pressing[0] if pressing else None,
        "party_period_text": period_text,
        "duties": duties_of(item, current.stage),
        "allowed": allowed,
        "refused": refused,
        "later": later,
        "agency_clocks": agency_clocks,
        "party_clocks": party_clocks,
        "documents": documents,
        "preview": links.get("preview"),
        "state_labels": labels,
        "user_names": names,
        "flow_labels": {f.key: f.label for f in state.library.latest_flows()},
    }
