"""engine.materials: checklists with sub-types, alternatives and forms filled at the window."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from engine.materials import accepted_names, all_checklists, categories, checklist, missing, requirements
from processes.loader import default_library

SETTINGS = {
    "materials": [{"name": "身份证或社保卡", "one_of": ["身份证", "社保卡"]}, {"name": "登记表", "at_counter": True}],
    "categories": [{"name": "退休", "materials": []}, {"name": "转诊", "materials": ["转诊证明"], "note": "须转诊"}],
}


@pytest.mark.parametrize(
    ("category", "received", "expected"),
    [
        ("退休", ["身份证", "登记表"], []),
        ("退休", ["社保卡", "登记表"], []),
        ("退休", ["登记表"], ["身份证或社保卡"]),
        ("转诊", ["身份证", "登记表"], ["转诊证明"]),
        ("转诊", [], ["身份证或社保卡", "登记表", "转诊证明"]),
        ("转诊", ["身份证或社保卡", "登记表", "转诊证明"], []),  # the requirement's own name also meets it
    ],
)
def test_a_requirement_is_met_by_any_one_of_its_choices(category: str, received: list[str], expected: list[str]) -> None:
    assert missing(checklist(SETTINGS, category), received) == expected


def test_an_item_with_categories_needs_a_known_one() -> None:
    with pytest.raises(InvalidInput) as none:
        checklist(SETTINGS, None)
    assert none.value.code == "CATEGORY_REQUIRED" and "退休、转诊" in none.value.message
    with pytest.raises(InvalidInput) as unknown:
        checklist(SETTINGS, "外出")
    assert unknown.value.code == "CATEGORY_UNKNOWN"
    assert checklist({"materials": ["申请表"]}, None)[0].choices == ("申请表",)


def test_names_and_bad_entries() -> None:
    assert accepted_names(all_checklists(SETTINGS)) == ["身份证或社保卡", "身份证", "社保卡", "登记表", "转诊证明"]
    assert [c.note for c in categories(SETTINGS)] == ["", "须转诊"]
    with pytest.raises(ValueError, match="one_of"):
        requirements([{"name": "x", "oneof": ["a"]}])
    with pytest.raises(ValueError, match="neither"):
        requirements([3])


def test_every_catalogue_checklist_parses() -> None:
    library = default_library()
    for code, catalogue in library.catalogues.items():
        for item in catalogue.items:
            found = all_checklists(item.settings)  # raises on a malformed entry
            for category in categories(item.settings):
                assert checklist(item.settings, category.name), (code, item.code, category.name)
            assert all(r.name for r in found)
