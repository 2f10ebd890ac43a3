"""The suppression list: addresses no mail goes to, kept apart from subscriber rows.

A hard bounce, enough soft bounces, a complaint or a refusal at SMTP time puts an
address here. A new sign-up cannot take it off (its subscriber row can be
replaced or forgotten; this row stays), and every sign-up and every send checks
it. Only an operator lifts it (``calendar-app mail unsuppress``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select

from calendar_app.data.models import Suppression
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import SuppressionReason


def address_key(email: str) -> str:
    """How an address is stored and looked up here: trimmed, lower-case."""
    return email.strip().lower()


def suppress(
    session: DbSession, email: str, reason: SuppressionReason, detail: str, now: dt.datetime
) -> None:
    """Put ``email`` on the list (a second reason for a listed address changes nothing)."""
    key = address_key(email)
    if key and session.get(Suppression, key) is None:
        session.add(Suppression(email=key, reason=reason, detail=detail[:300], created_dt=now))
        session.flush()


def is_suppressed(session: DbSession, email: str) -> bool:
    return session.get(Suppression, address_key(email)) is not None


def suppressed_among(session: DbSession, emails: Iterable[str]) -> set[str]:
    """The addresses of ``emails`` on the list (as ``address_key`` writes them)."""
    keys = {address_key(e) for e in emails}
    if not keys:
        return set()
    query = select(Suppression.email).where(Suppression.email.in_(sorted(keys)))
    return set(session.scalars(query))


def lift(session: DbSession, email: str) -> bool:
    """Take ``email`` off the list; False if it was not on it."""
    result = session.execute(delete(Suppression).where(Suppression.email == address_key(email)))
    return bool(getattr(result, "rowcount", 0))


def listing(session: DbSession) -> Sequence[Suppression]:
    return session.scalars(select(Suppression).order_by(Suppression.created_dt)).all()
