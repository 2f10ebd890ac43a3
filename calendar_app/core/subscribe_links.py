"""Pure: the links that add a feed to each calendar client."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit


@dataclass(frozen=True)
class SubscribeLinks:
    https: str  # the plain address, to copy into any client
    webcal: str  # opens the system calendar (Apple Calendar, Thunderbird, Outlook desktop)
    google: str  # Google Calendar's "add by URL"
    outlook: str  # Outlook on the web's "subscribe from web"


def subscribe_links(feed_url: str, name: str) -> SubscribeLinks:
    """Links for ``feed_url`` (an absolute http(s) URL); ``name`` is shown by Outlook."""
    parts = urlsplit(feed_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {feed_url!r}")
    webcal = urlunsplit(("webcal", *parts[1:]))
    return SubscribeLinks(
        https=feed_url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        outlook=(
            "https://outlook.live.com/calendar/0/addfromweb?url="
            + quote(feed_url, safe="")
            + "&name="
            + quote(name, safe="")
        ),
    )
