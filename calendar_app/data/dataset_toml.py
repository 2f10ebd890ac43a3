"""Pure: write a Dataset back as data-file TOML (the inverse of parse_dataset)."""

from __future__ import annotations

from typing import Any

import tomli_w

from calendar_app.data.dataset import SCHEMA_VERSION, Dataset, DayRecord
from calendar_app.data.record_map import child_fields, toml_table

HEADER = (
    "# Memorial days, exported by `calendar-app data export`.\n"
    "# Format: docs/DATA_FILE.md. Load with `calendar-app data load FILE`.\n\n"
)


def dump_dataset(dataset: Dataset) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "sources": [_compact(toml_table(s)) for s in dataset.sources],
        "days": [_compact(_day(d)) for d in dataset.days],
    }
    return HEADER + tomli_w.dumps(document, multiline_strings=True)


def _day(day: DayRecord) -> dict[str, Any]:
    table = toml_table(day)
    for item in child_fields(DayRecord):
        table[item.name] = [_compact(_statement_without_qualifier(t)) for t in table[item.name]]
    return table


def _statement_without_qualifier(table: dict[str, Any]) -> dict[str, Any]:
    """A fact without a value is a statement: the file gives it no qualifier."""
    if "qualifier" in table and table.get("value") is None:
        return {**table, "qualifier": None}
    return table


def _compact(table: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is absent, and the `…verified` flags where they have their default (true)."""
    return {
        key: value
        for key, value in table.items()
        if value is not None and not (key.endswith("verified") and value is True) and value != []
    }
