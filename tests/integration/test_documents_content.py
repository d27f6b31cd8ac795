"""Every document, rendered and read back with pdftotext: its required parts with the case's own values.

A 法制科 reviewer's checks, per document: the party block by party type, the bureau's accounts and
named remedy organs from its settings, the 案号 (never the internal case number), "你" or "你单位"
for a party whose type is known, and no doubled punctuation such as "。，".
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from documents.fields import build, draft
from documents.issuer import missing, render, required_of
from documents.kinds import KINDS
from documents.source import CaseFacts, IssuedRef
from engine.timeutil import TZ

INTERNAL_NUMBER = "XINJI-2026-00007"
CASE_REF = "辛医保立审〔2026〕3号"
ISSUED = datetime(2026, 4, 20, 10, 0, tzinfo=TZ)
FILED = datetime(2026, 3, 4, 9, 0, tzinfo=TZ)
LEAD = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

SETTINGS: dict[str, Any] = {
    "doc_prefix": "辛医保",
    "agency_address": "辛集市建设路88号",
    "contact_phone": "0311-83211234",
    "credit_code": "11130181MB0000000X",
    "window_address": "辛集市政务服务中心二楼医保窗口",
    "window_phone": "0311-83215678",
    "fine_bank": "中国农业银行辛集市支行",
    "fine_account_name": "辛集市财政局非税收入专户",
    "fine_account_no": "50-123456789012345",
    "refund_bank": "中国工商银行辛集市支行",
    "refund_account_name": "辛集市医疗保障基金支出户",
    "refund_account_no": "0402-987654321",
    "review_organ": "辛集市人民政府",
    "court": "辛集市人民法院",
    "supplement_days": 5,
    "result_clock": {"amount": 20, "unit": "working_days"},
}
ORGANISATION = {
    "name": "辛集市康宁大药房有限公司",
    "type": "organisation",
    "address": "辛集市兴华路16号",
    "credit_code": "91130181MA0ABCDE1X",
    "legal_rep": "赵六",
}
PERSON = {"name": "王小明", "type": "individual", "address": "辛集市新垒头镇王家庄村5号", "id_no": "130181199001011234"}
PROPOSAL = {
    "facts": "2025年1月至6月，当事人将目录外药品串换为目录内药品结算，造成医疗保障基金损失20000元。",
    "grounds": "当事人的行为违反了《医疗保障基金使用监督管理条例》第十五条第二款的规定",
    "kinds": ["fine"],
    "fine": "30000",
    "article": "《医疗保障基金使用监督管理条例》第三十八条第一款第五项",
    "return_amount": "20000",
    "discretion_reasons": "当事人初次违法，积极配合调查并已主动整改，依据本局裁量基准从轻处罚。",
}
DECISION = {
    **PROPOSAL,
    "outcome": "penalty",
    "decided_at": "2026-04-20T10:00:00+08:00",
    "statement_adopted": False,
    "statement_reasons": "当事人所称系系统对码错误，与调取的结算明细不符",
}


def _ref(kind: str, number: str, moment: datetime) -> IssuedRef:
    return IssuedRef(kind, KINDS[kind].title, number, moment)


def penalty_facts(kind: str, **overrides: Any) -> CaseFacts:
    data: dict[str, Any] = {
        "lead_source": "举报",
        "lead_summary": "群众举报该药房串换药品",
        "violation_ended_on": "2025-06-30",
        "filing_proposal": {"opinion": "建议立案"},
        "evidence": [{"kind": "party_statement", "record": "inquiry", "summary": "当事人负责人承认串换药品"}],
        "investigation_report": {"report": "事实清楚，证据确凿，建议给予行政处罚"},
        "legal_review": {"opinion": "事实清楚，证据确凿，程序合法，适用依据正确，同意"},
        "collective_discussion": {"participants": ["局长", "副局长", "法制科长"], "conclusion": "同意处罚意见"},
        "proposal": PROPOSAL,
        "hearing_entitled": True,
        "hearing_held": True,
        "statements": [{"statement": "串换系系统对码错误所致，请求免予处罚。"}],
        "hearing": {"hearing_at": "2026-04-10T09:30:00+08:00", "place": "本局三楼会议室", "host": "钱法制"},
        "decision": DECISION,
        "outcome": "penalty",
        "service": {"method": "direct", "recipient": "赵六", "served_at": "2026-04-21T10:00:00+08:00"},
        "payments": [{"amount": "30000"}],
        "seals": [{"items": [{"name": "处方", "quantity": 12, "unit": "张"}]}],
        "surcharge": {"amount": "2700", "owed": "32700"},
    }
    payload: dict[str, Any] = {
        "items": [{"name": "处方", "quantity": 12, "unit": "张"}, {"name": "结算单", "quantity": 3, "unit": "份"}],
        "reasons": "防止证据灭失",
        "reason": "案件事实已查清，不再需要封存",
        "summary": "询问药房负责人赵六，其承认串换药品",
        "place": "辛集市兴华路16号",
        "interviewee": "赵六",
        "opinion": "事实清楚，证据确凿，程序合法，适用依据正确，同意",
        "participants": ["局长", "副局长", "法制科长"],
        "conclusion": "同意处罚意见",
        "receiver": "辛集市公安局",
        "days": 30,
        "report": "事实清楚，证据确凿，建议给予行政处罚",
        "record": "当事人对调查人员出示的证据无异议，陈述系系统对码错误",
        "hearing_at": "2026-04-10T09:30:00+08:00",
        "host": "钱法制",
        "party_signed": True,
        "host_signed": True,
    }
    issued = [
        _ref("filing_approval", CASE_REF, FILED),
        _ref("sealing_decision", "辛医保封决〔2026〕2号", FILED + timedelta(days=1)),
        _ref("penalty_notice", "辛医保罚告〔2026〕4号", datetime(2026, 3, 20, 10, 0, tzinfo=TZ)),
        _ref("penalty_decision", "辛医保罚决〔2026〕1号", datetime(2026, 4, 20, 10, 0, tzinfo=TZ)),
    ]
    facts = CaseFacts(
        case_id=7,
        case_number=INTERNAL_NUMBER,
        bureau="xinji",
        agency="辛集市医疗保障局",
        item_name="对定点医药机构串换药品的处罚",
        item_basis=["《医疗保障基金使用监督管理条例》第三十八条"],
        party=dict(ORGANISATION),
        officers=[{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}],
        data=data,
        payload=payload,
        settings=dict(SETTINGS),
        moment=ISSUED,
        opened_at=LEAD,
        actor="局长",
        deadlines={
            "statement": datetime(2026, 3, 25, tzinfo=TZ),
            "hearing_request": datetime(2026, 3, 27, tzinfo=TZ),
            "decision": datetime(2026, 6, 2, tzinfo=TZ),
            "evidence_seal": datetime(2026, 4, 4, tzinfo=TZ),
            "payment": datetime(2026, 5, 6, tzinfo=TZ),
            "demand_wait": datetime(2026, 5, 20, tzinfo=TZ),
            "preservation": datetime(2026, 3, 13, tzinfo=TZ),
        },
        clock_starts={"decision": FILED, "evidence_seal": FILED + timedelta(days=1)},
        issued=[r for r in issued if r.kind != kind],
        power_type="行政处罚",
    )
    for key, value in overrides.items():
        setattr(facts, key, value)
    return facts


def hall_facts(kind: str, **overrides: Any) -> CaseFacts:
    data: dict[str, Any] = {
        "received_at": "2026-04-01T09:00:00+08:00",
        "materials_received": ["身份证", "诊断证明"],
        "supplement_notice": {"missing": ["近两年住院病历", "相关检查报告"]},
        "decision": {"outcome": "granted", "amount": "1200"},
    }
    payload: dict[str, Any] = {
        "disease": "高血压（Ⅲ级）",
        "valid_from": "2026-05-01",
        "valid_until": "2028-04-30",
        "reasons": "所交病历不能证明符合高血压（Ⅲ级）认定标准",
    }
    facts = CaseFacts(
        case_id=8,
        case_number="XINJI-2026-00008",
        bureau="xinji",
        agency="辛集市医疗保障局",
        item_name="门诊慢特病认定",
        item_basis=["《社会保险经办条例》第十八条"],
        party=dict(PERSON),
        officers=[],
        data=data,
        payload=payload,
        settings=dict(SETTINGS),
        moment=datetime(2026, 4, 3, 10, 0, tzinfo=TZ),
        opened_at=datetime(2026, 4, 1, 9, 0, tzinfo=TZ),
        actor="窗口",
        deadlines={"result": datetime(2026, 4, 30, tzinfo=TZ), "payout": datetime(2026, 5, 22, tzinfo=TZ)},
        issued=[] if kind == "acceptance_notice" else [_ref("acceptance_notice", "辛医保受通〔2026〕9号", ISSUED)],
        power_type="行政确认",
    )
    for key, value in overrides.items():
        setattr(facts, key, value)
    return facts


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "doc") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return text


def flat(text: str) -> str:
    """The text without line breaks, padding or page numbers, so a value broken over two lines or pages is found."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


def issue(facts: CaseFacts, kind: str, tmp_path: Path, number: str = "辛医保X〔2026〕1号") -> str:
    made = draft(kind, facts)
    fields = made.fields
    assert missing(required_of(KINDS[kind], fields), fields) == [] and made.unset_settings == ()
    return flat(pdf_text(render(KINDS[kind], fields, number), tmp_path, kind))


def assert_clean(text: str, *, internal: str = INTERNAL_NUMBER) -> None:
    assert "你（单位）" not in text
    assert internal not in text and "案件编号" not in text
    for doubled in ("。，", "。。", "。；", "，。", "；。"):
        assert doubled not in text, doubled
    assert "None" not in text and "本局尚未" not in text
    assert not re.search(r"[a-z]+_[a-z]+", text), re.search(r"[a-z]+_[a-z]+", text)


ORG_BLOCK = ["辛集市康宁大药房有限公司", "91130181MA0ABCDE1X", "法定代表人（负责人）：赵六", "辛集市兴华路16号"]
REMEDIES = ["六十日内向辛集市人民政府申请行政复议", "六个月内向辛集市人民法院提起行政诉讼"]
PENALTY_EXPECTED: dict[str, list[str]] = {
    "penalty_decision": [
        *ORG_BLOCK,
        f"（案号：{CASE_REF}）",
        "造成医疗保障基金损失20000元。",
        "当事人的陈述（询问笔录）：当事人负责人承认串换药品",
        "违反了《医疗保障基金使用监督管理条例》第十五条第二款的规定",
        "2026年3月20日向当事人送达了辛医保罚告〔2026〕4号《行政处罚事先告知书》",
        "串换系系统对码错误所致，请求免予处罚。",
        "经复核，本机关认为当事人所称系系统对码错误，与调取的结算明细不符，不予采纳。",
        "于2026年4月10日举行了听证",
        "裁量理由：当事人初次违法，积极配合调查并已主动整改，依据本局裁量基准从轻处罚。",
        "依据《医疗保障基金使用监督管理条例》第三十八条第一款第五项的规定",
        "一、责令退回医疗保障基金人民币20,000.00元（大写：贰万元整）。",
        "二、罚款人民币30,000.00元（大写：叁万元整）。",
        "中国工商银行辛集市支行（户名：辛集市医疗保障基金支出户；账号：0402-987654321）",
        "中国农业银行辛集市支行（户名：辛集市财政局非税收入专户；账号：50-123456789012345）",
        "十五日内",
        "每日按罚款数额的百分之三加处罚款",
        *REMEDIES,
        "辛集市医疗保障局2026年4月20日",
    ],
    "penalty_notice": [*ORG_BLOCK, "你单位涉嫌违法一案", "2026年3月25日", "2026年3月27日", "责令退回医疗保障基金",
                       "联系地址：辛集市建设路88号", "联系电话：0311-83211234", "你单位享有陈述、申辩的权利"],
    "hearing_rights_notice": ["拟对你单位作出", "2026年3月27日", f"（案号：{CASE_REF}）"],
    "hearing_notice": ["2026年4月10日9时30分", "钱法制", f"（案号：{CASE_REF}）"],
    "hearing_record": ["2026年4月10日9时30分", "本局三楼会议室", "钱法制", "当事人对调查人员出示的证据无异议",
                       "以上笔录已经本人核对，与所述一致。", "记录人签名", "当事人已核对并签字"],
    "filing_approval": ["举报", "群众举报该药房串换药品", "2025年6月30日", "建议立案", "91130181MA0ABCDE1X"],
    "filing_refusal": ["群众举报该药房串换药品", "防止证据灭失"],
    "inquiry_record": ["赵六", "询问药房负责人赵六，其承认串换药品", "JZ-001", CASE_REF],
    "preservation_notice": ["处方", "12张", "2026年3月13日", "你单位不得使用"],
    "sealing_decision": [*ORG_BLOCK, "防止证据灭失", "自2026年3月5日起至2026年4月4日止", "结算单", *REMEDIES],
    "sealing_list": ["辛医保封决〔2026〕2号", "处方", "当事人留存", "行政机关留存"],
    "release_decision": ["辛医保封决〔2026〕2号", "案件事实已查清，不再需要封存", "处方　12张"],
    "investigation_report": ["立案日期", "2026年3月4日", "事实清楚，证据确凿，建议给予行政处罚", f"案号{CASE_REF}"],
    "legal_review_opinion": ["事实清楚，证据确凿，程序合法，适用依据正确，同意", "裁量理由", "第三十八条第一款第五项"],
    "collective_discussion_record": ["局长；副局长；法制科长", "同意处罚意见", "责令退回医疗保障基金"],
    "no_penalty_decision": [*ORG_BLOCK, *REMEDIES],
    "summary_decision": [*ORG_BLOCK, "罚款人民币30,000.00元", *REMEDIES],
    "referral": ["辛集市公安局", "防止证据灭失"],
    "service_receipt": ["《行政处罚决定书》辛医保罚决〔2026〕1号", "直接送达", "赵六", "2026年4月21日10时00分",
                        "受送达人签名或盖章", "送达人签名", "见证人签名"],
    "demand_notice": ["你单位应于2026年5月6日前缴纳罚款", "辛医保罚决〔2026〕1号", "中国农业银行辛集市支行",
                      "人民币32,700.00元"],
    "surcharge_notice": ["辛医保罚决〔2026〕1号", "2026年5月7日", "中国农业银行辛集市支行", *REMEDIES],
    "seal_extension_notice": [f"本机关于2026年3月4日立案调查的案件（案号：{CASE_REF}）中依法封存的物品", "封存期限延长30日",
                              "案件事实已查清，不再需要封存", "2026年4月4日"],
    "extension_approval": ["立案日期", "2026年3月4日", "30", "2026年6月2日"],
    "closing_report": ["立案日期", "2026年3月4日", "辛医保罚决〔2026〕1号《行政处罚决定书》", "2026年4月21日",
                       "已缴纳人民币30,000.00元"],
    "archive_index": [CASE_REF, "封存决定书", "行政处罚决定书"],
}


OTHER_EXPECTED: dict[str, list[str]] = {
    "inspection_notice": ["对你单位医疗保障基金使用情况进行检查", "2026年4月22日9时00分", "2025年度住院结算", "JZ-001"],
    "correction_order": ["你单位存在下列问题：未按规定公示药品价格", "2026年5月20日", "责令你单位"],
    "audit_notice": ["决定对你单位进行稽核", "2025年度住院结算"],
    "audit_statement_notice": ["未按规定公示药品价格", "2026年5月20日"],
    "audit_result_notice": ["未按规定公示药品价格", "退回多结算的费用",
                            "如不服本稽核结果，可以自收到本告知书之日起六十日内向辛集市人民政府申请行政复议"],
    "inspection_decision": [*ORG_BLOCK, "未按规定公示药品价格", "退回多结算的费用", *REMEDIES],
}
OTHER_PAYLOAD = {
    "check_at": "2026-04-22T09:00:00+08:00",
    "scope": "2025年度住院结算",
    "problems": "未按规定公示药品价格",
    "conclusion": "未按规定公示药品价格",
    "measures": "退回多结算的费用",
    "correction_due": "2026-05-20",
}


@pytest.mark.parametrize("kind", sorted(OTHER_EXPECTED))
def test_inspection_and_audit_documents_carry_their_parts(kind: str, tmp_path: Path) -> None:
    facts = penalty_facts(kind, payload=dict(OTHER_PAYLOAD), issued=[])
    facts.deadlines["statement"] = datetime(2026, 5, 20, tzinfo=TZ)
    text = issue(facts, kind, tmp_path)
    for part in OTHER_EXPECTED[kind]:
        assert flat(part) in text, (kind, part)
    assert_clean(text)


@pytest.mark.parametrize("kind", sorted(PENALTY_EXPECTED))
def test_penalty_documents_carry_their_required_parts(kind: str, tmp_path: Path) -> None:
    facts = penalty_facts(kind)
    if kind == "no_penalty_decision":
        facts.data["decision"] = {"outcome": "no_penalty", "reasons": "违法行为轻微并及时改正，没有造成危害后果"}
        facts.data["outcome"] = "no_penalty"
    if kind == "summary_decision":
        facts.data["decision"] = {"outcome": "penalty", "kinds": ["fine"], "fine": "30000", "article": "条例第三十八条",
                                  "facts": "串换药品"}
    text = issue(facts, kind, tmp_path)
    for part in PENALTY_EXPECTED[kind]:
        assert flat(part) in text, (kind, part)
    assert_clean(text)


HALL_EXPECTED: dict[str, list[str]] = {
    "acceptance_notice": ["王小明：", "你于2026年4月1日提出的“门诊慢特病认定”申请", "身份证；诊断证明",
                          "2026年4月30日", "受理之日起20个工作日内", "辛集市政务服务中心二楼医保窗口", "0311-83215678"],
    "supplement_notice": ["1.近两年住院病历", "2.相关检查报告", "收到本告知书之日起5个工作日内", "《社会保险经办条例》",
                          "辛集市政务服务中心二楼医保窗口", "0311-83215678", "你于2026年4月1日"],
    "grant_notice": ["准予事项：门诊慢特病认定", "认定病种：高血压（Ⅲ级）", "待遇享受起始日期：2026年5月1日",
                     "有效期至：2028年4月30日", "核定金额：人民币1,200.00元", "2026年5月22日前拨付",
                     "辛医保受通〔2026〕9号", *REMEDIES],
    "denial_notice": ["不予准予", "所交病历不能证明符合高血压（Ⅲ级）认定标准。", *REMEDIES],
    "refusal_notice": ["不予受理", "所交病历不能证明符合高血压（Ⅲ级）认定标准。", *REMEDIES],
}


@pytest.mark.parametrize("kind", sorted(HALL_EXPECTED))
def test_hall_notices_tell_the_applicant_what_they_need(kind: str, tmp_path: Path) -> None:
    text = issue(hall_facts(kind), kind, tmp_path)
    for part in HALL_EXPECTED[kind]:
        assert flat(part) in text, (kind, part)
    assert "你单位" not in text
    assert_clean(text, internal="XINJI-2026-00008")


def test_the_one_time_notice_cites_the_licensing_law_only_for_a_licence(tmp_path: Path) -> None:
    confirmation = issue(hall_facts("supplement_notice"), "supplement_notice", tmp_path)
    licence = issue(hall_facts("supplement_notice", power_type="行政许可"), "supplement_notice", tmp_path)
    assert "行政许可法" not in confirmation
    assert "《中华人民共和国行政许可法》第三十二条第一款第四项" in licence


def test_an_organisation_is_addressed_as_your_unit(tmp_path: Path) -> None:
    text = issue(hall_facts("acceptance_notice", party=dict(ORGANISATION)), "acceptance_notice", tmp_path)
    assert "你单位于2026年4月1日" in text and "你（单位）" not in text


def test_an_individual_party_block_has_name_id_and_address(tmp_path: Path) -> None:
    text = issue(penalty_facts("penalty_decision", party=dict(PERSON)), "penalty_decision", tmp_path)
    assert "当事人：王小明" in text and "身份证件号码：130181199001011234" in text
    assert "住址：辛集市新垒头镇王家庄村5号" in text and "统一社会信用代码" not in text


def test_empty_bureau_settings_are_listed_for_the_issuer_and_never_printed_as_a_note(tmp_path: Path) -> None:
    """A decision prints where to pay and where to appeal (处罚法第五十九条): the settings it needs are
    named so issuing refuses it; the preview shows fill-in lines, not a note addressed to the bureau."""
    facts = penalty_facts("penalty_decision", settings={"doc_prefix": "辛医保"})
    made = draft("penalty_decision", facts)
    assert made.unset_settings == (
        "refund_bank", "refund_account_name", "refund_account_no",
        "fine_bank", "fine_account_name", "fine_account_no",
        "review_organ", "court",
    )
    text = flat(pdf_text(render(KINDS["penalty_decision"], made.fields, "辛医保罚决〔2026〕1号"), tmp_path))
    assert "本局尚未" not in text and "本局设置" not in text
    assert "缴入医疗保障基金专户：＿＿＿＿＿＿（户名：＿＿＿＿＿＿；账号：＿＿＿＿＿＿）" in text
    assert "本级人民政府" not in text and "有管辖权的人民法院" not in text
    assert facts.unset_settings == []  # each draft keeps its own list


def test_a_party_s_identifier_or_representative_the_case_lacks_is_left_out_not_left_blank(tmp_path: Path) -> None:
    bare = {"name": "辛集市康宁大药房有限公司", "type": "organisation", "address": "辛集市兴华路16号"}
    text = issue(penalty_facts("penalty_decision", party=bare), "penalty_decision", tmp_path)
    assert "当事人：辛集市康宁大药房有限公司" in text and "住所：辛集市兴华路16号" in text
    assert "法定代表人" not in text and "统一社会信用代码" not in text
    text = issue(penalty_facts("filing_approval", party=bare), "filing_approval", tmp_path)
    assert "统一社会信用代码—" in text  # a form's row stays, marked as having nothing


def test_an_officer_without_a_certificate_number_is_named_without_an_empty_label() -> None:
    facts = penalty_facts("inquiry_record", officers=[{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": ""}])
    assert build("inquiry_record", facts)["officers_text"] == "张三（执法证号：JZ-001）、李四"


def test_a_notice_leaves_out_the_contact_lines_the_bureau_has_not_filled_in(tmp_path: Path) -> None:
    bare = {"doc_prefix": "辛医保", "review_organ": "辛集市人民政府", "court": "辛集市人民法院"}
    for kind in ("supplement_notice", "acceptance_notice", "refusal_notice"):
        text = issue(hall_facts(kind, settings=dict(bare)), kind, tmp_path)
        assert "本局尚未" not in text and "联系电话" not in text and "地址：" not in text, kind
        assert draft(kind, hall_facts(kind, settings=dict(bare))).unset_settings == (), kind
    text = issue(hall_facts("supplement_notice", settings=dict(bare)), "supplement_notice", tmp_path)
    assert "请你将上述全部材料提交至本机关办事窗口。" in text
    text = issue(penalty_facts("penalty_notice", settings=dict(bare)), "penalty_notice", tmp_path)
    assert "本局尚未" not in text and "联系电话" not in text


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return [flat(page) for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("extra", range(0, 520, 65))
def test_the_seal_block_stays_with_the_last_paragraph(extra: int, tmp_path: Path) -> None:
    """Whatever the length of the facts, the 落款 is on the page of the last paragraph (GB/T 9704)."""
    facts = penalty_facts("penalty_decision")
    facts.data["decision"] = {**DECISION, "facts": DECISION["facts"] + "当事人另有串换行为，" * (extra // 10)}
    fields = build("penalty_decision", facts)
    pages = page_texts(render(KINDS["penalty_decision"], fields, "辛医保罚决〔2026〕1号"), tmp_path)
    last = next(i for i, page in enumerate(pages) if "（印章）" in page)
    assert "本机关将依法申请人民法院强制执行。" in pages[last], (extra, len(pages), last)
    assert "辛集市医疗保障局2026年4月20日" in pages[last]
