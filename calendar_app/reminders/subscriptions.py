"""Subscribers and their secret links: sign-up, double opt-in, preferences, leaving.

Secrets are 256-bit random tokens; only their SHA-256 is stored, so a copy of
the database opens no manage page. Every e-mail carries a fresh manage token
(and a reminder a fresh unsubscribe token, for its List-Unsubscribe header, which
can do nothing but unsubscribe); rotating revokes them all. The newest link of
each kind never expires; an older one expires ``LINK_TTL`` after a newer one was
issued, and the housekeeping prunes expired rows. Nothing here sends mail:
callers compose and send.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, exists, update

from calendar_app.core.languages import LANGUAGES
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.data import queries, suppressions
from calendar_app.data.models import AccessToken, RememberedPerson, Share, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import PersonStatus, ShareStatus, SubscriberStatus, TokenPurpose
from calendar_app.reminders import outbox

CONFIRM_TTL = dt.timedelta(days=7)
LINK_TTL = dt.timedelta(days=90)  # a manage or unsubscribe link, once a newer one was sent
LASTING = (TokenPurpose.MANAGE, TokenPurpose.UNSUBSCRIBE)  # links that last till superseded
MAX_EMAIL_LENGTH = 254


class InvalidPreferences(ValueError):
    """A preference a person gave that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Preferences:
    lang: str
    timezone: str
    day_slugs: tuple[str, ...]
    lead_days: tuple[int, ...]
    send_hour: int

    def check(self, known_slugs: set[str]) -> None:
        if self.lang not in LANGUAGES:
            raise InvalidPreferences("lang", "unknown language")
        if not valid_timezone(self.timezone):
            raise InvalidPreferences("timezone", "unknown time zone")
        if not self.day_slugs or not set(self.day_slugs) <= known_slugs:
            raise InvalidPreferences("days", "choose at least one memorial day")
        if not self.lead_days or not set(self.lead_days) <= set(LEAD_CHOICES):
            raise InvalidPreferences("leads", "choose at least one time for reminders")
        if not 0 <= self.send_hour <= 23:
            raise InvalidPreferences("send_hour", "the hour must be 0-23")


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this installation knows, sorted (for the form's suggestions)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


def valid_timezone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def normalize_email(raw: str) -> str:
    """One plain address, normalized; refuses display names, lists and CR/LF."""
    text = raw.strip()
    if not text or len(text) > MAX_EMAIL_LENGTH:
        raise InvalidPreferences("email", "enter one e-mail address of at most 254 characters")
    if any(c in text for c in '\r\n\t<>,; "') or text.count("@") != 1:
        raise InvalidPreferences("email", "enter one plain e-mail address, like name@example.org")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidPreferences("email", "this is not a valid e-mail address") from None
    # Mailboxes are case-insensitive in practice: one person, one subscription.
    normalized = str(result.normalized).lower()
    if len(normalized) > MAX_EMAIL_LENGTH:
        raise InvalidPreferences("email", "enter one e-mail address of at most 254 characters")
    return normalized


def token_hash(token: str) -> str:
    """How a secret link is stored and looked up: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: DbSession, subscriber: Subscriber, purpose: str, now: dt.datetime, flush: bool = True
) -> str:
    """A new secret link for ``subscriber``; returns the raw token (never stored).

    Issuing a manage or unsubscribe link starts the expiry of the older ones
    (``age_older_links``). ``flush=False`` leaves the INSERT to the caller's next
    flush or commit, so that many tokens go to the database in one statement, and
    the aging to the caller's one ``age_older_links`` for all of them.
    """
    raw = secrets.token_urlsafe(32)
    once = (TokenPurpose.CONFIRM, TokenPurpose.REMEMBER)  # confirmation links expire
    expires = now + CONFIRM_TTL if purpose in once else None
    session.add(
        AccessToken(
            subscriber_id=subscriber.id,
            purpose=purpose,
            token_hash=token_hash(raw),
            created_dt=now,
            expires_dt=expires,
        )
    )
    if flush:
        session.flush()
        if purpose in LASTING:
            age_older_links(session, [subscriber.id], now)
    return raw


def age_older_links(session: DbSession, subscriber_ids: list[int], now: dt.datetime) -> None:
    """Links issued before ``now`` to these subscribers expire ``LINK_TTL`` from now."""
    if not subscriber_ids:
        return
    session.execute(
        update(AccessToken)
        .where(
            AccessToken.subscriber_id.in_(subscriber_ids),
            AccessToken.purpose.in_(LASTING),
            AccessToken.expires_dt.is_(None),
            AccessToken.created_dt < now,
        )
        .values(expires_dt=now + LINK_TTL)
    )


def prune_tokens(session: DbSession, now: dt.datetime) -> int:
    """Delete every expired link (revoked links expire when revoked); how many."""
    result = session.execute(delete(AccessToken).where(AccessToken.expires_dt <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def subscriber_for_token(
    session: DbSession, raw: str, purpose: str | tuple[str, ...], now: dt.datetime
) -> Subscriber | None:
    """The subscriber a valid, unexpired, unrevoked token of ``purpose`` (one of them) opens."""
    if not raw or len(raw) > 100:
        return None
    purposes = (purpose,) if isinstance(purpose, str) else purpose
    token = queries.token_by_hash(session, token_hash(raw))
    if token is None or token.purpose not in purposes or token.revoked_dt is not None:
        return None
    if token.expires_dt is not None and token.expires_dt <= now:
        return None
    return session.get(Subscriber, token.subscriber_id)


@dataclass(frozen=True)
class SignUp:
    """What to e-mail after a sign-up: a confirmation, or a link to manage."""

    subscriber: Subscriber
    kind: str  # TokenPurpose.CONFIRM or TokenPurpose.MANAGE
    token: str


def sign_up(session: DbSession, email: str, prefs: Preferences, now: dt.datetime) -> SignUp:
    subscriber = queries.subscriber_by_email(session, email)
    if subscriber is not None and subscriber.is_active:
        # Preferences of a confirmed subscriber change only through their manage link.
        return SignUp(
            subscriber,
            TokenPurpose.MANAGE,
            issue_token(session, subscriber, TokenPurpose.MANAGE, now),
        )
    if subscriber is None:
        subscriber = Subscriber(email=email, created_dt=now)
        session.add(subscriber)
    _apply(subscriber, prefs)
    subscriber.status, subscriber.confirmed_dt, subscriber.ended_dt = (
        SubscriberStatus.PENDING,
        None,
        None,
    )
    subscriber.created_dt = now
    session.flush()
    revoke_tokens(session, subscriber.id, TokenPurpose.CONFIRM, now)
    return SignUp(
        subscriber,
        TokenPurpose.CONFIRM,
        issue_token(session, subscriber, TokenPurpose.CONFIRM, now),
    )


def confirm(session: DbSession, raw: str, now: dt.datetime) -> Subscriber | None:
    subscriber = subscriber_for_token(session, raw, TokenPurpose.CONFIRM, now)
    if subscriber is None or subscriber.status != SubscriberStatus.PENDING:
        return None
    subscriber.status, subscriber.confirmed_dt = SubscriberStatus.ACTIVE, now
    revoke_tokens(session, subscriber.id, TokenPurpose.CONFIRM, now)
    outbox.replan_subscriber(session, subscriber, now)
    return subscriber


def update_preferences(
    session: DbSession, subscriber: Subscriber, prefs: Preferences, now: dt.datetime
) -> None:
    _apply(subscriber, prefs)
    leaving = (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.SUPPRESSED)
    if (
        subscriber.status in leaving
        and subscriber.confirmed_dt
        and not suppressions.is_suppressed(session, subscriber.email)  # an operator lifts that
    ):
        subscriber.status, subscriber.ended_dt = (
            SubscriberStatus.ACTIVE,
            None,
        )  # coming back via their link
    session.flush()
    outbox.replan_subscriber(session, subscriber, now)


def unsubscribe(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
        subscriber.status, subscriber.ended_dt = SubscriberStatus.UNSUBSCRIBED, now
    outbox.cancel_unsent(session, subscriber.id)
    session.flush()


def rotate_links(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> str:
    """Revoke every manage and unsubscribe link; return the one new manage link."""
    revoke_tokens(session, subscriber.id, TokenPurpose.MANAGE, now)
    revoke_tokens(session, subscriber.id, TokenPurpose.UNSUBSCRIBE, now)
    return issue_token(session, subscriber, TokenPurpose.MANAGE, now)


def expire_pending(session: DbSession, now: dt.datetime) -> int:
    """Forget sign-ups never confirmed within the confirmation period."""
    result = session.execute(
        delete(Subscriber).where(
            Subscriber.status == SubscriberStatus.PENDING,
            Subscriber.created_dt <= now - CONFIRM_TTL,
            # an address that left and signed up again keeps the names it remembers
            ~exists().where(
                RememberedPerson.subscriber_id == Subscriber.id,
                RememberedPerson.status == PersonStatus.ACTIVE,
            ),
            # and the names relatives share with it
            ~exists().where(Share.invitee_id == Subscriber.id, Share.status == ShareStatus.ACTIVE),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _apply(subscriber: Subscriber, prefs: Preferences) -> None:
    subscriber.lang = prefs.lang
    subscriber.timezone = prefs.timezone
    subscriber.day_slugs = list(prefs.day_slugs)
    subscriber.lead_days = sorted(set(prefs.lead_days), reverse=True)
    subscriber.send_hour = prefs.send_hour


def revoke_tokens(session: DbSession, subscriber_id: int, purpose: str, now: dt.datetime) -> None:
    """Revoke every unrevoked link of ``purpose`` of this subscriber (pruned from now on)."""
    session.execute(
        update(AccessToken)
        .where(
            AccessToken.subscriber_id == subscriber_id,
            AccessToken.purpose == purpose,
            AccessToken.revoked_dt.is_(None),
        )
        .values(revoked_dt=now, expires_dt=now)
    )
