"""A case stays on the flow version it started on; new cases take the newest version."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from api.users import create_user
from processes.loader import CATALOGUES, FLOWS, load_library
from tests.api.test_penalty_walk import OFFICERS, PARTY


def _client(database_url: str, tmp_path: Path, flows: Path) -> TestClient:
    settings = Settings(database_url=database_url, data_dir=tmp_path, secret="s" * 40)
    return TestClient(create_app(settings, load_library(flows, CATALOGUES)))


def _token(client: TestClient) -> dict[str, str]:
    r = client.post("/api/auth/token", data={"username": "zhang", "password": "password-123"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_running_case_keeps_its_version(database_url: str, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(FLOWS / "penalty.yaml", flows / "penalty.yaml")
    client = _client(database_url, tmp_path, flows)
    for username, cert, name in (("zhang", "JZ-001", "张三"), ("li", "JZ-002", "李四")):  # the case's officers
        create_user(client.app.state.caseflow.engine, username, bureau="xinji",  # type: ignore[attr-defined]
                    roles=["officer"], password="password-123", cert_no=cert, name=name)
    body = {"item": "3", "party": PARTY, "officers": OFFICERS,
            "data": {"lead_summary": "线索", "violation_ended_on": "2026-02-01"}}
    old = client.post("/api/cases", headers=_token(client), json=body).json()
    assert old["flow"] == {"key": "penalty", "version": 1, "label": "行政处罚"}

    v2 = yaml.safe_load((FLOWS / "penalty.yaml").read_text(encoding="utf-8"))
    v2["version"] = 2
    v2["label"] = "行政处罚（修订）"
    v2["states"][0]["label"] = "线索初核"
    (flows / "penalty.v2.yaml").write_text(yaml.safe_dump(v2, allow_unicode=True), encoding="utf-8")
    client.app.state.caseflow.engine.dispose()  # type: ignore[attr-defined]
    client = _client(database_url, tmp_path, flows)
    headers = _token(client)
    new = client.post("/api/cases", headers=headers, json=body).json()
    assert new["flow"]["version"] == 2 and new["state_label"] == "线索初核"
    again = client.get(f"/api/cases/{old['id']}", headers=headers).json()
    assert again["flow"]["version"] == 1 and again["state_label"] == "线索核查"
    r = client.post(f"/api/cases/{old['id']}/actions/propose_filing", headers=headers, json={"data": {}})
    assert r.status_code == 200 and r.json()["flow"]["version"] == 1
    client.app.state.caseflow.engine.dispose()  # type: ignore[attr-defined]
