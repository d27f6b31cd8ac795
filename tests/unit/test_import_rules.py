"""engine/ imports neither the web, templates nor PDFs; its pure parts import no database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN_EVERYWHERE = {"fastapi", "starlette", "jinja2", "weasyprint", "api", "documents", "processes"}
PURE = ["definitions.py", "clocks.py", "calendar.py", "timeutil.py", "clockwork.py", "machine.py", "registry.py",
        "model.py", "checks.py", "events.py", "rules", "passwords.py", "bureau_settings.py"]
DATABASE = {"sqlalchemy", "sqlmodel", "psycopg", "engine.tables", "engine.persistence", "engine.cases"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def files(names: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        target = ENGINE / name
        found.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return found


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_imports_no_web_templates_or_pdfs(path: Path) -> None:
    bad = {n for n in imported(path) if n.split(".")[0] in FORBIDDEN_EVERYWHERE}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", files(PURE), ids=lambda p: str(p.relative_to(ENGINE)))
def test_pure_engine_parts_import_no_database(path: Path) -> None:
    bad = {n for n in imported(path) if n in DATABASE or n.split(".")[0] in {"sqlalchemy", "sqlmodel", "psycopg"}}
    assert not bad, f"{path.name} imports {bad}"
