"""Pure: the languages every text is kept and served in, and where the days are observed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

LANGUAGES = ("az", "en", "ru")

# The days are observed in Azerbaijan: "today" on the site and moments of silence are Baku's.
BAKU_ZONE = "Asia/Baku"
BAKU = ZoneInfo(BAKU_ZONE)
