"""A hall case through the API: the notices the applicant receives, read back from the downloaded PDFs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from documents.jobs import drain
from tests.api.test_flows_application import APPLICANT, apply, materials_of
from tests.api.test_flows_catalogue import staff
from tests.api.test_penalty_walk import ok
from tests.conftest import Api, at


def downloaded(api: Api, user: str, case: dict[str, Any], kind: str, tmp_path: Path) -> tuple[str, str]:
    """The document's text (whitespace removed) and the file name its download offers."""
    doc = next(d for d in case["documents"] if d["kind"] == kind)
    r = api.get(user, f"/api/cases/{case['id']}/documents/{doc['id']}")
    assert r.status_code == 200, r.text
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    name = unquote(r.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])
    assert name == f"{doc['title']}-{doc['number']}.pdf"
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text)), name


def test_chronic_disease_notices_tell_the_applicant_what_to_do(api: Api, tmp_path: Path) -> None:
    """慢特病认定 (高邑 21, 公共服务): one-time notice, acceptance with the result date, then the decision."""
    user = staff(api, "gaoyi", "clerk", "clerk2", "head")
    needed = materials_of(api, "gaoyi", "21")
    case = apply(api, user["clerk"], "21", needed[:2], "2026-09-25 09:00")
    cid = case["id"]
    case = ok(api.fire(user["clerk"], cid, "notify_supplement", {"method": "on_spot"}, at("2026-09-25 09:10")))
    drain(api.app.state.caseflow.engine)
    text, name = downloaded(api, user["clerk"], case, "supplement_notice", tmp_path)
    assert name == "补正材料通知书（一次性告知书）-高医保补告〔2026〕1号.pdf"
    assert f"{APPLICANT['name']}：" in text and "你于2026年9月25日提出的" in text
    assert "1.诊断证明及病历资料" in text and "2.相关检查化验报告" in text
    assert "行政许可法" not in text  # 公共服务, not a licence
    assert "《石家庄市基本医疗保险慢性病病种认定及门诊就医管理办法》" in text
    # 高邑 has set no period, window or phone: those are left out, with no note to the bureau
    assert "请你将上述全部材料提交至本机关办事窗口" in text
    assert "本局尚未" not in text and "本局设置" not in text and "联系电话" not in text
    for wrong in ("你（单位）", "你单位", "。，", case["number"]):
        assert wrong not in text

    ok(api.fire(user["clerk"], cid, "supplement", {"materials_received": needed[2:]}, at("2026-09-25 09:30")))
    case = ok(api.fire(user["clerk"], cid, "accept", {}, at("2026-09-25 09:40")))
    drain(api.app.state.caseflow.engine)
    text, _ = downloaded(api, user["clerk"], case, "acceptance_notice", tmp_path)
    assert "予以受理" in text and "2026年10月29日前作出办理决定" in text  # 20 working days past National Day
    assert "受理之日起20个工作日内" in text
    ref = next(d["number"] for d in case["documents"] if d["kind"] == "acceptance_notice")

    ok(api.fire(user["clerk"], cid, "review", {"opinion": "初审：符合"}, at("2026-09-28 10:00")))
    ok(api.fire(user["clerk2"], cid, "review", {"opinion": "复审：同意"}, at("2026-09-29 10:00")))
    case = ok(api.fire(user["head"], cid, "deny", {"reasons": "病历资料不能证明符合认定标准。"}, at("2026-10-12 16:00")))
    drain(api.app.state.caseflow.engine)
    text, _ = downloaded(api, user["clerk"], case, "denial_notice", tmp_path)
    assert f"（案号：{ref}）" in text and "决定不予准予" in text
    assert "理由：病历资料不能证明符合认定标准。" in text
    assert "六十日内向高邑县人民政府申请行政复议" in text and "六个月内向高邑县人民法院提起行政诉讼" in text
    for wrong in ("你（单位）", "。。", "。，", case["number"], "本级人民政府", "有管辖权的人民法院"):
        assert wrong not in text
