"""A bureau's settings are checked key by key before they are stored."""

from __future__ import annotations

from typing import Any

import pytest

from engine import bureau_settings
from engine.errors import InvalidInput


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"statement_days": 0}, "“陈述申辩期（工作日）”须为1至3650之间的整数：0"),
        ({"statement_days": -3}, "“陈述申辩期（工作日）”须为1至3650之间的整数：-3"),
        ({"statement_days": 2.5}, "“陈述申辩期（工作日）”须为1至3650之间的整数：2.5"),
        ({"statement_days": True}, "“陈述申辩期（工作日）”须为1至3650之间的整数：是"),
        ({"statement_days": "三"}, "“陈述申辩期（工作日）”须为1至3650之间的整数：三"),
        ({"legal_review_threshold": -1}, "“法制审核罚款金额（元，达到即须审核）”须为不小于0的金额：-1"),
        ({"legal_review_threshold": "NaN"}, "“法制审核罚款金额（元，达到即须审核）”须为不小于0的金额：NaN"),
        ({"hearing_threshold": {"individual": 5000}}, "须分别填写个人（individual）和单位（organisation）的金额"),
        ({"doc_prefix": "  "}, "“文书文号前缀（如 辛医保）”须为1至40个字的文字"),
        ({"public_notice": "yes"}, "“作出决定前公示”须为 true 或 false"),
        ({"materials": "营业执照"}, "“申请材料清单”须为文字的列表"),
    ],
)
def test_bad_values_are_refused_in_chinese(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        bureau_settings.validate(settings)
    assert refused.value.code == "SETTING_INVALID"
    assert message in refused.value.message


def test_unknown_keys_are_refused_not_ignored() -> None:
    with pytest.raises(InvalidInput) as refused:
        bureau_settings.validate({"statment_days": 5})
    assert refused.value.code == "SETTING_UNKNOWN" and "statment_days" in refused.value.message


def test_values_are_normalised() -> None:
    checked = bureau_settings.validate(
        {"statement_days": "5", "legal_review_threshold": "10000.0", "hearing_threshold": {"individual": "5000",
         "organisation": 50000.5}, "doc_prefix": " 辛医保 "}
    )
    assert checked == {
        "statement_days": 5,
        "legal_review_threshold": 10000,
        "hearing_threshold": {"individual": 5000, "organisation": 50000.5},
        "doc_prefix": "辛医保",
    }


def test_every_flow_setting_has_a_chinese_label() -> None:
    from processes.loader import default_library

    keys = {key for flow in default_library().flows.values() for key in flow.settings}
    assert keys <= set(bureau_settings.SETTINGS), keys - set(bureau_settings.SETTINGS)


def test_changes_list_before_and_after() -> None:
    assert bureau_settings.changes({"a": 1, "b": 2}, {"b": 3, "c": 4}) == {"a": [1, None], "b": [2, 3], "c": [None, 4]}


def test_the_seed_bureaus_settings_are_valid_and_name_their_remedy_organs() -> None:
    """Each catalogue's bureau settings pass the same checks as an administrator's, and name the organs
    a decision's remedies cite (行政复议法第二十四条; 行政诉讼法第十八条)."""
    from processes.loader import default_library

    for code, catalogue in default_library().catalogues.items():
        checked = bureau_settings.validate(dict(catalogue.bureau.settings))
        assert checked["review_organ"].endswith("人民政府"), code
        assert checked["court"].endswith("人民法院"), code


def test_an_address_may_be_longer_than_a_short_text() -> None:
    address = "河北省辛集市" + "建设路" * 12 + "88号"
    assert bureau_settings.validate({"agency_address": address}) == {"agency_address": address}
    with pytest.raises(InvalidInput, match="须为1至100个字的文字"):
        bureau_settings.validate({"agency_address": "路" * 101})
