"""A family's own dead over HTTP, end to end: the real SMTP sink, the real outbox and the
feed read by three parsers (icalendar, vobject, recurring-ical-events)."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa
import vobject
from flask import Flask
from flask.testing import FlaskClient

from calendar_app.data.models import (
    AccessToken,
    FamilyFeed,
    GoneFeed,
    RememberedPerson,
    Reminder,
    SentMail,
    Subscriber,
)
from calendar_app.extensions import db
from tests.conftest import build_smtp_app
from tests.support.feed import byte_problems, structure_problems
from tests.support.hostile import csrf_of
from tests.support.outbox import tick
from tests.support.smtp_sink import SmtpSink, link_in

SIGNUP = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DIED = "2026-11-25"  # day of death = day 1: 7th day 1 December, 40th day 3 January 2027
# 08:00 in New York (EST, UTC-5) is 13:00 UTC
SEVENTH_DUE = dt.datetime(2026, 12, 1, 13, 0)
FORTIETH_DUE = dt.datetime(2027, 1, 3, 13, 0)


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    return smtp_app


def remember_link(message: object, kind: str) -> str:
    return link_in(message, f"remember/{kind}")


def enter(client: FlaskClient, **fields: object) -> tuple[int, str]:
    page = client.get("/remember?lang=en").get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(page),
        "email": "Leyla@Example.org",
        "lang": "az",
        "timezone": "America/New_York",
        "send_hour": "8",
        "leads": ["0"],
        "name-0": "Anar",
        "died_on-0": DIED,
        "counting-0": "death-day",
        "day_slug-0": "september-27",
        **fields,
    }
    response = client.post("/remember", data=form)
    return response.status_code, response.get_data(as_text=True)


def confirm_and_manage(site: Flask, sink: SmtpSink, client: FlaskClient) -> str:
    """Confirm the last sign-up; return the manage page's path from the e-mail that follows."""
    confirm_path = remember_link(sink.messages[-1], "confirm")
    landing = site.test_client().get(confirm_path)  # a link scanner's GET changes nothing
    assert landing.status_code == 200 and '<form method="post"' in landing.get_data(as_text=True)
    with site.app_context():
        assert set(db.session.scalars(sa.select(RememberedPerson.status))) == {"pending"}
    page = client.get(confirm_path).get_data(as_text=True)
    done = client.post(confirm_path, data={"csrf_token": csrf_of(page)})
    assert done.status_code == 200
    assert "Your days of remembrance are saved" in done.get_data(as_text=True)
    return remember_link(sink.messages[-1], "manage")


def feed_path(manage_page: str) -> str:
    match = re.search(r'value="https://calendar\.example\.az(/remember/feed/[^"]+\.ics)"',
                      manage_page)  # fmt: skip
    assert match, "the manage page shows no private feed link"
    return html.unescape(match.group(1))


def sent(summary: str) -> int:
    """How many messages a tick's summary says were sent."""
    match = re.search(r"([0-9]+) sent", summary)
    return int(match.group(1)) if match else 0


def events(body: bytes) -> dict[str, tuple[dt.date, str]]:
    """UID -> (date, summary), read by icalendar; vobject and recurring-ical-events must agree."""
    by_icalendar = {
        str(e["UID"]): (e["DTSTART"].dt, str(e["SUMMARY"]))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    parsed = vobject.readOne(body.decode("utf-8"))
    parsed.validate(raiseException=True)
    assert "UID" not in icalendar.Calendar.from_ical(body)  # only the events have one
    by_vobject = {e.uid.value: (e.dtstart.value, e.summary.value) for e in parsed.vevent_list}
    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(
        dt.date(2026, 1, 1), dt.date(2040, 1, 1)
    )
    by_expansion = {str(e["UID"]): (e["DTSTART"].dt, str(e["SUMMARY"])) for e in expanded}
    assert by_icalendar == by_vobject == by_expansion
    return by_icalendar


def test_enter_confirm_feed_remind_once_edit_and_delete(
    site: Flask, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="calendar_app")
    client = site.test_client()
    status, page = enter(client)
    assert status == 200 and "Check your inbox" in page
    (confirmation,) = smtp_sink.messages
    assert confirmation["To"] == "leyla@example.org"
    assert "planned 0 new" in tick(site, dt.datetime(2026, 12, 1, 11))  # not confirmed
    manage_path = confirm_and_manage(site, smtp_sink, client)

    manage = client.get(manage_path)
    assert manage.status_code == 200 and manage.headers["X-Robots-Tag"].startswith("noindex")
    assert manage.headers["Referrer-Policy"] == "no-referrer"
    path = feed_path(manage.get_data(as_text=True))
    anonymous = site.test_client()  # the feed needs no cookie, only its secret link
    feed = anonymous.get(path, headers={"Origin": "https://elsewhere.example"})
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert feed.headers["X-Robots-Tag"].startswith("noindex")
    assert "Access-Control-Allow-Origin" not in feed.headers
    assert "no-store" in feed.headers["Cache-Control"]
    body = feed.get_data()
    assert byte_problems(body) == [] and structure_problems(body) == []
    assert anonymous.get(path).get_data() == body  # no change, the same bytes
    found = events(body)
    assert found["remembrance-1-day-40@calendar.example.az"] == (
        dt.date(2027, 1, 3),
        "Şəhid Anarın şəhadətinin 40-cı günü",  # in the address's language; linked: a martyr
    )
    assert found["remembrance-1-day-3@calendar.example.az"][0] == dt.date(2026, 11, 27)
    assert found["remembrance-1-year-1@calendar.example.az"] == (
        dt.date(2027, 11, 25),
        "Şəhid Anarın şəhadətinin 1-ci ildönümü",
    )
    english = events(anonymous.get(path + "?lang=en").get_data())
    assert english["remembrance-1-year-5@calendar.example.az"] == (
        dt.date(2031, 11, 25),
        "5th anniversary of the martyrdom of Anar",
    )
    russian = events(anonymous.get(path + "?lang=ru").get_data())
    assert russian["remembrance-1-year-5@calendar.example.az"][1] == (
        "Шехид Anar\u00a0— 5-я годовщина со дня гибели"
    )
    sent_before = len(smtp_sink.messages)

    # the 7th day, then the 40th: each once, at 08:00 New York time
    assert sent(tick(site, SEVENTH_DUE - dt.timedelta(minutes=1))) == 0
    assert sent(tick(site, SEVENTH_DUE)) == 1
    assert sent(tick(site, SEVENTH_DUE + dt.timedelta(minutes=1))) == 0
    assert sent(tick(site, FORTIETH_DUE - dt.timedelta(minutes=1))) == 0
    assert sent(tick(site, FORTIETH_DUE)) == 1
    assert sent(tick(site, FORTIETH_DUE + dt.timedelta(minutes=1))) == 0
    assert sent(tick(site, FORTIETH_DUE + dt.timedelta(hours=5))) == 0
    seventh, fortieth = smtp_sink.messages[sent_before:]
    assert seventh["Subject"] == "Bu gün: Şəhid Anarın şəhadətinin 7-ci günü"
    assert fortieth["Subject"] == "Bu gün: Şəhid Anarın şəhadətinin 40-cı günü"
    assert fortieth["To"] == "leyla@example.org"
    text = fortieth.get_body(("plain",)).get_content()
    assert "3 yanvar 2027" in text and "şəhadət günü birinci gün sayılır"  # a martyr in text
    assert "/remember/manage/" in text and fortieth["List-Unsubscribe"]
    with site.app_context():
        rows = db.session.scalars(
            sa.select(Reminder).where(Reminder.occasion == "day-40", Reminder.status == "sent")
        ).all()
        assert [r.sent_dt for r in rows] == [FORTIETH_DUE]

    # edit, a few days later: the new name and date show in the feed at once, and the
    # reminders follow the new date
    site.config["CLOCK"] = lambda: dt.datetime(2027, 1, 5, 12, tzinfo=dt.UTC)
    page = client.get(manage_path).get_data(as_text=True)
    edited = client.post(
        manage_path,
        data={
            "csrf_token": csrf_of(page),
            "action": "save",
            "person": "1",
            "name-1": "Əli",
            "died_on-1": "2026-11-26",
            "counting-1": "death-day",
            "leads-1": ["0", "1"],
        },
    )
    assert edited.status_code == 303
    found = events(anonymous.get(path).get_data())
    assert found["remembrance-1-year-1@calendar.example.az"] == (
        dt.date(2027, 11, 26),
        "Əlinin vəfatının 1-ci ildönümü",
    )
    assert sent(tick(site, dt.datetime(2027, 11, 24, 13))) == 0  # the old date's day before
    assert sent(tick(site, dt.datetime(2027, 11, 25, 13))) == 1  # the new date's
    assert smtp_sink.messages[-1]["Subject"] == "Sabah: Əlinin vəfatının 1-ci ildönümü"
    # an anniversary falls on the date of death whatever the counting: no counting line
    yearly = smtp_sink.messages[-1].get_body(("plain",)).get_content()
    assert "Vəfat tarixi: 26 noyabr 2026" in yearly
    assert "sayılır" not in yearly and "Günlərin hesabı" not in yearly

    # delete: the row is gone at once, the feed answers 410, no reminder is left; the link
    # of the newest e-mail opens the page (those of e-mails before it expired in the months
    # since)
    manage_path = link_in(smtp_sink.messages[-1], "remember/manage")
    page = client.get(manage_path).get_data(as_text=True)
    deleted = client.post(
        manage_path, data={"csrf_token": csrf_of(page), "action": "delete", "person": "1"}
    )
    assert deleted.status_code == 303
    assert anonymous.get(path).status_code == 410
    with site.app_context():
        assert db.session.scalars(sa.select(RememberedPerson)).all() == []
        assert (
            db.session.scalars(sa.select(Reminder).where(Reminder.remembered_id.is_not(None))).all()
            == []
        )
    count = len(smtp_sink.messages)
    assert sent(tick(site, dt.datetime(2027, 11, 26, 13))) == 0
    assert len(smtp_sink.messages) == count
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("calendar_app")]
    assert any('"outcome": "sent"' in line for line in ours)  # the log was captured
    assert not [line for line in ours if "Anar" in line or "Əli" in line]  # never a name


def test_export_and_erase_everything(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port}
    site = build_smtp_app(tmp_path, smtp_sink, mail={**mail, "bounce_domain": "bounces.example.az"})
    site.config["CLOCK"] = lambda: SIGNUP  # with VERP on, the mail log keeps the address too
    client = site.test_client()
    enter(client, **{"name-1": "Günay", "died_on-1": "2001-02-28", "counting-1": "day-after"})
    manage_path = confirm_and_manage(site, smtp_sink, client)
    page = client.get(manage_path).get_data(as_text=True)
    assert "Anar" in page and "Günay" in page
    path = feed_path(page)

    exported = client.get(manage_path + "/export.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.get_data(as_text=True))
    assert data["address"]["email"] == "leyla@example.org"
    assert [(p["name"], p["died_on"], p["counting"]) for p in data["people"]] == [
        ("Anar", "2026-11-25", "death-day"),
        ("Günay", "2001-02-28", "day-after"),
    ]
    assert data["people"][0]["linked_memorial_day"] == "september-27"
    assert {link["purpose"] for link in data["links"]} >= {"remember", "manage"}
    assert all(len(link["sha256"]) == 64 for link in data["links"])  # never a usable secret
    assert data["reminders"]
    assert {m["kind"] for m in data["mail_sent"]} == {"confirm", "manage"}
    assert data["mail_events"] == []

    erased = client.post(manage_path, data={"csrf_token": csrf_of(page), "action": "erase"})
    assert erased.status_code == 200 and "Everything is erased" in erased.get_data(as_text=True)
    assert client.get(path).status_code == 410
    assert client.get(manage_path).status_code == 404
    with site.app_context():
        for model in (Subscriber, AccessToken, RememberedPerson, Reminder, SentMail, FamilyFeed):
            assert db.session.scalars(sa.select(model)).all() == []
        # hashes only: the two names' links and the family's
        assert len(db.session.scalars(sa.select(GoneFeed)).all()) == 3


def test_replacing_a_feed_link_makes_the_old_one_gone(site: Flask, smtp_sink: SmtpSink) -> None:
    client = site.test_client()
    enter(client)
    manage_path = confirm_and_manage(site, smtp_sink, client)
    page = client.get(manage_path).get_data(as_text=True)
    old = feed_path(page)
    client.post(manage_path, data={"csrf_token": csrf_of(page), "action": "rotate", "person": "1"})
    new = feed_path(client.get(manage_path).get_data(as_text=True))
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200
    assert client.get("/remember/feed/" + "A" * 43 + ".ics").status_code == 404
    # a calendar app shows these answers: in the reader's language, never in English
    gone = client.get(old + "?lang=az").get_data(as_text=True)
    assert gone == "Bu təqvim silinib və ya onun keçidi yenisi ilə əvəz edilib.\n"
    calendar_app_client = site.test_client()  # no language cookie: the header decides
    gone_ru = calendar_app_client.get(old, headers={"Accept-Language": "ru"})
    gone_ru = gone_ru.get_data(as_text=True)
    assert gone_ru == "Этот календарь удалён или ссылка на него заменена.\n"
    unknown = client.get("/remember/feed/" + "A" * 43 + ".ics?lang=ru")
    assert unknown.get_data(as_text=True) == "По этому адресу календаря нет.\n"
    assert client.get(new + "?lang=fr").status_code == 400


def test_adding_a_name_and_changing_the_hour_from_the_manage_page(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    enter(client)
    manage_path = confirm_and_manage(site, smtp_sink, client)
    page = client.get(manage_path).get_data(as_text=True)
    added = client.post(
        manage_path,
        data={
            "csrf_token": csrf_of(page),
            "action": "add",
            "name-new": "Tofiq",
            "died_on-new": "2024-02-29",
            "counting-new": "death-day",
            "leads-new": ["1"],
        },
    )
    assert added.status_code == 303
    page = client.get(manage_path).get_data(as_text=True)
    assert "Tofiq" in page
    client.post(
        manage_path,
        data={
            "csrf_token": csrf_of(page),
            "action": "contact",
            "lang": "en",
            "timezone": "Europe/Berlin",
            "send_hour": "19",
        },
    )
    # the 3rd anniversary of a 29 February death, in 2027: 28 February; a day before at 19:00
    # Berlin (CET, UTC+1) is 18:00 UTC on 27 February
    count = len(smtp_sink.messages)
    assert sent(tick(site, dt.datetime(2027, 2, 27, 17, 59))) == 0
    assert sent(tick(site, dt.datetime(2027, 2, 27, 18, 0))) == 1
    assert smtp_sink.messages[count]["Subject"] == (
        "Tomorrow: 3rd anniversary of the death of Tofiq"
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"died_on-0": "2027-05-01"}, "died_on-0", "cannot be in the future"),
        ({"died_on-0": "25.11.2026"}, "died_on-0", "YYYY-MM-DD"),
        ({"died_on-0": "1850-03-01"}, "died_on-0", "in 1900 or later"),
        ({"name-0": "An\x07ar\x00"}, "name-0", "control characters"),
        ({"name-0": ""}, "name-0", "Enter the name"),
        ({"born_on-0": "2026-12-01"}, "born_on-0", "before the date of death"),
        ({"counting-0": "lunar"}, "counting-0", "how the days are counted"),
        ({"day_slug-0": "no-such-day"}, "day_slug-0", "memorial day"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"leads": []}, "leads", "at least one time"),
        ({"email": "not an address"}, "email", "e-mail address"),
        ({"name-0": "", "died_on-0": ""}, "name-0", "at least one name"),
    ],
)
def test_bad_input_is_refused_inline_and_nothing_is_stored(
    site: Flask, smtp_sink: SmtpSink, fields: dict[str, object], field: str, message: str
) -> None:
    status, page = enter(site.test_client(), **fields)
    assert status == 400
    assert f'id="{field}-error"' in page and message in html.unescape(page)
    assert smtp_sink.messages == []
    with site.app_context():
        assert db.session.scalars(sa.select(RememberedPerson)).all() == []


def test_unconfirmed_names_are_forgotten_after_seven_days(site: Flask, smtp_sink: SmtpSink) -> None:
    enter(site.test_client())
    tick(site, dt.datetime(2026, 12, 8, 9, 59))
    with site.app_context():
        assert len(db.session.scalars(sa.select(RememberedPerson)).all()) == 1
    tick(site, dt.datetime(2026, 12, 8, 10, 0))
    with site.app_context():
        assert db.session.scalars(sa.select(RememberedPerson)).all() == []
        assert db.session.scalars(sa.select(Subscriber)).all() == []
    assert (
        site.test_client().get(remember_link(smtp_sink.messages[0], "confirm")).status_code == 404
    )


def test_names_never_reach_a_public_page_or_the_api(site: Flask, smtp_sink: SmtpSink) -> None:
    client = site.test_client()
    enter(client, **{"name-0": "Zülfüqar"})
    confirm_and_manage(site, smtp_sink, client)
    public = ("/en/", "/en/days/september-27", "/api/v1/observances?lang=en", "/calendar.ics")
    for path in (*public, "/feed.atom"):
        response = client.get(path)
        assert response.status_code == 200, path  # a 404 would prove nothing
        assert "Zülfüqar" not in response.get_data(as_text=True), path


def test_one_click_unsubscribe_stops_them_and_the_private_page_brings_them_back(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    enter(client)
    manage_path = confirm_and_manage(site, smtp_sink, client)
    assert sent(tick(site, SEVENTH_DUE)) == 1
    reminder = smtp_sink.messages[-1]
    unsubscribe = re.search(r"<https://calendar\.example\.az(/unsubscribe/[^>]+)>",
                            str(reminder["List-Unsubscribe"]))  # fmt: skip
    assert unsubscribe
    provider = site.test_client()  # RFC 8058: no cookie, no CSRF token
    assert provider.post(unsubscribe.group(1)).status_code == 200
    with site.app_context():
        assert (
            db.session.scalars(sa.select(Reminder).where(Reminder.status == "pending")).all() == []
        )
    page = client.get(manage_path).get_data(as_text=True)
    assert "switched off" in page
    assert client.get(feed_path(page)).status_code == 200  # the calendar keeps working
    assert sent(tick(site, FORTIETH_DUE)) == 0

    site.config["CLOCK"] = lambda: dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC)
    back = client.post(
        manage_path,
        data={"csrf_token": csrf_of(page), "action": "contact", "lang": "en",
              "timezone": "America/New_York", "send_hour": "8"},
    )  # fmt: skip
    assert back.status_code == 303
    assert "switched off" not in client.get(manage_path).get_data(as_text=True)
    assert sent(tick(site, FORTIETH_DUE)) == 1
    assert smtp_sink.messages[-1]["Subject"] == "Today: 40th day after the martyrdom of Anar"


def test_the_reminders_manage_page_links_to_the_private_page(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    enter(client)
    manage_path = confirm_and_manage(site, smtp_sink, client)
    token = manage_path.rsplit("/", 1)[1]
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    assert f'href="/remember/manage/{token}"' in page


def test_sign_ups_are_rate_limited_per_address_and_per_client(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    app = build_smtp_app(tmp_path, smtp_sink, limits={"enabled": True, "storage_uri": "memory://"})
    app.config["CLOCK"] = lambda: SIGNUP
    client = app.test_client()
    status, _ = enter(client)
    assert status == 200 and len(smtp_sink.messages) == 1
    status, page = enter(client)  # the same address again at once: one e-mail per 10 minutes
    assert status == 200 and "Check your inbox" in page  # the ordinary page, nothing sent
    assert len(smtp_sink.messages) == 1
    statuses = [enter(client, email=f"other{n}@example.org")[0] for n in range(10)]
    assert statuses[-1] == 429  # more than 10 posts a minute from one client


def test_a_confirmation_link_works_once_and_for_seven_days(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    client = site.test_client()
    enter(client)
    link = remember_link(smtp_sink.messages[0], "confirm")
    site.config["CLOCK"] = lambda: SIGNUP + dt.timedelta(days=7)
    assert client.get(link).status_code == 404  # expired (the names are forgotten too)
    site.config["CLOCK"] = lambda: SIGNUP + dt.timedelta(days=6, hours=23)
    page = client.get(link).get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf_of(page)}).status_code == 200
    assert client.get(link).status_code == 404  # used
    assert client.post(link, data={"csrf_token": csrf_of(page)}).status_code == 404
