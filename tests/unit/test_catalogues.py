"""The five bureaus' catalogues load, have as many items as their sources, and run on sound flows."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.checks import check_flow
from engine.clockwork import clock_applies, clock_terms
from engine.definitions import Unit
from engine.library import Library
from processes.loader import BUREAUS, CATALOGUES, FLOWS, load_catalogue, load_flow, load_library

# Items per list as printed in the seeds (赵县 and 山丹 as extracted from their flowcharts and tables).
COUNTS = {"gaoyi": 28, "xiangdu": 17, "xinji": 17, "zhaoxian": 25, "shandan": 14}
FLOW_OF_TYPE = {
    "penalty": {"penalty"},
    "coercion": {"sealing"},
    "inspection": {"inspection", "audit"},
    "reward": {"reward"},
    "payment": {"application"},
    "confirmation": {"application"},
    "filing": {"application"},
}


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.mark.parametrize("bureau", BUREAUS)
def test_catalogue_loads_with_every_item_of_its_source(bureau: str) -> None:
    catalogue = load_catalogue(CATALOGUES / f"{bureau}.yaml")
    assert catalogue.bureau.code == bureau
    assert len(catalogue.items) == COUNTS[bureau]


@pytest.mark.parametrize("path", sorted(FLOWS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_flow_passes_the_checks(path) -> None:  # type: ignore[no-untyped-def]
    flow = load_flow(path)
    check_flow(flow, path.name)
    assert flow.key == path.stem.split(".")[0]
    assert all(c.law for c in flow.clocks), "every clock names its source"


@pytest.mark.parametrize("bureau", BUREAUS)
def test_every_item_runs_on_a_flow_that_exists_and_fits_its_type(library: Library, bureau: str) -> None:
    for item in library.catalogue(bureau).items:
        flow = library.flow(item.flow)
        assert flow.key == item.flow
        if item.type in FLOW_OF_TYPE:
            assert item.flow in FLOW_OF_TYPE[item.type], (item.code, item.type, item.flow)


def _application_items(library: Library) -> list[tuple[str, str]]:
    return [
        (bureau, item.code)
        for bureau in BUREAUS
        for item in library.catalogue(bureau).items
        if item.flow == "application"
    ]


def test_every_application_item_has_a_materials_checklist_and_valid_clocks(library: Library) -> None:
    flow = library.flow("application")
    result = next(c for c in flow.clocks if c.key == "result")
    payout = next(c for c in flow.clocks if c.key == "payout")
    for bureau, code in _application_items(library):
        item = library.item(bureau, code)
        settings = {**flow.settings, **item.settings}
        assert settings["materials"], (bureau, code)
        assert all(isinstance(level, str) for level in settings["review_levels"]), (bureau, code)
        if "result_clock" in item.settings:
            assert clock_applies(result, settings, {})
            unit, law = clock_terms(result, settings)
            assert unit == Unit(item.settings["result_clock"]["unit"])
            assert item.settings["result_clock"]["law"] in law
        else:
            assert not clock_applies(result, settings, {})
        if "payout_clock" in item.settings:
            assert item.settings.get("payout"), (bureau, code)
            assert clock_applies(payout, settings, {})


@pytest.mark.parametrize(
    ("bureau", "code", "amount", "unit"),
    [
        ("gaoyi", "17", 30, Unit.working_days),  # 零星报销 (经办条例第二十条)
        ("gaoyi", "7", 10, Unit.working_days),  # 生育津贴
        ("gaoyi", "14", 10, Unit.working_days),  # 个人参保登记
        ("xiangdu", "15", 15, Unit.natural_days),  # 单位参保登记 (社会保险法第五十七条)
        ("gaoyi", "21", 20, Unit.working_days),  # 慢特病认定
        ("zhaoxian", "6-5", 20, Unit.working_days),
    ],
)
def test_item_clocks_named_in_the_law(library: Library, bureau: str, code: str, amount: int, unit: Unit) -> None:
    item = library.item(bureau, code)
    assert item.settings["result_clock"]["amount"] == amount
    assert Unit(item.settings["result_clock"]["unit"]) == unit


def test_payout_clock_of_the_one_time_withdrawal(library: Library) -> None:
    item = library.item("gaoyi", "20")
    assert item.settings["payout_clock"]["amount"] == 15
    assert item.settings["payout_clock"]["unit"] == "working_days"


def test_a_result_clock_counts_in_the_items_unit() -> None:
    from engine.clockwork import apply_clock_triggers
    from engine.model import CaseModel

    library = load_library()
    flow = library.flow("application")
    item = library.item("xiangdu", "15")
    case = CaseModel(
        state="received", bureau="xiangdu", item_code="15", flow_key="application", flow_version=flow.version,
        party={}, officers=[], data={"accepted_at": "2026-03-02T09:00:00+08:00"},
    )
    moment = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
    apply_clock_triggers(flow, case, "accept", moment, {**flow.settings, **item.settings}, {})
    result = case.last_clock("result")
    assert result is not None
    assert (result.amount, result.unit) == (15, Unit.natural_days)
    assert "社会保险法第五十七条" in result.law


@pytest.mark.parametrize("bureau", BUREAUS)
def test_command_line_prints_the_list_as_a_table(bureau: str) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["catalogue", "show", bureau], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"（{COUNTS[bureau]}项）" in result.output
    catalogue = load_catalogue(CATALOGUES / f"{bureau}.yaml")
    assert all(item.code in result.output for item in catalogue.items)


def test_command_line_refuses_an_unknown_bureau() -> None:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["catalogue", "show", "nowhere"])
    assert result.exit_code == 2
    assert "BUREAU_NOT_FOUND" in result.output


def test_an_optional_clock_without_its_setting_does_not_start_and_a_bad_unit_is_refused() -> None:
    from engine.errors import InvalidInput

    flow = load_library().flow("application")
    result = next(c for c in flow.clocks if c.key == "result")
    assert not clock_applies(result, {"result_clock": None}, {})
    assert clock_terms(result, {"result_clock": {"amount": 5}}) == (Unit.working_days, result.law)
    with pytest.raises(InvalidInput) as refused:
        clock_terms(result, {"result_clock": {"amount": 5, "unit": "fortnights"}})
    assert refused.value.code == "CLOCK_UNIT_INVALID"
