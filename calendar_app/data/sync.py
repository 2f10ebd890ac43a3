"""Bring the database in line with a Dataset, and read a Dataset back from it.

apply_dataset() only flushes; the caller commits or rolls back, so a load is one
transaction. Rows are matched by their stable ids: an unchanged record is not
written, a changed one is updated in place (its database id, and so every link
to it, survives), a record gone from the file is deleted — except memorial days,
which are retired (hidden, their records removed) so that anything referring to
them keeps a target and a day that comes back keeps its id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from calendar_app.data import queries
from calendar_app.data.dataset import Dataset, DayRecord, SourceRecord
from calendar_app.data.models import (
    DataState,
    Fact,
    LegalAct,
    MemorialDay,
    Moment,
    Source,
    TimelineEntry,
)
from calendar_app.data.queries import DbSession
from calendar_app.data.record_map import child_fields, column_values, record_from_row

KINDS = ("sources", "days", "facts", "legal_acts", "moments", "timeline")


@dataclass
class SyncReport:
    """What a load did, per kind of record."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})

    def count(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    @property
    def changed(self) -> bool:
        return any(
            c[o] for c in self.counts.values() for o in ("added", "updated", "removed", "retired")
        )

    def lines(self) -> list[str]:
        order = ("added", "updated", "removed", "retired", "unchanged")
        lines = []
        for kind in KINDS:
            parts = [f"{self.counts[kind][o]} {o}" for o in order if self.counts[kind][o]]
            lines.append(f"{kind}: {', '.join(parts) if parts else 'none'}")
        lines.append("changes saved" if self.changed else "nothing changed")
        return lines


class _Keyed(Protocol):
    key: str


K = TypeVar("K", bound=_Keyed)


def apply_dataset(session: DbSession, dataset: Dataset, now: dt.datetime) -> SyncReport:
    """Upsert the dataset; return what changed. ``now`` is naive UTC."""
    report = SyncReport()
    sources = _sync_sources(session, dataset.sources, report)

    days = {day.slug: day for day in queries.all_days(session)}
    pools: dict[str, dict[str, Any]] = {
        "facts": {f.key: f for f in queries.all_facts(session)},
        "legal_acts": {a.key: a for a in queries.all_legal_acts(session)},
        "moments": {m.key: m for m in queries.all_moments(session)},
        "timeline": {e.key: e for e in queries.all_timeline_entries(session)},
    }
    for position, record in enumerate(dataset.days):
        day = days.pop(record.slug, None)
        outcome = "added" if day is None else "unchanged"
        if day is None:
            day = MemorialDay()
            session.add(day)
        values = {**column_values(record), "position": position, "is_retired": False}
        if _assign(day, values) and outcome == "unchanged":
            outcome = "updated"
        _sync_children(day, record, pools, sources, report)
        report.count("days", outcome)

    for day in days.values():
        if not day.is_retired:
            day.is_retired = True
            report.count("days", "retired")
        day.facts, day.legal_acts, day.moments, day.timeline = [], [], [], []
    for kind, leftovers in pools.items():  # orphaned above, so deleted by the cascade
        for _ in leftovers.values():
            report.count(kind, "removed")
    session.flush()

    wanted = {s.key for s in dataset.sources}
    for key, source in sources.items():
        if key not in wanted:
            session.delete(source)
            report.count("sources", "removed")
    session.flush()

    _record_state(session, dataset.fingerprint(), report.changed, now)
    return report


def _sync_sources(
    session: DbSession, records: Sequence[SourceRecord], report: SyncReport
) -> dict[str, Source]:
    existing = {s.key: s for s in queries.all_sources(session)}
    for position, record in enumerate(records):
        source = existing.get(record.key)
        values = {**column_values(record), "position": position}
        if source is None:
            source = Source()
            session.add(source)
            existing[record.key] = source
            _assign(source, values)
            report.count("sources", "added")
        elif _assign(source, values):
            report.count("sources", "updated")
        else:
            report.count("sources", "unchanged")
    return existing


def _sync_children(
    day: MemorialDay,
    record: DayRecord,
    pools: dict[str, dict[str, Any]],
    sources: Mapping[str, Source],
    report: SyncReport,
) -> None:
    def cite(ids: Iterable[str]) -> list[Source]:
        return sorted((sources[i] for i in ids), key=lambda s: s.position)

    for item in child_fields(DayRecord):
        kind = item.name
        model = CHILD_MODELS[kind]
        rows = _upsert(kind, getattr(record, kind), pools, report, model, cite)
        setattr(day, kind, rows)


def _upsert(
    kind: str,
    records: Sequence[Any],
    pools: dict[str, dict[str, Any]],
    report: SyncReport,
    model: Callable[[], K],
    cite: Cite,
) -> list[K]:
    rows = []
    for position, record in enumerate(records):
        row = pools[kind].pop(record.key, None)
        values = {**column_values(record), "position": position, "sources": cite(record.sources)}
        if row is None:
            row = model()
            _assign(row, values)
            report.count(kind, "added")
        elif _assign(row, values):
            report.count(kind, "updated")
        else:
            report.count(kind, "unchanged")
        rows.append(row)
    return rows


def _assign(row: object, values: Mapping[str, Any]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        current = getattr(row, name, None)
        if name == "sources":
            same = [s.key for s in current or []] == [s.key for s in value]
        else:
            same = current == value and type(current) is type(value)
        if not same:
            setattr(row, name, value)
            changed = True
    return changed


def _record_state(session: DbSession, fingerprint: str, changed: bool, now: dt.datetime) -> None:
    state = queries.data_state(session)
    if state is None:
        session.add(DataState(id=1, content_hash=fingerprint, changed_dt=now))
    elif changed:
        state.content_hash, state.changed_dt = fingerprint, now
    elif state.content_hash != fingerprint:  # same rows, e.g. citations listed in another order
        state.content_hash = fingerprint
    session.flush()


Cite = Callable[[Iterable[str]], list[Source]]
CHILD_MODELS: dict[str, Callable[[], Any]] = {
    "facts": Fact,
    "legal_acts": LegalAct,
    "moments": Moment,
    "timeline": TimelineEntry,
}


def dataset_from_database(session: DbSession) -> Dataset:
    """What the database holds, as a Dataset (retired days left out)."""
    return Dataset(
        sources=tuple(record_from_row(SourceRecord, s) for s in queries.all_sources(session)),
        days=tuple(record_from_row(DayRecord, d) for d in queries.days_with_records(session)),
    )
