"""Every SELECT the application runs lives here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session, selectinload

from calendar_app.models import (
    DataState,
    Fact,
    LegalAct,
    MemorialDay,
    Moment,
    Source,
    TimelineEntry,
)

# A plain session, or Flask-SQLAlchemy's scoped db.session that proxies one.
DbSession = Session | scoped_session[Any]


def active_days(session: DbSession) -> Sequence[MemorialDay]:
    """The memorial days in the data file, in calendar order."""
    query = (
        select(MemorialDay)
        .where(MemorialDay.is_retired.is_(False))
        .order_by(MemorialDay.month, MemorialDay.day, MemorialDay.slug)
    )
    return session.scalars(query).all()


def active_day(session: DbSession, slug: str) -> MemorialDay | None:
    query = select(MemorialDay).where(MemorialDay.slug == slug, MemorialDay.is_retired.is_(False))
    return session.scalars(query).one_or_none()


def days_with_records(session: DbSession) -> Sequence[MemorialDay]:
    """Active days with their facts, acts, moments, timeline and sources loaded."""
    query = (
        select(MemorialDay)
        .where(MemorialDay.is_retired.is_(False))
        .order_by(MemorialDay.position)
        .options(
            selectinload(MemorialDay.facts).selectinload(Fact.sources),
            selectinload(MemorialDay.legal_acts).selectinload(LegalAct.sources),
            selectinload(MemorialDay.moments).selectinload(Moment.sources),
            selectinload(MemorialDay.timeline).selectinload(TimelineEntry.sources),
        )
    )
    return session.scalars(query).all()


def all_days(session: DbSession) -> Sequence[MemorialDay]:
    """Every day row, retired ones included."""
    return session.scalars(select(MemorialDay)).all()


def all_sources(session: DbSession) -> Sequence[Source]:
    return session.scalars(select(Source).order_by(Source.position)).all()


def all_facts(session: DbSession) -> Sequence[Fact]:
    return session.scalars(select(Fact)).all()


def all_legal_acts(session: DbSession) -> Sequence[LegalAct]:
    return session.scalars(select(LegalAct)).all()


def all_moments(session: DbSession) -> Sequence[Moment]:
    return session.scalars(select(Moment)).all()


def all_timeline_entries(session: DbSession) -> Sequence[TimelineEntry]:
    return session.scalars(select(TimelineEntry)).all()


def data_state(session: DbSession) -> DataState | None:
    return session.get(DataState, 1)


def has_days(session: DbSession) -> bool:
    return session.scalars(select(MemorialDay.id).limit(1)).first() is not None
