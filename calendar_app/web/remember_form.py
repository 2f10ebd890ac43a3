"""Reading the remembrance forms (names, dates, contact) into entries, with localized errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from calendar_app.core.remembrance import (
    DEFAULT_COUNTING,
    EARLIEST_DEATH,
    death_problem,
    name_problem,
)
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.reminders.remembrance import Contact, Entry
from calendar_app.reminders.subscriptions import InvalidPreferences
from calendar_app.web.subscription_form import (
    DEFAULT_ZONE,
    MAX_FIELD_LENGTH,
    _small_int,
    mailable_address,
)

SIGN_UP_SLOTS = 3  # name blocks on the sign-up form
CONTACT_FIELDS = ("email", "lang", "timezone", "send_hour", "leads")  # asked for when saving
DEFAULT_LEADS = [1, 0]


@dataclass
class PersonState:
    """One name block as entered: raw texts, so that a wrong date shows as typed."""

    name: str = ""
    died_on: str = ""
    born_on: str = ""
    counting: str = DEFAULT_COUNTING
    thursdays: bool = False
    day_slug: str = ""
    lead_days: list[int] = field(default_factory=lambda: list(DEFAULT_LEADS))

    @property
    def is_blank(self) -> bool:
        return not (self.name or self.died_on or self.born_on)


@dataclass
class RememberState:
    email: str = ""
    lang: str = "en"
    timezone: str = DEFAULT_ZONE
    send_hour: int = 9
    lead_days: list[int] = field(default_factory=lambda: list(DEFAULT_LEADS))
    people: list[PersonState] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    def contact(self) -> Contact:
        return Contact(self.lang, self.timezone, self.send_hour)


def _messages() -> dict[str, str]:
    return {
        "email": gettext("Enter one e-mail address, like name@example.org."),
        "lang": gettext("Choose a language."),
        "timezone": gettext("Choose a time zone from the list, like Asia/Baku."),
        "send_hour": gettext("Choose an hour from 00 to 23."),
        "leads": gettext("Choose at least one time for reminders."),
        "name": gettext("Enter the name, at most 120 characters."),
        "name:control": gettext(
            "The name contains invisible control characters (they often come with copied "
            "text). Type the name again."
        ),
        "died_on": gettext("Enter the date of death as YYYY-MM-DD; it cannot be in the future."),
        "died_on:early": gettext(
            "Enter a date of death in %(year)d or later.", year=EARLIEST_DEATH.year
        ),
        "born_on": gettext("Enter the date of birth as YYYY-MM-DD, before the date of death."),
        "counting": gettext("Choose how the days are counted."),
        "day_slug": gettext("Choose a memorial day from the list."),
        "people": gettext("Enter at least one name and its date of death."),
    }


def _date(text: str) -> dt.date | None:
    if len(text) != 10 or not text.isascii():
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _text(form: MultiDict[str, str], name: str) -> str:
    return form.get(name, "")[:MAX_FIELD_LENGTH].strip()


def _leads(form: MultiDict[str, str], name: str) -> list[int]:
    leads = {_small_int(v) for v in form.getlist(name)[:10]}
    return sorted((v for v in leads if v in LEAD_CHOICES), reverse=True)


def read_person(
    form: MultiDict[str, str],
    suffix: str,
    known_slugs: Sequence[str],
    today: dt.date,
    lead_days: list[int] | None,
    errors: dict[str, str],
) -> tuple[PersonState, Entry | None]:
    """One name block (fields ``name<suffix>``…); ``lead_days`` None: the block has its own."""
    messages = _messages()
    person = PersonState(
        name=_text(form, f"name{suffix}"),
        died_on=_text(form, f"died_on{suffix}"),
        born_on=_text(form, f"born_on{suffix}"),
        counting=_text(form, f"counting{suffix}"),
        thursdays=form.get(f"thursdays{suffix}") == "1",
        day_slug=_text(form, f"day_slug{suffix}"),
        lead_days=lead_days if lead_days is not None else _leads(form, f"leads{suffix}"),
    )
    died, born = _date(person.died_on), _date(person.born_on)
    entry = None
    problems: dict[str, str] = {}
    if died is None:
        problems["died_on"] = messages["died_on"]
    if person.born_on and born is None:
        problems["born_on"] = messages["born_on"]
    if lead_days is None and not person.lead_days:
        problems["leads"] = messages["leads"]
    if died is not None:
        entry = Entry(
            name=person.name,
            died_on=died,
            born_on=born,
            counting=person.counting,
            thursdays=person.thursdays,
            day_slug=person.day_slug or None,
            lead_days=tuple(person.lead_days),
        )
        try:
            entry.check(set(known_slugs), today)
        except InvalidPreferences as error:
            problems.setdefault(error.field, messages[error.field])
        if died is not None and death_problem(died, today) == "early":
            problems["died_on"] = messages["died_on:early"]
    naming = name_problem(person.name)
    if naming is not None:
        problems["name"] = messages["name:control" if naming == "control" else "name"]
    for name, message in problems.items():
        errors[f"{name}{suffix}"] = message
    return person, (entry if not problems else None)


def read_contact(form: MultiDict[str, str], state: RememberState) -> None:
    state.lang = _text(form, "lang")
    state.timezone = _text(form, "timezone")
    state.send_hour = _small_int(_text(form, "send_hour"))
    try:
        state.contact().check()
    except InvalidPreferences as error:
        state.errors[error.field] = _messages()[error.field]


def read_sign_up(
    form: MultiDict[str, str], known_slugs: Sequence[str], today: dt.date
) -> RememberState:
    """The sign-up form: an address, its contact preferences and up to three names."""
    state = RememberState()
    try:
        state.email = mailable_address(form.get("email", ""))
    except InvalidPreferences:
        state.email = _text(form, "email")
        state.errors["email"] = _messages()["email"]
    read_contact(form, state)
    state.lead_days = _leads(form, "leads")
    if not state.lead_days:
        state.errors["leads"] = _messages()["leads"]
    for index in range(SIGN_UP_SLOTS):
        suffix = f"-{index}"
        blank = not any(_text(form, f"{n}{suffix}") for n in ("name", "died_on", "born_on"))
        if blank:
            state.people.append(PersonState(lead_days=state.lead_days))
            continue
        person, entry = read_person(form, suffix, known_slugs, today, state.lead_days, state.errors)
        state.people.append(person)
        if entry is not None:
            state.entries.append(entry)
    if all(p.is_blank for p in state.people):
        state.errors["name-0"] = _messages()["people"]
    return state


def read_preview(
    form: MultiDict[str, str], known_slugs: Sequence[str], today: dt.date
) -> RememberState:
    """The sign-up form for "Show the dates" and its download: the names only. The address
    and its reminder settings are checked when the family saves."""
    state = read_sign_up(form, known_slugs, today)
    state.errors = {k: v for k, v in state.errors.items() if k not in CONTACT_FIELDS}
    return state
