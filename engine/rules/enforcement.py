"""Guards and actions of sealing (封存), inspection (检查) and audit (稽核), each naming its source."""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInput, RuleViolation
from engine.registry import Context, action, guard
from engine.rules.common import check_officers, is_blank, money

RELEASE_REASONS = {
    "expired": "封存期限届满",
    "clarified": "违法事实已查清",
    "not_needed": "不再需要采取封存措施",
    "disapproved": "负责人不批准（紧急封存补办批准未获批准）",
    "terminated": "终结执行",
}
VARIANTS = {"general": "一般检查", "onsite": "定点医药机构现场检查", "network": "定点医疗机构门诊费用网络检查"}
# An item set to one of the 定点医药机构 variants (赵县 4-3) runs either of them.
VARIANT_FAMILIES = {"general": {"general"}, "onsite": {"onsite", "network"}, "network": {"onsite", "network"}}


# --- sealing (行政强制法第十八条至第二十八条) -------------------------------------------------


def _items(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：封存清单（物品名称、数量）（行政强制法第二十四条）", field="items")
    items: list[dict[str, Any]] = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict) or is_blank(entry.get("name")) or is_blank(entry.get("quantity")):
            raise InvalidInput(
                "SEALING_LIST_INCOMPLETE",
                f"封存清单第{index + 1}项须写明物品名称和数量（行政强制法第二十四条）",
                field=f"items.{index}",
            )
        items.append({"name": entry["name"], "quantity": entry["quantity"], "unit": entry.get("unit"),
                      "note": entry.get("note")})
    return items


@guard("sealing_decision_complete", needs_input=True)
def sealing_decision_complete(ctx: Context) -> None:
    """强制法第二十四条: the 决定书 names the party and address, reasons, grounds and the items."""
    party = ctx.case.party
    for value, field, label in (
        (party.get("name"), "party.name", "当事人名称或姓名"),
        (party.get("address"), "party.address", "当事人地址"),
        (ctx.payload.get("reasons") or ctx.case.data.get("reasons"), "reasons", "封存的理由"),
        (ctx.payload.get("basis") or ctx.case.data.get("basis"), "basis", "封存的依据"),
    ):
        if is_blank(value):
            raise InvalidInput("FIELD_REQUIRED", f"缺少必填项：{label}（行政强制法第二十四条）", field=field)
    _items(ctx.payload.get("items"))


@guard("party_or_witness", needs_input=True)
def party_or_witness(ctx: Context) -> None:
    """强制法第十八条: the party is present, or a witness is invited and signs the on-site record."""
    if not ctx.payload.get("party_present") and is_blank(ctx.payload.get("witness")):
        raise InvalidInput(
            "WITNESS_REQUIRED",
            "当事人不到场的，应当邀请见证人到场，由见证人和行政执法人员在现场笔录上签名（行政强制法第十八条第六项）",
            field="witness",
        )


@action("record_sealing")
def record_sealing(ctx: Context, procedure: str) -> None:
    """封存决定书 and 封存清单 handed over on the spot; the list in two copies (party, agency)."""
    ctx.case.data["sealing"] = {
        "procedure": procedure,
        "items": _items(ctx.payload.get("items")),
        "copies": 2,
        "reasons": ctx.payload.get("reasons") or ctx.case.data.get("reasons"),
        "basis": ctx.payload.get("basis") or ctx.case.data.get("basis"),
        "place": ctx.payload.get("place"),
        "period_days": 30,
        "party_present": bool(ctx.payload.get("party_present")),
        "witness": ctx.payload.get("witness"),
        "statement": ctx.payload.get("statement"),
        "urgency": ctx.payload.get("urgency"),
        "sealed_at": ctx.occurred_at.isoformat(),
    }


@action("record_release")
def record_release(ctx: Context, ground: str | None = None) -> None:
    """解除封存 (强制法第二十八条): on expiry, once the facts are clear, or when no longer needed."""
    chosen = ground or ctx.payload.get("ground")
    if chosen not in RELEASE_REASONS:
        raise InvalidInput(
            "INVALID_CHOICE",
            "解除封存的事由须为：" + "、".join(f"{k}（{v}）" for k, v in RELEASE_REASONS.items() if k != "disapproved"),
            field="ground",
            value=chosen,
        )
    if chosen == "expired":
        _period_over(ctx)
    ctx.case.data["release"] = {
        "ground": chosen,
        "label": RELEASE_REASONS[chosen],
        "reason": ctx.payload.get("reason"),
        "at": ctx.occurred_at.isoformat(),
    }


def _period_over(ctx: Context) -> None:
    from engine.timeutil import local

    for running in ctx.case.open_clocks("evidence_seal"):
        due = ctx.due_at(running)
        if ctx.occurred_at <= due:
            raise RuleViolation(
                "SEALING_PERIOD_RUNNING",
                f"封存期限至{local(due):%Y-%m-%d}届满，期满前应以事实已查清或不再需要封存为由解除（行政强制法第二十八条）",
                due_at=due.isoformat(),
            )


# --- inspection -------------------------------------------------------------------------


def variant(ctx: Context) -> str:
    return str(ctx.case.data.get("variant") or ctx.settings.get("variant") or "general")


@action("choose_variant")
def choose_variant(ctx: Context) -> None:
    """The item's variant; a 定点医药机构 item (赵县 4-3) is checked on site or over the network."""
    own = str(ctx.settings.get("variant") or "general")
    chosen = str(ctx.payload.get("variant") or own)
    allowed = VARIANT_FAMILIES.get(own, {own})
    if chosen not in allowed:
        raise InvalidInput(
            "INVALID_CHOICE",
            "本事项的检查方式须为：" + "、".join(f"{k}（{VARIANTS[k]}）" for k in sorted(allowed)),
            field="variant",
            value=chosen,
        )
    ctx.case.data["variant"] = chosen


@guard("variant_is")
def variant_is(ctx: Context, variants: list[str]) -> None:
    if variant(ctx) not in variants:
        raise RuleViolation(
            "VARIANT_MISMATCH", f"本案检查方式为“{VARIANTS.get(variant(ctx), variant(ctx))}”，不适用此操作",
            variant=variant(ctx),
        )


@guard("inspection_team")
def inspection_team(ctx: Context) -> None:
    """条例第二十九条: an on-site check by at least two people with certificates (not for network screening)."""
    if variant(ctx) != "network":
        check_officers(ctx.case.officers)


@action("record_report")
def record_report(ctx: Context) -> None:
    """检查报告: the findings and whether problems were found."""
    problems = ctx.payload.get("problems") or []
    if not isinstance(problems, list):
        problems = [str(problems)]
    ctx.case.data["report"] = {"summary": ctx.payload.get("report"), "problems": problems,
                               "at": ctx.occurred_at.isoformat()}
    ctx.case.data["problems_open"] = bool(problems)


@guard("no_open_problems")
def no_open_problems(ctx: Context) -> None:
    if ctx.case.data.get("problems_open"):
        raise RuleViolation(
            "PROBLEMS_OPEN", "检查发现的问题尚未处理（责令改正并复查、立案处罚或移送），不能以“未发现问题”办结"
        )


@guard("problems_found")
def problems_found(ctx: Context) -> None:
    if not (ctx.case.data.get("report") or {}).get("problems"):
        raise RuleViolation("NO_PROBLEMS", "检查未发现问题，应告知检查结果并归档")


@guard("recheck_allowed", needs_input=True)
def recheck_allowed(ctx: Context) -> None:
    """A correction may be found not made only once the period the party was given has run out."""
    from engine.timeutil import local

    if ctx.payload.get("corrected"):
        return
    for running in ctx.case.open_clocks("correction"):
        due = ctx.due_at(running)
        if ctx.occurred_at <= due:
            raise RuleViolation(
                "CORRECTION_PERIOD_RUNNING",
                f"改正期限至{local(due):%Y-%m-%d}届满，期满前不能认定当事人逾期不改正",
                due_at=due.isoformat(),
            )


@action("record_recheck")
def record_recheck(ctx: Context) -> None:
    """复查: whether the ordered correction was made."""
    corrected = bool(ctx.payload.get("corrected"))
    ctx.case.data.setdefault("rechecks", []).append(
        {"corrected": corrected, "findings": ctx.payload.get("findings"), "at": ctx.occurred_at.isoformat()}
    )
    ctx.case.data["problems_open"] = not corrected


@action("decide_objection")
def decide_objection(ctx: Context) -> None:
    """复核 of the party's objection: upheld clears the contested findings."""
    upheld = bool(ctx.payload.get("upheld"))
    ctx.case.add_entry(
        "objection_reviews",
        {"upheld": upheld, "opinion": ctx.payload.get("opinion"), "by": ctx.actor.username,
         "at": ctx.occurred_at.isoformat()}
    )
    if upheld:
        ctx.case.data["problems_open"] = False
        if "report" in ctx.case.data:
            ctx.case.data["report"]["problems"] = []
        if ctx.case.data.get("audit_findings"):
            ctx.case.data["audit_findings"]["withdrawn"] = True
            ctx.case.data["outcome"] = "clean"


@action("open_penalty_case")
def open_penalty_case(ctx: Context) -> None:
    """立案查处: open a penalty case of this bureau for the violation found, linked to this case."""
    code = ctx.payload.get("penalty_item")
    if is_blank(code):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：拟立案的行政处罚事项编号", field="penalty_item")
    summary = ctx.payload.get("lead_summary") or "；".join(
        str(p) for p in (ctx.case.data.get("report") or {}).get("problems") or []
    ) or (ctx.case.data.get("audit_findings") or {}).get("findings")
    data: dict[str, Any] = {"lead_summary": summary or "检查发现的违法线索", "lead_source": ctx.flow.label,
                            "from_case": ctx.case.number}
    if ctx.payload.get("violation_ended_on"):
        data["violation_ended_on"] = ctx.payload["violation_ended_on"]
    ctx.case.links.append({"open": {"item": str(code), "flow": "penalty", "data": data}})
    ctx.case.data["problems_open"] = False
    ctx.case.data.setdefault("penalty_referrals", []).append({"item": str(code), "at": ctx.occurred_at.isoformat()})


# --- audit (社会保险稽核办法) -------------------------------------------------------------


@action("record_audit_findings")
def record_audit_findings(ctx: Context) -> None:
    """稽核告知书: the violations found and the amount to refund; the party may state and defend."""
    amount = money(ctx.payload.get("amount") or 0, "应退还金额")
    ctx.case.data["audit_findings"] = {"findings": ctx.payload.get("findings"), "amount": str(amount),
                                       "at": ctx.occurred_at.isoformat()}
    ctx.case.data["outcome"] = "violation"


@guard("statement_heard")
def statement_heard(ctx: Context) -> None:
    """The 稽核结果告知书 follows the party's statement, its waiver, or the end of the statement period."""
    from engine.timeutil import local

    data = ctx.case.data
    if ctx.case.entry_count("statements") or data.get("statement_waived") or ctx.case.entry_count("objection_reviews"):
        return
    clock = ctx.case.last_clock("statement")
    if clock is None:
        return
    due = ctx.due_at(clock)
    if ctx.occurred_at <= due:
        raise RuleViolation(
            "STATEMENT_PERIOD_RUNNING",
            f"陈述申辩期至{local(due):%Y-%m-%d}届满，期满前（当事人已陈述或明确放弃的除外）不得下达稽核结果告知书",
            due_at=due.isoformat(),
        )


@action("record_recovery")
def record_recovery(ctx: Context) -> None:
    """立即停止待遇支付并责令退还 (社会保险稽核办法)."""
    amount = money(ctx.payload.get("amount") or (ctx.case.data.get("audit_findings") or {}).get("amount") or 0,
                   "责令退还金额")
    ctx.case.data["recovery"] = {"payment_stopped": True, "refund_ordered": str(amount),
                                 "deadline": ctx.payload.get("deadline"), "at": ctx.occurred_at.isoformat()}
