"""Form fields for a transition's ``fields``: label and widget per name, and form → payload.

A flow names the payload keys its forms ask for; the label comes from the flow itself where
a guard gives one (``requires`` labels, ``date_field``/``choice`` labels and options), else
from the common names below, else the key. Widgets follow the value the engine expects
(a list of penalty kinds, an amount, a date, a yes/no); unknown names are text boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from engine.definitions import CatalogueItem, FlowSpec, TransitionSpec
from engine.materials import accepted_names, all_checklists

PARTY_TYPES = {"organisation": "法人或其他组织", "individual": "公民"}
SERVICE_METHODS = {
    "direct": "直接送达",
    "left": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "public": "公告送达",
}


def _penalty_kinds() -> dict[str, str]:
    try:
        from engine.rules.penalty import PENALTY_KINDS
    except ImportError:  # pragma: no cover - the penalty rules ship with the engine
        return {"warning": "警告", "fine": "罚款"}
    return dict(PENALTY_KINDS)


# name: (label, widget, options or None)
KNOWN: dict[str, tuple[str, str, dict[str, str] | None]] = {
    "lead_source": ("线索来源", "text", None),
    "lead_summary": ("线索内容", "textarea", None),
    "violation_ended_on": ("违法行为终了日期", "date", None),
    "discovered_on": ("发现违法行为日期", "date", None),
    "harms_life_health": ("涉及公民生命健康安全（处罚时效五年）", "bool", None),
    "opinion": ("意见", "textarea", None),
    "days": ("延长天数", "int", None),
    "reason": ("理由", "textarea", None),
    "reasons": ("理由", "textarea", None),
    "kinds": ("处罚种类", "multi", None),
    "fine": ("罚款金额（元）", "money", None),
    "return_amount": ("责令退回的金额（元）", "money", None),
    "changes": ("事实、证据或依据的变化（重于上次告知时写明）", "textarea", None),
    "article": ("处罚依据条款", "article", None),
    "basis_article": ("处罚依据条款", "article", None),
    "discretion_reasons": ("裁量理由（依本局行政处罚裁量基准）", "textarea", None),
    "facts": ("违法事实", "textarea", None),
    "grounds": ("处罚理由及依据", "textarea", None),
    "kind": ("类别", "text", None),
    "summary": ("内容摘要", "textarea", None),
    "cert_no": ("执法证号", "text", None),
    "replacement": ("替换人员（姓名/执法证号）", "text", None),
    "approved_by": ("批准人", "text", None),
    "disposal": ("处理决定", "textarea", None),
    "collective_discussion": ("已经集体讨论决定", "bool", None),
    "report": ("调查终结报告", "textarea", None),
    "participants": ("参加人员", "text", None),
    "conclusion": ("结论", "textarea", None),
    "statement": ("陈述申辩内容", "textarea", None),
    "signed_by": ("签名人", "text", None),
    "hearing_at": ("听证日期", "date", None),
    "place": ("地点", "text", None),
    "host": ("主持人", "text", None),
    "record": ("笔录", "textarea", None),
    "interviewee": ("被询问（检查）人", "text", None),
    "clerk": ("记录人", "text", None),
    "attendees": ("其他出席人员", "text", None),
    "base_amount": ("计罚基数（元）", "money", None),
    "target": ("处罚对象", "select", {"": "单位或当事人本人", "person_in_charge": "直接负责的主管人员"}),
    "method": ("送达方式", "select", SERVICE_METHODS),
    "recipient": ("受送达人", "text", None),
    "witness": ("见证人", "text", None),
    "consent": ("受送达人已书面同意电子送达", "bool", None),
    "amount": ("金额（元）", "money", None),
    "towards": ("缴款用途", "select", {"fine": "罚款（含加处罚款），缴入国库", "return": "退回医疗保障基金，缴入基金专户"}),
    "receipt": ("票据号", "text", None),
    "filed_at": ("提起日期", "date", None),
    "court": ("人民法院", "text", None),
    "ruling_no": ("裁定书文号", "text", None),
    "receiver": ("受移送机关", "text", None),
    "note": ("备注", "textarea", None),
    "comment": ("说明", "textarea", None),
    "due_on": ("期限届满日", "date", None),
    "period_days": ("期限（日）", "int", None),
    "correction_days": ("改正期限（日）", "int", None),
    "quantity": ("数量", "text", None),
    "phone": ("联系电话", "text", None),
    "channel": ("告知方式", "text", None),
    "request": ("申请事项说明", "textarea", None),
    "audit_at": ("稽核日期", "date", None),
    "check_at": ("检查日期", "date", None),
    "deadline": ("期限届满日", "date", None),
    "submit_by": ("提交截止日期", "date", None),
    "valid_until": ("有效期至", "date", None),
    "effective_on": ("生效日期", "date", None),
    "until": ("期限至", "date", None),
    "upheld": ("异议成立", "bool", None),
    "corrected": ("已按要求改正", "bool", None),
    "party_present": ("当事人到场", "bool", None),
    "score": ("评分", "money", None),
    "recovered_amount": ("追回金额（元）", "money", None),
    "period": ("筛查期间", "text", None),
    "rules": ("筛查规则", "textarea", None),
    "measures": ("处理措施", "textarea", None),
    "scope": ("范围", "textarea", None),
    "findings": ("发现的问题", "textarea", None),
    "problems": ("发现的问题（每行一项；未发现问题则留空）", "lines", None),
    "penalty_item": ("拟立案的行政处罚事项", "penalty_item", None),
    "variant": ("检查方式", "variant", None),
    "basis": ("依据", "textarea", None),
    "items": ("物品清单（名称、数量、单位）", "itemlist", None),
    "items_planned": ("拟封存的物品", "textarea", None),
    "reference": ("参考文件", "text", None),
    "question": ("问题", "textarea", None),
    "answer": ("答复", "textarea", None),
    "tender_notice": ("招标公告", "text", None),
    "platform_ref": ("信用平台记录编号", "text", None),
    "source_case": ("来源案件编号", "text", None),
    "experts": ("评审专家", "text", None),
    "surveyor": ("成本调查人员", "text", None),
    "case_number": ("案件编号", "text", None),
    "reported_party": ("被举报人", "text", None),
    "content": ("公示内容", "textarea", None),
    "objection": ("异议内容", "textarea", None),
    "account": ("收款账户", "text", None),
    "voucher": ("拨付凭证号", "text", None),
    "filed_with": ("备案机关", "text", None),
    "deferral_kind": ("申请类别", "select", {"deferral": "延期缴纳", "instalment": "分期缴纳"}),
    "schedule": ("缴纳计划（每行一期：缴纳日期 金额）", "lines", None),
    "public_ground": ("公告送达的事由", "select",
                      {"": "（非公告送达）", "whereabouts_unknown": "受送达人下落不明",
                       "other_methods_failed": "用其他方式无法送达"}),
    "publication": ("公告载体（报刊、网站或公告栏）", "text", None),
    "social_impact": ("具有一定社会影响（应当公开）", "select", {"": "按本局设置", "yes": "是", "no": "否"}),
    "concluded_at": ("复议决定或裁判生效日期", "date", None),
    "bank": ("代收银行", "text", None),
    "matters": ("事项（每行一项）", "lines", None),
    "valid_from": ("委托期限起始日", "date", None),
    "valid_to": ("委托期限届满日", "date", None),
    "qualifications": ("受委托组织符合法定条件的情况", "textarea", None),
    "matter": ("实施的委托事项", "text", None),
    "acted_on": ("实施日期", "date", None),
    "assisted": ("予以协助", "bool", None),
    "result": ("协查结果", "textarea", None),
    "letter_no": ("来函文号", "text", None),
}


def _variants() -> dict[str, str]:
    try:
        from engine.rules.enforcement import VARIANTS
    except ImportError:
        return {"general": "一般检查"}
    return {"": "（按事项设置）", **VARIANTS}


def _notice_methods() -> dict[str, str]:
    try:
        from engine.rules.application import NOTICE_METHODS
    except ImportError:
        return {"on_spot": "当场告知", "sms": "短信告知", "post": "邮寄告知"}
    return dict(NOTICE_METHODS)


# A name that means something else in one flow: (flow key, name) → (label, widget, options).
PER_FLOW: dict[tuple[str, str], tuple[str, str, dict[str, str] | None]] = {
    ("application", "method"): ("告知方式", "select", None),
    ("application", "materials_received"): ("已收材料", "materials", None),
    ("application", "amount"): ("核定/拨付金额（元）", "money", None),
    ("price_setting", "items"): ("申请定调价的项目", "textarea", None),
    ("penalty", "outcome"): ("复议或诉讼结果", "select",
                             {"upheld": "维持", "changed": "变更", "revoked": "撤销", "withdrawn": "撤回申请或起诉"}),
    ("penalty", "fine"): ("罚款金额（元）", "money", None),
}
MATERIAL_FIELDS = {"materials", "materials_received", "received", "provided", "submitted"}
MISSING_FIELDS = {"missing", "missing_materials", "supplement", "to_supplement"}
for _name in MATERIAL_FIELDS:
    KNOWN[_name] = ("已收材料", "materials", None)
for _name in MISSING_FIELDS:
    KNOWN[_name] = ("须补正的材料", "materials", None)
SPECIAL = {"party", "officers"}

# Keys the flows' actions store in a case's data, for the case page.
DATA_LABELS = {
    "filing_proposal": "立案申请", "evidence": "调查取证记录", "investigation_report": "调查终结报告",
    # the lists kept in rows of their own (engine.entries), also titles of their pages
    "extensions": "延长期限", "interpretations": "采购条款解释", "interviews": "约谈记录",
    "objection_reviews": "异议复核", "objections": "异议", "refunds": "退还款项", "returns": "退回修改",
    "sanctions": "联合惩戒", "seal_extensions": "延长封存期限", "seal_ratifications": "补办封存批准",
    "site_records": "现场检查记录", "supplementary_investigations": "补充调查", "testing_spans": "检测、检验期间",
    "proposal": "拟处罚意见", "notified_fines": "已告知的罚款金额", "hearing_entitled": "可要求听证",
    "hearing_requested": "已要求听证", "hearing_held": "已举行听证", "legal_review": "法制审核意见",
    "decision": "决定", "service": "送达", "payments": "缴款记录", "statements": "陈述申辩", "hearing": "听证安排",
    "hearing_records": "听证笔录", "declined": "不予立案", "suspension": "中止调查", "termination": "终止调查",
    "seals": "封存", "preservations": "先行登记保存", "summary_decision": "当场处罚决定", "outcome": "结果",
    "materials_received": "已收材料", "materials_missing": "须补正材料", "received_at": "收件时间",
    "category": "申请类别",
    "supplement_notice": "一次性告知", "supplements": "补正记录", "accepted_at": "受理时间",
    "deemed_accepted": "视为受理", "review_level": "已完成审查层级", "reviews": "审查意见",
    "result_notice": "结果告知", "payout": "拨付", "refusal": "不予受理", "withdrawal": "撤回申请",
    "opened_cases": "引出的案件", "statement_waived": "放弃陈述申辩", "at": "时间", "by": "办理人",
    "level": "审查层级", "label": "说明", "missing": "须补正材料", "excluded_spans": "不计入期限的事项",
    "court_application": "申请法院强制执行", "appeals": "复议或诉讼", "fully_executed": "已全部履行",
    "decided_at": "决定时间", "served_at": "送达时间", "sealed_at": "封存时间", "audit_findings": "稽核发现的问题",
    "problems_open": "尚待处理的问题", "open_excluded_span": "正在进行的不计入期限事项", "recovery": "追回",
    "recusal_reason": "回避理由", "recused": "已回避", "release": "解除封存", "sealing": "封存", "surcharge": "加处罚款",
    "from": "自", "to": "至", "withdrawn": "已撤回", "procedure": "程序", "confiscation": "没收金额（元）",
    "owed": "应缴金额（元）", "payment_stopped": "已停止支付", "refund_ordered": "已责令退还", "expired": "已届满",
    "ground": "依据", "copies": "份数", "clarified": "事实已查清", "urgency": "紧急程度", "from_case": "来源案件",
    "lead_source": "线索来源", "lead_summary": "线索内容", "violation_ended_on": "违法行为终了日期", "app": "应用程序",
    "surcharge_days": "加处罚款天数", "days_late": "逾期天数", "due_at": "到期时间", "kind": "类别", "name": "名称",
    "unit": "单位", "open": "进行中", "flow": "流程", "item": "事项", "number": "编号",
    "summary_filing": "简易程序决定备案", "deferral_application": "延期（分期）缴纳申请",
    "deferral": "批准的延期（分期）缴纳", "deferral_refusals": "不予批准的延期（分期）缴纳申请",
    "schedule": "缴纳计划", "disclosure": "行政处罚决定公开", "disclosure_required": "应当公开",
    "disclosure_withdrawal_due": "应当撤回公开", "credit_records": "信用记录", "seal_releases": "解除封存",
    "released_sealing_cases": "一并解除的封存案件", "service_effective_at": "送达生效时间",
    "decision_revoked": "决定已被撤销", "collection_handovers": "当场收缴罚款交至行政机关",
    "collection_deposit": "当场收缴罚款缴付银行", "holds_released": "已解除封存和先行登记保存",
    "release_reason": "解除理由", "released_items": "解除封存的物品", "preservation_disposals": "先行登记保存处理",
    "reward_notice": "领奖通知", "reward_forfeited": "逾期未领取视为放弃", "entrustment": "委托书签发",
    "entrustment_publication": "委托书公布", "entrusted_acts": "受委托组织实施的处罚", "supervisions": "监督检查",
    "matters": "事项", "reply": "协查结果", "assisted": "予以协助",
    "conduct": "失信行为", "penalty": "行政处罚", "party": "当事人",
    "id_no": "身份证号码", "credit_code": "统一社会信用代码", "legal_rep": "法定代表人", "published_at": "公开时间",
    "withdrawn_at": "撤回时间", "withdrawal_reasons": "撤回理由", "deemed_served_at": "视为送达时间",
    "social_impact": "具有一定社会影响", "approved_by": "批准人", "approved_at": "批准时间", "refused_by": "不予批准人",
    "fiscal_receipt": "财政票据号码", "on_spot": "当场收缴", "outcome_label": "复议或诉讼结果",
    "original_fine": "原罚款金额", "revoked_at": "撤销日期", "case_id": "案件", "trigger": "操作",
    "entrustment_days": "委托期限（日）", "valid_from": "委托期限起始日", "valid_to": "委托期限届满日",
    "letter_no": "来函文号", "signed_by": "签发人",
    "basis_article": "处罚依据条款", "discretion_reasons": "裁量理由", "return_amount": "责令退回的金额（元）",
    "towards": "缴款用途", "interviewee": "被询问（检查）人", "discovered_on": "发现违法行为日期",
}


@lru_cache(maxsize=1)
def value_labels() -> dict[str, str]:
    """Chinese names of the option values the flows store (penalty kinds, service methods …)."""
    labels = {**SERVICE_METHODS, **PARTY_TYPES, **_penalty_kinds(), **_notice_methods()}
    labels.update(granted="准予", denied="不予", penalty="处罚", no_penalty="不予处罚", referred="移送")
    labels.update(
        testing="检验检测", appraisal="鉴定", expert_review="专家评审", public_notice="公示", hearing="听证",
        not_needed="不再需要", disapproved="未获批准", terminated="已终止", expired="期限届满", clarified="事实已查清",
        restrict_practice="限制从业", suspend_business="责令停产停业", revoke="吊销许可证件",
        confiscation_large="没收较大数额违法所得", warning="警告", general="一般检查", onsite="现场检查",
        network="网络检查", upheld="维持", changed="变更", revoked="撤销",
        normal="一般程序", emergency="紧急情况下当场实施",
    )
    labels.update(FLOW_VALUE_LABELS)
    labels.update(withdrawn="撤回申请或起诉", deferral="延期缴纳",
                  instalment="分期缴纳", whereabouts_unknown="受送达人下落不明", other_methods_failed="用其他方式无法送达",
                  summary="简易程序", terminate_execution="终结执行（解除封存）")
    return labels


# Labels the flows themselves give their payload keys and option values (guards' labels and options),
# learnt once per flow version so a timeline shows 管辖依据：违法行为发生地, not the stored key and value.
FLOW_FIELD_LABELS: dict[str, str] = {}
FLOW_VALUE_LABELS: dict[str, str] = {}
_LEARNT: set[tuple[str, int]] = set()


def learn_labels(flow: FlowSpec) -> None:
    """Add the labels and option names of one flow's guards to those pages show stored values with."""
    if (flow.key, flow.version) in _LEARNT:
        return
    _LEARNT.add((flow.key, flow.version))
    for key, (label, options) in guard_labels([flow.open, *flow.transitions]).items():
        FLOW_FIELD_LABELS.setdefault(key, label)
        for value, name in (options or {}).items():
            if value:
                FLOW_VALUE_LABELS.setdefault(str(value), str(name))
    value_labels.cache_clear()


@dataclass
class Field:
    name: str
    label: str
    widget: str  # text, textarea, int, money, date, bool, select, multi, materials, article
    options: dict[str, str] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    required: bool = False


def guard_labels(specs: list[TransitionSpec]) -> dict[str, tuple[str, dict[str, str] | None]]:
    """Labels (and options) that transitions give their payload keys through their guards."""
    found: dict[str, tuple[str, dict[str, str] | None]] = {}
    for spec in specs:
        for call in spec.guards:
            args = call.args
            for key, label in (args.get("labels") or {}).items():
                found.setdefault(str(key), (str(label), None))
            if "field" in args and "label" in args:
                options = args.get("options") if isinstance(args.get("options"), dict) else None
                found[str(args["field"])] = (str(args["label"]), options)
    return found


def required_of(spec: TransitionSpec) -> set[str]:
    names: set[str] = set()
    for call in spec.guards:
        if call.name == "requires":
            names.update(str(f) for f in call.args.get("fields", []))
        elif call.name in ("date_field", "choice") and "field" in call.args:
            names.add(str(call.args["field"]))
    return names


def fields_for(
    flow: FlowSpec, spec: TransitionSpec, item: CatalogueItem, peers: list[CatalogueItem] | None = None
) -> list[Field]:
    """The form of one transition (or of opening a case), without party and officers."""
    own = guard_labels([spec])
    elsewhere = guard_labels([flow.open, *flow.transitions])
    required = required_of(spec)
    result = []
    for name in spec.fields:
        if name in SPECIAL:
            continue
        known = PER_FLOW.get((flow.key, name)) or KNOWN.get(name)
        label, widget, options = known or (name, "text", None)
        if (flow.key, name) == ("application", "method"):
            options = _notice_methods()
        given = own.get(name) or (None if known else elsewhere.get(name))
        if given:
            label = given[0]
            if given[1]:
                widget, options = "select", given[1]
        widget_options = dict(options or {})
        suggestions: list[str] = []
        if widget == "multi" and name == "kinds":
            widget_options = _penalty_kinds()
        if widget == "article":
            widget = "text"
            suggestions = [str(a) for a in item.settings.get("penalty_articles") or []]
        if widget == "penalty_item":
            widget = "select"
            widget_options = {"": "（请选择）", **{p.code: f"{p.code} {p.name[:40]}" for p in peers or []
                                                  if p.flow == "penalty"}}
        if widget == "variant":
            widget = "select"
            widget_options = _variants()
        if widget == "materials":
            widget_options = {m: m for m in accepted_names(all_checklists(item.settings))}
            if not widget_options:
                widget = "textarea"
        result.append(Field(name, label, widget, widget_options, suggestions, name in required))
    return result


def payload_from(form: Any, fields: list[Field]) -> dict[str, Any]:
    """The payload of a submitted form: blanks left out so the engine names what is missing."""
    payload: dict[str, Any] = {}
    for f in fields:
        key = f"f.{f.name}"
        if f.widget in ("multi", "materials"):
            values = [str(v) for v in form.getlist(key) if str(v).strip()]
            if values:
                payload[f.name] = values
            continue
        if f.widget == "itemlist":
            rows = _item_rows(form, key)
            if rows:
                payload[f.name] = rows
            continue
        if f.widget == "lines":
            lines = [line.strip() for line in str(form.get(key) or "").splitlines() if line.strip()]
            if lines:
                payload[f.name] = lines
            continue
        if f.widget == "bool":
            payload[f.name] = form.get(key) in ("on", "1", "true")
            continue
        raw = str(form.get(key) or "").strip()
        if not raw:
            continue
        if f.widget == "int":
            payload[f.name] = int(raw) if raw.lstrip("-").isdigit() else raw
        elif f.widget == "money":
            payload[f.name] = _number(raw)
        else:
            payload[f.name] = raw
    return payload


ITEM_COLUMNS = (("name", "名称"), ("quantity", "数量"), ("unit", "单位"))
ITEM_ROWS = 4


def _item_rows(form: Any, key: str) -> list[dict[str, str]]:
    columns = {c: [str(v).strip() for v in form.getlist(f"{key}.{c}")] for c, _ in ITEM_COLUMNS}
    rows = []
    for index in range(max((len(v) for v in columns.values()), default=0)):
        row = {c: values[index] if index < len(values) else "" for c, values in columns.items()}
        if any(row.values()):
            rows.append({k: v for k, v in row.items() if v})
    return rows


def _number(raw: str) -> Any:
    try:
        value = float(raw)
    except ValueError:
        return raw  # the engine refuses it with the field's name
    return int(value) if value.is_integer() else value


def party_from(form: Any) -> dict[str, Any]:
    """The party of a form; the one box for 身份证号或统一社会信用代码 goes to the key of its type."""
    party = {
        key: str(form.get(f"party.{key}") or "").strip()
        for key in ("name", "type", "address", "credit_code", "id_no", "phone")
    }
    credit_code, id_no = party.pop("credit_code"), party.pop("id_no")
    number = credit_code or id_no
    party["id_no" if party["type"] == "individual" else "credit_code"] = number
    return {k: v for k, v in party.items() if v}


def officers_from(form: Any, names_by_cert: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The officers chosen on a form: certificate numbers picked from the bureau's certified officers.

    A form that also sends names (the API's shape) keeps them; otherwise the name is the holder's.
    """
    certs = [str(c).strip() for c in form.getlist("officer.cert_no")]
    names = [str(n).strip() for n in form.getlist("officer.name")]
    officers = []
    for index, cert in enumerate(certs):
        name = names[index] if index < len(names) and names[index] else (names_by_cert or {}).get(cert, "")
        if name or cert:
            officers.append({"name": name, "cert_no": cert})
    return officers


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# What a step's form carries over from earlier steps where the law keeps it the same: the decision
# states the facts, basis and penalty of the 拟处罚 notified to the party (处罚法第四十四条、第四十五条);
# a new 告知 starts from the last one. (flow, trigger) → {field: dotted path in the case's data}.
CARRIED: dict[tuple[str, str], dict[str, str]] = {
    ("penalty", "decide_penalty"): {
        "kinds": "proposal.kinds", "fine": "proposal.fine", "basis_article": "proposal.article",
        "facts": "proposal.facts", "reasons": "proposal.grounds", "return_amount": "proposal.return_amount",
    },
    ("penalty", "renotify"): {
        "facts": "proposal.facts", "grounds": "proposal.grounds", "kinds": "proposal.kinds",
        "fine": "proposal.fine", "article": "proposal.article",
    },
}


def carried_values(
    flow: str, trigger: str, data: dict[str, Any], form: list[Field] | None = None
) -> dict[str, Any]:
    """The values a step's form starts with, taken from the case's earlier records.

    Besides the declared carry-overs, a date the case already holds under the same name (e.g. the
    违法行为终了日期 given with the lead, asked again when filing) starts as the case's date.
    """
    values: dict[str, Any] = {}
    for asked in form or []:
        known = data.get(asked.name)
        if asked.widget == "date" and isinstance(known, str) and DAY.fullmatch(known[:10]):
            values[asked.name] = known[:10]
    for name, path in CARRIED.get((flow, trigger), {}).items():
        value: Any = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value in (None, "", []):
            continue
        if name == "fine" and str(value) in ("0", "0.00"):
            continue
        values[name] = value if isinstance(value, list) else str(value)
    return values


DOC_LABELS = {
    "filing_approval": "立案审批表",
    "filing_refusal": "不予立案审批表",
    "inquiry_record": "询问/现场笔录",
    "preservation_notice": "先行登记保存通知书",
    "sealing_decision": "封存决定书",
    "sealing_list": "封存清单",
    "release_decision": "解除封存决定书",
    "investigation_report": "调查终结报告",
    "legal_review_opinion": "法制审核意见书",
    "collective_discussion_record": "集体讨论记录",
    "penalty_notice": "行政处罚事先告知书",
    "hearing_rights_notice": "听证告知书",
    "hearing_notice": "听证通知书",
    "penalty_decision": "行政处罚决定书",
    "no_penalty_decision": "不予行政处罚决定书",
    "summary_decision": "当场行政处罚决定书",
    "referral": "移送书",
    "service_receipt": "送达回证",
    "demand_notice": "催告书",
    "surcharge_notice": "加处罚款决定书",
    "extension_approval": "延期审批表",
    "closing_report": "结案报告",
    "archive_index": "卷宗目录",
    "acceptance_notice": "受理通知书",
    "supplement_notice": "一次性告知书（补正材料通知书）",
    "refusal_notice": "不予受理通知书",
    "grant_notice": "准予决定告知书",
    "denial_notice": "不予决定告知书",
    "inspection_notice": "检查通知书",
    "correction_order": "责令限期改正通知书",
    "audit_notice": "稽核通知单",
    "audit_statement_notice": "稽核告知书",
    "audit_result_notice": "稽核结果告知书",
    "inspection_decision": "行政检查决定书",
}


def doc_label(kind: str) -> str:
    """The document's name: ours, else the title the documents' registry gives it (documents.kinds)."""
    if kind in DOC_LABELS:
        return DOC_LABELS[kind]
    from documents.kinds import KINDS

    known = KINDS.get(kind)
    return str(known.title) if known is not None else kind
