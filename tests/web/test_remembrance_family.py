"""The family feed over HTTP: one secret link for every name of an address, read by
icalendar, vobject and recurring-ical-events; replaced or erased, it answers 410; a
deleted name leaves it; the manage page lists the coming days of every name."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re

import icalendar
import recurring_ical_events
import sqlalchemy as sa
import vobject
from flask import Flask
from flask.testing import FlaskClient

import tests.web.test_remembrance_flow as flow
from calendar_app.data.models import FamilyFeed
from calendar_app.extensions import db
from tests.support.feed import byte_problems, structure_problems
from tests.support.hostile import csrf_of
from tests.support.smtp_sink import SmtpSink

site = flow.site  # the fixture: the SMTP app at 1 December 2026
HOST = "calendar.example.az"
TWO_NAMES = {
    "name-1": "Günay Əliyeva",
    "died_on-1": "2020-03-10",
    "counting-1": "day-after",
}


def family_path(manage_page: str) -> str:
    match = re.search(r'value="https://calendar\.example\.az(/remember/family/[^"]+\.ics)"',
                      manage_page)  # fmt: skip
    assert match, "the manage page shows no family calendar link"
    return html.unescape(match.group(1))


def name_paths(manage_page: str) -> list[str]:
    found = re.findall(r'value="https://calendar\.example\.az(/remember/feed/[^"]+\.ics)"',
                       manage_page)  # fmt: skip
    return [html.unescape(path) for path in found]


def events(body: bytes) -> dict[str, tuple[dt.date, str]]:
    """UID -> (date, summary); icalendar, vobject and recurring-ical-events must agree
    (the feeds start on 1 January of last year: the expansion starts before it)."""
    by_icalendar = {
        str(e["UID"]): (e["DTSTART"].dt, str(e["SUMMARY"]))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    parsed = vobject.readOne(body.decode("utf-8"))
    parsed.validate(raiseException=True)
    by_vobject = {e.uid.value: (e.dtstart.value, e.summary.value) for e in parsed.vevent_list}
    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(
        dt.date(2000, 1, 1), dt.date(2050, 1, 1)
    )
    by_expansion = {str(e["UID"]): (e["DTSTART"].dt, str(e["SUMMARY"])) for e in expanded}
    assert by_icalendar == by_vobject == by_expansion
    return by_icalendar


def post(client: FlaskClient, manage_path: str, **fields: str) -> None:
    page = client.get(manage_path).get_data(as_text=True)
    done = client.post(manage_path, data={"csrf_token": csrf_of(page), **fields})
    assert done.status_code == 303, done.get_data(as_text=True)


def test_one_link_for_every_name_each_day_titled_with_its_name(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    status, _ = flow.enter(client, **TWO_NAMES)
    assert status == 200
    manage_path = flow.confirm_and_manage(site, smtp_sink, client)
    letter = smtp_sink.messages[-1].get_body(("plain",))
    assert letter is not None  # the e-mail with the manage link names the family calendar
    assert "bütün adların toplandığı ailə təqviminin" in letter.get_content()
    page = client.get(manage_path + "?lang=en").get_data(as_text=True)
    assert page.count("A new link stops the old one") == 3  # the family link and each name's
    family = family_path(page)
    names = name_paths(page)
    assert len(names) == 2
    assert page.index("/remember/family/") < page.index("/remember/feed/")  # above the names'
    assert "Replace the family calendar link" in page

    anonymous = site.test_client()  # only the secret link, no cookie
    feed = anonymous.get(family, headers={"Origin": "https://elsewhere.example"})
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.headers["X-Robots-Tag"].startswith("noindex")
    assert feed.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in feed.headers["Cache-Control"]
    assert "Access-Control-Allow-Origin" not in feed.headers
    body = feed.get_data()
    assert byte_problems(body) == []
    # a name linked to no memorial day has no page to link to (nor in its own feed)
    assert [p for p in structure_problems(body) if "remembrance-2-" not in p] == []
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Ailəmizin xatirə günləri"  # the address's language
    found = events(body)  # icalendar, vobject and recurring-ical-events agree

    # exactly the two names' own feeds together: the same UIDs, dates and titles
    together: dict[str, tuple[dt.date, str]] = {}
    for path in names:
        together |= events(anonymous.get(path).get_data())
    assert found == together
    assert found[f"remembrance-1-day-40@{HOST}"] == (
        dt.date(2027, 1, 3),
        "Şəhid Anarın şəhadətinin 40-cı günü",  # linked to a memorial day: a martyr
    )
    assert found[f"remembrance-2-year-7@{HOST}"] == (
        dt.date(2027, 3, 10),
        "Günay Əliyevanın vəfatının 7-ci ildönümü",
    )
    russian = anonymous.get(family + "?lang=ru").get_data()
    assert str(icalendar.Calendar.from_ical(russian)["X-WR-CALNAME"]) == "Дни памяти нашей семьи"
    assert events(russian)[f"remembrance-2-year-7@{HOST}"][1] == (
        "Günay Əliyeva\u00a0— 7-я годовщина со дня смерти"
    )
    english = icalendar.Calendar.from_ical(anonymous.get(family + "?lang=en").get_data())
    assert str(english["X-WR-CALNAME"]) == "Our family's days of remembrance"
    assert anonymous.get(family + "?lang=fr").status_code == 400

    # a deleted name leaves the family feed at once; the other stays
    post(client, manage_path, action="delete", person="2")
    after = anonymous.get(family).get_data()
    assert "Günay".encode() not in after
    assert {uid.split("-")[1] for uid in events(after)} == {"1"}


def test_replacing_the_family_link_and_erasing_make_it_gone(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    flow.enter(client, **TWO_NAMES)
    manage_path = flow.confirm_and_manage(site, smtp_sink, client)
    page = client.get(manage_path).get_data(as_text=True)
    old, names = family_path(page), name_paths(page)
    post(client, manage_path, action="rotate-family")
    page = client.get(manage_path).get_data(as_text=True)
    new = family_path(page)
    assert new != old and name_paths(page) == names  # the names' own links do not change
    reader = site.test_client()  # a calendar app: no cookie, its own language
    assert reader.get(new).status_code == 200
    gone = reader.get(old, headers={"Accept-Language": "ru"})
    assert gone.status_code == 410
    assert gone.get_data(as_text=True) == "Этот календарь удалён или ссылка на него заменена.\n"
    assert gone.headers["X-Robots-Tag"].startswith("noindex")
    gone_az = reader.get(old + "?lang=az").get_data(as_text=True)
    assert gone_az == "Bu təqvim silinib və ya onun keçidi yenisi ilə əvəz edilib.\n"
    unknown = reader.get("/remember/family/" + "A" * 43 + ".ics?lang=az")
    assert unknown.status_code == 404
    assert unknown.get_data(as_text=True) == "Bu ünvanda təqvim yoxdur.\n"
    assert reader.get("/remember/family/" + "A" * 300 + ".ics").status_code == 404

    # the export holds the family link only as its SHA-256, like each name's
    exported = json.loads(client.get(manage_path + "/export.json").get_data(as_text=True))
    token = new.removeprefix("/remember/family/").removesuffix(".ics")
    assert (
        exported["address"]["family_feed_link_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    )
    assert token not in json.dumps(exported)

    page = client.get(manage_path).get_data(as_text=True)
    erased = client.post(manage_path, data={"csrf_token": csrf_of(page), "action": "erase"})
    assert erased.status_code == 200
    assert reader.get(new).status_code == 410
    assert reader.get(old).status_code == 410
    with site.app_context():
        assert db.session.scalars(sa.select(FamilyFeed)).all() == []


def test_an_address_confirmed_before_family_feeds_gets_one_on_its_page(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    flow.enter(client)
    manage_path = flow.confirm_and_manage(site, smtp_sink, client)
    with site.app_context():  # as if confirmed before migration 0012
        db.session.execute(sa.delete(FamilyFeed))
        db.session.commit()
    page = client.get(manage_path).get_data(as_text=True)
    family = family_path(page)
    assert family_path(client.get(manage_path).get_data(as_text=True)) == family  # made once
    assert site.test_client().get(family).status_code == 200


def test_the_manage_page_lists_the_coming_days_of_every_name(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    flow.enter(client, **TWO_NAMES, **{"thursdays-0": "1"})
    manage_path = flow.confirm_and_manage(site, smtp_sink, client)
    page = client.get(manage_path + "?lang=en").get_data(as_text=True)
    coming = page[page.index('<section class="coming"') :]
    coming = html.unescape(coming[: coming.index("</section>")])
    assert "The days of remembrance in the twelve months from 1 December 2026." in coming
    # today (1 December) is the 7th day; the 3rd day (27 November) is past
    assert "Tuesday, 1 December 2026" in coming
    assert "7th day after the martyrdom of Anar" in coming
    assert "3rd day after the martyrdom of Anar" not in coming
    assert "3rd Thursday evening after the martyrdom of Anar" in coming  # 10 December
    assert "Sunday, 3 January 2027" in coming  # the 40th day
    assert "1st anniversary of the martyrdom of Anar" in coming  # 25 November 2027
    assert "2nd anniversary" not in coming
    assert "Counting: the day of death is day 1." in coming
    # an old death: only its next anniversary, and no counting line (it does not move it)
    gunay = coming[coming.index("<h3>Günay Əliyeva</h3>") : coming.index("<h3>Anar</h3>")]
    assert gunay.count("<li>") == 1
    assert "Wednesday, 10 March 2027" in gunay and "7th anniversary" in gunay
    assert "Counting" not in gunay
    azerbaijani = client.get(manage_path + "?lang=az").get_data(as_text=True)
    assert "3 yanvar 2027, bazar" in azerbaijani
    assert "Şəhid Anarın şəhadətinin 40-cı günü" in azerbaijani
