"""Typed SQLAlchemy models: the sourced memorial-day records.

Localized texts are JSON objects with exactly the keys az, en and ru (the loader
guarantees it). Records that a user sees cite one or more sources.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

from calendar_app.data.statuses import (
    MailEventKind,
    PersonStatus,
    ReminderStatus,
    SentKind,
    ShareStatus,
    SubscriberStatus,
    SuppressionReason,
    TokenPurpose,
    check_in,
)
from calendar_app.data.utc_datetime import UtcDateTime

Localized = dict[str, str]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={Localized: JSON, str: String(200), dt.datetime: UtcDateTime()},
    )


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows matching ``where`` only, on PostgreSQL and SQLite alike."""
    condition = text(where)
    return Index(name, *columns, unique=unique, postgresql_where=condition, sqlite_where=condition)


def _citation_table(name: str, owner: str, owner_table: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(
            f"{owner}_id", ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True
        ),
        Column("source_id", ForeignKey("sources.id", ondelete="RESTRICT"), primary_key=True),
    )


fact_sources = _citation_table("fact_sources", "fact", "facts")
legal_act_sources = _citation_table("legal_act_sources", "legal_act", "legal_acts")
moment_sources = _citation_table("moment_sources", "moment", "moments")
timeline_sources = _citation_table("timeline_entry_sources", "timeline_entry", "timeline_entries")


class Source(Base):
    """A document a record is taken from: an article, a statement, a legal act."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True, doc="Stable id from the data file.")
    title: Mapped[str] = mapped_column(Text, doc="As the document is titled, in its language.")
    display_title: Mapped[Localized | None] = mapped_column(
        doc="The title as readers see it, in az, en and ru."
    )
    publisher_name: Mapped[Localized | None] = mapped_column(
        doc="The publisher in az, en and ru; None when the document names none."
    )
    kind: Mapped[str] = mapped_column(String(20), doc="press, official, legal-act, statement…")
    language: Mapped[str] = mapped_column(String(8), doc="Language of the document.")
    published_on: Mapped[dt.date | None] = mapped_column(doc="Date of publication, if known.")
    published_year: Mapped[int | None] = mapped_column(doc="Year, when only the year is known.")
    url: Mapped[str | None] = mapped_column(Text)
    locator: Mapped[str | None] = mapped_column(Text, doc="Where to find it without a URL.")
    note: Mapped[str | None] = mapped_column(Text)
    is_verified: Mapped[bool] = mapped_column(doc="False when the sources do not settle it.")
    position: Mapped[int] = mapped_column(doc="Order in the data file.")


class MemorialDay(Base):
    """A memorial day observed every year on a fixed month and day."""

    __tablename__ = "memorial_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True, doc="Stable id, e.g. january-20.")
    month: Mapped[int]
    day: Mapped[int]
    events_year: Mapped[int] = mapped_column(doc="Year of the events; anniversaries count from it.")
    first_observed_year: Mapped[int] = mapped_column(doc="First year officially observed.")
    first_observed_verified: Mapped[bool] = mapped_column(
        default=True,
        doc="False when no source states the first year observed.",
    )
    first_observed_note: Mapped[Localized | None] = mapped_column(
        doc="What the first year observed alone would not say, in az, en and ru."
    )
    is_non_working: Mapped[bool] = mapped_column(doc="A public non-working day.")
    name: Mapped[Localized]
    anniversary_of: Mapped[Localized] = mapped_column(doc="Phrase after 'anniversary of'.")
    summary: Mapped[Localized]
    history: Mapped[Localized]
    position: Mapped[int] = mapped_column(doc="Order in the data file.")
    is_retired: Mapped[bool] = mapped_column(default=False, doc="Removed from the data file.")
    texts_changed_dt: Mapped[dt.datetime | None] = mapped_column(
        doc="Last load that changed this record's own fields, UTC; None: as first loaded."
    )

    facts: Mapped[list[Fact]] = relationship(
        back_populates="memorial_day", cascade="all, delete-orphan", order_by="Fact.position"
    )
    legal_acts: Mapped[list[LegalAct]] = relationship(
        back_populates="memorial_day", cascade="all, delete-orphan", order_by="LegalAct.position"
    )
    moments: Mapped[list[Moment]] = relationship(
        back_populates="memorial_day", cascade="all, delete-orphan", order_by="Moment.position"
    )
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="memorial_day",
        cascade="all, delete-orphan",
        order_by="TimelineEntry.position",
    )


class DayRecordColumns:
    """The columns every record a day owns has: its stable key, its day, its order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True, doc="Stable id from the data file.")
    memorial_day_id: Mapped[int] = mapped_column(
        ForeignKey("memorial_days.id", ondelete="CASCADE"), index=True
    )
    is_verified: Mapped[bool] = mapped_column(doc="False when the sources do not settle it.")
    position: Mapped[int] = mapped_column(doc="Order in the data file.")


class Fact(DayRecordColumns, Base):
    """A figure or a statement about a day; disagreeing figures are separate facts."""

    __tablename__ = "facts"
    kind: Mapped[str] = mapped_column(String(40), doc="Facts of one kind are compared.")
    value: Mapped[int | None] = mapped_column(Integer, doc="The figure; None for a statement.")
    qualifier: Mapped[str] = mapped_column(String(12), doc="exact, more-than, about, at-least.")
    label: Mapped[Localized] = mapped_column(doc="What the figure counts, or the statement.")

    memorial_day: Mapped[MemorialDay] = relationship(back_populates="facts")
    sources: Mapped[list[Source]] = relationship(secondary=fact_sources, order_by=Source.position)


class LegalAct(DayRecordColumns, Base):
    """A law, resolution, decree or order that established or shaped a day."""

    __tablename__ = "legal_acts"
    adopted_on: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[Localized]

    memorial_day: Mapped[MemorialDay] = relationship(back_populates="legal_acts")
    sources: Mapped[list[Source]] = relationship(
        secondary=legal_act_sources, order_by=Source.position
    )


class Moment(DayRecordColumns, Base):
    """A custom fixed in local time, e.g. the nationwide minute of silence."""

    __tablename__ = "moments"
    kind: Mapped[str] = mapped_column(String(40))
    local_time: Mapped[dt.time]
    timezone: Mapped[str] = mapped_column(String(64), doc="IANA zone of local_time.")
    duration_minutes: Mapped[int]
    description: Mapped[Localized]

    memorial_day: Mapped[MemorialDay] = relationship(back_populates="moments")
    sources: Mapped[list[Source]] = relationship(secondary=moment_sources, order_by=Source.position)


class TimelineEntry(DayRecordColumns, Base):
    """A dated event related to a day."""

    __tablename__ = "timeline_entries"
    occurred_on: Mapped[dt.date]
    precision: Mapped[str] = mapped_column(String(8), doc="day, month or year of occurred_on.")
    title: Mapped[Localized]

    memorial_day: Mapped[MemorialDay] = relationship(back_populates="timeline")
    sources: Mapped[list[Source]] = relationship(
        secondary=timeline_sources, order_by=Source.position
    )


class DataState(Base):
    """One row: the fingerprint of the loaded data and when it last changed.

    changed_dt is the data's version: feeds derive DTSTAMP, Last-Modified and
    their cache keys from it, never from the clock.
    """

    __tablename__ = "data_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), doc="SHA-256 of the loaded dataset.")
    changed_dt: Mapped[dt.datetime] = mapped_column(doc="Last load that changed rows, UTC.")


class Subscriber(Base):
    """A person who asked for reminder e-mails; nothing is sent before confirmation."""

    __tablename__ = "subscribers"
    __table_args__ = (
        # Each tick forgets sign-ups never confirmed: this keeps that from reading every row.
        partial_index("ix_subscribers_pending", "created_dt", where="status = 'pending'"),
        CheckConstraint(check_in("status", SubscriberStatus), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, doc="Normalized address.")
    lang: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), doc="IANA zone of send_hour.")
    send_hour: Mapped[int] = mapped_column(doc="Local hour at which reminders are due.")
    day_slugs: Mapped[list[str]] = mapped_column(JSON, doc="Memorial days chosen.")
    lead_days: Mapped[list[int]] = mapped_column(JSON, doc="Days before each observance.")
    status: Mapped[str] = mapped_column(
        String(12), doc="pending, active, unsubscribed or suppressed."
    )
    created_dt: Mapped[dt.datetime] = mapped_column(doc="Sign-up, UTC.")
    confirmed_dt: Mapped[dt.datetime | None] = mapped_column(doc="Double opt-in, UTC.")
    ended_dt: Mapped[dt.datetime | None] = mapped_column(doc="Unsubscribed or suppressed, UTC.")

    @property
    def is_active(self) -> bool:
        return self.status == SubscriberStatus.ACTIVE


class AccessToken(Base):
    """A secret link (confirm, manage, unsubscribe or remember); only its SHA-256 is stored.

    A confirmation link expires after a week; a manage or unsubscribe link has no
    expiry while it is its address's newest of its kind, and expires a while after
    a newer e-mail carried a newer one. Expired rows are pruned.
    """

    __tablename__ = "access_tokens"
    __table_args__ = (CheckConstraint(check_in("purpose", TokenPurpose), name="purpose"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(
        String(12), doc="confirm, manage, unsubscribe or remember."
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256, hex.")
    created_dt: Mapped[dt.datetime]
    expires_dt: Mapped[dt.datetime | None] = mapped_column(
        index=True, doc="None: the newest link of its kind; pruned once passed."
    )
    revoked_dt: Mapped[dt.datetime | None] = mapped_column(doc="Used (confirm) or rotated.")


class Suppression(Base):
    """An address no mail goes to, whatever its subscriber rows say; an operator lifts it."""

    __tablename__ = "suppressions"
    __table_args__ = (CheckConstraint(check_in("reason", SuppressionReason), name="reason"),)
    email: Mapped[str] = mapped_column(String(254), primary_key=True, doc="Normalized address.")
    reason: Mapped[str] = mapped_column(
        String(12), doc="hard-bounce, soft-bounces, complaint, rejected or earlier."
    )
    detail: Mapped[str] = mapped_column(String(300), doc="Status code, diagnostic or report.")
    created_dt: Mapped[dt.datetime] = mapped_column(doc="Suppressed, UTC.")


class RememberedPerson(Base):
    """One of a family's own dead: personal data, shown only behind the family's secret links.

    Deleted at once when the family deletes it (no soft delete); its reminders go
    with it (ON DELETE CASCADE).
    """

    __tablename__ = "remembered_people"
    __table_args__ = (CheckConstraint(check_in("status", PersonStatus), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120), doc="As the family wrote it.")
    died_on: Mapped[dt.date]
    born_on: Mapped[dt.date | None]
    counting: Mapped[str] = mapped_column(String(12), doc="death-day or day-after.")
    thursdays: Mapped[bool] = mapped_column(doc="List the Thursday evenings of the forty days.")
    day_slug: Mapped[str | None] = mapped_column(String(40), doc="A linked national day.")
    lead_days: Mapped[list[int]] = mapped_column(JSON, doc="Days before each observance.")
    status: Mapped[str] = mapped_column(String(8), doc="pending (until confirmed) or active.")
    confirm_hash: Mapped[str | None] = mapped_column(
        String(64), index=True, doc="SHA-256 of the confirmation link that activates it."
    )
    feed_salt: Mapped[str] = mapped_column(
        String(64), doc="Random; the feed token derives from it."
    )
    feed_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256 of the token.")
    created_dt: Mapped[dt.datetime]
    changed_dt: Mapped[dt.datetime] = mapped_column(doc="Last edit, UTC: the feed's DTSTAMP.")


class FamilyFeed(Base):
    """The private feed of all of an address's names: its own secret link, as a name's.

    One per address, made when the address confirms its first names (or, for an
    address confirmed before family feeds existed, when its manage page is opened).
    Erased with the address (ON DELETE CASCADE); its replaced links answer 410 (GoneFeed).
    """

    __tablename__ = "family_feeds"
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    feed_salt: Mapped[str] = mapped_column(
        String(64), doc="Random; the feed token derives from it."
    )
    feed_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256 of the token.")
    created_dt: Mapped[dt.datetime]
    changed_dt: Mapped[dt.datetime] = mapped_column(doc="Last new link or deleted name, UTC.")


share_people = Table(
    "share_people",
    Base.metadata,
    Column("share_id", ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "remembered_id",
        ForeignKey("remembered_people.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Share(Base):
    """Names of one address (the owner) whose reminders another address (a relative) receives.

    Pending until the invitee confirms through the link of the invitation, which
    only its SHA-256 (``confirm_hash``) finds. Deleted at once when the owner
    withdraws it or the invitee leaves; deleting a name, or either address,
    removes it from every share (ON DELETE CASCADE).
    """

    __tablename__ = "shares"
    __table_args__ = (
        UniqueConstraint("owner_id", "invitee_id"),  # one invitation per address and owner
        CheckConstraint(check_in("status", ShareStatus), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the unique constraint leads with owner_id
    owner_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(8), doc="pending (until confirmed) or active.")
    confirm_hash: Mapped[str | None] = mapped_column(
        String(64), unique=True, doc="SHA-256 of the invitation's link; None once confirmed."
    )
    lead_days: Mapped[list[int]] = mapped_column(JSON, doc="The invitee's days before.")
    created_dt: Mapped[dt.datetime] = mapped_column(doc="Invited, UTC.")
    changed_dt: Mapped[dt.datetime] = mapped_column(doc="Confirmed or last changed, UTC.")

    people: Mapped[list[RememberedPerson]] = relationship(
        secondary=share_people, order_by="[RememberedPerson.died_on, RememberedPerson.id]"
    )
    owner: Mapped[Subscriber] = relationship(foreign_keys=[owner_id])
    invitee: Mapped[Subscriber] = relationship(foreign_keys=[invitee_id])


class GoneFeed(Base):
    """The SHA-256 of a private feed link that was replaced or deleted: it answers 410."""

    __tablename__ = "gone_feeds"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    gone_dt: Mapped[dt.datetime]


class Reminder(Base):
    """The outbox: one row per (subscriber, day, year, lead), sent at most once.

    A reminder of a family's own remembrance day has no memorial day: it names
    the remembered person and the occasion (day-40, year-5…) instead, unique
    per (person, occasion, lead).
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "memorial_day_id", "year", "lead_days"),
        partial_index(
            "uq_reminders_remembered",
            "remembered_id",
            "subscriber_id",  # the family's own address and each relative it invited
            "occasion",
            "lead_days",
            where="remembered_id IS NOT NULL",
            unique=True,
        ),
        partial_index(
            "ix_reminders_due", "next_attempt_dt", where="status IN ('pending', 'sending')"
        ),
        CheckConstraint(check_in("status", ReminderStatus), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the unique index above leads with subscriber_id
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    memorial_day_id: Mapped[int | None] = mapped_column(ForeignKey("memorial_days.id"))
    remembered_id: Mapped[int | None] = mapped_column(
        ForeignKey("remembered_people.id", ondelete="CASCADE"), doc="A family's own remembrance."
    )
    occasion: Mapped[str | None] = mapped_column(String(16), doc="day-40, thursday-2, year-5…")
    year: Mapped[int] = mapped_column(doc="Year of the occurrence.")
    lead_days: Mapped[int] = mapped_column(doc="Days before the occurrence.")
    due_dt: Mapped[dt.datetime] = mapped_column(doc="Send hour, subscriber's zone, as UTC.")
    deadline_dt: Mapped[dt.datetime] = mapped_column(doc="End of the day itself, as UTC.")
    status: Mapped[str] = mapped_column(
        String(10), doc="pending, sending, sent, failed, expired, cancelled or superseded."
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_dt: Mapped[dt.datetime] = mapped_column(doc="Not before this instant, UTC.")
    lease_until_dt: Mapped[dt.datetime | None] = mapped_column(doc="A worker holds it till.")
    message_id: Mapped[str | None] = mapped_column(String(200), doc="Set before the first try.")
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_dt: Mapped[dt.datetime | None]
    created_dt: Mapped[dt.datetime]


class SentMail(Base):
    """A message handed to the relay, by the token of its VERP Return-Path.

    A bounce or a complaint counts only if it names a token found here (and,
    where it quotes the message, the same Message-ID).
    """

    __tablename__ = "sent_mail"
    __table_args__ = (CheckConstraint(check_in("kind", SentKind), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, doc="In bounces+TOKEN@domain.")
    message_id: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), doc="The envelope recipient.")
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12), doc="reminder, confirm or manage.")
    sent_dt: Mapped[dt.datetime] = mapped_column(index=True, doc="First handed over, UTC.")


class MailEvent(Base):
    """What came back: a bounce, a complaint, an unsubscribe by mail, a refusal at SMTP time."""

    __tablename__ = "mail_events"
    __table_args__ = (
        UniqueConstraint("kind", "token"),  # one of each kind per message
        CheckConstraint(check_in("kind", MailEventKind), name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(12), doc="hard-bounce, soft-bounce, complaint, unsubscribe or rejected."
    )
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str | None] = mapped_column(String(40), doc="The sent message's VERP token.")
    detail: Mapped[str] = mapped_column(String(300), doc="Status code and diagnostic.")
    received_dt: Mapped[dt.datetime] = mapped_column(index=True)
