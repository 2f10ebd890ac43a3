from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from calendar_app.core.subscribe_links import subscribe_links


def test_links_for_each_client_carry_the_feed_address() -> None:
    url = "https://calendar.example.az/calendar.ics?lang=az&silence=1"
    links = subscribe_links(url, "Anım günləri")
    assert links.https == url
    assert links.webcal == "webcal://calendar.example.az/calendar.ics?lang=az&silence=1"
    google = urlsplit(links.google)
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/r")
    assert parse_qs(google.query)["cid"] == [links.webcal]
    outlook = urlsplit(links.outlook)
    assert (outlook.netloc, outlook.path) == ("outlook.live.com", "/calendar/0/addfromweb")
    assert parse_qs(outlook.query) == {"url": [url], "name": ["Anım günləri"]}


@pytest.mark.parametrize("bad", ["/calendar.ics", "ftp://x/calendar.ics", "javascript:alert(1)"])
def test_relative_or_foreign_addresses_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        subscribe_links(bad, "x")
