"""The registry of document kinds: title, template, number infix and the contents the law requires.

A kind's key is what a flow names in a transition's ``documents:``. Each required field names
the value in the document's fields (see ``documents.fields``), the Chinese label a clerk sees
and the article that demands it, so a refusal reads "缺少“当事人住所或地址”（处罚法第五十九条）".
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Articles cited by the required fields.
A59 = "处罚法第五十九条"
A44 = "处罚法第四十四条"
A52 = "处罚法第五十二条"
A64 = "处罚法第六十四条"
A61 = "处罚法第六十一条；民诉法第八十七条至第八十九条"
Q24 = "强制法第二十四条"
Q27 = "强制法第二十七条、第二十八条"
Q35 = "强制法第三十五条"
Q45 = "强制法第四十五条；处罚法第七十二条"
X32 = "许可法第三十二条"
X38 = "许可法第三十八条"
L4 = "令4号"


@dataclass(frozen=True)
class Required:
    field: str
    label: str
    article: str


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    infix: str  # the kind's part of the 文号, e.g. 罚决 in 辛医保罚决〔2026〕3号
    required: tuple[Required, ...] = field(default_factory=tuple)
    addressed: bool = True  # addressed to the party (name at the top) rather than an internal form
    copies: tuple[str, ...] = ("",)  # one page set per copy, e.g. the party's and the agency's

    @property
    def template(self) -> str:
        return f"{self.key}.html"


def _r(*triples: tuple[str, str, str]) -> tuple[Required, ...]:
    return tuple(Required(*t) for t in triples)


def _party(article: str) -> tuple[str, str, str]:
    return ("party_name", "当事人名称或姓名", article)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        # --- 行政处罚 -----------------------------------------------------------------------
        Kind(
            "filing_approval",
            "立案审批表",
            "立审",
            _r(_party(L4 + "第十八条"), ("lead_summary", "案件来源及简要案情", L4 + "第十八条")),
            addressed=False,
        ),
        Kind(
            "filing_refusal",
            "不予立案审批表",
            "不立审",
            _r(_party(L4 + "第十八条"), ("reasons", "不予立案理由", L4 + "第十八条")),
            addressed=False,
        ),
        Kind(
            "inquiry_record",
            "询问（现场）笔录",
            "笔录",
            _r(_party("处罚法第五十五条"), ("summary", "笔录内容", "处罚法第五十五条")),
            addressed=False,
        ),
        Kind(
            "preservation_notice",
            "先行登记保存通知书",
            "先保",
            _r(_party("处罚法第五十六条"), ("items_text", "先行登记保存物品清单", "处罚法第五十六条")),
        ),
        Kind(
            "sealing_decision",
            "封存决定书",
            "封决",
            _r(
                _party(Q24),
                ("party_address", "当事人住所或地址", Q24),
                ("reasons", "封存的理由", Q24),
                ("basis", "封存的依据", Q24),
                ("period_text", "封存的期限", Q24),
                ("items_text", "封存物品的名称、数量", Q24),
                ("remedies", "申请行政复议或者提起行政诉讼的途径和期限", Q24),
                ("agency", "行政机关的名称", Q24),
            ),
            addressed=False,
        ),
        Kind(
            "sealing_list",
            "封存清单",
            "封清",
            _r(_party(Q24), ("items_text", "封存物品的名称、数量", Q24)),
            addressed=False,
            copies=("当事人留存", "行政机关留存"),
        ),
        Kind(
            "release_decision", "解除封存决定书", "解封", _r(_party(Q27), ("reason", "解除封存的理由", Q27))
        ),
        Kind(
            "seal_extension_notice",
            "延长封存期限通知书",
            "延封",
            _r(
                _party("强制法第二十五条"),
                ("days", "延长的期限", "强制法第二十五条"),
                ("reason", "延长的理由", "强制法第二十五条"),
                ("new_due", "延长后的封存期限", "强制法第二十五条"),
            ),
        ),
        Kind(
            "investigation_report",
            "调查终结报告",
            "调终",
            _r(_party(L4 + "第三十六条"), ("report", "调查终结报告内容", L4 + "第三十六条")),
            addressed=False,
        ),
        Kind(
            "legal_review_opinion",
            "法制审核意见书",
            "法审",
            _r(_party("处罚法第五十八条"), ("opinion", "审核意见", "处罚法第五十八条")),
            addressed=False,
        ),
        Kind(
            "collective_discussion_record",
            "集体讨论记录",
            "集讨",
            _r(
                _party("处罚法第五十七条"),
                ("participants", "参加人员", "处罚法第五十七条"),
                ("conclusion", "讨论结论", "处罚法第五十七条"),
            ),
            addressed=False,
        ),
        Kind(
            "penalty_notice",
            "行政处罚事先告知书",
            "罚告",
            _r(
                _party(A44),
                ("facts", "拟作出行政处罚的事实", A44),
                ("grounds", "拟作出行政处罚的理由及依据", A44),
                ("penalty_text", "拟作出的行政处罚内容", A44),
                ("statement_due", "陈述、申辩期限", A44 + "、第四十五条"),
            ),
        ),
        Kind(
            "hearing_rights_notice",
            "行政处罚听证告知书",
            "听告",
            _r(
                _party("处罚法第六十三条"),
                ("penalty_text", "拟作出的行政处罚内容", "处罚法第六十三条"),
                ("hearing_request_due", "申请听证期限", A64),
            ),
        ),
        Kind(
            "hearing_notice",
            "听证通知书",
            "听通",
            _r(_party(A64), ("hearing_at", "举行听证的时间", A64), ("place", "举行听证的地点", A64)),
        ),
        Kind(
            "hearing_record",
            "听证笔录",
            "听录",
            _r(
                _party(A64),
                ("hearing_at", "举行听证的时间", "处罚法第六十四条第八项"),
                ("host", "听证主持人", "处罚法第六十四条第四项"),
                ("record", "听证笔录内容", "处罚法第六十四条第八项"),
                ("party_signature", "当事人签字或拒签情况", "处罚法第六十四条第八项"),
            ),
            addressed=False,
        ),
        Kind(
            "penalty_decision",
            "行政处罚决定书",
            "罚决",
            _r(
                _party(A59),
                ("party_address", "当事人住所或地址", A59),
                ("facts", "违反法律、法规、规章的事实", A59),
                ("evidence_text", "证据", A59),
                ("penalty_text", "行政处罚的种类", A59),
                ("article", "行政处罚的依据", A59),
                ("performance", "行政处罚的履行方式和期限", A59),
                ("remedies", "申请行政复议、提起行政诉讼的途径和期限", A59),
                ("agency", "作出决定的行政机关名称", A59),
            ),
            addressed=False,
        ),
        Kind(
            "no_penalty_decision",
            "不予行政处罚决定书",
            "不罚决",
            _r(
                _party("处罚法第五十七条"),
                ("reasons", "不予行政处罚的理由", "处罚法第五十七条"),
                ("remedies", "申请行政复议、提起行政诉讼的途径和期限", "处罚法第五十七条"),
            ),
            addressed=False,
        ),
        Kind(
            "summary_decision",
            "当场行政处罚决定书",
            "当罚决",
            _r(
                _party(A52),
                ("facts", "当事人的违法行为", A52),
                ("penalty_text", "行政处罚的种类", A52),
                ("article", "行政处罚的依据", A52),
                ("remedies", "申请行政复议、提起行政诉讼的途径和期限", A52),
            ),
            addressed=False,
        ),
        Kind(
            "referral",
            "案件移送书",
            "移",
            _r(
                _party("处罚法第二十七条"),
                ("receiver", "受移送机关", "处罚法第二十七条"),
                ("reasons", "移送理由", "处罚法第二十七条"),
            ),
            addressed=False,
        ),
        Kind(
            "service_receipt",
            "送达回证",
            "送证",
            _r(
                ("served_title", "送达文书名称", A61),
                ("method_label", "送达方式", A61),
                ("recipient", "受送达人", A61),
                ("served_on", "送达日期", A61),
            ),
            addressed=False,
        ),
        Kind(
            "demand_notice",
            "催告书",
            "催告",
            _r(
                _party(Q35),
                ("obligation_text", "履行义务的期限、方式", Q35),
                ("fine_text", "涉及金钱给付的金额", Q35),
            ),
            addressed=False,
        ),
        Kind(
            "surcharge_notice",
            "加处罚款决定书",
            "加罚决",
            _r(_party(Q45), ("fine_text", "罚款数额", Q45), ("payment_due", "罚款缴纳期限", Q45)),
            addressed=False,
        ),
        Kind(
            "extension_approval",
            "延长办案期限审批表",
            "延审",
            _r(
                _party("处罚法第六十条"),
                ("days", "延长天数", "处罚法第六十条"),
                ("reason", "延长理由", "处罚法第六十条"),
            ),
            addressed=False,
        ),
        Kind("closing_report", "结案报告", "结报", _r(_party(L4 + "第五十七条")), addressed=False),
        Kind("archive_index", "卷宗目录", "卷目", _r(_party(L4 + "第五十八条")), addressed=False),
        # --- 依申请事项 -----------------------------------------------------------------------
        Kind("acceptance_notice", "受理通知书", "受通", _r(_party(X32))),
        Kind(
            "supplement_notice",
            "补正材料通知书（一次性告知书）",
            "补告",
            _r(_party(X32), ("missing_text", "需要补正的全部材料", X32)),
        ),
        Kind(
            "refusal_notice", "不予受理通知书", "不受通", _r(_party(X32), ("reasons", "不予受理的理由", X32))
        ),
        Kind("grant_notice", "准予决定告知书", "准告", _r(_party(X38))),
        Kind(
            "denial_notice",
            "不予决定告知书",
            "不准告",
            _r(
                _party(X38),
                ("reasons", "不予准予的理由", X38),
                ("remedies", "申请行政复议、提起行政诉讼的权利", X38),
            ),
        ),
        # --- 检查、稽核 -----------------------------------------------------------------------
        Kind("inspection_notice", "检查通知书", "检通", _r(_party("条例第二十七条"))),
        Kind(
            "correction_order",
            "责令限期改正通知书",
            "责改",
            _r(
                _party("处罚法第二十八条"),
                ("problems", "违法事实", "处罚法第二十八条"),
                ("correction_due", "改正期限", "处罚法第二十八条"),
            ),
        ),
        Kind("audit_notice", "稽核通知单", "稽通", _r(_party("社会保险稽核办法第八条"))),
        Kind(
            "audit_statement_notice",
            "稽核告知书",
            "稽告",
            _r(_party("社会保险稽核办法第九条"), ("problems", "稽核发现的问题", "社会保险稽核办法第九条")),
        ),
        Kind(
            "audit_result_notice",
            "稽核结果告知书",
            "稽结",
            _r(_party("社会保险稽核办法第十条"), ("conclusion", "稽核结论", "社会保险稽核办法第十条")),
        ),
        Kind(
            "inspection_decision",
            "行政检查决定书",
            "检决",
            _r(_party("条例第二十七条"), ("conclusion", "检查结论及处理决定", "条例第二十七条")),
            addressed=False,
        ),
        # --- 执行、公开；内部程序 -------------------------------------------------------------
        Kind(
            "disclosure_record",
            "行政处罚决定信息公开记录",
            "公开",
            _r(
                ("decision_number", "行政处罚决定书文号", "处罚法第四十八条"),
                ("published_name", "公开的当事人名称（姓名已隐去）", "处罚法第四十八条"),
                ("penalty_text", "行政处罚的种类和数额", "处罚法第四十八条"),
                ("channel", "公开渠道", "处罚法第四十八条"),
            ),
            addressed=False,
        ),
        Kind(
            "deferral_decision",
            "延期（分期）缴纳罚款决定书",
            "缓缴",
            _r(
                _party("处罚法第六十六条"),
                ("decision_number", "行政处罚决定书文号", "处罚法第六十六条"),
                ("schedule_text", "延期（分期）缴纳的期限和金额", "处罚法第六十六条"),
            ),
        ),
        Kind(
            "entrustment_letter",
            "行政处罚委托书",
            "委托",
            _r(
                _party("处罚法第二十条"),
                ("matters_text", "委托的具体事项", "处罚法第二十条"),
                ("period_text", "委托期限", "处罚法第二十条"),
            ),
        ),
        Kind(
            "assistance_request",
            "协助调查函",
            "协查",
            _r(
                _party("处罚法第二十六条"),
                ("matters", "请求协助的事项", "处罚法第二十六条"),
                ("reasons", "请求协助的理由", "处罚法第二十六条"),
            ),
        ),
        Kind(
            "assistance_reply",
            "协助调查复函",
            "协复",
            _r(_party("处罚法第二十六条"), ("reply_text", "协查结果或不予协助的理由", "处罚法第二十六条")),
        ),
    ]
}


def kind_of(key: str) -> Kind:
    from engine.errors import NotFound

    try:
        return KINDS[key]
    except KeyError:
        raise NotFound("DOCUMENT_KIND_UNKNOWN", f"没有名为“{key}”的文书种类", kind=key) from None
