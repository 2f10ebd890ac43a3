"""Public addresses of the site's pages and feeds, built on ``[server] base_url``.

Links inside the site are relative (url_for); these absolute ones are for what
leaves the site: feed subscriptions, the API's url fields, the widget snippet,
hreflang alternates and the Atom feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from calendar_app.app_settings import current_settings
from calendar_app.core.ics import day_page_url as core_day_page_url


def absolute_url(path: str, query: Mapping[str, str | int] | None = None) -> str:
    base = current_settings().server.base_url
    return base + quote(path) + (("?" + urlencode(query)) if query else "")


def calendar_feed_url(lang: str) -> str:
    return absolute_url("/calendar.ics", {"lang": lang})


def day_feed_url(slug: str, lang: str) -> str:
    return absolute_url(f"/days/{slug}.ics", {"lang": lang})


def day_page_url(slug: str, lang: str | None = None) -> str:
    return core_day_page_url(current_settings().server.base_url, slug, lang)


def home_page_url(lang: str) -> str:
    return absolute_url(f"/{lang}/")


def embed_url(lang: str, limit: int) -> str:
    return absolute_url(f"/{lang}/embed", {"limit": limit})
