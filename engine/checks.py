"""Checks that reject an unsafe flow at load: unknown states, unreachable states, dead ends
that are not final, guards, actions and roles that are not registered, clocks and separated duties on unknown triggers."""

from __future__ import annotations

from collections import deque

from engine.definitions import CatalogueItem, FlowSpec
from engine.errors import DefinitionError
from engine.registry import ACTIONS, GUARDS, load_all


def check_flow(flow: FlowSpec, origin: str) -> None:
    """Raise ``DefinitionError`` naming the file and the key of the first problem found."""
    load_all()
    names = [s.name for s in flow.states]
    where = f"{origin}: flow {flow.key} v{flow.version}"
    if len(set(names)) != len(names):
        raise DefinitionError(f"{where}: duplicate state names")
    known = set(names)
    if flow.initial not in known:
        raise DefinitionError(f"{where}: initial state {flow.initial!r} is not declared")
    if flow.open.trigger != "open" or flow.open.dest != flow.initial:
        raise DefinitionError(f"{where}: open: trigger must be 'open' and dest the initial state")
    triggers = {t.trigger for t in flow.transitions} | {"open"}
    for t in [flow.open, *flow.transitions]:
        for s in t.source:
            if s not in known and s != "*":
                raise DefinitionError(f"{where}: transitions.{t.trigger}.source: unknown state {s!r}")
        if t.dest is not None and t.dest not in known:
            raise DefinitionError(f"{where}: transitions.{t.trigger}.dest: unknown state {t.dest!r}")
        for g in t.guards:
            if g.name not in GUARDS:
                raise DefinitionError(
                    f"{where}: transitions.{t.trigger}.guards: unregistered guard {g.name!r}"
                )
        for a in t.actions:
            if a.name not in ACTIONS:
                raise DefinitionError(
                    f"{where}: transitions.{t.trigger}.actions: unregistered action {a.name!r}"
                )
        for other in t.distinct_from:
            if other not in triggers:
                raise DefinitionError(f"{where}: transitions.{t.trigger}.distinct_from: unknown trigger {other!r}")
        for s in t.source:
            if s != "*" and s in known and flow.state(s).final:
                raise DefinitionError(f"{where}: transitions.{t.trigger}: leaves final state {s!r}")
    for c in flow.clocks:
        for field in ("start", "satisfy", "cancel", "suspend", "resume"):
            for trig in getattr(c, field):
                if trig not in triggers:
                    raise DefinitionError(f"{where}: clocks.{c.key}.{field}: unknown trigger {trig!r}")
    reachable = _reachable(flow)
    for name in names:
        if name not in reachable:
            raise DefinitionError(f"{where}: states.{name}: unreachable from {flow.initial!r}")
        leaves = [
            t for t in flow.transitions if name in t.source or "*" in t.source if t.dest not in (None, name)
        ]
        if not flow.state(name).final and not leaves:
            raise DefinitionError(f"{where}: states.{name}: a dead end that is not final")


def check_item(item: CatalogueItem, flow: FlowSpec, origin: str) -> None:
    """An item on a flow that checks the party against the item's subjects must declare them."""
    if any(g.name == "party_fits_item" for g in flow.open.guards) and not item.subjects:
        raise DefinitionError(
            f"{origin}: items.{item.code}.subjects: flow {flow.key} needs the item's subjects "
            "(individual and/or organisation)"
        )


def _reachable(flow: FlowSpec) -> set[str]:
    seen = {flow.initial}
    queue = deque([flow.initial])
    while queue:
        here = queue.popleft()
        for t in flow.transitions:
            if (here in t.source or "*" in t.source) and t.dest is not None and t.dest not in seen:
                seen.add(t.dest)
                queue.append(t.dest)
    return seen
