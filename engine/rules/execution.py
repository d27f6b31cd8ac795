"""Guards and actions of executing a penalty decision (执行): 简易程序备案, 当场收缴, deferred and
instalment payment, release on termination or referral, 公告送达, 催告 and the court application,
the end of a review or lawsuit, 行政处罚决定公开 and the 信用记录. Each names its article."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.errors import InvalidInput, RuleViolation
from engine.model import ClockState
from engine.registry import Context, action, guard
from engine.rules.common import is_blank, money
from engine.timeutil import local, parse_moment

PUBLIC_SERVICE_DAYS = 30  # 民事诉讼法第九十五条: 自发出公告之日起，经过三十日，即视为送达
PUBLIC_SERVICE_GROUNDS = {"whereabouts_unknown": "受送达人下落不明", "other_methods_failed": "用其他方式无法送达"}
APPEAL_OUTCOMES = {"upheld": "维持", "changed": "变更", "revoked": "撤销", "withdrawn": "撤回申请或起诉"}
DEFERRAL_KINDS = {"deferral": "延期缴纳", "instalment": "分期缴纳"}


def _day(value: Any, field: str, label: str) -> date:
    try:
        return local(parse_moment(str(value))).date()
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"“{label}”不是有效的日期：{value}", field=field) from None


def _fine(ctx: Context) -> Decimal:
    return Decimal(str((ctx.case.data.get("decision") or {}).get("fine") or 0))


def _paid(ctx: Context) -> Decimal:
    return sum((Decimal(p["amount"]) for p in ctx.case.data.get("payments", [])), Decimal(0))


# --- 简易程序备案, 当场收缴 (处罚法第五十二条、第六十八条至第七十一条) ---------------------------------


@guard("summary_procedure")
def summary_procedure(ctx: Context) -> None:
    if ctx.case.data.get("procedure") != "summary":
        raise RuleViolation(
            "SUMMARY_FILING_NOT_APPLICABLE",
            "只有依简易程序当场作出的行政处罚决定需报所属行政机关备案（行政处罚法第五十二条）",
        )


@guard("summary_filed")
def summary_filed(ctx: Context) -> None:
    """处罚法第五十二条: an on-the-spot decision is filed with the officer's agency before the case closes."""
    if ctx.case.data.get("procedure") == "summary" and not ctx.case.data.get("summary_filing"):
        raise RuleViolation(
            "SUMMARY_NOT_FILED",
            "当场作出的行政处罚决定尚未报所属行政机关备案，不得结案（行政处罚法第五十二条）",
        )


@guard("fiscal_receipt", needs_input=True)
def fiscal_receipt(ctx: Context) -> None:
    """处罚法第七十条: collecting on the spot gives the province's 财政 receipt; its number is recorded."""
    if is_blank(ctx.payload.get("receipt")):
        raise RuleViolation(
            "FISCAL_RECEIPT_REQUIRED",
            "当场收缴罚款必须向当事人出具省级财政部门统一制发的专用票据，请填写票据号码（行政处罚法第七十条）",
        )


@action("record_summary_filing")
def record_summary_filing(ctx: Context) -> None:
    ctx.case.data["summary_filing"] = {
        "filed_with": ctx.payload.get("filed_with"),
        "note": ctx.payload.get("note"),
        "by": ctx.actor.username,
        "at": ctx.occurred_at.isoformat(),
    }


@guard("on_spot_collected")
def on_spot_collected(ctx: Context) -> None:
    if not [p for p in ctx.case.data.get("payments", []) if p.get("on_spot")]:
        raise RuleViolation("NOTHING_COLLECTED_ON_SPOT", "本案没有当场收缴的罚款（行政处罚法第七十一条）")


@action("mark_on_spot")
def mark_on_spot(ctx: Context) -> None:
    """The last payment was collected on the spot, against the 财政 receipt numbered in it."""
    payments = ctx.case.data.get("payments") or []
    if payments:
        payments[-1]["on_spot"] = True
        payments[-1]["fiscal_receipt"] = ctx.payload.get("receipt")


# --- 延期、分期缴纳 (处罚法第六十六条) ---------------------------------------------------------


def _schedule(ctx: Context) -> list[dict[str, str]]:
    raw = ctx.payload.get("schedule")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：缴纳计划（每期的缴纳日期和金额）", field="schedule")
    owed = _fine(ctx) - _paid(ctx)
    today = local(ctx.occurred_at).date()
    entries: list[dict[str, str]] = []
    total = Decimal(0)
    last = today
    for index, entry in enumerate(raw):
        if isinstance(entry, str) and len(entry.split()) == 2:  # a line of the form: "2026-04-01 500"
            entry = dict(zip(("due_on", "amount"), entry.split(), strict=True))
        if not isinstance(entry, dict):
            raise InvalidInput("INVALID_SCHEDULE", f"缴纳计划第{index + 1}期须写明日期和金额", field="schedule")
        due = _day(entry.get("due_on"), f"schedule.{index}.due_on", f"第{index + 1}期缴纳日期")
        amount = money(entry.get("amount"), f"第{index + 1}期金额")
        if due <= last or amount <= 0:
            raise InvalidInput(
                "INVALID_SCHEDULE", f"缴纳计划第{index + 1}期的日期须晚于前一期且金额大于零", field="schedule"
            )
        last = due
        total += amount
        entries.append({"due_on": due.isoformat(), "amount": str(amount)})
    if total != owed:
        raise InvalidInput(
            "INVALID_SCHEDULE", f"缴纳计划合计{total}元，与应缴罚款余额{owed}元不符", field="schedule",
            total=str(total), owed=str(owed),
        )
    return entries


@action("record_deferral_application")
def record_deferral_application(ctx: Context) -> None:
    """The party's written application (当事人确有经济困难) with the proposed schedule."""
    kind = ctx.payload.get("deferral_kind")
    if kind not in DEFERRAL_KINDS:
        raise InvalidInput(
            "INVALID_CHOICE",
            "申请类别须为：" + "、".join(f"{k}（{v}）" for k, v in DEFERRAL_KINDS.items()),
            field="deferral_kind",
        )
    schedule = _schedule(ctx)
    if kind == "deferral" and len(schedule) != 1:
        raise InvalidInput("INVALID_SCHEDULE", "延期缴纳只能确定一个缴纳日期", field="schedule")
    ctx.case.data["deferral_application"] = {
        "kind": kind, "label": DEFERRAL_KINDS[kind], "schedule": schedule,
        "reasons": ctx.payload.get("reasons"), "at": ctx.occurred_at.isoformat(),
    }


@guard("deferral_applied")
def deferral_applied(ctx: Context) -> None:
    if not ctx.case.data.get("deferral_application"):
        raise RuleViolation(
            "DEFERRAL_NOT_APPLIED",
            "延期或者分期缴纳罚款须由当事人申请，并经行政机关批准（行政处罚法第六十六条）",
        )


@action("approve_deferral")
def approve_deferral(ctx: Context) -> None:
    """处罚法第六十六条: once approved, each date of the schedule is a party's clock (the 15 days give way)."""
    application = ctx.case.data.pop("deferral_application")
    spec = next(c for c in ctx.flow.clocks if c.key == "instalment")
    start = ctx.occurred_at
    for index, entry in enumerate(application["schedule"]):
        days = (date.fromisoformat(entry["due_on"]) - local(start).date()).days
        clock = ClockState.from_spec(spec, max(days, 1), start)
        clock.label = f"{spec.label}：第{index + 1}期{entry['amount']}元（{entry['due_on']}前）"
        ctx.case.clocks.append(clock)
    for clock in ctx.case.open_clocks("payment"):
        clock.cancelled_at = ctx.occurred_at
    ctx.case.data["deferral"] = {**application, "approved_by": ctx.actor.username,
                                 "approved_at": ctx.occurred_at.isoformat()}


@action("refuse_deferral")
def refuse_deferral(ctx: Context) -> None:
    application = ctx.case.data.pop("deferral_application")
    ctx.case.data.setdefault("deferral_refusals", []).append(
        {**application, "refused_by": ctx.actor.username, "reasons": ctx.payload.get("reasons"),
         "at": ctx.occurred_at.isoformat()}
    )


@action("settle_instalments")
def settle_instalments(ctx: Context) -> None:
    """Satisfy each instalment clock the payments so far cover, in order (called after a payment)."""
    paid = _paid(ctx)
    covered = Decimal(0)
    schedule = (ctx.case.data.get("deferral") or {}).get("schedule") or []
    clocks = [c for c in ctx.case.clocks if c.key == "instalment" and c.cancelled_at is None]
    for clock, entry in zip(clocks, schedule, strict=False):  # one clock per instalment, in order
        covered += Decimal(entry["amount"])
        if paid >= covered and clock.satisfied_at is None:
            clock.satisfied_at = ctx.occurred_at


def payment_due_day(ctx: Context) -> date | None:
    """The day the party's payment period ends: the first unpaid instalment's, else the 15 days'."""
    instalments = [c for c in ctx.case.clocks if c.key == "instalment" and c.cancelled_at is None]
    if instalments:
        unpaid = [c for c in instalments if c.satisfied_at is None]
        chosen = unpaid[0] if unpaid else instalments[-1]
        return local(ctx.due_at(chosen)).date()
    payment = ctx.case.last_clock("payment")
    return local(ctx.due_at(payment)).date() if payment is not None else None


# --- 催告, 申请人民法院强制执行 (强制法第五十三条、第五十四条) -------------------------------------


@guard("payment_period_over")
def payment_period_over(ctx: Context) -> None:
    """强制法第五十四条: the party is demanded to perform only once the payment period has run out."""
    due = payment_due_day(ctx)
    if due is None:
        return
    if local(ctx.occurred_at).date() <= due:
        raise RuleViolation(
            "PAYMENT_PERIOD_RUNNING",
            f"当事人缴纳罚款的期限至{due.isoformat()}届满，期满仍不履行的方可催告（行政强制法第五十四条；"
            "行政处罚法第六十六条、第六十七条）",
            due_on=due.isoformat(),
        )


@guard("remedy_periods_over")
def remedy_periods_over(ctx: Context) -> None:
    """强制法第五十三条: the court only after the review and litigation periods ran out, with none pending."""
    pending = [a for a in ctx.case.entries("appeals") if not a.get("concluded_at")]
    if pending:
        raise RuleViolation(
            "APPEAL_PENDING", "行政复议或行政诉讼尚未终结，不得申请人民法院强制执行（行政强制法第五十三条）"
        )
    for key, label in (("review_window", "申请行政复议"), ("litigation_window", "提起行政诉讼")):
        clock = ctx.case.last_clock(key)
        if clock is None:
            continue
        due = ctx.due_at(clock)
        if ctx.occurred_at <= due:
            raise RuleViolation(
                "REMEDY_PERIOD_RUNNING",
                f"当事人{label}的期限至{local(due):%Y-%m-%d}届满，期满前不得申请人民法院强制执行（行政强制法第五十三条）",
                due_at=due.isoformat(),
                clock=key,
            )


# --- 复议、诉讼终结 (处罚法第七十三条) ----------------------------------------------------------


@guard("appeal_pending")
def appeal_pending(ctx: Context) -> None:
    if not [a for a in ctx.case.entries("appeals") if not a.get("concluded_at")]:
        raise RuleViolation("NO_APPEAL_PENDING", "本案没有正在进行的行政复议或行政诉讼（行政处罚法第七十三条）")


@action("record_appeal_outcome")
def record_appeal_outcome(ctx: Context) -> None:
    """The review or lawsuit ended on this date with this outcome: the surcharge runs again from it."""
    outcome = ctx.payload.get("outcome")
    if outcome not in APPEAL_OUTCOMES:
        raise InvalidInput(
            "INVALID_CHOICE",
            "复议或诉讼结果须为：" + "、".join(f"{k}（{v}）" for k, v in APPEAL_OUTCOMES.items()),
            field="outcome",
        )
    position, appeal = [(i, a) for i, a in enumerate(ctx.case.entries("appeals")) if not a.get("concluded_at")][0]
    raw = ctx.payload.get("concluded_at") or ctx.occurred_at.isoformat()
    concluded = _day(raw, "concluded_at", "复议决定或裁判生效日期")
    filed = _day(appeal.get("filed_at") or appeal["at"], "filed_at", "申请复议或起诉日期")
    if concluded < filed or concluded > local(ctx.occurred_at).date():
        raise InvalidInput(
            "INVALID_DATE", "复议决定或裁判生效日期须在申请复议或起诉之后、登记之前", field="concluded_at"
        )
    ctx.case.update_entry(
        "appeals", position,
        dict(concluded_at=concluded.isoformat(), outcome=outcome, outcome_label=APPEAL_OUTCOMES[outcome]),
    )
    decision = ctx.case.data.get("decision") or {}
    if outcome == "changed":
        new_fine = money(ctx.payload.get("fine"), "变更后的罚款金额")
        decision.setdefault("original_fine", decision.get("fine"))
        decision["fine"] = str(new_fine)
    if outcome == "revoked":
        decision["revoked_at"] = concluded.isoformat()
        ctx.case.data["decision_revoked"] = True
        for clock in ctx.case.open_clocks("disclosure"):  # a revoked decision is not published
            clock.cancelled_at = ctx.occurred_at
    if outcome in ("changed", "revoked") and (ctx.case.data.get("disclosure") or {}).get("published_at"):
        ctx.case.data["disclosure_withdrawal_due"] = True  # 处罚法第四十八条第二款


# --- 公告送达 (民事诉讼法第九十五条) -------------------------------------------------------------


@guard("public_service_allowed", needs_input=True)
def public_service_allowed(ctx: Context) -> None:
    if ctx.payload.get("method") != "public":
        return
    if ctx.payload.get("public_ground") not in PUBLIC_SERVICE_GROUNDS:
        raise RuleViolation(
            "PUBLIC_SERVICE_NOT_ALLOWED",
            "受送达人下落不明，或者用其他方式无法送达的，方可公告送达，须写明公告送达的事由"
            "（民事诉讼法第九十五条）",
            field="public_ground",
        )
    if is_blank(ctx.payload.get("publication")):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：公告的载体（报刊、网站或公告栏）", field="publication")


def service_takes_effect(ctx: Context) -> datetime:
    """The moment service takes effect: 公告 is deemed served thirty days after publication."""
    if ctx.payload.get("method") == "public":
        return ctx.occurred_at + timedelta(days=PUBLIC_SERVICE_DAYS)
    return ctx.occurred_at


@action("record_service_effect")
def record_service_effect(ctx: Context) -> None:
    """Every clock that starts at service starts at ``service_effective_at`` (clocks: start_from case:…)."""
    effective = service_takes_effect(ctx)
    ctx.case.data["service_effective_at"] = effective.isoformat()
    service = ctx.case.data.get("service")
    if isinstance(service, dict) and ctx.payload.get("method") == "public":
        service.update(
            public_ground=ctx.payload.get("public_ground"),
            publication=ctx.payload.get("publication"),
            deemed_served_at=effective.isoformat(),
        )


# --- 终止、移送时解除封存和先行登记保存 (令4号第四十二条、第四十七条；强制法第二十八条) ----------------------


@guard("seal_open")
def seal_open(ctx: Context) -> None:
    if ctx.case.entry_count("seals") <= ctx.case.entry_count("seal_releases"):  # counted, not read
        raise RuleViolation("NO_SEAL_OPEN", "本案没有尚未解除的封存（行政强制法第二十八条）")


def _open_seals(ctx: Context) -> list[dict[str, Any]]:
    released = ctx.case.entry_count("seal_releases")
    return list(ctx.case.entries("seals")[released:])


@action("release_all_holds")
def release_all_holds(ctx: Context, reason: str) -> None:
    """Termination or referral releases at once every seal and preservation of the case, and the
    sealing cases that serve it are ended (their own 解除封存决定书 issued there)."""
    seals = _open_seals(ctx)
    for seal in seals:
        ctx.case.add_entry("seal_releases", {"reason": reason, "items": seal.get("items"), "at": ctx.occurred_at.isoformat()})
    for _ in range(ctx.case.entry_count("preservations") - ctx.case.entry_count("preservation_disposals")):
        ctx.case.add_entry(
            "preservation_disposals", {"disposal": f"解除先行登记保存：{reason}", "at": ctx.occurred_at.isoformat()}
        )
    for key in ("evidence_seal", "preservation"):
        for clock in ctx.case.open_clocks(key):
            clock.satisfied_at = ctx.occurred_at
    if seals:
        ctx.case.data["release_reason"] = reason
        ctx.case.data["released_items"] = [i for s in seals for i in (s.get("items") or [])]
    ctx.case.data["holds_released"] = bool(seals)
    ctx.case.links.append(
        {"fire_linked": {"flow": "sealing", "trigger": "terminate_execution", "data": {"reason": f"{reason}，解除封存"}}}
    )


# --- 行政处罚决定公开 (处罚法第四十八条) ------------------------------------------------------------


def mask_name(name: str) -> str:
    """A person's name as published: the surname and 某 (张三 → 张某)."""
    return (name[:1] + "某") if name else name


def mask_id(number: str) -> str:
    """An ID number as published: the first and last four characters, the rest starred."""
    return number[:4] + "*" * max(len(number) - 8, 0) + number[-4:] if len(number) > 8 else "*" * len(number)


def published_party(party: dict[str, Any]) -> dict[str, Any]:
    """What may be published of the party: an organisation's name and credit code; a person's
    surname only and a masked ID number; a legal representative's name masked."""
    if party.get("type") == "individual":
        ident = str(party.get("id_no") or party.get("id_number") or "")
        return {"name": mask_name(str(party.get("name") or "")), "id_no": mask_id(ident) if ident else None}
    rep = party.get("legal_rep") or party.get("representative")
    return {"name": party.get("name"), "credit_code": party.get("credit_code"),
            "legal_rep": mask_name(str(rep)) if rep else None}


@action("plan_disclosure")
def plan_disclosure(ctx: Context) -> None:
    """A decision with social impact (the decision's field; the bureau's setting by default) is published."""
    raw = ctx.payload.get("social_impact")
    if raw in (None, ""):
        impact = bool(ctx.settings.get("disclosure_social_impact", True))
    else:
        impact = raw is True or str(raw).lower() in ("yes", "true", "1", "是")
    ctx.case.data["disclosure_required"] = impact
    ctx.case.data["disclosure"] = {"social_impact": impact, "decided_at": ctx.occurred_at.isoformat()}


@guard("disclosure_due")
def disclosure_due(ctx: Context) -> None:
    data = ctx.case.data
    if not data.get("disclosure_required"):
        raise RuleViolation(
            "DISCLOSURE_NOT_REQUIRED", "本决定未认定为具有一定社会影响，无需公开（行政处罚法第四十八条）"
        )
    if (data.get("disclosure") or {}).get("published_at"):
        raise RuleViolation("ALREADY_PUBLISHED", "本决定已公开（行政处罚法第四十八条）")
    if data.get("decision_revoked"):
        raise RuleViolation("DECISION_REVOKED", "处罚决定已被撤销，不得公开（行政处罚法第四十八条）")


@guard("disclosure_settled")
def disclosure_settled(ctx: Context) -> None:
    """立卷归档 closes the file: a decision that must be published is published first, and one
    published and then changed or revoked has its publication withdrawn (处罚法第四十八条). An archived
    case takes no further step, and the duty would stay open on the dashboard for ever."""
    data = ctx.case.data
    disclosure = data.get("disclosure") or {}
    if data.get("disclosure_required") and not disclosure.get("published_at") and not data.get("decision_revoked"):
        raise RuleViolation(
            "DISCLOSURE_PENDING",
            "本案处罚决定具有一定社会影响，尚未依法公开，请先办理“公开行政处罚决定”再立卷归档（行政处罚法第四十八条）",
        )
    if data.get("disclosure_withdrawal_due") and not disclosure.get("withdrawn_at"):
        raise RuleViolation(
            "DISCLOSURE_WITHDRAWAL_PENDING",
            "已公开的处罚决定被变更或撤销，尚未撤回公开信息，请先办理撤回再立卷归档（行政处罚法第四十八条第二款）",
        )


@action("record_disclosure")
def record_disclosure(ctx: Context) -> None:
    decision = ctx.case.data.get("decision") or {}
    ctx.case.data["disclosure"] = {
        **(ctx.case.data.get("disclosure") or {}),
        "published_at": ctx.occurred_at.isoformat(),
        "channel": ctx.payload.get("channel"),
        "party": published_party(ctx.case.party),
        "fine": decision.get("fine"),
        "kinds": decision.get("kinds"),
        "article": decision.get("article"),
    }


@guard("withdrawal_due")
def withdrawal_due(ctx: Context) -> None:
    """处罚法第四十八条第二款: a published decision is withdrawn once changed or revoked, not otherwise."""
    if not ctx.case.data.get("disclosure_withdrawal_due") or (ctx.case.data.get("disclosure") or {}).get(
        "withdrawn_at"
    ):
        raise RuleViolation(
            "DISCLOSURE_WITHDRAWAL_NOT_ALLOWED",
            "公开的行政处罚决定被依法变更、撤销、确认违法或者确认无效的，方应撤回公开信息（行政处罚法第四十八条）",
        )


@action("record_withdrawal")
def record_withdrawal(ctx: Context) -> None:
    ctx.case.data["disclosure"]["withdrawn_at"] = ctx.occurred_at.isoformat()
    ctx.case.data["disclosure"]["withdrawal_reasons"] = ctx.payload.get("reasons")
    ctx.case.data["disclosure_withdrawal_due"] = False


# --- 信用记录 ---------------------------------------------------------------------------------


@action("write_credit_record")
def write_credit_record(ctx: Context) -> None:
    """A penalty decision enters the party's 信用记录: a case of the bureau's credit item where its
    list has one, else a credit record of this case (条例第三十三条)."""
    decision = ctx.case.data.get("decision") or {}
    if decision.get("outcome") != "penalty":
        return
    record = {
        "conduct": decision.get("facts") or "受到行政处罚",
        "source_case": ctx.case.number,
        "penalty": {"kinds": decision.get("kinds"), "fine": decision.get("fine"), "article": decision.get("article")},
        "decided_at": ctx.occurred_at.isoformat(),
    }
    ctx.case.links.append({"open_listed": {"flow": "credit_record", "otherwise": "credit_records", "data": record}})


@guard("not_a_penalty_result")
def not_a_penalty_result(ctx: Context) -> None:
    """条例第三十三条: 行政处罚结果 are entered in the credit platform; such a record is not dismissed."""
    if ctx.case.data.get("penalty"):
        raise RuleViolation(
            "CREDIT_RECORD_REQUIRED",
            f"本条信用信息来自行政处罚决定（{ctx.case.data.get('source_case')}），行政处罚结果应当纳入信用信息共享平台，"
            "不得不予记录（医疗保障基金使用监督管理条例第三十三条）",
            source_case=ctx.case.data.get("source_case"),
        )
