"""The List-* headers every e-mail with a way out carries (RFC 2919, RFC 2369, RFC 8058)."""

from __future__ import annotations

from calendar_app.core.ics import feed_host
from calendar_app.core.verp import list_unsubscribe


def list_headers(base_url: str, token: str, bounce_domain: str) -> tuple[tuple[str, str], ...]:
    """The list's id and its one-click exit.

    ``token`` is an unsubscribe token (TokenPurpose.UNSUBSCRIBE): mail providers
    see these headers, so they never carry a token that opens the manage page.
    """
    return (
        ("List-Id", f"Memorial day reminders <reminders.{feed_host(base_url)}>"),
        (
            "List-Unsubscribe",
            list_unsubscribe(f"{base_url}/unsubscribe/{token}", token, bounce_domain),
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
