"""Guards and actions of the penalty procedure (行政处罚), each naming its article."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import InvalidInput, RuleViolation
from engine.registry import Context, action, guard
from engine.rules.common import active_officers, check_officers, is_blank, money
from engine.timeutil import local, parse_moment

PARTY_TYPES = {"individual": "公民", "organisation": "法人或其他组织"}

# Penalty kinds that make a hearing available whatever the amount (处罚法第六十三条).
# 暂停医药服务 and 解除服务协议 (条例第三十八条、第四十条) weigh like 责令停产停业: heavy as well.
HEAVY_KINDS = {
    "confiscation_large": "没收较大数额违法所得、没收较大价值非法财物",
    "revoke": "降低资质等级、吊销许可证件",
    "suspend_business": "责令停产停业、责令关闭",
    "restrict_practice": "限制从业",
    "suspend_service": "暂停医药服务",
    "terminate_agreement": "解除医疗保障服务协议",
}
PENALTY_KINDS = {
    "warning": "警告",
    "fine": "罚款",
    "return": "责令退回医疗保障基金",  # 条例第三十八条至第四十一条: the amount goes back to the fund
    "confiscation": "没收违法所得",
    **HEAVY_KINDS,
}

# 处罚法第四十六条: the kinds of evidence; and the records a step of the investigation produces.
EVIDENCE_KINDS = {
    "documentary": "书证",
    "physical": "物证",
    "audiovisual": "视听资料",
    "electronic": "电子数据",
    "witness": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "inspection_record": "勘验笔录、现场笔录",
}
RECORD_KINDS = {"inquiry": "询问笔录", "on_site": "现场笔录", "survey": "勘验笔录", "inspection": "检查笔录"}

# Statutory ranges (multiples or fractions of a base amount) a decided fine must respect.
RANGES: dict[str, tuple[Decimal, Decimal, str]] = {
    "社会保险法第八十四条": (Decimal(1), Decimal(3), "应缴社会保险费数额的一倍以上三倍以下"),
    "社会保险法第八十七条": (Decimal(2), Decimal(5), "骗取金额的二倍以上五倍以下"),
    "社会保险法第八十八条": (Decimal(2), Decimal(5), "骗取金额的二倍以上五倍以下"),
    "社会救助暂行办法第六十八条": (Decimal(1), Decimal(3), "非法获取的救助款额一倍以上三倍以下"),
    "基本医疗卫生与健康促进法第一百零三条": (
        Decimal("0.005"),
        Decimal("0.01"),
        "采购金额百分之零点五以上百分之一以下",
    ),
    # 医疗保障基金使用监督管理条例 (verify exact wording against the official text)
    "医疗保障基金使用监督管理条例第三十八条": (Decimal(1), Decimal(2), "造成医疗保障基金损失金额的一倍以上二倍以下"),
    "医疗保障基金使用监督管理条例第四十条": (Decimal(2), Decimal(5), "骗取金额的二倍以上五倍以下"),
    "医疗保障基金使用监督管理条例第四十一条": (Decimal(2), Decimal(5), "骗取金额的二倍以上五倍以下"),
}
# Fixed ranges in yuan: 条例第三十九条 (management failings not corrected).
FIXED_RANGES: dict[str, tuple[Decimal, Decimal, str]] = {
    "医疗保障基金使用监督管理条例第三十九条": (Decimal(10000), Decimal(50000), "一万元以上五万元以下"),
}
# The 条例's articles that order the money back to the fund (责令退回).
RETURN_ARTICLES = {
    "医疗保障基金使用监督管理条例第三十八条",
    "医疗保障基金使用监督管理条例第四十条",
    "医疗保障基金使用监督管理条例第四十一条",
}
SUB_ARTICLE = re.compile(r"(第[一二三四五六七八九十百零〇]+[款项])+$")


def article_level(citation: str) -> str:
    """An article-level citation: 《条例》第四十条第一款 → 医疗保障基金使用监督管理条例第四十条."""
    text = re.sub(r"[《》〈〉\s]", "", citation)
    text = text.removeprefix("中华人民共和国")
    return SUB_ARTICLE.sub("", text)


def same_basis(one: Any, other: Any) -> bool:
    return isinstance(one, str) and isinstance(other, str) and re.sub(r"[《》\s]", "", one) == re.sub(
        r"[《》\s]", "", other
    )
PERSON_IN_CHARGE_RANGE = (Decimal(500), Decimal(3000))  # 社会保险法第八十四条, 直接负责的主管人员


def _date(value: Any, field: str, label: str) -> date:
    try:
        return local(parse_moment(str(value))).date()
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"“{label}”不是有效的日期：{value}", field=field) from None


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@guard("party_valid", needs_input=True)
def party_valid(ctx: Context) -> None:
    party = ctx.case.party
    if is_blank(party.get("name")):
        raise InvalidInput("PARTY_NAME_REQUIRED", "缺少当事人名称或姓名", field="party.name")
    if party.get("type") not in PARTY_TYPES:
        raise InvalidInput(
            "PARTY_TYPE_INVALID",
            "当事人类型须为 individual（公民）或 organisation（法人或其他组织）",
            field="party.type",
            value=party.get("type"),
        )


SUBJECT_WORDS = {
    "organisation": "单位（定点医药机构、经办机构、用人单位等）",
    "individual": "个人（参保人员等）",
}


@guard("party_fits_item", needs_input=True)
def party_fits_item(ctx: Context) -> None:
    """The item's 实施依据 names whom it punishes: an institution's item is not opened against a
    person, nor a person's against an institution (处罚法第四条: only as the law provides)."""
    party_type = ctx.case.party.get("type")
    subjects = list(ctx.item.subjects)
    if subjects and party_type not in subjects:
        allowed = "、".join(SUBJECT_WORDS[s] for s in subjects)
        basis = "、".join(ctx.item.settings.get("penalty_articles") or []) or "本事项实施依据"
        raise RuleViolation(
            "PARTY_TYPE_NOT_SUBJECT",
            f"事项“{ctx.item.name}”的处罚对象为{allowed}，本案当事人为{PARTY_TYPES.get(str(party_type), party_type)}，"
            f"不能对其立案（{basis}；行政处罚法第四条）",
            party_type=party_type,
            subjects=subjects,
        )


@guard("within_limitation", needs_input=True)
def within_limitation(ctx: Context) -> None:
    """处罚法第三十六条: the violation must be discovered within two years of its end (five where
    life or health was harmed). Counted to the day of discovery: the date recorded with the lead
    (``discovered_on``) or else the lead's registration, not to 立案; a lead found in time may be
    filed later."""
    data = ctx.case.data
    ended = data.get("violation_ended_on")
    if is_blank(ended):
        raise InvalidInput(
            "FIELD_REQUIRED", "缺少必填项：违法行为终了日期（用于核对处罚时效）", field="violation_ended_on"
        )
    ended_on = _date(ended, "violation_ended_on", "违法行为终了日期")
    registered = local(ctx.case.opened_at or ctx.occurred_at).date()
    discovered = registered
    if not is_blank(data.get("discovered_on")):
        discovered = _date(data["discovered_on"], "discovered_on", "发现违法行为日期")
        if discovered > registered:
            raise InvalidInput(
                "INVALID_DATE", "发现违法行为日期不能晚于线索登记日期", field="discovered_on",
                discovered_on=discovered.isoformat(), registered=registered.isoformat(),
            )
    years = 5 if data.get("harms_life_health") else 2
    limit = _years_later(ended_on, years)
    if ended_on > local(ctx.occurred_at).date():
        raise InvalidInput("INVALID_DATE", "违法行为终了日期不能晚于立案日期", field="violation_ended_on")
    if discovered > limit:
        raise RuleViolation(
            "LIMITATION_EXPIRED",
            f"违法行为自{ended_on.isoformat()}终了，至{discovered.isoformat()}发现时已超过{years}年处罚时效"
            f"（至{limit.isoformat()}），不再给予行政处罚（行政处罚法第三十六条）",
            violation_ended_on=ended_on.isoformat(),
            discovered_on=discovered.isoformat(),
            limit=limit.isoformat(),
        )


@guard("jurisdiction_fits_party", needs_input=True)
def jurisdiction_fits_party(ctx: Context) -> None:
    """令4号 (管辖): the bureau where insured persons are insured only for a violation by them alone."""
    if ctx.payload.get("jurisdiction") == "insured_place" and ctx.case.party.get("type") != "individual":
        raise RuleViolation(
            "JURISDICTION_INVALID",
            "参保地医疗保障部门管辖仅适用于参保人员单独实施的违法行为；本案当事人为单位，应由违法行为发生地管辖"
            "（医疗保障行政处罚程序暂行规定）",
            jurisdiction="insured_place",
        )


@guard("clock_not_expired")
def clock_not_expired(ctx: Context, clock: str, code: str, message: str) -> None:
    """The named agency clock must not have run out at the moment of the act."""
    for running in ctx.case.open_clocks(clock):
        due = ctx.due_at(running)
        if ctx.occurred_at > due:
            raise RuleViolation(
                code, f"{message}（期限至{local(due):%Y-%m-%d %H:%M}）", due_at=due.isoformat()
            )


@action("recuse_officer")
def recuse_officer(ctx: Context) -> None:
    """处罚法第四十三条: an officer with an interest withdraws; a replacement may join."""
    cert = str(ctx.payload.get("cert_no") or "")
    officers = ctx.case.officers
    match = [o for o in active_officers(officers) if str(o.get("cert_no")) == cert]
    if not match:
        raise InvalidInput("OFFICER_NOT_ON_CASE", f"执法证号为{cert}的执法人员不在本案中", cert_no=cert)
    match[0]["recused"] = True
    match[0]["recusal_reason"] = ctx.payload.get("reason")
    replacement = ctx.payload.get("replacement")
    if isinstance(replacement, dict) and replacement.get("cert_no"):
        officers.append({"name": replacement.get("name"), "cert_no": replacement.get("cert_no")})
    try:
        check_officers(officers)
    except RuleViolation as violation:
        raise RuleViolation(
            "OFFICERS_INSUFFICIENT_AFTER_RECUSAL",
            "回避后执法人员不足两人或执法证号重复，须同时指定替换人员（行政处罚法第四十二条、第四十三条）",
            **violation.detail,
        ) from None


def proposed_fine(ctx: Context) -> Decimal:
    proposal = ctx.case.data.get("proposal") or {}
    return Decimal(str(proposal.get("fine") or 0))


def proposed_kinds(ctx: Context) -> set[str]:
    return set((ctx.case.data.get("proposal") or {}).get("kinds") or [])


def hearing_entitled(ctx: Context) -> bool:
    """处罚法第六十三条: 较大数额 per the bureau's setting by party type, or a heavy penalty kind."""
    threshold = Decimal(str(ctx.setting("hearing_threshold")[ctx.case.party.get("type", "individual")]))
    return proposed_fine(ctx) >= threshold or bool(proposed_kinds(ctx) & HEAVY_KINDS.keys())


@guard("proposal_valid", needs_input=True)
def proposal_valid(ctx: Context) -> None:
    """处罚法第四十四条: 告知 states the facts, grounds and the proposed penalty."""
    for name, label in (("facts", "违法事实"), ("grounds", "处罚理由及依据")):
        if is_blank(ctx.payload.get(name)):
            raise InvalidInput("FIELD_REQUIRED", f"缺少必填项：{label}（行政处罚法第四十四条）", field=name)
    kinds = ctx.payload.get("kinds") or []
    if not kinds or any(k not in PENALTY_KINDS for k in kinds):
        raise InvalidInput(
            "PENALTY_KIND_INVALID",
            "拟处罚种类须从以下选择：" + "、".join(f"{k}（{v}）" for k, v in PENALTY_KINDS.items()),
            field="kinds",
            value=kinds,
        )
    if "fine" in kinds:
        if money(ctx.payload.get("fine"), "拟罚款金额") <= 0:
            raise InvalidInput("FIELD_REQUIRED", "拟处罚种类含罚款时须填写拟罚款金额", field="fine")
    if "return" in kinds and money(ctx.payload.get("return_amount") or 0, "责令退回金额") <= 0:
        raise InvalidInput("FIELD_REQUIRED", "拟处罚种类含责令退回时须填写退回医疗保障基金的金额", field="return_amount")
    if is_blank(ctx.payload.get("article")):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：处罚依据条款（行政处罚法第四十四条）", field="article")


def _amount(payload: dict[str, Any], kinds: list[str], kind: str, field: str, label: str) -> Decimal:
    return money(payload.get(field) or 0, label) if kind in kinds else Decimal(0)


@guard("heavier_notice_states_changes", needs_input=True)
def heavier_notice_states_changes(ctx: Context) -> None:
    """处罚法第四十五条: a new 告知 heavier than the last states what changed in facts, evidence or basis."""
    last = ctx.case.data.get("proposal") or {}
    kinds = list(ctx.payload.get("kinds") or [])
    heavier = (
        _amount(ctx.payload, kinds, "fine", "fine", "拟罚款金额") > Decimal(str(last.get("fine") or 0))
        or _amount(ctx.payload, kinds, "return", "return_amount", "责令退回金额")
        > Decimal(str(last.get("return_amount") or 0))
        or bool(set(kinds) - set(last.get("kinds") or []))
    )
    if heavier and is_blank(ctx.payload.get("changes")):
        raise RuleViolation(
            "HEAVIER_NOTICE_WITHOUT_CHANGES",
            "重新告知的拟处罚重于上次告知的，须写明事实、证据或者依据发生了哪些变化（行政处罚法第四十五条）",
            last_fine=str(last.get("fine")),
            last_kinds=list(last.get("kinds") or []),
        )


@action("record_proposal")
def record_proposal(ctx: Context) -> None:
    """Keep the proposal and every notified fine: the decision may not exceed the lowest (第四十五条)."""
    kinds = list(ctx.payload.get("kinds") or [])
    fine = _amount(ctx.payload, kinds, "fine", "fine", "拟罚款金额")
    ctx.case.data["proposal"] = {
        "facts": ctx.payload.get("facts"),
        "grounds": ctx.payload.get("grounds"),
        "kinds": kinds,
        "fine": str(fine),
        "return_amount": str(_amount(ctx.payload, kinds, "return", "return_amount", "责令退回金额")),
        "article": ctx.payload.get("article"),
        "changes": ctx.payload.get("changes"),
    }
    ctx.case.data.setdefault("notified_fines", []).append(str(fine))
    ctx.case.data["hearing_entitled"] = hearing_entitled(ctx)
    ctx.case.data.pop("hearing_requested", None)
    ctx.case.data.pop("statement_waived", None)


@guard("hearing_entitled")
def hearing_entitled_guard(ctx: Context) -> None:
    if not ctx.case.data.get("hearing_entitled"):
        raise RuleViolation(
            "HEARING_NOT_AVAILABLE",
            "拟作出的处罚不属于较大数额罚款等应当告知听证权利的情形（行政处罚法第六十三条）",
            fine=str(proposed_fine(ctx)),
        )


@guard("hearing_notice_period", needs_input=True)
def hearing_notice_period(ctx: Context) -> None:
    """处罚法第六十四条: notify the party at least seven (working) days before the hearing."""
    raw = ctx.payload.get("hearing_at")
    if is_blank(raw):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：听证时间", field="hearing_at")
    hearing_day = _date(raw, "hearing_at", "听证时间")
    notified = local(ctx.occurred_at).date()
    last_notice_day = ctx.calendar.add_working_days(notified, 7)
    if hearing_day <= last_notice_day:
        raise RuleViolation(
            "HEARING_NOTICE_TOO_LATE",
            f"应当在举行听证的七个工作日前通知当事人：{notified.isoformat()}通知的听证最早可定于"
            f"{last_notice_day.isoformat()}之后（行政处罚法第六十四条、第八十五条）",
            hearing_at=hearing_day.isoformat(),
            earliest=ctx.calendar.add_working_days(last_notice_day, 1).isoformat(),
        )


@guard("no_pending_hearing")
def no_pending_hearing(ctx: Context) -> None:
    data = ctx.case.data
    if data.get("hearing_requested") and not data.get("hearing_held") and not data.get("hearing_waived"):
        raise RuleViolation(
            "HEARING_NOT_HELD",
            "当事人已要求听证，听证举行前不得作出处罚决定（行政处罚法第六十三条、第六十五条）",
        )


@guard("statement_period_over")
def statement_period_over(ctx: Context) -> None:
    """No decision before the statement period ends, unless waived or a hearing was held."""
    data = ctx.case.data
    if data.get("statement_waived") or data.get("hearing_held"):
        return
    statement = ctx.case.last_clock("statement")
    if statement is None:
        return
    due = ctx.due_at(statement)
    if ctx.occurred_at <= due:
        raise RuleViolation(
            "STATEMENT_PERIOD_RUNNING",
            f"陈述申辩期至{local(due):%Y-%m-%d}届满，期满前（当事人明确放弃的除外）不得作出处罚决定"
            "（行政处罚法第四十四条、第六十二条）",
            due_at=due.isoformat(),
        )
    hearing = ctx.case.last_clock("hearing_request")
    # 处罚法第六十三条: only a notice that gives hearing rights opens a period to ask for one
    if hearing is not None and hearing.open and data.get("hearing_entitled") and not data.get("hearing_requested"):
        hearing_due = ctx.due_at(hearing)
        if ctx.occurred_at <= hearing_due:
            raise RuleViolation(
                "HEARING_REQUEST_PERIOD_RUNNING",
                f"听证申请期至{local(hearing_due):%Y-%m-%d}届满，期满前不得作出处罚决定（行政处罚法第六十四条）",
                due_at=hearing_due.isoformat(),
            )


@guard("hearing_request_in_time")
def hearing_request_in_time(ctx: Context) -> None:
    """处罚法第六十四条第一项: the party asks within five working days of 告知."""
    clock = ctx.case.last_clock("hearing_request")
    if clock is None:
        return
    due = ctx.due_at(clock)
    if ctx.occurred_at > due:
        raise RuleViolation(
            "HEARING_REQUEST_LATE",
            f"当事人应在告知后五个工作日内提出听证要求，期限已于{local(due):%Y-%m-%d}届满（行政处罚法第六十四条）",
            due_at=due.isoformat(),
        )


def legal_review_required(ctx: Context) -> bool:
    """处罚法第五十八条: by the bureau's threshold, where a hearing is available, and after a hearing."""
    threshold = Decimal(str(ctx.setting("legal_review_threshold")))
    data = ctx.case.data
    return proposed_fine(ctx) >= threshold or bool(data.get("hearing_entitled") or data.get("hearing_held"))


def collective_discussion_required(ctx: Context) -> bool:
    threshold = Decimal(str(ctx.setting("collective_discussion_threshold")))
    return proposed_fine(ctx) >= threshold or bool(proposed_kinds(ctx) & HEAVY_KINDS.keys())


@guard("legal_review_done")
def legal_review_done(ctx: Context) -> None:
    """处罚法第五十八条: 法制审核 before deciding the cases the bureau's setting names."""
    if legal_review_required(ctx) and not ctx.case.data.get("legal_review"):
        raise RuleViolation(
            "LEGAL_REVIEW_REQUIRED",
            "本案须经法制审核后方可作出决定（行政处罚法第五十八条；医疗保障行政处罚程序暂行规定第三十七条）",
            threshold=str(ctx.setting("legal_review_threshold")),
        )


@guard("collective_discussion_done")
def collective_discussion_done(ctx: Context) -> None:
    """处罚法第五十七条: complex or serious cases are decided after 集体讨论 by the heads."""
    if collective_discussion_required(ctx) and not ctx.case.data.get("collective_discussion"):
        raise RuleViolation(
            "COLLECTIVE_DISCUSSION_REQUIRED",
            "本案属情节复杂或重大违法行为给予较重处罚的情形，须经行政机关负责人集体讨论决定（行政处罚法第五十七条）",
            threshold=str(ctx.setting("collective_discussion_threshold")),
        )


@guard("reviewer_independent")
def reviewer_independent(ctx: Context) -> None:
    """处罚法第五十八条: the legal reviewer is not one of the case's investigators."""
    cert = ctx.actor.cert_no
    names = {o.get("name") for o in ctx.case.officers}
    certs = {str(o.get("cert_no")) for o in ctx.case.officers}
    if (cert and cert in certs) or ctx.actor.name in names or ctx.actor.username in names:
        raise RuleViolation(
            "REVIEWER_IS_INVESTIGATOR",
            "法制审核人员不得为本案调查人员（行政处罚法第五十八条；医疗保障行政处罚程序暂行规定第三十七条）",
            reviewer=ctx.actor.username,
        )


@guard("decision_after_notice")
def decision_after_notice(ctx: Context) -> None:
    """A penalty is decided after 告知 (处罚法第四十四条、第六十二条): in 审查 only on the way back from a hearing."""
    if ctx.case.state == "review" and not ctx.case.data.get("hearing_held"):
        raise RuleViolation(
            "NOTICE_REQUIRED",
            "作出行政处罚决定前，应当告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证权利"
            "（行政处罚法第四十四条、第六十二条）",
        )


def decided_article(payload: dict[str, Any]) -> Any:
    """The cited basis of a decision: ``basis_article`` (``article`` is accepted as its older name)."""
    return payload.get("basis_article") or payload.get("article")


@guard("decision_valid", needs_input=True)
def decision_valid(ctx: Context) -> None:
    """The decision: not heavier than notified (第四十五条), on the notified basis (第四十四条), with its
    discretion reasons (第三十四条), within the cited article's range."""
    proposal = ctx.case.data.get("proposal") or {}
    kinds = ctx.payload.get("kinds") or proposal.get("kinds") or []
    if any(k not in PENALTY_KINDS for k in kinds) or not kinds:
        raise InvalidInput("PENALTY_KIND_INVALID", "处罚种类无效或为空", field="kinds", value=kinds)
    fine = money(ctx.payload.get("fine") or 0, "罚款金额")
    notified_fine = Decimal(str(proposal.get("fine") or 0))
    if proposal and fine > notified_fine:
        raise RuleViolation(
            "DECISION_HEAVIER_THAN_NOTIFIED",
            f"决定罚款{fine}元高于已告知的拟罚款{notified_fine}元；不得因当事人陈述申辩而加重处罚，"
            "加重须重新告知（行政处罚法第四十五条）",
            fine=str(fine),
            notified=str(notified_fine),
        )
    new_kinds = set(kinds) - set(proposal.get("kinds") or [])
    if new_kinds:
        raise RuleViolation(
            "DECISION_KIND_NOT_NOTIFIED",
            "决定的处罚种类未经告知："
            + "、".join(PENALTY_KINDS[k] for k in sorted(new_kinds))
            + "（行政处罚法第四十四条）",
            kinds=sorted(new_kinds),
        )
    check_return(ctx, kinds, proposal)
    if is_blank(ctx.payload.get("discretion_reasons")):
        raise RuleViolation(
            "DISCRETION_REASONS_REQUIRED",
            "处罚决定须写明裁量理由，即依本局行政处罚裁量基准选择处罚种类和幅度的理由（行政处罚法第三十四条）",
        )
    article = decided_article(ctx.payload)
    if not is_blank(article) and proposal.get("article") and not same_basis(article, proposal.get("article")):
        raise RuleViolation(
            "DECISION_BASIS_NOT_NOTIFIED",
            f"决定引用的处罚依据“{article}”与告知的“{proposal.get('article')}”不一致；改变处罚依据须重新告知"
            "（行政处罚法第四十四条、第四十五条）",
            basis_article=article,
            notified=proposal.get("article"),
        )
    check_range(ctx, fine)


def check_return(ctx: Context, kinds: list[str], proposal: dict[str, Any]) -> None:
    """责令退回 (条例第三十八条至第四十一条): an amount, not above the notified one (处罚法第四十五条)."""
    amount = money(ctx.payload.get("return_amount") or 0, "责令退回金额")
    if "return" not in kinds:
        return
    if amount <= 0:
        raise InvalidInput("FIELD_REQUIRED", "处罚种类含责令退回时须填写退回医疗保障基金的金额", field="return_amount")
    notified = Decimal(str(proposal.get("return_amount") or 0))
    if amount > notified:
        raise RuleViolation(
            "DECISION_HEAVIER_THAN_NOTIFIED",
            f"决定责令退回{amount}元高于已告知的{notified}元；加重须重新告知（行政处罚法第四十五条）",
            return_amount=str(amount),
            notified=str(notified),
        )


def _article_allowed(article: str, allowed: list[str]) -> bool:
    """An allowed entry is an article (exact, at article level) or a whole law (any of its articles)."""
    level = article_level(article)
    for entry in allowed:
        entry_level = article_level(entry)
        if level == entry_level or ("第" not in entry_level and level.startswith(entry_level)):
            return True
    return False


def check_range(ctx: Context, fine: Decimal) -> None:
    cited = decided_article(ctx.payload)
    allowed = list(ctx.item.settings.get("penalty_articles") or [])
    if is_blank(cited) or not isinstance(cited, str):
        raise InvalidInput(
            "FIELD_REQUIRED", "缺少必填项：处罚依据条款（行政处罚法第五十九条）", field="basis_article"
        )
    others = list(ctx.item.settings.get("other_articles") or [])
    if allowed and not _article_allowed(cited, allowed + others):
        raise RuleViolation(
            "ARTICLE_NOT_IN_BASIS",
            f"处罚依据“{cited}”不在本事项的实施依据中（可用：{'、'.join(allowed)}）",
            article=cited,
            allowed=allowed,
        )
    article = article_level(cited)
    if fine == 0:
        return
    if article in FIXED_RANGES:
        low, high, wording = FIXED_RANGES[article]
        if not low <= fine <= high:
            raise RuleViolation(
                "FINE_OUT_OF_RANGE",
                f"罚款{fine}元不在{article}规定的幅度内：{wording}",
                fine=str(fine), low=str(low), high=str(high), article=article,
            )
        return
    if article not in RANGES:
        return
    if ctx.payload.get("target") == "person_in_charge" and article == "社会保险法第八十四条":
        low, high = PERSON_IN_CHARGE_RANGE
        if not low <= fine <= high:
            raise RuleViolation(
                "FINE_OUT_OF_RANGE",
                f"对直接负责的主管人员罚款{fine}元不在五百元以上三千元以下的法定幅度内（社会保险法第八十四条）",
                fine=str(fine),
            )
        return
    low_factor, high_factor, wording = RANGES[article]
    base_raw = ctx.payload.get("base_amount")
    if is_blank(base_raw):
        raise InvalidInput(
            "FIELD_REQUIRED", f"缺少必填项：计罚基数（{article}规定{wording}）", field="base_amount"
        )
    base = money(base_raw, "计罚基数")
    low, high = (base * low_factor).quantize(Decimal("0.01")), (base * high_factor).quantize(Decimal("0.01"))
    if not low <= fine <= high:
        raise RuleViolation(
            "FINE_OUT_OF_RANGE",
            f"罚款{fine}元不在{article}规定的幅度内：{wording}，即{low}元至{high}元",
            fine=str(fine),
            low=str(low),
            high=str(high),
            article=article,
        )


@action("record_decision")
def record_decision(ctx: Context, outcome: str) -> None:
    kinds = list(ctx.payload.get("kinds") or (ctx.case.data.get("proposal") or {}).get("kinds") or [])
    ctx.case.data["decision"] = {
        "outcome": outcome,
        "kinds": kinds,
        "fine": str(money(ctx.payload.get("fine") or 0, "罚款金额")),
        "return_amount": str(_amount(ctx.payload, kinds, "return", "return_amount", "责令退回金额")),
        "basis_article": decided_article(ctx.payload),
        "article": decided_article(ctx.payload),  # the name the documents read so far
        "discretion_reasons": ctx.payload.get("discretion_reasons"),
        "base_amount": ctx.payload.get("base_amount"),
        "facts": ctx.payload.get("facts") or (ctx.case.data.get("proposal") or {}).get("facts"),
        "reasons": ctx.payload.get("reasons"),
        "decided_at": ctx.occurred_at.isoformat(),
    }
    ctx.case.data["outcome"] = outcome


@guard("outcome_is")
def outcome_is(ctx: Context, outcome: str) -> None:
    if ctx.case.data.get("outcome") != outcome:
        raise RuleViolation(
            "OUTCOME_MISMATCH", "本案的决定结果不适用此操作", outcome=ctx.case.data.get("outcome")
        )


@guard("summary_limits", needs_input=True)
def summary_limits(ctx: Context) -> None:
    """处罚法第五十一条: on the spot only for a warning or ≤200 yuan (citizen) / ≤3000 yuan (organisation)."""
    kinds = ctx.payload.get("kinds") or []
    if not kinds or not set(kinds) <= {"warning", "fine"}:
        raise RuleViolation(
            "SUMMARY_KIND_NOT_ALLOWED", "简易程序只能当场作出警告或罚款（行政处罚法第五十一条）", kinds=kinds
        )
    fine = money(ctx.payload.get("fine") or 0, "罚款金额")
    party_type = ctx.case.party.get("type")
    limit = Decimal(200) if party_type == "individual" else Decimal(3000)
    if fine > limit:
        who = "公民" if party_type == "individual" else "法人或其他组织"
        raise RuleViolation(
            "SUMMARY_LIMIT_EXCEEDED",
            f"简易程序对{who}罚款不得超过{limit}元，本案拟罚款{fine}元，应适用普通程序（行政处罚法第五十一条）",
            fine=str(fine),
            limit=str(limit),
        )
    if "fine" in kinds and fine == 0:
        raise InvalidInput("FIELD_REQUIRED", "处罚种类含罚款时须填写罚款金额", field="fine")


@action("record_summary_decision")
def record_summary_decision(ctx: Context) -> None:
    ctx.case.data["procedure"] = "summary"
    ctx.case.data["decision"] = {
        "outcome": "penalty",
        "kinds": list(ctx.payload.get("kinds") or []),
        "fine": str(money(ctx.payload.get("fine") or 0, "罚款金额")),
        "article": ctx.payload.get("article"),
        "facts": ctx.payload.get("facts"),
        "decided_at": ctx.occurred_at.isoformat(),
    }
    ctx.case.data["outcome"] = "penalty"
    ctx.case.data["service"] = {"method": "direct", "served_at": ctx.occurred_at.isoformat(), "on_spot": True}


def fine_due(ctx: Context) -> Decimal:
    return Decimal(str((ctx.case.data.get("decision") or {}).get("fine") or 0))


def return_due(ctx: Context) -> Decimal:
    """The amount the decision orders back to the fund (责令退回, 条例第三十八条至第四十一条)."""
    return Decimal(str((ctx.case.data.get("decision") or {}).get("return_amount") or 0))


def paid_total(ctx: Context, towards: str = "fine") -> Decimal:
    """What was paid towards the fine (and its surcharge) or towards the fund's return."""
    return sum(
        (Decimal(p["amount"]) for p in ctx.case.data.get("payments", []) if p.get("towards", "fine") == towards),
        Decimal(0),
    )


PAYMENT_TOWARDS = {"fine": "罚款（含加处罚款），缴入国库", "return": "退回医疗保障基金，缴入基金专户"}


@guard("on_spot_collection", needs_input=True)
def on_spot_collection(ctx: Context) -> None:
    """处罚法第六十八条: officers may collect on the spot only fines of 100 yuan or less."""
    if ctx.case.data.get("procedure") != "summary":
        raise RuleViolation(
            "ON_SPOT_COLLECTION_NOT_ALLOWED",
            "仅依简易程序当场作出的罚款决定可以当场收缴（行政处罚法第六十八条）",
        )
    if fine_due(ctx) > 100:
        raise RuleViolation(
            "ON_SPOT_COLLECTION_LIMIT",
            f"当场收缴罚款限于一百元以下，本案罚款{fine_due(ctx)}元，应到指定银行缴纳（行政处罚法第六十八条）",
            fine=str(fine_due(ctx)),
        )


@action("record_payment")
def record_payment(ctx: Context) -> None:
    """罚缴分离 (处罚法第六十七条): record the payment; satisfy the payment clock once paid in full."""
    amount = money(ctx.payload.get("amount"), "缴款金额")
    if amount <= 0:
        raise InvalidInput("INVALID_AMOUNT", "缴款金额须大于零", field="amount")
    towards = ctx.payload.get("towards") or "fine"
    if towards not in PAYMENT_TOWARDS or (towards == "return" and return_due(ctx) == 0):
        raise InvalidInput(
            "INVALID_CHOICE",
            "缴款用途须为：" + "、".join(f"{k}（{v}）" for k, v in PAYMENT_TOWARDS.items())
            + "；责令退回的款项仅在决定责令退回时登记",
            field="towards",
            value=towards,
        )
    ctx.case.data.setdefault("payments", []).append(
        {"amount": str(amount), "towards": towards, "at": ctx.occurred_at.isoformat(),
         "receipt": ctx.payload.get("receipt")}
    )
    owed = fine_due(ctx) + surcharge_due(ctx)
    if paid_total(ctx) >= owed and paid_total(ctx, "return") >= return_due(ctx):
        ctx.case.data["fully_executed"] = True
        for clock in ctx.case.open_clocks("payment"):
            clock.satisfied_at = ctx.occurred_at
        for clock in ctx.case.open_clocks("court_application"):
            clock.cancelled_at = ctx.occurred_at


def surcharge_due(ctx: Context) -> Decimal:
    """处罚法第七十二条: 3% of the fine a day after the payment period, at most the fine, not while
    a review or lawsuit is pending (第七十三条)."""
    from engine.clocks import surcharge
    from engine.rules.execution import payment_due_day

    due_day = payment_due_day(ctx)  # the first unpaid instalment's day where one was approved (第六十六条)
    if due_day is None or fine_due(ctx) == 0:
        return Decimal(0)
    today = local(ctx.occurred_at).date()
    paused = 0
    for appeal in ctx.case.entries("appeals"):
        start = _date(appeal.get("filed_at") or appeal["at"], "filed_at", "申请复议或起诉日期")
        end = _date(appeal["concluded_at"], "concluded_at", "审结日期") if appeal.get("concluded_at") else today
        lo, hi = max(start, due_day), min(end, today)
        paused += max((hi - lo).days, 0)
    return surcharge(fine_due(ctx), due_day, today, paused_days=paused)


@action("compute_surcharge")
def compute_surcharge(ctx: Context) -> None:
    """Record the 加处罚款 accrued so far, for the 加处罚款决定书 and the amount now owed."""
    amount = surcharge_due(ctx)
    ctx.case.data["surcharge"] = {"amount": str(amount), "as_of": ctx.occurred_at.isoformat(),
                                  "owed": str(fine_due(ctx) + amount - paid_total(ctx))}


@action("record_service")
def record_service(ctx: Context) -> None:
    """民诉法第八十七至九十一条: the method, recipient and date of service; 留置 needs a witness."""
    method = ctx.payload.get("method")
    methods = {
        "direct": "直接送达",
        "left": "留置送达",
        "post": "邮寄送达",
        "electronic": "电子送达",
        "public": "公告送达",
    }
    if method not in methods:
        raise InvalidInput(
            "INVALID_CHOICE",
            "送达方式须为：" + "、".join(f"{k}（{v}）" for k, v in methods.items()),
            field="method",
        )
    if is_blank(ctx.payload.get("recipient")) and method != "public":
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：受送达人", field="recipient")
    if method == "left" and is_blank(ctx.payload.get("witness")) and is_blank(ctx.payload.get("recording")):
        raise InvalidInput(
            "FIELD_REQUIRED", "留置送达须有见证人或拍照、录像记录（民事诉讼法第八十九条）", field="witness"
        )
    if method == "electronic" and not ctx.payload.get("consent"):
        raise RuleViolation(
            "ELECTRONIC_SERVICE_NO_CONSENT", "电子送达须经受送达人书面同意（行政处罚法第六十一条）"
        )
    ctx.case.data["service"] = {
        "method": method,
        "recipient": ctx.payload.get("recipient"),
        "witness": ctx.payload.get("witness"),
        "served_at": ctx.occurred_at.isoformat(),
    }


@guard("demand_period_elapsed")
def demand_period_elapsed(ctx: Context) -> None:
    """强制法第五十四条: apply to the court only ten working days after the 催告书 was served."""
    demand = ctx.case.last_clock("demand_wait")
    if demand is None:
        raise RuleViolation(
            "DEMAND_NOT_SERVED", "申请人民法院强制执行前，应当催告当事人履行义务（行政强制法第五十四条）"
        )
    due = ctx.due_at(demand)
    if ctx.occurred_at <= due:
        raise RuleViolation(
            "DEMAND_PERIOD_RUNNING",
            f"催告书送达满十个工作日（{local(due):%Y-%m-%d}）后当事人仍未履行的，方可申请人民法院强制执行"
            "（行政强制法第五十四条）",
            due_at=due.isoformat(),
        )
    if ctx.case.data.get("fully_executed"):
        raise RuleViolation("ALREADY_EXECUTED", "当事人已全部履行，无需申请强制执行")


@guard("may_close")
def may_close(ctx: Context) -> None:
    """结案 only when executed, a court accepted enforcement, no penalty was decided, or referred."""
    data = ctx.case.data
    if (
        data.get("outcome") in ("no_penalty", "referred")
        or data.get("fully_executed")
        or data.get("court_accepted")
        or data.get("decision_revoked")  # revoked on review or by a court (处罚法第七十三条)
    ):
        return
    if fine_due(ctx) == 0 and return_due(ctx) == 0:
        return  # nothing to pay: a warning, a suspension, a terminated agreement
    raise RuleViolation(
        "NOT_EXECUTED",
        "处罚决定确定的罚款、责令退回的基金款项尚未全部缴清，且人民法院未受理强制执行申请，不得结案"
        "（行政处罚法第六十七条；医疗保障基金使用监督管理条例第三十八条至第四十一条）",
        fine=str(fine_due(ctx)),
        paid=str(paid_total(ctx)),
        return_amount=str(return_due(ctx)),
        returned=str(paid_total(ctx, "return")),
    )


@action("record_excluded_span")
def record_excluded_span(ctx: Context) -> None:
    reasons = {
        "hearing": "听证",
        "testing": "检测、检验",
        "appraisal": "鉴定",
        "public_notice": "公告",
        "expert_review": "专家评审",
    }
    reason = ctx.payload.get("reason")
    if reason not in reasons:
        raise InvalidInput(
            "INVALID_CHOICE",
            "不计入期间的事由须为：" + "、".join(f"{k}（{v}）" for k, v in reasons.items()),
            field="reason",
        )
    ctx.case.data["open_excluded_span"] = {
        "reason": reason,
        "label": reasons[reason],
        "from": ctx.occurred_at.isoformat(),
    }


@action("close_excluded_span")
def close_excluded_span(ctx: Context) -> None:
    span = ctx.case.data.pop("open_excluded_span", None)
    if span is None:
        raise RuleViolation("NO_EXCLUDED_SPAN_OPEN", "当前没有正在进行的不计入办案期限的事项")
    span["to"] = ctx.occurred_at.isoformat()
    ctx.case.data.setdefault("excluded_spans", []).append(span)


@guard("no_open_span")
def no_open_span(ctx: Context) -> None:
    """Excluded spans and suspensions may not overlap (令4号第四十五条)."""
    open_span = ctx.case.data.get("open_excluded_span")
    if open_span:
        raise RuleViolation(
            "EXCLUDED_SPAN_OVERLAP",
            f"“{open_span['label']}”期间自{open_span['from'][:10]}起尚未结束，不计入期间不得重叠",
            open_span=open_span,
        )


@action("extend_clock")
def extend_clock(ctx: Context, clock: str, setting: str, once: bool = True) -> None:
    """An approved extension of a running clock by the days given, within the setting's maximum."""
    days = _positive_int(ctx.payload.get("days"), "延长天数")
    maximum = int(ctx.setting(setting))
    targets = ctx.case.open_clocks(clock)
    if not targets:
        raise RuleViolation("CLOCK_NOT_RUNNING", "没有可延长的期限", clock=clock)
    target = targets[-1]
    if once and target.extension:
        raise RuleViolation(
            "EXTENSION_ALREADY_GRANTED",
            f"“{target.label}”只能延长一次，已延长{target.extension}日",
            clock=clock,
        )
    if days > maximum:
        raise RuleViolation(
            "EXTENSION_TOO_LONG", f"“{target.label}”延长不得超过{maximum}日", days=days, maximum=maximum
        )
    target.extension += days


@action("extend_decision_period")
def extend_decision_period(ctx: Context) -> None:
    """令4号第四十五条: first extension ≤30 days by the head; more only after 集体讨论, within the cap."""
    days = _positive_int(ctx.payload.get("days"), "延长天数")
    clocks = ctx.case.open_clocks("decision")
    if not clocks:
        raise RuleViolation("CLOCK_NOT_RUNNING", "办案期限未在计算中，无需延长")
    clock = clocks[-1]
    first_max = int(ctx.setting("decision_first_extension_max"))
    cap = int(ctx.setting("decision_extension_cap"))
    if clock.extension == 0 and days > first_max:
        raise RuleViolation(
            "EXTENSION_TOO_LONG",
            f"第一次延长办案期限不得超过{first_max}日（医疗保障行政处罚程序暂行规定第四十五条）",
            days=days,
        )
    if clock.extension > 0 and not ctx.payload.get("collective_discussion"):
        raise RuleViolation(
            "EXTENSION_NEEDS_COLLECTIVE_DISCUSSION",
            "再次延长办案期限须经行政机关负责人集体讨论决定（医疗保障行政处罚程序暂行规定第四十五条）",
        )
    if clock.extension + days > cap:
        raise RuleViolation(
            "EXTENSION_CAP_EXCEEDED", f"延长期限合计不得超过{cap}日", total=clock.extension + days, cap=cap
        )
    clock.extension += days
    ctx.case.add_entry(
        "extensions",
        {
            "days": days,
            "reason": ctx.payload.get("reason"),
            "at": ctx.occurred_at.isoformat(),
            "approved_by": ctx.actor.username,
        }
    )


def _positive_int(value: Any, label: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("INVALID_NUMBER", f"“{label}”须为正整数：{value}", field="days") from None
    if number <= 0:
        raise InvalidInput("INVALID_NUMBER", f"“{label}”须为正整数：{value}", field="days")
    return number


def now_date(moment: datetime) -> date:
    return local(moment).date()
