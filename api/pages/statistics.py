"""The statistics page (统计): a period's enforcement figures, charts, Excel and a PDF report."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppState, State
from api.pages.charts import bars
from api.pages.excel import xlsx_response
from api.pages.web import PageActor, render, render_error, require_role
from engine.definitions import Role
from engine.errors import DomainError
from engine.model import Actor
from engine.statistics import period, statistics

router = APIRouter(include_in_schema=False)

def _rows(s: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in s["by_power_type"]:
        rows.append(["案件", r["power_type"], "本期新增", r["opened"]])
        rows.append(["案件", r["power_type"], "本期办结", r["closed"]])
        rows += [["办结结果", r["power_type"], k, v] for k, v in r["outcomes"].items()]
    rows += [["执法行为", a["act"], "次数", a["count"]] for a in s["acts"]]
    rows.append(["罚没款", "作出决定的罚款", "元", float(s["money"]["fines_decided"])])
    rows.append(["罚没款", "已缴纳（收缴）的款项", "元", float(s["money"]["fines_collected"])])
    rows.append(["退回基金", "决定责令退回的金额", "元", float(s["money"]["returns_decided"])])
    rows.append(["退回基金", "已退回基金的金额", "元", float(s["money"]["returns_collected"])])
    rows += [["复议诉讼", a["kind"], a["outcome"], a["count"]] for a in s["appeals"]]
    rows.append(["办理时效", "本期完成的法定期限事项", "项", s["late"]["steps"]])
    rows.append(["办理时效", "其中超期完成", "项", s["late"]["late"]])
    rows.append(["办理时效", "超期比例", "%", s["late"]["share"]])
    rows += [["平均用时", r["stage"], "工作日", r["average_working_days"]] for r in s["stages"]]
    return rows


def _bureau_name(state: AppState, actor: Actor) -> str:
    catalogue = state.library.catalogues.get(actor.bureau)
    return catalogue.bureau.name if catalogue else actor.bureau


@router.get("/statistics")
def statistics_page(
    request: Request, state: State, actor: PageActor, start: str = "", end: str = "", export: str = ""
) -> Response:
    try:
        require_role(actor, Role.head, Role.supervisor)
        lo, hi = period(start[:10], end[:10])
    except DomainError as error:
        return render_error(request, state, actor, error)
    figures = statistics(state.engine, state.library, actor, lo, hi)
    name = f"{_bureau_name(state, actor)}行政执法数据统计（{lo}至{hi}）"
    if export == "xlsx":
        return xlsx_response(f"{name}.xlsx", "统计", ["类别", "项目", "指标", "数值"], _rows(figures))
    if export == "pdf":
        from documents.statistics_report import statistics_pdf

        pdf = statistics_pdf(figures, _bureau_name(state, actor), datetime.now().astimezone())
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name + '.pdf')}"})
    query = urlencode({"start": lo.isoformat(), "end": hi.isoformat()})
    charts = [
        bars([(r["power_type"], r["opened"]) for r in figures["by_power_type"]], "本期新增案件（按权力类型）"),
        bars([(a["act"], a["count"]) for a in figures["acts"] if a["count"]], "主要执法行为（次数）"),
    ]
    return render(
        request, state, "statistics.html", actor, s=figures, start=lo, end=hi, query=query, charts=charts,
        title="执法数据统计",
    )
