"""Reading the subscribe and manage forms into Preferences, with localized errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from calendar_app.core.languages import BAKU_ZONE
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.reminders.subscriptions import (
    InvalidPreferences,
    Preferences,
    normalize_email,
)

MAX_FIELD_LENGTH = 300
DEFAULT_ZONE = BAKU_ZONE
MAX_LOCAL_PART = 64  # RFC 5321, 4.5.3.1.1


@dataclass
class FormState:
    """What the form shows: the values as entered, and an error per field."""

    email: str = ""
    lang: str = "en"
    timezone: str = DEFAULT_ZONE
    day_slugs: list[str] = field(default_factory=list)
    lead_days: list[int] = field(default_factory=list)
    send_hour: int = 9
    errors: dict[str, str] = field(default_factory=dict)

    def preferences(self) -> Preferences:
        return Preferences(
            lang=self.lang,
            timezone=self.timezone,
            day_slugs=tuple(self.day_slugs),
            lead_days=tuple(self.lead_days),
            send_hour=self.send_hour,
        )


def _messages() -> dict[str, str]:
    return {
        "email": gettext("Enter one e-mail address, like name@example.org."),
        "lang": gettext("Choose a language."),
        "timezone": gettext("Choose a time zone from the list, like Asia/Baku."),
        "days": gettext("Choose at least one memorial day."),
        "leads": gettext("Choose at least one time for reminders."),
        "send_hour": gettext("Choose an hour from 00 to 23."),
    }


def read_form(
    form: MultiDict[str, str], known_slugs: Sequence[str], *, with_email: bool
) -> FormState:
    """Parse and validate; ``state.errors`` is empty when the form can be used."""
    state = FormState()
    messages = _messages()

    def text(name: str) -> str:
        return form.get(name, "")[:MAX_FIELD_LENGTH].strip()

    state.email = text("email")
    state.lang = text("lang")
    state.timezone = text("timezone")
    state.day_slugs = [s for s in form.getlist("days")[:10] if s in known_slugs]
    leads = {_small_int(v) for v in form.getlist("leads")[:10]}
    state.lead_days = sorted((v for v in leads if v in LEAD_CHOICES), reverse=True)
    state.send_hour = _small_int(text("send_hour"))

    if with_email:
        try:
            state.email = mailable_address(form.get("email", ""))
        except InvalidPreferences:
            state.errors["email"] = messages["email"]
    try:
        state.preferences().check(set(known_slugs))
    except InvalidPreferences as error:
        state.errors[error.field] = messages[error.field]
    return state


def mailable_address(raw: str) -> str:
    """normalize_email, narrowed to what a To header carries as it is and a public site
    should mail: no RFC 2047 encoded word (=?...?=, which mail readers decode and the
    header parser refuses), a local part of at most 64 characters, a domain with a dot."""
    email = normalize_email(raw)
    local, _, domain = email.rpartition("@")
    if "=?" in email or len(local) > MAX_LOCAL_PART or "." not in domain:
        raise InvalidPreferences("email", "not an address the site can write to")
    try:
        Address(addr_spec=email)
    except (HeaderParseError, ValueError, IndexError):
        raise InvalidPreferences("email", "not an address the site can write to") from None
    return email


def _small_int(text: str) -> int:
    """A number of at most two ASCII digits, or -1."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else -1
