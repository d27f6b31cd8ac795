"""The loaded definitions: every version of every flow, and each bureau's catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.definitions import Catalogue, CatalogueItem, FlowSpec, ReadScope, Role
from engine.errors import NotFound


@dataclass
class Library:
    flows: dict[tuple[str, int], FlowSpec] = field(default_factory=dict)
    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    read_scopes: dict[Role, ReadScope] = field(default_factory=dict)  # a role not declared reads nothing
    # Internal procedures every bureau runs outside its published list (委托执法, 协查).
    internal: list[CatalogueItem] = field(default_factory=list)

    def add_flow(self, flow: FlowSpec) -> None:
        self.flows[(flow.key, flow.version)] = flow

    def flow(self, key: str, version: int | None = None) -> FlowSpec:
        """The given version of a flow, or its latest when version is None."""
        if version is None:
            versions = [v for (k, v) in self.flows if k == key]
            if not versions:
                raise NotFound("FLOW_NOT_FOUND", f"没有名为“{key}”的流程", flow=key)
            version = max(versions)
        try:
            return self.flows[(key, version)]
        except KeyError:
            raise NotFound(
                "FLOW_NOT_FOUND", f"流程“{key}”没有第{version}版", flow=key, version=version
            ) from None

    def latest_flows(self) -> list[FlowSpec]:
        return [self.flow(key) for key in sorted({k for (k, _) in self.flows})]

    def readable_flows(self, roles: frozenset[Role]) -> frozenset[str] | None:
        """The flows whose cases a holder of ``roles`` reads in his bureau; None: all of them."""
        flows: set[str] = set()
        for role in roles:
            scope = self.read_scopes.get(role)
            if scope is ReadScope.bureau:
                return None
            if scope is ReadScope.opened_flows:
                flows |= {key for (key, _), flow in self.flows.items() if role in flow.open.roles}
        return frozenset(flows)

    def catalogue(self, bureau: str) -> Catalogue:
        try:
            return self.catalogues[bureau]
        except KeyError:
            raise NotFound(
                "BUREAU_NOT_FOUND", f"没有代码为“{bureau}”的医保局权责清单", bureau=bureau
            ) from None

    def item(self, bureau: str, code: str) -> CatalogueItem:
        """An item of the bureau's list, or else one of the internal procedures every bureau has."""
        try:
            return self.catalogue(bureau).item(code)
        except KeyError:
            for item in self.internal:
                if item.code == code:
                    return item
            raise NotFound("ITEM_NOT_FOUND", f"本局权责清单中没有编号为“{code}”的事项", item=code) from None
