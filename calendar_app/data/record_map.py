"""The one mapper between records, rows, data-file tables and API objects.

Record fields (calendar_app/data/dataset.py) are named like the model columns; a
field's metadata names it where the data file (``toml``) or the JSON API (``json``)
spells it otherwise, ``json: None`` keeps it out of the API, ``cites`` marks the
list of cited sources and ``child`` the records a day owns. Everything that copies
a record field by field goes through these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import Field, fields
from typing import Any, TypeVar

R = TypeVar("R")


def scalar_fields(record_type: type[Any]) -> Iterator[Field[Any]]:
    """The fields stored in the record's own row (no citations, no child records)."""
    for item in fields(record_type):
        if not item.metadata.get("cites") and "child" not in item.metadata:
            yield item


def child_fields(record_type: type[Any]) -> Iterator[Field[Any]]:
    return (item for item in fields(record_type) if "child" in item.metadata)


def toml_name(item: Field[Any]) -> str:
    return str(item.metadata.get("toml", item.name))


def column_values(record: Any) -> dict[str, Any]:
    """The record's own columns, by column name (citations and children left out)."""
    return {item.name: getattr(record, item.name) for item in scalar_fields(type(record))}


def record_from_row(record_type: type[R], row: Any) -> R:
    """A record holding what ``row`` holds: citations as source keys, children as records."""
    values: dict[str, Any] = {}
    for item in fields(record_type):  # type: ignore[arg-type]
        value = getattr(row, item.name)
        if item.metadata.get("cites"):
            value = tuple(source.key for source in value)
        elif "child" in item.metadata:
            value = tuple(record_from_row(item.metadata["child"], child) for child in value)
        elif isinstance(value, Mapping):
            value = dict(value)
        values[item.name] = value
    return record_type(**values)


def toml_table(record: Any) -> dict[str, Any]:
    """The data-file table of a record, by data-file key (children included)."""
    table: dict[str, Any] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        if "child" in item.metadata:
            value = [toml_table(child) for child in value]
        elif item.metadata.get("cites"):
            value = list(value)
        table[toml_name(item)] = value
    return table


def json_object(record_type: type[Any], row: Any) -> dict[str, Any]:
    """The API object of a row: dates as ISO 8601, times as HH:MM, citations as keys."""
    result: dict[str, Any] = {}
    for item in fields(record_type):
        if "child" in item.metadata or ("json" in item.metadata and item.metadata["json"] is None):
            continue
        value = getattr(row, item.name)
        if item.metadata.get("cites"):
            value = [source.key for source in value]
        result[str(item.metadata.get("json", item.name))] = _json_value(value)
    return result


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
