"""Load flows and catalogues from this package's YAML files, validating each at load.

A flow file may hold any version of a flow (``penalty.yaml``, ``penalty.v2.yaml``): every
version stays loaded so that a case keeps running on the version it started on.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from engine.checks import check_flow, check_item
from engine.definitions import Catalogue, FlowSpec, InternalProcedures, RoleScopes
from engine.dossier import DossierRules
from engine.errors import DefinitionError
from engine.library import Library

HERE = Path(__file__).parent
FLOWS = HERE / "flows"
CATALOGUES = HERE / "catalogues"
ROLES = HERE / "roles.yaml"
DOSSIER = HERE / "dossier.yaml"
INTERNAL = HERE / "internal.yaml"
BUREAUS = ("gaoyi", "xiangdu", "xinji", "zhaoxian", "shandan")


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path.name}: not valid YAML: {error}") from None


def _explain(path: Path, error: ValidationError) -> DefinitionError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return DefinitionError(f"{path.name}: {where}: {first['msg']}")


def load_flow(path: Path) -> FlowSpec:
    try:
        flow = FlowSpec.model_validate(_read(path))
    except ValidationError as error:
        raise _explain(path, error) from None
    check_flow(flow, path.name)
    return flow


def load_catalogue(path: Path) -> Catalogue:
    try:
        catalogue = Catalogue.model_validate(_read(path))
    except ValidationError as error:
        raise _explain(path, error) from None
    codes = [i.code for i in catalogue.items]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DefinitionError(f"{path.name}: items: duplicate codes {duplicates}")
    return catalogue


def load_roles(path: Path) -> RoleScopes:
    try:
        return RoleScopes.model_validate(_read(path))
    except ValidationError as error:
        raise _explain(path, error) from None


def load_internal(path: Path) -> InternalProcedures:
    try:
        return InternalProcedures.model_validate(_read(path))
    except ValidationError as error:
        raise _explain(path, error) from None


def load_library(
    flows_dir: Path = FLOWS, catalogues_dir: Path = CATALOGUES, roles: Path = ROLES, internal: Path = INTERNAL
) -> Library:
    library = Library(read_scopes=dict(load_roles(roles).read_scope))
    if internal.exists():
        library.internal = list(load_internal(internal).items)
    for path in sorted(flows_dir.glob("*.yaml")):
        flow = load_flow(path)
        if (flow.key, flow.version) in library.flows:
            raise DefinitionError(f"{path.name}: flow {flow.key} version {flow.version} is defined twice")
        library.add_flow(flow)
    for path in sorted(catalogues_dir.glob("*.yaml")):
        catalogue = load_catalogue(path)
        for item in catalogue.items:
            if any(key == item.flow for key, _ in library.flows):
                check_item(item, library.flow(item.flow), path.name)
        clash = {i.code for i in catalogue.items} & {i.code for i in library.internal}
        if clash:
            raise DefinitionError(f"{path.name}: items: codes {sorted(clash)} are those of internal procedures")
        library.catalogues[catalogue.bureau.code] = catalogue
    return library


@lru_cache(maxsize=1)
def default_library() -> Library:
    return load_library()


@lru_cache(maxsize=1)
def load_dossier_rules(path: Path = DOSSIER) -> DossierRules:
    """The 卷宗 rules: binding order and completeness checks per flow."""
    try:
        return DossierRules.model_validate(_read(path))
    except ValidationError as error:
        raise _explain(path, error) from None
