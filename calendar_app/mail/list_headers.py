"""The List-* headers every e-mail with a way out carries (RFC 2919, RFC 2369, RFC 8058)."""

from __future__ import annotations

from calendar_app.core.ics import feed_host
from calendar_app.core.verp import list_unsubscribe
from calendar_app.core.words import words_for


def list_headers(
    base_url: str, token: str, bounce_domain: str, lang: str
) -> tuple[tuple[str, str], ...]:
    """The list's id and its one-click exit.

    The list's name is in the reader's language (some mail programs show it);
    its id, ``reminders.<host>``, is the same in every language, so filters keep
    working. ``token`` is an unsubscribe token (TokenPurpose.UNSUBSCRIBE): mail
    providers see these headers, so they never carry a token that opens the
    manage page.
    """
    name = words_for(lang).pgettext("mailing list name", "Memorial day reminders")
    return (
        ("List-Id", f"{name} <reminders.{feed_host(base_url)}>"),
        (
            "List-Unsubscribe",
            list_unsubscribe(f"{base_url}/unsubscribe/{token}", token, bounce_domain),
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
