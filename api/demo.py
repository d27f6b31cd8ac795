"""Demo data for `caseflow serve --demo`: 高邑县医疗保障局 with a user for every role and a few
dozen cases in every stage, so each role has real work on first login.

The cases are made by the engine's own actions (``CaseService.open_case`` and ``fire``) at
back-dated moments, as if the bureau had been working for a year: every event, clock, document
number and read-model row is the engine's, none is written by hand. Cases are spread so that some
are overdue, some due in the next days, some decided and paid, some archived.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from api.bureaus import save_settings, settings_of
from api.deps import AppState
from api.registers import add_department
from api.users import SYSTEM, actor_of, create_user
from engine.definitions import ROLE_LABELS, Role
from engine.errors import DomainError
from engine.materials import checklist
from engine.model import Actor
from engine.tables import Department, User
from engine.timeutil import TZ as SHANGHAI

BUREAU = "gaoyi"
BUREAU_NAME = "高邑县医疗保障局"
PASSWORD = "caseflow-demo"
ENFORCEMENT = "基金监管科"
SERVICE = "高邑县医疗保险服务中心"
DEPARTMENTS = [ENFORCEMENT, SERVICE, "医管科", "价采科", "待遇保障科"]
USERS: list[dict[str, Any]] = [
    {"username": "zhangwei", "name": "张伟", "roles": ["officer"], "cert_no": "冀130133001", "department": ENFORCEMENT},
    {"username": "liqiang", "name": "李强", "roles": ["officer"], "cert_no": "冀130133002", "department": ENFORCEMENT},
    {"username": "wangfang", "name": "王芳", "roles": ["reviewer"], "cert_no": None, "department": None},
    {"username": "zhaomin", "name": "赵敏", "roles": ["head"], "cert_no": None, "department": None},
    {"username": "sunli", "name": "孙丽", "roles": ["clerk"], "cert_no": None, "department": SERVICE},
    {"username": "zhoujie", "name": "周杰", "roles": ["supervisor"], "cert_no": None, "department": None},
    {"username": "admin", "name": "系统管理员", "roles": ["admin"], "cert_no": None, "department": None},
    # a second pair of officers and a second clerk, so figures per officer and two-level reviews have people
    {"username": "chenjing", "name": "陈静", "roles": ["officer"], "cert_no": "冀130133003", "department": ENFORCEMENT},
    {"username": "liuyang", "name": "刘洋", "roles": ["officer"], "cert_no": "冀130133004", "department": ENFORCEMENT},
    {"username": "hemei", "name": "何梅", "roles": ["clerk"], "cert_no": None, "department": SERVICE},
]
CERTIFICATES_VALID = (date(2020, 1, 1), date(2030, 12, 31))  # the demo officers' 执法证
# What the bureau's documents print about itself: a decision is not issued without the accounts
# (处罚法第五十九条). Invented, like every party of the demo.
SETTINGS = {
    "agency_address": "高邑县府前街1号",
    "contact_phone": "0311-84010000",
    "window_address": "高邑县政务服务中心一楼医保窗口",
    "window_phone": "0311-84010001",
    "supplement_days": 5,
    "fine_bank": "中国农业银行高邑县支行",
    "fine_account_name": "高邑县财政局非税收入汇缴专户",
    "fine_account_no": "13012701040000000001",
    "refund_bank": "中国工商银行高邑县支行",
    "refund_account_name": "高邑县医疗保障基金财政专户",
    "refund_account_no": "13012701040000000002",
}
PAIR_A = [{"name": "张伟", "cert_no": "冀130133001"}, {"name": "李强", "cert_no": "冀130133002"}]
PAIR_B = [{"name": "陈静", "cert_no": "冀130133003"}, {"name": "刘洋", "cert_no": "冀130133004"}]

PHARMACY = {"name": "高邑县康宁大药房", "type": "organisation", "address": "高邑县建设路18号",
            "credit_code": "91130127MA0DEMO01X"}
CLINIC = {"name": "高邑县仁和诊所", "type": "organisation", "address": "高邑县迎宾路6号",
          "credit_code": "91130127MA0DEMO02Y"}
HOSPITAL = {"name": "高邑县博爱医院", "type": "organisation", "address": "高邑县府前街9号",
            "credit_code": "91130127MA0DEMO03Z"}
PERSONS = [
    {"name": "刘某", "type": "individual", "id_no": "130127196203150011", "address": "高邑县高邑镇", "phone": "13900000001"},
    {"name": "王某英", "type": "individual", "id_no": "130127195811020022", "address": "高邑县万城乡", "phone": "13900000002"},
    {"name": "张某华", "type": "individual", "id_no": "130127197505060033", "address": "高邑县中韩乡", "phone": "13900000003"},
    {"name": "李某", "type": "individual", "id_no": "130127198809090044", "address": "高邑县大营镇", "phone": "13900000004"},
    {"name": "赵某芳", "type": "individual", "id_no": "130127196612120055", "address": "高邑县富村镇", "phone": "13900000005"},
]


@dataclass
class Walk:
    """One demo case: opened ``start`` days ago, then steps (days after opening, who, trigger, data)."""

    item: str
    opener: str
    party: dict[str, Any]
    data: dict[str, Any]
    start: int
    steps: list[tuple[float, str, str, dict[str, Any]]] = field(default_factory=list)
    officers: list[dict[str, Any]] = field(default_factory=list)


def load_demo(state: AppState) -> Iterator[str]:
    """Create the demo users and cases once; yield the lines to print (credentials included)."""
    with Session(state.engine) as session:
        fresh = session.exec(select(User).where(User.username == "zhangwei")).first() is None
    if fresh:
        save_settings(state.engine, BUREAU, {**settings_of(state.engine, BUREAU), **SETTINGS}, by=SYSTEM)
        _departments(state)
        for user in USERS:
            create_user(
                state.engine,
                user["username"],
                bureau=BUREAU,
                roles=user["roles"],
                password=PASSWORD,
                name=user["name"],
                cert_no=user["cert_no"],
                cert_valid_from=CERTIFICATES_VALID[0] if user["cert_no"] else None,
                cert_valid_to=CERTIFICATES_VALID[1] if user["cert_no"] else None,
                department=user["department"],
            )
        demo_cases(state)
    yield f"演示数据（{BUREAU} {BUREAU_NAME}），所有演示用户的密码：{PASSWORD}"
    for user in USERS:
        yield f"  {user['username']:<10} {user['name']}  {'、'.join(ROLE_LABELS[Role(r)] for r in user['roles'])}"


def _departments(state: AppState) -> None:
    with Session(state.engine) as session:
        have = {d.name for d in session.exec(select(Department).where(Department.bureau_code == BUREAU))}
    for name in DEPARTMENTS:
        if name not in have:
            add_department(state.engine, BUREAU, name, by=SYSTEM)


def _actors(state: AppState) -> dict[str, Actor]:
    with Session(state.engine) as session:
        users = session.exec(select(User).where(User.bureau_code == BUREAU)).all()
    return {u.username: actor_of(u) for u in users}


def demo_cases(state: AppState, today: date | None = None) -> list[int]:
    """Drive every demo walk through the engine; returns the case ids."""
    actors = _actors(state)
    now = datetime.now(SHANGHAI)
    today = today or demo_day(now)
    ids = []
    for walk in walks(state):
        opened = _moment(today, walk.start, 0)
        case_id = state.cases.open_case(
            actors[walk.opener], walk.item, walk.party, walk.officers, walk.data, min(opened, now)
        )
        for offset, who, trigger, payload in walk.steps:
            moment = _moment(today, walk.start, offset)
            if moment > now:
                break
            try:
                state.cases.fire(actors[who], case_id, trigger, payload, moment)
            except DomainError as error:  # a demo walk the rules no longer allow: say which one
                raise RuntimeError(f"演示案件（事项{walk.item}）的步骤“{trigger}”未通过：{error}") from error
        ids.append(case_id)
    return ids


def demo_day(now: datetime) -> date:
    """The day the demo's "today" is: the bureau's (Beijing) day once its office hours are under way
    (10:00), the day before until then. The walks of today take their steps from 09:00; started at
    night, the demo would otherwise open today's cases and leave their steps undone, in the future."""
    local_now = now.astimezone(SHANGHAI)
    return local_now.date() if local_now.time() >= time(10, 0) else local_now.date() - timedelta(days=1)


def _moment(today: date, start: int, offset: float) -> datetime:
    """``start`` days before today at 09:00, plus ``offset`` days (fractions are hours of that day)."""
    day = today - timedelta(days=start) + timedelta(days=int(offset))
    hours = round((offset - int(offset)) * 24)
    return datetime.combine(day, time(9, 0), SHANGHAI) + timedelta(hours=hours)


def walks(state: AppState) -> list[Walk]:
    """The demo's cases: penalty cases in every stage, sealing, inspections and hall applications."""
    return penalty_walks() + other_walks() + hall_walks(state)


def _lead(summary: str, ended: int = 150) -> dict[str, Any]:
    """A lead whose violation ended ``ended`` days before today (within 处罚法第三十六条's two years)."""
    day = datetime.now(SHANGHAI).date() - timedelta(days=ended)
    return {"lead_source": "举报", "lead_summary": summary, "violation_ended_on": day.isoformat()}


FILED = [(1, "zhangwei", "propose_filing", {"opinion": "违法事实初步成立，建议立案"}),
         (2, "zhaomin", "approve_filing", {"jurisdiction": "violation_place"})]
FILED_B = [(1, "chenjing", "propose_filing", {"opinion": "建议立案"}),
           (2, "zhaomin", "approve_filing", {"jurisdiction": "violation_place"})]


def _investigated(officer: str, day: int) -> list[tuple[float, str, str, dict[str, Any]]]:
    return [
        (day, officer, "record_evidence", {"kind": "party_statement", "record": "inquiry", "summary": "询问负责人，调取处方和结算记录"}),
        (day + 3, officer, "finish_investigation", {"report": "违法事实清楚，证据确实充分"}),
    ]


def _proposed(officer: str, day: int, fine: int, base: int, article: str) -> list[tuple[float, str, str, dict[str, Any]]]:
    return [(day, officer, "propose_penalty", {
        "facts": f"串换药品项目骗取医保基金{base}元", "grounds": article, "kinds": ["fine", "return"], "fine": fine,
        "return_amount": base, "article": article,
    })]


def _decided(officer: str, day: int, fine: int, base: int, article: str) -> list[tuple[float, str, str, dict[str, Any]]]:
    """告知 → 陈述申辩 waived → 决定 → 送达 → 公开 (a small fine: no hearing, no 法制审核)."""
    return [
        (day, officer, "notify", {}),
        (day + 1, officer, "waive_statement", {"signed_by": "当事人负责人"}),
        (day + 2, "zhaomin", "decide_penalty", {
            "kinds": ["fine", "return"], "fine": fine, "return_amount": base, "basis_article": article,
            "base_amount": base,
            "discretion_reasons": "当事人初次违法，主动退回违法所得，依本局裁量基准从轻处罚",
        }),
        (day + 2.1, officer, "serve", {"method": "direct", "recipient": "当事人负责人"}),
        (day + 3, officer, "publish_decision", {"channel": "高邑县人民政府网站“行政执法公示”栏目"}),  # 处罚法第四十八条
    ]


ART_40 = "社会保险法第八十七条"  # the basis of 高邑 item 2 (2–5 times the amount obtained)


def penalty_walks() -> list[Walk]:
    z, c = "zhangwei", "chenjing"
    w: list[Walk] = []
    # 线索核查: one fresh, one due soon, one overdue (15 working days, 令4号)
    w.append(Walk("2", z, PHARMACY, _lead("群众举报该药房为他人串换药品"), 2, officers=PAIR_A))
    w.append(Walk("2", c, CLINIC, _lead("智能监控提示超量开药"), 18, officers=PAIR_B))
    w.append(Walk("3", z, PERSONS[0], _lead("冒用他人医保卡就医"), 30, officers=PAIR_A))
    # 立案审批 waiting for the head
    w.append(Walk("2", z, HOSPITAL, _lead("分解住院"), 6, [(1, z, "propose_filing", {"opinion": "建议立案"})],
                  officers=PAIR_A))
    # 调查取证
    w.append(Walk("2", z, HOSPITAL, _lead("挂床住院"), 40, FILED + _investigated(z, 10)[:1], officers=PAIR_A))
    w.append(Walk("3", c, PERSONS[1], _lead("伪造票据报销"), 85, FILED_B, officers=PAIR_B))  # decision due soon
    w.append(Walk("2", c, CLINIC, _lead("虚记诊疗项目"), 100, FILED_B, officers=PAIR_B))  # decision overdue
    # 审查: a proposal waiting for 法制审核 (the reviewer's work)
    w.append(Walk("2", z, PHARMACY, _lead("串换医用耗材"), 35,
                  FILED + _investigated(z, 5) + _proposed(z, 12, 30000, 10000, ART_40)
                  + [(13, z, "submit_legal_review", {})], officers=PAIR_A))
    # 告知: statement period running
    w.append(Walk("2", c, CLINIC, _lead("重复收费"), 25,
                  FILED_B + _investigated(c, 4) + _proposed(c, 10, 4000, 2000, ART_40) + [(23, c, "notify", {})],
                  officers=PAIR_B))
    # 决定 and 执行: served, payment period running; one paid and closed; archived ones last year
    for start, party, fine, base, finish in [
        (60, PHARMACY, 6000, 3000, "executing"),
        (120, HOSPITAL, 8000, 4000, "paid"),
        (200, CLINIC, 5000, 2500, "archived"),
        (400, PHARMACY, 9000, 3000, "archived"),
        (470, HOSPITAL, 7000, 3500, "archived"),
        (540, CLINIC, 4500, 1500, "archived"),
    ]:
        steps = FILED + _investigated(z, 5) + _proposed(z, 12, fine, base, ART_40) + _decided(z, 14, fine, base, ART_40)
        if finish != "executing":
            steps += [(20, z, "record_payment", {"amount": fine, "towards": "fine"}),
                      (20.1, z, "record_payment", {"amount": base, "towards": "return"}),
                      (22, "zhaomin", "close", {"summary": "罚款已缴清，基金已退回"})]
        if finish == "archived":
            steps += [(25, z, "archive", {})]
        w.append(Walk("2", z, party, _lead("违规结算医保基金", start + 60), start, steps, officers=PAIR_A))
    # a lead checked late (the 15 working days of 令4号 overran), then not filed: a step done late
    w.append(Walk("2", c, CLINIC, _lead("药店刷卡记录异常", 450), 400,
                  [(25, c, "propose_filing", {"opinion": "证据不足，建议不予立案"}),
                   (26, "zhaomin", "decline_filing", {"reasons": "现有证据不足以证明存在违法行为"})], officers=PAIR_B))
    # 不予立案 last year
    w.append(Walk("3", c, PERSONS[2], _lead("举报线索不实", 400), 330,
                  [(5, "zhaomin", "decline_filing", {"reasons": "经核查，举报内容不属实"})], officers=PAIR_B))
    return w


SEAL = {"items": [{"name": "住院病历", "quantity": 35, "unit": "份"}, {"name": "收费票据存根", "quantity": 2, "unit": "本"}],
        "reasons": "病历资料可能被篡改、转移", "basis": "医疗保障基金使用监督管理条例第二十七条", "place": "病案室",
        "party_present": True}


def other_walks() -> list[Walk]:
    """Sealing (封存) waiting for approval and one sealed; inspections planned and under way."""
    z, c = "zhangwei", "chenjing"
    sealing = {"reasons": "病历资料可能被篡改、转移", "basis": "医疗保障基金使用监督管理条例第二十七条"}
    return [
        Walk("4", z, HOSPITAL, sealing, 1, officers=PAIR_A),
        Walk("4", c, CLINIC, sealing, 20, [(0.1, "zhaomin", "approve", {"opinion": "同意封存"}),
                                           (0.2, c, "seal", SEAL)], officers=PAIR_B),
        Walk("10", z, PHARMACY, {"plan": "2026年度定点零售药店专项检查"}, 3, officers=PAIR_A),
        Walk("10", c, HOSPITAL, {"plan": "2026年度定点医疗机构监督检查"}, 12,
             [(1, c, "start_unannounced", {"reason": "事先通知可能影响检查效果"})], officers=PAIR_B),
    ]


RETIREE = "异地安置退休人员备案"


def hall_walks(state: AppState) -> list[Walk]:
    """Applications at the window: received today, waiting for a supplement, in review (one overdue),
    waiting for payout, completed on the spot (即办) and archived."""
    def full(code: str) -> list[str]:
        return [r.choices[0] for r in checklist(state.library.item(BUREAU, code).settings, None)]

    s, h, head = "sunli", "hemei", "zhaomin"
    filed = ["参保人身份证", "异地就医备案登记表", "个人承诺书（承诺制）"]
    w: list[Walk] = [
        Walk("17", s, PERSONS[0], {"materials_received": full("17")}, 0),
        Walk("17", s, PERSONS[1], {"materials_received": full("17")[:3]}, 3,
             [(0.05, s, "notify_supplement", {"method": "on_spot"})]),
        Walk("25", s, PERSONS[3], {"category": "异地转诊人员备案", "materials_received": ["社会保障卡", "异地就医备案登记表"]},
             1, [(0.05, s, "notify_supplement", {"method": "on_spot"})]),
        Walk("17", s, PERSONS[2], {"materials_received": full("17")}, 38, [(0.1, s, "accept", {})]),  # due soon
        Walk("17", h, PERSONS[4], {"materials_received": full("17")}, 55, [(0.1, h, "accept", {})]),  # overdue
        Walk("21", s, PERSONS[1], {"materials_received": full("21")}, 10,
             [(0.1, s, "accept", {}), (2, s, "review", {"opinion": "初审：符合病种认定标准"})]),
        Walk("20", h, PERSONS[0], {"materials_received": full("20")}, 30,
             [(0.1, h, "accept", {}), (2, h, "review", {"opinion": "符合一次性支取条件"}),
              (3, head, "grant", {"amount": "3560.00"}), (3.2, h, "inform", {"method": "sms"})]),  # payout overdue
        Walk("17", s, PERSONS[3], {"materials_received": full("17")[:1]}, 6,
             [(0.05, s, "refuse", {"reasons": "申请人非本统筹区参保人员，应向参保地经办机构申请"})]),
    ]
    for days, person in [(0, PERSONS[4]), (15, PERSONS[2]), (90, PERSONS[0]), (400, PERSONS[1]), (500, PERSONS[3])]:
        w.append(Walk("25", s, person, {"category": RETIREE, "materials_received": filed}, days,
                      [(0.02, s, "complete_on_spot", {})]))
    for days, person in [(120, PERSONS[2]), (420, PERSONS[4]), (520, PERSONS[0])]:
        w.append(Walk("17", h, person, {"materials_received": full("17")}, days,
                      [(0.1, h, "accept", {}), (5, h, "review", {"opinion": "票据齐全，符合报销范围"}),
                       (6, head, "grant", {"amount": "2345.60"}), (6.2, h, "inform", {"method": "sms"}),
                       (8, h, "pay", {"amount": "2345.60", "account": "6222"}), (9, h, "archive", {})]))
    return w
