"""/remember's "Show the dates" and "Download these dates (.ics)" over plain HTTP (no
JavaScript): the days of the names entered, both countings side by side, before any
e-mail. Nothing is stored (every table of SQLite and PostgreSQL compared before and
after) and nothing is sent (the real SMTP sink); the file is read by icalendar and
recurring-ical-events."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa
import vobject
from flask import Flask
from flask.testing import FlaskClient

from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from tests.conftest import build_app, build_smtp_app
from tests.support.feed import byte_problems, structure_problems
from tests.support.hostile import csrf_of
from tests.support.smtp_sink import SmtpSink

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026 in Baku
DIED = "2026-11-28"  # a Saturday: 3rd day 30 Nov (day of death = day 1) or 1 Dec


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    if request.param == "sqlite":
        app = build_smtp_app(tmp_path, smtp_sink)
    else:
        app = build_app(
            tmp_path,
            request.getfixturevalue("postgres_url"),
            mail={"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port},
            server={"base_url": "https://calendar.example.az"},
            site={"default_language": "en"},
            limits={"enabled": False},
        )
        prepare_database(app)
    app.config["CLOCK"] = lambda: NOW
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sqlite_site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: NOW
    return smtp_app


def every_table(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the database, sorted, to compare before and after."""
    with app.app_context():
        engine = db.engine
        tables = sa.inspect(engine).get_table_names()
        metadata = sa.MetaData()
        found: dict[str, list[tuple[Any, ...]]] = {}
        with engine.connect() as connection:
            for name in tables:
                table = sa.Table(name, metadata, autoload_with=connection)
                rows = connection.execute(sa.select(table)).all()
                found[name] = sorted((tuple(row) for row in rows), key=repr)
    assert "remembered_people" in found and "subscribers" in found  # the tables are there
    return found


def post(client: FlaskClient, action: str, lang: str = "en", **fields: object) -> Any:
    page = client.get(f"/remember?lang={lang}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_of(page),
        "action": action,
        "name-0": "Anar",
        "died_on-0": DIED,
        "counting-0": "death-day",
        "thursdays-0": "1",
        "leads": ["1", "0"],
        "lang": lang,
        "timezone": "Asia/Baku",
        "send_hour": "9",
        **fields,
    }
    return client.post("/remember", data={k: v for k, v in form.items() if v is not None})


def preview_table(page: str, name: str) -> list[list[str]]:
    """The rows of the name's table as text: [row header, cell, cell]."""
    match = re.search(rf"<caption>{re.escape(name)}</caption>(.*?)</table>", page, re.S)
    assert match, f"no table for {name}"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells])
    return rows


def events(body: bytes) -> dict[str, tuple[dt.date, str]]:
    """UID -> (date, summary), read by icalendar; recurring-ical-events must agree."""
    calendar = icalendar.Calendar.from_ical(body)
    by_icalendar = {
        str(e["UID"]): (e["DTSTART"].dt, str(e["SUMMARY"])) for e in calendar.walk("VEVENT")
    }
    expanded = recurring_ical_events.of(calendar).between(dt.date(1900, 1, 1), dt.date(2100, 1, 1))
    by_expansion = {str(e["UID"]): (e["DTSTART"].dt, str(e["SUMMARY"])) for e in expanded}
    assert by_icalendar == by_expansion
    assert len(by_icalendar) == len(calendar.walk("VEVENT"))  # every UID once
    return by_icalendar


def test_the_dates_show_at_once_both_countings_side_by_side_and_nothing_is_kept(
    site: Flask, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement, with values
    client = site.test_client()
    before = every_table(site)
    shown = post(client, "preview", email="")  # no address: none is needed to see the dates
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    page = shown.get_data(as_text=True)
    assert "Nothing is saved yet" in page
    rows = preview_table(page, "Anar")
    assert rows[0] == [
        "Day",
        "The day of death is day 1 (your choice)",
        "The day after the death is day 1",
    ]
    assert rows[1] == [
        "3rd day after the death of Anar",
        "Monday, 30 November 2026 (already past)",
        "Tuesday, 1 December 2026 (today)",
    ]
    assert rows[2] == ["1st Thursday evening after the death of Anar", "Thursday, 3 December 2026"]
    assert ["40th day after the death of Anar", "Wednesday, 6 January 2027",
            "Thursday, 7 January 2027"] in rows  # fmt: skip
    sixth = "6th Thursday evening after the death of Anar"
    assert [sixth, "after the 40th day: not in the calendar", "Thursday, 7 January 2027"] in rows
    assert rows[-3:] == [
        ["1st anniversary of the death of Anar", "Sunday, 28 November 2027"],
        ["2nd anniversary of the death of Anar", "Tuesday, 28 November 2028"],
        ["3rd anniversary of the death of Anar", "Wednesday, 28 November 2029"],
    ]
    assert page.count('colspan="2"') == 8  # five Thursdays of both, three anniversaries
    # the form is still filled in as entered, ready to save
    assert 'id="name-0" name="name-0" value="Anar"' in page
    assert 'name="thursdays-0" value="1" checked' in page

    downloaded = post(client, "download")
    assert downloaded.status_code == 200
    assert downloaded.mimetype == "text/calendar"
    assert downloaded.headers["Content-Disposition"] == (
        'attachment; filename="days-of-remembrance.ics"'
    )
    assert "no-store" in downloaded.headers["Cache-Control"]
    assert byte_problems(downloaded.get_data()) == []

    assert every_table(site) == before  # nothing stored
    assert smtp_sink.messages == []  # nothing sent
    assert shown.headers.get("Location") is None and downloaded.headers.get("Location") is None
    lines = [record.getMessage() for record in caplog.records]
    statements = [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy")]
    assert any(s.lstrip().startswith("SELECT") for s in statements), "SQL was not logged"
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [s for s in statements if s.lstrip().upper().startswith(writes)]
    assert not [line for line in lines if "Anar" in line]  # never the name in a log


def test_the_download_holds_the_chosen_countings_days_from_the_death_ten_years_ahead(
    sqlite_site: Flask, smtp_sink: SmtpSink
) -> None:
    client = sqlite_site.test_client()
    fields = {"name-1": "Günay", "died_on-1": "2001-02-28", "counting-1": "day-after"}
    body = post(client, "download", "az", **fields).get_data()
    found = events(body)
    anar = {uid: value for uid, value in found.items() if "Anar" in value[1]}
    gunay = {uid: value for uid, value in found.items() if "Günay" in value[1]}
    assert len(anar) + len(gunay) == len(found)
    by_title = {summary: day for day, summary in found.values()}
    assert by_title["Anarın vəfatının 3-cü günü"] == dt.date(2026, 11, 30)  # day of death = 1
    assert by_title["Anarın vəfatının 40-cı günü"] == dt.date(2027, 1, 6)
    assert by_title["Anarın vəfatından sonrakı 5-ci cümə axşamı"] == dt.date(2026, 12, 31)
    assert "Anarın vəfatından sonrakı 6-cı cümə axşamı" not in by_title
    assert by_title["Anarın vəfatının 10-cu ildönümü"] == dt.date(2036, 11, 28)
    assert max(found.values())[0] == dt.date(2036, 11, 28)  # to 31 December 2036
    assert by_title["Günayın vəfatının 40-cı günü"] == dt.date(2001, 4, 9)  # from the death
    assert by_title["Günayın vəfatının 1-ci ildönümü"] == dt.date(2002, 2, 28)
    assert by_title["Günayın vəfatının 35-ci ildönümü"] == dt.date(2036, 2, 28)
    assert len(gunay) == 3 + 35 and len(anar) == 3 + 5 + 10
    # UIDs: stable, one person's differ from the other's, and they never carry a name
    assert post(client, "download", "az", **fields).get_data() == body
    prefixes = {uid.split("-day-")[0] for uid in found if "-day-" in uid}
    assert len(prefixes) == 2
    for uid in found:
        assert re.fullmatch(
            r"remembrance-file-[0-9a-f]{32}-(day|thursday|year)-[0-9]+@calendar\.example\.az", uid
        ), uid
    calendar = icalendar.Calendar.from_ical(body)
    assert "UID" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Əzizlərimizin xatirə günləri"
    # the file is the page's language; a martyr is named as one, with the day's link
    english = post(client, "download", "en", **{"day_slug-0": "september-27"}).get_data()
    titles = {summary for _, summary in events(english).values()}
    assert "40th day after the martyrdom of Anar" in titles
    assert structure_problems(english) == [] and byte_problems(english) == []
    vobject.readOne(english.decode("utf-8")).validate(raiseException=True)


def test_the_preview_pages_download_button_sends_what_was_shown(
    sqlite_site: Flask, smtp_sink: SmtpSink
) -> None:
    client = sqlite_site.test_client()
    page = post(client, "preview", "ru", **{"counting-0": "day-after"}).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/remember" class="download-dates">(.*?)</form>',
                     page, re.S)  # fmt: skip
    assert form, "no download button"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                  form.group(1)):  # fmt: skip
        fields.setdefault(name, []).append(html.unescape(value))
    assert 'name="action" value="download"' in form.group(1)
    body = client.post("/remember", data={**fields, "action": "download"}).get_data()
    by_title = {summary: day for day, summary in events(body).values()}
    # counted from the day after, as shown, in the page's language
    assert by_title["Anar\u00a0— 40-й день со дня смерти"] == dt.date(2027, 1, 7)
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name-0": ""}, "name-0", "Enter the name"),
        ({"died_on-0": "28.11.2026"}, "died_on-0", "YYYY-MM-DD"),
        ({"died_on-0": "2026-12-02"}, "died_on-0", "cannot be in the future"),
        ({"name-0": "", "died_on-0": ""}, "name-0", "at least one name"),
    ],
)
@pytest.mark.parametrize("action", ["preview", "download"])
def test_bad_input_is_refused_with_the_forms_errors(
    sqlite_site: Flask, smtp_sink: SmtpSink, action: str, fields: dict[str, str], field: str,
    message: str,
) -> None:  # fmt: skip
    before = every_table(sqlite_site)
    response = post(sqlite_site.test_client(), action, **fields)
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    assert f'id="{field}-error"' in page and message in page
    assert "Nothing is saved yet" not in page
    assert every_table(sqlite_site) == before and smtp_sink.messages == []


def test_the_address_and_reminder_settings_wait_for_saving(
    sqlite_site: Flask, smtp_sink: SmtpSink
) -> None:
    page = post(sqlite_site.test_client(), "preview", email="not an address", leads=None)
    assert page.status_code == 200  # asked for only when saving
    text = page.get_data(as_text=True)
    assert 'id="email-error"' not in text and "Anar" in text
    saved = post(sqlite_site.test_client(), "save", email="not an address")
    assert saved.status_code == 400 and 'id="email-error"' in saved.get_data(as_text=True)


def test_no_csrf_token_or_an_unknown_action_changes_nothing(
    sqlite_site: Flask, smtp_sink: SmtpSink
) -> None:
    client = sqlite_site.test_client()
    before = every_table(sqlite_site)
    forged = client.post(
        "/remember",
        data={"action": "download", "name-0": "Anar", "died_on-0": DIED, "counting-0": "death-day"},
    )
    assert forged.status_code == 400 and forged.mimetype == "text/html"
    unknown = post(client, "publish")
    assert unknown.status_code == 400 and "Unknown action" in unknown.get_data(as_text=True)
    assert every_table(sqlite_site) == before and smtp_sink.messages == []


def test_save_still_signs_up_with_double_opt_in(sqlite_site: Flask, smtp_sink: SmtpSink) -> None:
    saved = post(sqlite_site.test_client(), "save", email="leyla@example.org")
    assert saved.status_code == 200 and "Check your inbox" in saved.get_data(as_text=True)
    assert len(smtp_sink.messages) == 1
    no_action = post(sqlite_site.test_client(), None, email="leyla2@example.org")
    assert no_action.status_code == 200 and len(smtp_sink.messages) == 2  # an older page's form


def test_each_name_entered_gets_its_own_table(sqlite_site: Flask, smtp_sink: SmtpSink) -> None:
    fields = {"name-2": "Günay  Əliyeva", "died_on-2": "2001-02-28", "counting-2": "day-after"}
    page = post(sqlite_site.test_client(), "preview", "az", **fields).get_data(as_text=True)
    assert page.count("<table") == 2
    gunay = preview_table(page, "Günay Əliyeva")  # white space as it will be stored
    assert gunay[0] == [
        "Gün",
        "Vəfat günü birinci gündür",
        "Vəfatdan sonrakı gün birinci gündür (sizin seçiminiz)",
    ]
    assert gunay[1:] == [  # long after the death: only the coming anniversaries
        ["Günay Əliyevanın vəfatının 26-cı ildönümü", "28 fevral 2027, bazar"],
        ["Günay Əliyevanın vəfatının 27-ci ildönümü", "28 fevral 2028, bazar ertəsi"],
        ["Günay Əliyevanın vəfatının 28-ci ildönümü", "28 fevral 2029, çərşənbə"],
    ]
    assert preview_table(page, "Anar")[1][1:] == [
        "30 noyabr 2026, bazar ertəsi (keçib)",
        "1 dekabr 2026, çərşənbə axşamı (bu gün)",
    ]


def test_a_martyrs_table_counts_from_the_day_of_martyrdom(
    sqlite_site: Flask, smtp_sink: SmtpSink
) -> None:
    """A name linked to a memorial day is a martyr: its titles say şəhadət / гибель, and so
    do the headings of its two countings."""
    client = sqlite_site.test_client()
    page = post(client, "preview", "az", **{"day_slug-0": "september-27"}).get_data(as_text=True)
    assert preview_table(page, "Anar")[0] == [
        "Gün",
        "Şəhadət günü birinci gündür (sizin seçiminiz)",
        "Şəhadət gününün ertəsi birinci gündür",
    ]
    assert '<label for="died_on-0">Şəhadət tarixi</label>' in page  # the form, as entered
    page = post(client, "preview", "ru", **{"day_slug-0": "september-27"}).get_data(as_text=True)
    assert preview_table(page, "Anar")[0][1:] == [
        "Первый день — день гибели (ваш выбор)",
        "Первый день — следующий за днём гибели",
    ]
