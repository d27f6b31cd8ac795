"""Article-level citations and the certificate register's statuses, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from engine.model import RegisteredCertificate
from engine.rules.penalty import _article_allowed, article_level, same_basis


@pytest.mark.parametrize(
    ("citation", "level"),
    [
        ("《医疗保障基金使用监督管理条例》第四十条第一款", "医疗保障基金使用监督管理条例第四十条"),
        ("医疗保障基金使用监督管理条例第三十八条第一款第二项", "医疗保障基金使用监督管理条例第三十八条"),
        ("《中华人民共和国社会保险法》第八十七条", "社会保险法第八十七条"),
        ("社会保险法第八十七条", "社会保险法第八十七条"),
    ],
)
def test_citations_are_read_at_article_level(citation: str, level: str) -> None:
    assert article_level(citation) == level


def test_an_item_allows_its_articles_or_any_article_of_a_whole_law() -> None:
    allowed = ["社会保险法第八十七条", "医疗保障基金使用监督管理条例"]
    assert _article_allowed("《医疗保障基金使用监督管理条例》第四十条第一款", allowed)
    assert _article_allowed("社会保险法第八十七条", allowed)
    assert not _article_allowed("社会保险法第八十八条", allowed)
    assert not _article_allowed("社会救助暂行办法第六十八条", allowed)


def test_the_notified_basis_is_compared_as_written() -> None:
    assert same_basis("《条例》第四十条第一款", "条例第四十条第一款")
    assert not same_basis("条例第四十条第一款", "条例第四十条第二款")


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "revoked", "status"),
    [
        (None, None, False, "有效期未登记"),
        (date(2020, 1, 1), date(2030, 12, 31), False, "有效"),
        (date(2026, 3, 3), None, False, "尚未生效"),
        (None, date(2026, 3, 1), False, "已过期"),
        (date(2020, 1, 1), date(2030, 12, 31), True, "已注销"),
    ],
)
def test_a_certificates_status_on_a_day(
    valid_from: date | None, valid_to: date | None, revoked: bool, status: str
) -> None:
    cert = RegisteredCertificate("JZ-1", "张三", valid_from, valid_to, revoked)
    assert cert.status(date(2026, 3, 2)) == status


def test_a_penalty_item_must_declare_whom_it_punishes() -> None:
    from engine.checks import check_item
    from engine.errors import DefinitionError
    from processes.loader import default_library

    library = default_library()
    item = library.item("xinji", "3")
    check_item(item, library.flow("penalty"), "xinji.yaml")
    with pytest.raises(DefinitionError, match="subjects"):
        check_item(item.model_copy(update={"subjects": []}), library.flow("penalty"), "xinji.yaml")
