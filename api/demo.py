"""Demo data for `caseflow serve --demo`: users of 辛集市医疗保障局 and cases in different states."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from api.deps import AppState
from api.users import actor_of, create_user
from engine.tables import Case, User

BUREAU = "xinji"
PASSWORD = "caseflow-demo"
USERS: list[dict[str, Any]] = [
    {"username": "zhangwei", "name": "张伟", "roles": ["officer"], "cert_no": "冀130181001"},
    {"username": "liqiang", "name": "李强", "roles": ["officer"], "cert_no": "冀130181002"},
    {"username": "wangfang", "name": "王芳", "roles": ["reviewer"], "cert_no": None},
    {"username": "zhaomin", "name": "赵敏", "roles": ["head"], "cert_no": None},
    {"username": "sunli", "name": "孙丽", "roles": ["clerk"], "cert_no": None},
    {"username": "zhoujie", "name": "周杰", "roles": ["supervisor"], "cert_no": None},
    {"username": "admin", "name": "系统管理员", "roles": ["admin"], "cert_no": None},
]
CERTIFICATES_VALID = (date(2020, 1, 1), date(2030, 12, 31))  # the demo officers' 执法证
OFFICERS = [{"name": "张伟", "cert_no": "冀130181001"}, {"name": "李强", "cert_no": "冀130181002"}]


def load_demo(state: AppState) -> Iterator[str]:
    """Create the demo users and cases once; yield the lines to print (credentials included)."""
    with Session(state.engine) as session:
        fresh = session.exec(select(User).where(User.username == "zhangwei")).first() is None
    if fresh:
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
            )
        _demo_cases(state)
    yield f"演示数据（{BUREAU} 辛集市医疗保障局），所有演示用户的密码：{PASSWORD}"
    for user in USERS:
        yield f"  {user['username']:<10} {user['name']}  {'、'.join(user['roles'])}"


def _actor(state: AppState, username: str):  # type: ignore[no-untyped-def]
    with Session(state.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
    return actor_of(user)


def _demo_cases(state: AppState) -> None:
    officer, head = _actor(state, "zhangwei"), _actor(state, "zhaomin")
    now = datetime.now().astimezone().replace(microsecond=0)
    party = {
        "name": "辛集市康宁大药房",
        "type": "organisation",
        "address": "辛集市建设路18号",
        "credit_code": "91130181MA0DEMO01X",
    }
    base = {"lead_source": "举报", "violation_ended_on": (now - timedelta(days=120)).date().isoformat()}

    cases = state.cases
    cases.open_case(
        officer,
        "1",
        party,
        OFFICERS,
        {**base, "lead_summary": "群众举报该药房为他人串换药品"},
        now - timedelta(days=3),
    )

    late = now - timedelta(days=100)
    overdue = cases.open_case(
        officer,
        "2",
        {"name": "刘某", "type": "individual", "address": "辛集市旧城镇"},
        OFFICERS,
        {**base, "lead_summary": "冒用他人医保卡就医"},
        late,
    )
    cases.fire(officer, overdue, "propose_filing", {"opinion": "建议立案"}, late + timedelta(days=1))
    cases.fire(head, overdue, "approve_filing", {"jurisdiction": "violation_place"}, late + timedelta(days=2))

    investigating = cases.open_case(
        officer,
        "3",
        party,
        OFFICERS,
        {**base, "lead_summary": "智能监控提示超量开药"},
        now - timedelta(days=20),
    )
    cases.fire(officer, investigating, "propose_filing", {"opinion": "建议立案"}, now - timedelta(days=19))
    cases.fire(
        head, investigating, "approve_filing", {"jurisdiction": "violation_place"}, now - timedelta(days=18)
    )
    cases.fire(
        officer,
        investigating,
        "record_evidence",
        {"kind": "party_statement", "record": "inquiry", "summary": "询问药房负责人"},
        now - timedelta(days=15),
    )
    with Session(state.engine) as session:
        assert session.exec(select(Case)).first() is not None
