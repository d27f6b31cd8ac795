"""An item's materials checklist (申请材料清单): sub-types, alternatives and forms filled at the window.

An item's ``materials`` setting lists what every applicant hands in; an entry is a name as the
bureau's list words it, or a mapping::

    {name: 参保人身份证或社会保障卡, one_of: [参保人身份证, 社会保障卡]}   # any one will do
    {name: 异地就医备案登记表, at_counter: true}                       # filled in at the window

An item with sub-types (子项, e.g. 异地就医备案's 异地安置退休人员备案 … 异地转诊人员备案) lists them
under ``categories``, each with the materials that category adds (``materials``) and a ``note``.
A requirement is met by any one of its choices; what is missing is named as the list names it,
so the 一次性告知书 says everything missing at once (行政许可法第三十二条).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidInput


@dataclass(frozen=True)
class Requirement:
    name: str  # as the bureau's checklist words it
    choices: tuple[str, ...]  # the materials that meet it; (name,) for a single material
    at_counter: bool = False  # a form the window hands out and the applicant fills in and signs there

    @property
    def alternatives(self) -> bool:
        return len(self.choices) > 1


@dataclass(frozen=True)
class Category:
    name: str
    materials: tuple[Requirement, ...]
    note: str = ""


def _requirement(entry: Any, where: str) -> Requirement:
    if isinstance(entry, str) and entry.strip():
        return Requirement(entry.strip(), (entry.strip(),))
    if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
        unknown = set(entry) - {"name", "one_of", "at_counter"}
        choices = entry.get("one_of") or [entry["name"]]
        if unknown or not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValueError(f"{where}: material {entry!r} is not {{name, one_of: [...], at_counter}}")
        return Requirement(entry["name"].strip(), tuple(c.strip() for c in choices), bool(entry.get("at_counter")))
    raise ValueError(f"{where}: material {entry!r} is neither a name nor {{name, one_of}}")


def requirements(entries: Any, where: str = "materials") -> tuple[Requirement, ...]:
    """Parse a ``materials`` list; raise ValueError naming the bad entry (checked at catalogue load)."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ValueError(f"{where}: materials must be a list")
    return tuple(_requirement(e, where) for e in entries)


def categories(settings: dict[str, Any]) -> tuple[Category, ...]:
    found = []
    for entry in settings.get("categories") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"categories: {entry!r} is not {{name, materials, note}}")
        found.append(
            Category(entry["name"], requirements(entry.get("materials"), entry["name"]), str(entry.get("note") or ""))
        )
    return tuple(found)


def category_of(settings: dict[str, Any], name: Any) -> Category | None:
    """The applicant's category; required (and checked) when the item has categories."""
    known = categories(settings)
    if not known:
        return None
    names = [c.name for c in known]
    if name in (None, ""):
        raise InvalidInput(
            "CATEGORY_REQUIRED", f"本事项须选择申请类别（{'、'.join(names)}），各类别所需材料不同",
            field="category", categories=names,
        )
    for category in known:
        if category.name == name:
            return category
    raise InvalidInput(
        "CATEGORY_UNKNOWN", f"本事项没有申请类别“{name}”（可选：{'、'.join(names)}）",
        field="category", value=name, categories=names,
    )


def checklist(settings: dict[str, Any], category: Any) -> tuple[Requirement, ...]:
    """The requirements for this applicant: the item's materials, then the category's."""
    chosen = category_of(settings, category)
    return requirements(settings.get("materials")) + (chosen.materials if chosen else ())


def all_checklists(settings: dict[str, Any]) -> tuple[Requirement, ...]:
    """Every requirement of every category (what a material name may be, whatever the category)."""
    found = list(requirements(settings.get("materials")))
    for category in categories(settings):
        found += [r for r in category.materials if r not in found]
    return tuple(found)


def accepted_names(required: Iterable[Requirement]) -> list[str]:
    names: list[str] = []
    for requirement in required:
        for name in (requirement.name, *requirement.choices):
            if name not in names:
                names.append(name)
    return names


def missing(required: Iterable[Requirement], received: Iterable[str]) -> list[str]:
    """The requirements none of whose choices was received, by the checklist's name."""
    have = set(received)
    return [r.name for r in required if r.name not in have and not have & set(r.choices)]
