"""Forms that carry over: the decision from the 拟处罚, and dates the case already holds."""

from api.pages.fields import Field, carried_values

DATA = {
    "violation_ended_on": "2026-10-24",
    "lead_summary": "串换药品",
    "proposal": {"kinds": ["fine", "return"], "fine": "6000", "return_amount": "3000", "article": "社会保险法第八十七条"},
}


def test_a_date_the_case_holds_starts_the_same_field_of_a_later_step() -> None:
    form = [Field("violation_ended_on", "违法行为终了日期", "date"), Field("opinion", "意见", "textarea")]
    assert carried_values("penalty", "propose_filing", DATA, form) == {"violation_ended_on": "2026-10-24"}


def test_only_dates_are_carried_by_name_and_only_well_formed_ones() -> None:
    form = [Field("lead_summary", "线索内容", "textarea"), Field("violation_ended_on", "违法行为终了日期", "date")]
    assert carried_values("penalty", "propose_filing", {**DATA, "violation_ended_on": "去年"}, form) == {}
    assert "lead_summary" not in carried_values("penalty", "propose_filing", DATA, form)


def test_the_decision_starts_from_the_notified_proposal_with_its_return() -> None:
    carried = carried_values("penalty", "decide_penalty", DATA, [])
    assert carried["kinds"] == ["fine", "return"] and carried["fine"] == "6000"
    assert carried["return_amount"] == "3000" and carried["basis_article"] == "社会保险法第八十七条"
