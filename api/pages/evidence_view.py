"""What the case page shows of evidence files and of the 卷宗: the list, the upload form's choices, the check."""

from __future__ import annotations

from typing import Any

from api.deps import AppState
from api.pages.fields import doc_label
from documents.dossier import check
from engine import evidence
from engine.definitions import FlowSpec
from engine.model import Actor
from processes.loader import load_dossier_rules

EVIDENCE_TRIGGERS = (evidence.ATTACH, evidence.WITHDRAW)


def evidence_section(state: AppState, actor: Actor, view: dict[str, Any], flow: FlowSpec) -> dict[str, Any]:
    """What the section shows: the files (withdrawn ones struck through), the upload form's choices, the check."""
    case_id = view["id"]
    labels = {s.name: s.label for s in flow.states}
    files = []
    for f in evidence.listed(state.engine, state.library, actor, case_id):
        files.append({**f, "step_label": labels.get(f["step"], f["step"]),
                      "download": f"/api/cases/{case_id}/files/{f['id']}"})
    return {
        "evidence_files": files,
        "evidence_kinds": [(key, label) for key, (label, _) in evidence.KINDS.items()],
        "evidence_steps": [(s.name, s.label) for s in flow.states],
        "may_attach": not view["final"] and evidence.may_attach(actor, view["officers"]),
        "dossier_findings": check(state.engine, state.library, load_dossier_rules(), actor, case_id),
        "dossier_link": f"/api/cases/{case_id}/dossier",
        "evidence_limit_mb": state.settings.max_evidence_bytes // 1024 // 1024,
    }


def issued(documents: Any) -> str:
    """The documents an action issued as the timeline names them: 立案审批表（高医保立审〔2026〕8号）,
    without their kind keys, template versions or content hashes."""
    if not isinstance(documents, list):
        return ""
    named = []
    for d in documents:
        if isinstance(d, dict) and d.get("kind"):
            number = str(d.get("number") or "")
            named.append(doc_label(str(d["kind"])) + (f"（{number}）" if number else ""))
    return "、".join(named)


def shown_events(events: list[dict[str, Any]], flow: FlowSpec) -> list[dict[str, Any]]:
    """The timeline's events with an evidence event's payload in Chinese words (no keys or type codes)
    and the documents an action issued by name and number."""
    labels = {s.name: s.label for s in flow.states}
    shown = []
    for e in events:
        p = e.get("payload") or {}
        if "documents" in p:
            p = {k: v for k, v in p.items() if k != "documents"} | {"制作文书": issued(p["documents"])}
            e = {**e, "payload": p}
        if e["trigger"] == evidence.ATTACH:
            payload = {
                "材料名称": p.get("evidence_title", ""),
                "类别": evidence.kind_label(str(p.get("evidence_kind", ""))),
                "所属环节": labels.get(str(p.get("evidence_step", "")), p.get("evidence_step", "")),
                "文件类型": evidence.TYPE_LABELS.get(str(p.get("content_type", "")), "其他"),
                "大小（字节）": str(p.get("size", "")),
                "SHA-256校验值": p.get("sha256", ""),
            }
            e = {**e, "payload": payload}
        elif e["trigger"] == evidence.WITHDRAW:
            e = {**e, "payload": {"材料名称": p.get("evidence_title", ""), "撤回理由": p.get("reason", "")}}
        shown.append(e)
    return shown
