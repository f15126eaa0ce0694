"""A JSON Schema for the snapshot document, derived from the records in model.py
(so the two cannot drift apart); written to docs/snapshot.schema.json."""

from __future__ import annotations

import types
import typing
from typing import Any

from refurb import SNAPSHOT_FORMAT
from refurb.model import Snapshot
from refurb.record import fields, is_record, type_hints

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _schema(args[0], defs)
        if "type" in inner:
            return {**inner, "type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": _schema(typing.get_args(tp)[0], defs)}
    if origin is dict or tp is Any:
        return {"type": "object"}
    if is_record(tp):
        name = typing.cast(type, tp).__name__
        if name not in defs:
            defs[name] = {}
            hints = type_hints(tp)
            names = fields(tp)
            defs[name] = {
                "type": "object",
                "properties": {n: _schema(hints[n], defs) for n in names},
                "required": list(names),
                "additionalProperties": True,
            }
        return {"$ref": f"#/$defs/{name}"}
    return {"type": _SCALARS[tp]}


def snapshot_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = _schema(Snapshot, defs)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://refurb.invalid/snapshot.schema.json",
        "title": f"refurb snapshot ({SNAPSHOT_FORMAT})",
        **defs.pop("Snapshot"),
        "$defs": dict(sorted(defs.items())),
    }
    schema["properties"]["format"] = {"const": SNAPSHOT_FORMAT}
    assert root == {"$ref": "#/$defs/Snapshot"}
    return schema


if __name__ == "__main__":
    import json

    print(json.dumps(snapshot_schema(), indent=2))
