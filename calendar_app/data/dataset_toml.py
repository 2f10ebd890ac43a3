"""Pure: write a Dataset back as data-file TOML (the inverse of parse_dataset)."""

from __future__ import annotations

from typing import Any

import tomli_w

from calendar_app.data.dataset import (
    SCHEMA_VERSION,
    Dataset,
    DayRecord,
    FactRecord,
    LegalActRecord,
    MomentRecord,
    SourceRecord,
    TimelineRecord,
)

HEADER = (
    "# Memorial days, exported by `calendar-app data export`.\n"
    "# Format: docs/DATA_FILE.md. Load with `calendar-app data load FILE`.\n\n"
)


def dump_dataset(dataset: Dataset) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "sources": [_source(s) for s in dataset.sources],
        "days": [_day(d) for d in dataset.days],
    }
    return HEADER + tomli_w.dumps(document, multiline_strings=True)


def _compact(table: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is absent, and `verified` where it has its default (true)."""
    return {
        key: value
        for key, value in table.items()
        if value is not None and not (key == "verified" and value is True) and value != []
    }


def _source(s: SourceRecord) -> dict[str, Any]:
    return _compact(
        {
            "id": s.id,
            "title": s.title,
            "publisher": s.publisher,
            "kind": s.kind,
            "language": s.language,
            "published": s.published,
            "year": s.year,
            "url": s.url,
            "locator": s.locator,
            "note": s.note,
            "verified": s.verified,
        }
    )


def _day(d: DayRecord) -> dict[str, Any]:
    return _compact(
        {
            "id": d.slug,
            "month": d.month,
            "day": d.day,
            "events_year": d.events_year,
            "first_observed_year": d.first_observed_year,
            "is_non_working": d.is_non_working,
            "name": d.name,
            "anniversary_of": d.anniversary_of,
            "summary": d.summary,
            "history": d.history,
            "facts": [_fact(f) for f in d.facts],
            "legal_acts": [_act(a) for a in d.legal_acts],
            "moments": [_moment(m) for m in d.moments],
            "timeline": [_event(e) for e in d.timeline],
        }
    )


def _fact(f: FactRecord) -> dict[str, Any]:
    return _compact(
        {
            "id": f.id,
            "kind": f.kind,
            "value": f.value,
            "qualifier": f.qualifier if f.value is not None else None,
            "label": f.label,
            "sources": list(f.sources),
            "verified": f.verified,
        }
    )


def _act(a: LegalActRecord) -> dict[str, Any]:
    return _compact(
        {
            "id": a.id,
            "adopted": a.adopted,
            "kind": a.kind,
            "title": a.title,
            "sources": list(a.sources),
            "verified": a.verified,
        }
    )


def _moment(m: MomentRecord) -> dict[str, Any]:
    return _compact(
        {
            "id": m.id,
            "kind": m.kind,
            "local_time": m.local_time,
            "timezone": m.timezone,
            "duration_minutes": m.duration_minutes,
            "description": m.description,
            "sources": list(m.sources),
            "verified": m.verified,
        }
    )


def _event(e: TimelineRecord) -> dict[str, Any]:
    return _compact(
        {
            "id": e.id,
            "date": e.date,
            "precision": e.precision,
            "title": e.title,
            "sources": list(e.sources),
            "verified": e.verified,
        }
    )
