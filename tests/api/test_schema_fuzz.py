"""Schemathesis against the OpenAPI document, in process, as each role: never a server error.

The app runs on SQLite with the test staff, an administrator and a few open cases (so that
generated case ids often name a real case and actions reach the flows' rules). For every
operation of the document, as every role, Hypothesis generates a bounded number of valid and
invalid requests from the schema (derandomised, so CI sees the same requests on every run);
each answer must not be a 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests.conftest import STAFF

ROLES = {
    "officer": "zhang",
    "clerk": "clerk",
    "head": "head",
    "reviewer": "reviewer",
    "supervisor": "super",
    "admin": "fuzz_admin",
}
# Examples per operation and role: the whole run (some 900 requests) stays within about two minutes.
EXAMPLES = 4
ACTION_EXAMPLES = 3  # per trigger and role that may fire it
SLOW = ("/documents/preview/",)  # renders a PDF per request
PARTY = {"name": "辛集市某大药房", "type": "organisation", "address": "辛集市建设路1号"}
PERSON = {"name": "王某", "type": "individual", "address": "辛集市建设路2号"}
OFFICERS = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}]


@pytest.fixture(scope="module")
def fuzzed(templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app on a fresh SQLite database, its schema, a token per role and the seeded case ids."""
    import shutil

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.config import Settings
    from api.users import create_user

    folder: Path = tmp_path_factory.mktemp("fuzz")
    shutil.copy(templates["sqlite"], folder / "caseflow.db")
    settings = Settings(database_url=f"sqlite:///{folder / 'caseflow.db'}", data_dir=folder, secret="f" * 48)
    app = create_app(settings)
    engine = app.state.caseflow.engine
    for username, bureau, roles, cert, name in STAFF:
        create_user(engine, username, bureau=bureau, roles=roles, password="password-123", cert_no=cert, name=name)
    create_user(engine, "fuzz_admin", bureau="xinji", roles=["admin"], password="password-123", name="管理员")
    with TestClient(app) as client:
        tokens = {}
        for role, username in ROLES.items():
            answer = client.post("/api/auth/token", data={"username": username, "password": "password-123"})
            assert answer.status_code == 200, answer.text
            tokens[role] = answer.json()["access_token"]
        officer = {"Authorization": f"Bearer {tokens['officer']}"}
        case_ids = []
        for item in ("3", "2", "1"):
            party = PERSON if item == "2" else PARTY  # item 2 (出借医保凭证) is an individual's
            body = {"item": item, "party": party, "officers": OFFICERS,
                    "data": {"lead_summary": "智能监控发现串换药品", "violation_ended_on": "2026-02-01"}}
            answer = client.post("/api/cases", json=body, headers=officer)
            assert answer.status_code == 201, answer.text
            case_ids.append(answer.json()["id"])
        head = {"Authorization": f"Bearer {tokens['head']}"}
        client.post(f"/api/cases/{case_ids[0]}/actions/propose_filing", json={"data": {"opinion": "建议立案"}},
                    headers=officer)
        client.post(f"/api/cases/{case_ids[0]}/actions/approve_filing",
                    json={"data": {"jurisdiction": "violation_place"}}, headers=head)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield {"schema": schema, "tokens": tokens, "case_ids": case_ids}
    engine.dispose()


def _roles_by_trigger() -> dict[str, set[str]]:
    from processes.loader import default_library

    found: dict[str, set[str]] = {}
    for flow in default_library().flows.values():
        for spec in flow.transitions:
            found.setdefault(spec.trigger, set()).update(str(r) for r in spec.roles)
    return found


ROLES_BY_TRIGGER = _roles_by_trigger()


def _meant_for(operation: Any, role: str) -> bool:
    """Every operation as every role, but an action only as a role that may fire it somewhere
    (for the others it is a 403 before any input is read, and the run must stay short)."""
    path: str = operation.path
    if "/actions/" not in path:
        return True
    return role in ROLES_BY_TRIGGER.get(path.rsplit("/", 1)[-1], set())


@pytest.mark.parametrize("role", list(ROLES))
def test_no_operation_answers_a_server_error(fuzzed: dict[str, Any], role: str) -> None:
    headers = {"Authorization": f"Bearer {fuzzed['tokens'][role]}"}
    known_ids = st.sampled_from(fuzzed["case_ids"])
    operations = [result.ok() for result in fuzzed["schema"].get_all_operations()]
    for operation in [o for o in operations if _meant_for(o, role)]:
        modes = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        if operation.body or operation.query or operation.path_parameters:
            modes.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        examples = EXAMPLES
        if "/actions/" in operation.path or any(part in operation.path for part in SLOW):
            examples = ACTION_EXAMPLES

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(modes), real_case=st.booleans(), case_id=known_ids)
        def run(case: Any, real_case: bool, case_id: int) -> None:
            if real_case and "case_id" in (case.path_parameters or {}):
                case.path_parameters["case_id"] = case_id
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
