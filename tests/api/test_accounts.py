"""Sessions end when they should; administrators manage users, departments, certificates, settings.

Every settings or account change is in the bureau's hash-chained record, visible in Chinese.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, col, select

from api.users import create_user
from engine import admin_log
from engine.certificates import valid_certificate
from engine.errors import RuleViolation
from engine.tables import AdminEvent
from tests.conftest import Api

PASSWORD = "password-123"


@pytest.fixture
def admin(api: Api) -> Api:
    create_user(api.app.state.caseflow.engine, "boss", bureau="xinji", roles=["admin"], password=PASSWORD, name="管理员甲")
    return api


def _token(client: TestClient, username: str, password: str = PASSWORD) -> str:
    r = client.post("/api/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _me(client: TestClient, token: str) -> Any:
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def _record(api: Api) -> list[AdminEvent]:
    with Session(api.app.state.caseflow.engine) as session:
        return list(
            session.exec(select(AdminEvent).where(AdminEvent.bureau_code == "xinji").order_by(col(AdminEvent.seq)))
        )


# --- sessions ----------------------------------------------------------------------------


def test_after_logout_the_old_bearer_token_is_refused(api: Api) -> None:
    first, second = _token(api.client, "clerk"), _token(api.client, "clerk")
    assert _me(api.client, first).status_code == 200
    r = api.client.post("/api/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert r.json() == {"ended": True}
    refused = _me(api.client, first)
    assert refused.status_code == 401 and refused.json()["code"] == "NOT_AUTHENTICATED"
    assert _me(api.client, second).status_code == 200  # logging out ends only that session


def _page_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    r = client.post("/login", data={"username": username, "password": password, "csrf": csrf.group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(client.cookies.get("caseflow_session"))


def test_after_logout_the_old_page_cookie_is_refused(api: Api) -> None:
    client = api.client
    cookie = _page_login(client, "clerk")
    assert client.get("/hall", follow_redirects=False).status_code == 200
    page = client.get("/hall")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    r = client.post("/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("caseflow_session", cookie)  # someone kept a copy of the cookie
    again = client.get("/hall", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")
    assert _me(client, cookie).status_code == 401


def test_changing_ones_password_ends_every_session(api: Api) -> None:
    elsewhere = _token(api.client, "zhang")
    here = _token(api.client, "zhang")
    r = api.client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "another-pass-456"},
        headers={"Authorization": f"Bearer {here}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["sessions_ended"] == 2
    assert _me(api.client, elsewhere).status_code == 401
    assert _me(api.client, here).status_code == 401
    assert _me(api.client, r.json()["access_token"]).status_code == 200
    old = api.client.post("/api/auth/token", data={"username": "zhang", "password": PASSWORD})
    assert old.json()["code"] == "BAD_CREDENTIALS"
    assert _token(api.client, "zhang", "another-pass-456")


@pytest.mark.parametrize(
    ("current", "new", "code"),
    [
        ("not-my-password", "another-pass-456", "PASSWORD_WRONG"),
        (PASSWORD, "short-1", "PASSWORD_TOO_SHORT"),
        (PASSWORD, "abcdefghijkl", "PASSWORD_ONE_CLASS"),
        (PASSWORD, "zhang-the-officer", "PASSWORD_HAS_USERNAME"),
        (PASSWORD, PASSWORD, "PASSWORD_UNCHANGED"),
    ],
)
def test_a_new_password_follows_the_policy(api: Api, current: str, new: str, code: str) -> None:
    r = api.post("zhang", "/api/auth/password", json={"current_password": current, "new_password": new})
    assert r.status_code == 422 and r.json()["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", r.json()["message"])
    assert _me(api.client, api.tokens["zhang"]).status_code == 200  # nothing changed


def test_disabling_a_user_ends_his_sessions_and_refuses_his_login(admin: Api) -> None:
    token = _token(admin.client, "clerk")
    r = admin.client.patch("/api/admin/users/clerk", json={"active": False}, headers=admin.as_("boss"))
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False and r.json()["sessions_ended"] == 1
    assert _me(admin.client, token).status_code == 401
    right = admin.client.post("/api/auth/token", data={"username": "clerk", "password": PASSWORD})
    assert right.json()["code"] == "ACCOUNT_DISABLED"
    wrong = admin.client.post("/api/auth/token", data={"username": "clerk", "password": "wrong-password-1"})
    assert wrong.json()["code"] == "BAD_CREDENTIALS"  # a guesser does not learn the account is disabled
    r = admin.client.patch("/api/admin/users/boss", json={"active": False}, headers=admin.as_("boss"))
    assert r.status_code == 403 and r.json()["code"] == "ADMIN_SELF_DISABLE"


def test_an_administrators_password_reset_ends_the_users_sessions(admin: Api) -> None:
    token = _token(admin.client, "clerk")
    r = admin.client.post("/api/admin/users/clerk/password", json={"password": "fresh-start-789"},
                          headers=admin.as_("boss"))
    assert r.json() == {"sessions_ended": 1}
    assert _me(admin.client, token).status_code == 401
    assert _token(admin.client, "clerk", "fresh-start-789")
    entry = _record(admin)[-1]
    assert entry.action == "user.password_reset" and entry.actor == "boss"
    assert "fresh-start-789" not in str(entry.details)


def test_unknown_names_and_wrong_passwords_get_the_same_answer(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from api import login

    decoys: list[str] = []
    real = login.verify_decoy
    monkeypatch.setattr(login, "verify_decoy", lambda password: decoys.append(password) or real(password))
    unknown = api.client.post("/api/auth/token", data={"username": "nobody", "password": "guess-123456"})
    wrong = api.client.post("/api/auth/token", data={"username": "zhang", "password": "guess-123456"})
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert unknown.json()["message"] == "用户名或密码错误"
    assert decoys == ["guess-123456"]  # the unknown name cost a hash check like a real one


def test_failed_logins_from_one_address_are_throttled(database_url: str, tmp_path: Any) -> None:
    from api.app import create_app
    from api.config import Settings

    settings = Settings(database_url=database_url, data_dir=tmp_path, secret="t" * 48, client_attempts=3)
    app = create_app(settings)
    create_user(app.state.caseflow.engine, "clerk", bureau="xinji", roles=["clerk"], password=PASSWORD)
    with TestClient(app) as client, TestClient(app, client=("10.0.0.9", 5000)) as other:
        assert _token(client, "clerk")  # a success does not count against the address
        for name in ("a1", "a2", "a3"):
            assert client.post("/api/auth/token", data={"username": name, "password": "x-1234567890"}).status_code == 401
        r = client.post("/api/auth/token", data={"username": "clerk", "password": PASSWORD})
        assert r.status_code == 429 and r.json()["code"] == "CLIENT_THROTTLED"
        assert "本机登录失败次数过多" in r.json()["message"] and int(r.headers["Retry-After"]) > 0
        assert _token(other, "clerk")  # another address is not affected
    app.state.caseflow.engine.dispose()


# --- administration ----------------------------------------------------------------------


def test_only_administrators_reach_the_admin_api(admin: Api) -> None:
    r = admin.get("head", "/api/admin/users")
    assert r.status_code == 403 and r.json()["code"] == "ADMIN_ONLY"
    assert {u["username"] for u in admin.get("boss", "/api/admin/users").json()} >= {"zhang", "boss"}
    assert "gy_officer" not in {u["username"] for u in admin.get("boss", "/api/admin/users").json()}


def test_users_and_departments_are_managed_and_recorded(admin: Api) -> None:
    r = admin.post("boss", "/api/admin/departments", json={"name": "基金监管科"})
    assert r.status_code == 201, r.text
    r = admin.post(
        "boss",
        "/api/admin/users",
        json={"username": "newbie", "name": "新人", "roles": ["officer"], "password": "fresh-pass-123",
              "department": "基金监管科", "cert_no": "冀-777", "cert_valid_from": "2024-01-01",
              "cert_valid_to": "2029-12-31"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["department"] == "基金监管科" and r.json()["cert_no"] == "冀-777"
    r = admin.client.patch("/api/admin/users/newbie", json={"roles": ["officer", "reviewer"], "name": "新人甲"},
                           headers=admin.as_("boss"))
    assert r.status_code == 200 and r.json()["roles"] == ["officer", "reviewer"]
    r = admin.client.patch("/api/admin/users/newbie", json={"department": "不存在的科"}, headers=admin.as_("boss"))
    assert r.status_code == 422 and r.json()["code"] == "DEPARTMENT_NOT_FOUND"
    r = admin.post("boss", "/api/admin/users", json={"username": "weak", "roles": ["clerk"], "password": "1234567890"})
    assert r.status_code == 422 and r.json()["code"] == "PASSWORD_ONE_CLASS"
    actions = [(e.action, e.actor, e.target) for e in _record(admin)]
    assert actions[-3:] == [
        ("department.create", "boss", "基金监管科"),
        ("user.create", "boss", "newbie"),
        ("user.update", "boss", "newbie"),
    ]
    log = admin.get("boss", "/api/admin/log").json()
    latest = log["items"][0]
    assert latest["action_label"] == "修改用户信息" and latest["actor_label"] == "管理员甲（boss）"
    assert "姓名：新人 → 新人甲" in latest["description"]
    assert "角色：执法人员 → 执法人员、法制审核人员" in latest["description"]


def test_settings_are_validated_and_every_change_recorded(admin: Api) -> None:
    before = admin.get("boss", "/api/admin/settings").json()
    count = len(_record(admin))
    r = admin.client.put("/api/admin/settings", json={"settings": {**before, "statement_days": 0}},
                         headers=admin.as_("boss"))
    assert r.status_code == 422 and r.json()["code"] == "SETTING_INVALID"
    assert r.json()["message"] == "“陈述申辩期（工作日）”须为1至3650之间的整数：0"
    r = admin.client.put("/api/admin/settings", json={"settings": {**before, "statment_days": 5}},
                         headers=admin.as_("boss"))
    assert r.status_code == 422 and r.json()["code"] == "SETTING_UNKNOWN"
    assert admin.get("boss", "/api/admin/settings").json() == before and len(_record(admin)) == count
    r = admin.client.put("/api/admin/settings", json={"settings": {**before, "statement_days": 5}},
                         headers=admin.as_("boss"))
    assert r.status_code == 200 and r.json()["changes"] == {"statement_days": [None, 5]}
    entry = _record(admin)[-1]
    assert (entry.action, entry.actor, entry.details) == ("settings.change", "boss", {"changes": {"statement_days": [None, 5]}})
    assert admin_log.describe(entry) == "陈述申辩期（工作日）：（未设置） → 5"


def test_the_admin_page_refuses_a_zero_period_in_chinese_and_shows_the_record(admin: Api) -> None:
    client = admin.client
    _page_login(client, "boss")
    page = client.get("/admin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf": csrf.group(1), "settings": '{"doc_prefix": "辛医保"}', "s.statement_days": "0"}
    r = client.post("/admin/settings", data=form)
    assert r.status_code == 422
    assert "“陈述申辩期（工作日）”须为1至3650之间的整数：0" in r.text
    r = client.post("/admin/settings", data={**form, "s.statement_days": "4"})
    assert r.status_code == 200 and "已记入操作记录" in r.text
    record = client.get("/admin/log")
    assert record.status_code == 200
    row = re.search(r"<tr><td>\d+</td><td[^>]*>[^<]+</td><td>管理员甲（boss）</td><td[^>]*>修改本局设置</td>.*?</tr>", record.text)
    assert row is not None and "陈述申辩期（工作日）：（未设置） → 4" in row.group(0)
    assert "statement_days" not in record.text


def test_the_record_is_append_only_and_hash_chained(admin: Api) -> None:
    admin.post("boss", "/api/admin/departments", json={"name": "医保中心"})
    admin.client.patch("/api/admin/users/clerk", json={"name": "窗口甲"}, headers=admin.as_("boss"))
    entries = _record(admin)
    assert admin_log.verify(entries) is None
    engine = admin.app.state.caseflow.engine
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE admin_event SET actor = 'mallory'"))
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM admin_event"))


# --- certificates ------------------------------------------------------------------------


def test_certificates_are_registered_revoked_and_checked(admin: Api) -> None:
    engine = admin.app.state.caseflow.engine
    rows = {c["number"]: c for c in admin.get("boss", "/api/admin/certificates").json()}
    assert rows["JZ-001"]["status_label"] == "有效期未登记"  # entered with the user, no dates
    r = admin.post("boss", "/api/admin/certificates",
                   json={"number": "JZ-101", "username": "li", "valid_from": "2020-01-01", "valid_to": "2025-12-31"})
    assert r.status_code == 201 and r.json()["status_label"] in ("有效", "已过期")
    r = admin.post("boss", "/api/admin/certificates",
                   json={"number": "JZ-101", "username": "wu"})
    assert r.status_code == 422 and r.json()["code"] == "CERT_NO_TAKEN"
    r = admin.post("boss", "/api/admin/certificates",
                   json={"number": "JZ-102", "username": "wu", "valid_from": "2026-01-01", "valid_to": "2025-01-01"})
    assert r.status_code == 422 and r.json()["code"] == "CERT_DATES_INVALID"
    r = admin.post("boss", "/api/admin/certificates", json={"kind": "legal", "number": "A2019-1", "username": "reviewer"})
    assert r.status_code == 201 and r.json()["kind_label"] == "法律职业资格证书"
    with Session(engine) as session:
        assert valid_certificate(session, "JZ-101", "李四", date(2024, 6, 1)).number == "JZ-101"
        assert valid_certificate(session, "JZ-001", "张三", date(2040, 1, 1)).number == "JZ-001"  # no bounds
        for number, name, day, code in [
            ("JZ-101", "李四", date(2026, 1, 1), "CERT_NOT_VALID"),
            ("JZ-101", "李四", date(2019, 12, 31), "CERT_NOT_VALID"),
            ("JZ-101", "张三", date(2024, 6, 1), "CERT_HOLDER_MISMATCH"),
            ("JZ-999", "张三", date(2024, 6, 1), "CERT_NOT_REGISTERED"),
            ("A2019-1", "法制审核员", date(2024, 6, 1), "CERT_NOT_REGISTERED"),  # not a 执法证
        ]:
            with pytest.raises(RuleViolation) as refused:
                valid_certificate(session, number, name, day)
            assert refused.value.code == code
    r = admin.post("boss", "/api/admin/certificates/enforcement/JZ-001/revoke", json={"reason": "调离执法岗位"})
    assert r.status_code == 200 and r.json()["status_label"] == "已注销"
    with Session(engine) as session, pytest.raises(RuleViolation, match="已注销"):
        valid_certificate(session, "JZ-001", "张三", date(2024, 6, 1))
    assert admin.get("boss", "/api/auth/me").json()["username"] == "boss"
    me = admin.get("zhang", "/api/auth/me").json()
    assert me["cert_no"] is None  # his only certificate is revoked
    described = [e["description"] for e in admin.get("boss", "/api/admin/log").json()["items"][:1]]
    assert described == ["证件类别：执法证；持证人：张三（zhang）；原因：调离执法岗位"]
