"""The OpenAPI document with real types for each action's data, built from the flows' fields.

FastAPI documents ``POST /api/cases/{case_id}/actions/{trigger}`` once, with ``data`` as any
object. Here that one operation becomes one operation per trigger (``fire_propose_filing`` …),
each with a schema for its ``data``: a property per field the flow's forms ask for, typed by
the field's widget (an amount is a number with two decimal places, a date a date, a choice
its options), titled with its Chinese label, required where the flow's guards require it in
every flow that has the trigger. Opening a case gets the same for the fields its flows ask
for at opening. A generated client thus has real types, and a fuzzer gets past the
malformed-input refusals to the flows' rules. The route that serves them stays the single
generic one; the engine remains the judge of choices and required fields (with its own codes).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.pages import fields as F
from engine.definitions import CatalogueItem, FlowSpec, TransitionSpec
from engine.inputs import MAX_TEXT
from engine.library import Library

ACTION_PATH = "/api/cases/{case_id}/actions/{trigger}"
MAX_MONEY = 10**12  # yuan; far above any fine or payment, far below where cents stop being exact
MAX_DAYS = 3650
MAX_LINE = 200
STRINGS = {"type": "array", "items": {"type": "string", "maxLength": MAX_LINE}, "maxItems": 200}

WIDGET_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "maxLength": MAX_LINE},
    "textarea": {"type": "string", "maxLength": MAX_TEXT},
    "int": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
    "money": {"type": "number", "minimum": 0, "maximum": MAX_MONEY, "multipleOf": 0.01},
    "date": {"type": "string", "format": "date"},
    "bool": {"type": "boolean"},
    "lines": STRINGS,
    "materials": STRINGS,
    "itemlist": {
        "type": "array",
        "maxItems": 200,
        "items": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "名称", "maxLength": MAX_LINE},
                "quantity": {"type": "string", "title": "数量", "maxLength": 50},
                "unit": {"type": "string", "title": "单位", "maxLength": 20},
            },
        },
    },
}


def field_schema(field: F.Field) -> dict[str, Any]:
    """The JSON schema of one form field, by its widget, titled with its label."""
    if field.name in F.MATERIAL_FIELDS or field.name in F.MISSING_FIELDS:
        schema = dict(STRINGS)
    elif field.widget == "select" and field.options:
        schema = {"type": "string", "enum": list(field.options)}
    elif field.widget == "multi" and field.options:
        schema = {"type": "array", "uniqueItems": True, "items": {"type": "string", "enum": list(field.options)}}
    else:
        schema = dict(WIDGET_SCHEMAS.get(field.widget, WIDGET_SCHEMAS["text"]))
    return {"title": field.label, **schema}


def _items_by_flow(library: Library) -> dict[str, CatalogueItem]:
    found: dict[str, CatalogueItem] = {}
    for catalogue in library.catalogues.values():
        for item in catalogue.items:
            found.setdefault(item.flow, item)
    for item in library.internal:
        found.setdefault(item.flow, item)
    return found


def _object(flow: FlowSpec, spec: TransitionSpec, item: CatalogueItem) -> dict[str, Any]:
    fields = F.fields_for(flow, spec, item)
    return {
        "properties": {f.name: field_schema(f) for f in fields},
        "required": sorted(f.name for f in fields if f.required),
    }


def _merge(schemas: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """One object schema for a trigger several flows (or versions) share."""
    properties: dict[str, Any] = {}
    for schema in schemas:
        for name, prop in schema["properties"].items():
            if name in properties and properties[name] != prop:
                properties[name] = {"title": prop.get("title", name)}  # the flows disagree: any value
            else:
                properties[name] = prop
    required = set.intersection(*(set(s["required"]) for s in schemas)) if schemas else set()
    return {
        "type": "object",
        "title": title,
        "properties": properties,
        "required": sorted(required & set(properties)),
        "additionalProperties": True,
    }


def data_schemas(library: Library) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The data schema of each trigger (across every flow and version), and of opening a case."""
    items = _items_by_flow(library)
    by_trigger: dict[str, list[dict[str, Any]]] = {}
    labels: dict[str, list[str]] = {}
    opening: list[dict[str, Any]] = []
    for flow in library.flows.values():
        item = items.get(flow.key)
        if item is None:  # no catalogue item runs on it: nothing can be opened or fired
            continue
        opening.append(_object(flow, flow.open, item))
        for spec in flow.transitions:
            by_trigger.setdefault(spec.trigger, []).append(_object(flow, spec, item))
            if spec.label not in labels.setdefault(spec.trigger, []):
                labels[spec.trigger].append(spec.label)
    triggers = {t: _merge(s, "／".join(labels[t])) for t, s in sorted(by_trigger.items())}
    return triggers, _merge(opening, "立案或受理时填写的信息")


def build_openapi(app: FastAPI, library: Library) -> dict[str, Any]:
    """The app's OpenAPI document with one typed operation per trigger."""
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    triggers, opening = data_schemas(library)
    components["OpenCaseData"] = opening
    components["OpenCase"]["properties"]["data"] = {"$ref": "#/components/schemas/OpenCaseData"}
    generic = schema["paths"].pop(ACTION_PATH)["post"]
    for trigger, data in triggers.items():
        data_name, body_name = f"ActionData_{trigger}", f"FireAction_{trigger}"
        components[data_name] = data
        body = deepcopy(components["FireAction"])
        body["title"] = body_name
        body["properties"]["data"] = {"$ref": f"#/components/schemas/{data_name}"}
        components[body_name] = body
        operation = deepcopy(generic)
        operation["operationId"] = f"fire_{trigger}"
        operation["summary"] = data["title"]
        operation["parameters"] = [p for p in operation["parameters"] if p["name"] != "trigger"]
        content = operation["requestBody"]["content"]["application/json"]
        content["schema"] = {"$ref": f"#/components/schemas/{body_name}"}
        schema["paths"][ACTION_PATH.replace("{trigger}", trigger)] = {"post": operation}
    return schema


def install(app: FastAPI, library: Library) -> None:
    """Serve :func:`build_openapi` at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, library)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
