"""The pure feed renderer, on plain records from the bundled data file (no database).

Every variant (3 languages x with/without the minute of silence x all days and each
day) goes through our byte-level checks, icalendar, vobject and recurring-ical-events.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from calendar_app.core.ics import (
    FeedOptions,
    feed_window,
    feed_year,
    parse_alarm,
    render_calendar,
    year_start_utc,
)
from calendar_app.core.observances import describe
from calendar_app.core.occurrences import occurrence_in_year
from calendar_app.core.words import words_for
from calendar_app.data.dataset import DayRecord
from tests.support.feed import (
    BASE_URL,
    DATA_CHANGED,
    YEAR,
    byte_problems,
    event_uids,
    expected_dates,
    parse_uid,
    plain_days,
    structure_problems,
    with_day,
)

DAYS = plain_days()
SLUGS = [d.slug for d in DAYS]
HOST = "calendar.example.az"
SILENCE_AT = {"january-20": dt.time(12), "february-26": dt.time(17), "september-27": dt.time(12)}
VARIANTS = list(itertools.product(("az", "en", "ru"), (True, False), [None, *SLUGS]))


def render(days: list[DayRecord] = DAYS, year: int = YEAR, **options: object) -> bytes:
    settings: dict[str, object] = {"lang": "en", **options}
    return render_calendar(
        days,
        FeedOptions(**settings),  # type: ignore[arg-type]
        year=year,
        base_url=BASE_URL,
        data_changed=DATA_CHANGED,
    )


@pytest.mark.parametrize(("lang", "silence", "slug"), VARIANTS)
def test_every_variant_passes_every_parser_and_our_checks(
    lang: str, silence: bool, slug: str | None
) -> None:
    body = render(lang=lang, include_silence=silence, slug=slug)
    assert byte_problems(body) == []
    assert structure_problems(body) == []
    vobject.readOne(body.decode("utf-8")).validate(raiseException=True)
    assert render(lang=lang, include_silence=silence, slug=slug) == body  # deterministic

    chosen = [d for d in DAYS if slug in (None, d.slug)]
    first, last = feed_window(YEAR, 2, 10)
    calendar = Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(first, last + dt.timedelta(days=1))
    all_day, timed = set(), set()
    for event in found:
        slug_of, year, is_silence, host = parse_uid(event["UID"])
        start = event["DTSTART"].dt
        assert host == HOST and year == start.year
        if is_silence:
            timed.add((slug_of, start.date(), start.time()))
        else:
            all_day.add((slug_of, start))
    expected = expected_dates(chosen, first.year, last.year)
    assert all_day == expected
    expected_timed = {
        (s, when, SILENCE_AT[s]) for s, when in expected if silence and s in SILENCE_AT
    }
    assert timed == expected_timed


def test_the_window_is_whole_years_around_the_given_year() -> None:
    body = render(years_back=2, years_ahead=10)
    assert {parse_uid(uid)[1] for uid in event_uids(body)} == set(range(2025, 2038))
    assert feed_window(2027, 2, 10) == (dt.date(2025, 1, 1), dt.date(2037, 12, 31))
    moved = render(year=2028, years_back=2, years_ahead=10)
    assert {parse_uid(uid)[1] for uid in event_uids(moved)} == set(range(2026, 2039))


def test_the_year_turns_in_baku_not_in_utc() -> None:
    # 31 December 2026, 21:00 UTC is already 1 January 2027 in Baku (UTC+4)
    assert feed_year(dt.datetime(2026, 12, 31, 21, 0, tzinfo=dt.UTC)) == 2027
    assert feed_year(dt.datetime(2026, 12, 31, 19, 59, tzinfo=dt.UTC)) == 2026
    assert year_start_utc(2027) == dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        feed_year(dt.datetime(2027, 1, 1))


def test_only_years_in_which_the_day_was_observed_are_listed() -> None:
    # 27 September: events of 2020, first observed 2021; 26 February: 1992, observed from 1994
    body = render(year=2021, years_back=30, years_ahead=0)
    years = {parse_uid(uid)[:2] for uid in event_uids(body)}
    assert ("september-27", 2021) in years and ("september-27", 2020) not in years
    assert ("february-26", 1994) in years and ("february-26", 1993) not in years


def test_uids_are_stable_and_shared_by_the_languages() -> None:
    uids = {lang: event_uids(render(lang=lang)) for lang in ("az", "en", "ru")}
    assert uids["az"] == uids["en"] == uids["ru"]
    assert "january-20-2027@calendar.example.az" in uids["en"]
    assert "january-20-2027-silence@calendar.example.az" in uids["en"]
    assert "march-31-2027-silence@calendar.example.az" not in uids["en"]  # none in the data
    # the host of base_url, without its port
    on_port = render_calendar(
        DAYS,
        FeedOptions(lang="en", years_back=0, years_ahead=0),
        year=YEAR,
        base_url="http://127.0.0.1:8000/",
        data_changed=DATA_CHANGED,
    )
    assert "january-20-2027@127.0.0.1" in event_uids(on_port)


def test_uids_survive_a_change_of_the_data() -> None:
    changed = with_day(
        DAYS,
        "january-20",
        summary={"az": "Yeni.", "en": "New.", "ru": "Новое."},
        facts=DAYS[0].facts[1:],
    )
    before, after = render(), render(days=changed)
    assert before != after
    assert event_uids(before) == event_uids(after)


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "37th anniversary of the 20 January tragedy — National Mourning Day"),
        ("az", "20 Yanvar faciəsinin 37-ci ildönümü\u00a0— Ümumxalq Hüzn Günü"),
        ("ru", "37-я годовщина трагедии 20 января\u00a0— День всенародной скорби"),
    ],
)
def test_titles_are_the_localized_anniversary_titles(lang: str, title: str) -> None:
    calendar = Calendar.from_ical(render(lang=lang))
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries["january-20-2027@calendar.example.az"] == title
    for day in DAYS:  # the same title as every other edge shows
        occurrence = occurrence_in_year(day, 2030)
        assert occurrence is not None
        expected = describe(occurrence, words_for(lang)).title
        assert summaries[f"{day.slug}-2030@calendar.example.az"] == expected


def test_all_day_events_and_their_properties() -> None:
    body = render(slug="january-20", years_back=0, years_ahead=0, include_silence=False)
    text = body.decode("utf-8")
    assert "DTSTART;VALUE=DATE:20270120\r\n" in text
    assert "DTEND;VALUE=DATE:20270121\r\n" in text
    assert "TRANSP:TRANSPARENT\r\n" in text and "CLASS:PUBLIC\r\n" in text
    assert "DTSTAMP:20260301T093000Z\r\n" in text
    assert "LAST-MODIFIED:20260301T093000Z\r\n" in text
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["URL"]) == f"{BASE_URL}/en/days/january-20"
    assert [str(c) for c in event.categories] == ["Memorial day", "Non-working day"]
    assert event["SUMMARY"].params["LANGUAGE"] == "en"
    assert "RRULE" not in text and "METHOD" not in text


def test_calendar_properties() -> None:
    text = render(lang="az").decode("utf-8")
    unfolded = text.replace("\r\n ", "")
    for line in (
        "VERSION:2.0",
        "PRODID:-//Commemoration Calendar//Memorial days of Azerbaijan//AZ",
        "NAME:Azərbaycanın anım günləri",
        "X-WR-CALNAME:Azərbaycanın anım günləri",
        "REFRESH-INTERVAL;VALUE=DURATION:P1D",
        "X-PUBLISHED-TTL:P1D",
        "COLOR:darkslategray",
        f"URL:{BASE_URL}/az/",
        "LAST-MODIFIED:20260301T093000Z",
    ):
        assert f"\r\n{line}\r\n" in unfolded, line
    calendar = Calendar.from_ical(text)
    # no calendar-level UID: clients that split a feed would give it to every event
    assert "UID" not in calendar and "\r\nUID:memorial-days" not in unfolded
    assert str(calendar["DESCRIPTION"]).startswith("Azərbaycanın anım günləri:")
    assert str(calendar["X-WR-CALDESC"]) == str(calendar["DESCRIPTION"])
    assert "METHOD" not in calendar
    one = Calendar.from_ical(render(lang="en", slug="february-26"))
    assert str(one["NAME"]) == "Day of the Khojaly Genocide"
    assert str(one["URL"]) == f"{BASE_URL}/en/days/february-26"
    assert "UID" not in one


def test_the_description_shows_every_figure_with_its_own_source() -> None:
    event = Calendar.from_ical(render(slug="january-20", years_back=0, years_ahead=0)).walk(
        "VEVENT"
    )[0]
    description = str(event["DESCRIPTION"])
    lines = description.splitlines()
    killed = {
        "131": "“Bloody Memory”",
        "134": "Trend News Agency",
        "137": "The Peninsula (Doha)",
        "147": "heroic page of our history”",  # the document names no publisher: none shown
        "150": "Caliber.Az",
    }
    for value, source in killed.items():  # the five disagreeing death tolls, none picked
        assert any(
            line.startswith(f"• {value} — ") and "killed" in line and line.endswith(source)
            for line in lines
        ), value
    assert "The sources give different figures; all of them are shown." in lines
    assert "• more than 600 — people injured (Baku). Source: " in description
    assert "• nearly 2\u00a0million — " in description  # "nearly two million", not "about"
    assert "Sources: “Tragedy of 20 January is a heroic page of our history”" in description
    assert lines[0].startswith("The day commemorates the civilians killed")
    assert "A non-working day in Azerbaijan." in lines
    assert lines[-1] == f"More: {BASE_URL}/en/days/january-20"


def test_figures_are_written_the_way_each_language_writes_them() -> None:
    az = str(
        Calendar.from_ical(render(lang="az", slug="january-20", years_ahead=0)).walk("VEVENT")[0][
            "DESCRIPTION"
        ]
    )
    assert "• 600-dən çox\u00a0— yaralananlar (Bakı). Mənbə: «" in az
    assert "• 2\u00a0milyona yaxın\u00a0— " in az
    ru = str(
        Calendar.from_ical(render(lang="ru", slug="january-20", years_ahead=0)).walk("VEVENT")[0][
            "DESCRIPTION"
        ]
    )
    assert "• более 600\u00a0— раненые (Баку). Источник: «" in ru
    assert "• почти 2\u00a0млн\u00a0— " in ru


def test_the_minute_of_silence_is_a_one_minute_event_in_baku_time() -> None:
    calendar = Calendar.from_ical(render(slug="february-26", years_back=0, years_ahead=0))
    silence = next(e for e in calendar.walk("VEVENT") if "-silence@" in str(e["UID"]))
    start, end = silence["DTSTART"].dt, silence["DTEND"].dt
    assert silence["DTSTART"].params["TZID"] == "Asia/Baku"
    assert start.isoformat() == "2027-02-26T17:00:00+04:00"
    assert end - start == dt.timedelta(minutes=1)
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 2, 26, 13, 0, tzinfo=dt.UTC)
    assert str(silence["SUMMARY"]) == "Minute of silence — Day of the Khojaly Genocide"
    assert "Sources: “Azerbaijan observes moment of silence" in str(silence["DESCRIPTION"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Baku"]


def test_without_silence_there_is_no_timed_event_and_no_vtimezone() -> None:
    body = render(include_silence=False)
    calendar = Calendar.from_ical(body)
    assert all(not isinstance(e["DTSTART"].dt, dt.datetime) for e in calendar.walk("VEVENT"))
    assert calendar.walk("VTIMEZONE") == []
    assert b"TZID" not in body


def test_an_unverified_minute_of_silence_is_described_but_not_scheduled() -> None:
    moment = DAYS[0].moments[0]
    unsure = replace(moment, is_verified=False)
    body = render(days=with_day(DAYS, "january-20", moments=(unsure,)), slug="january-20")
    assert "-silence@" not in body.decode()
    description = str(Calendar.from_ical(body).walk("VEVENT")[0]["DESCRIPTION"])
    assert moment.description["en"] + " (not verified)" in description


def test_alarms_only_on_request() -> None:
    assert b"VALARM" not in render()
    calendar = Calendar.from_ical(render(alarm=dt.timedelta(days=-1), years_ahead=0))
    events = calendar.walk("VEVENT")
    for event in events:
        (alarm,) = event.walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm["TRIGGER"].dt == dt.timedelta(days=-1)
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
    body = render(alarm=dt.timedelta(hours=-2), years_ahead=0)
    assert b"TRIGGER:-PT2H\r\n" in body
    assert byte_problems(body) == [] and structure_problems(body) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-P1D", dt.timedelta(days=-1)),
        ("-PT2H", dt.timedelta(hours=-2)),
        ("-PT15M", dt.timedelta(minutes=-15)),
        ("-P1DT12H", dt.timedelta(days=-1, hours=-12)),
        ("-P2W", dt.timedelta(weeks=-2)),
        ("-P30D", dt.timedelta(days=-30)),
        ("PT0S", dt.timedelta(0)),
        ("-PT0S", dt.timedelta(0)),
    ],
)
def test_alarm_durations_that_are_accepted(text: str, expected: dt.timedelta) -> None:
    assert parse_alarm(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a duration"),
        ("P", "not a duration"),
        ("-P", "not a duration"),
        ("-PT", "not a duration"),
        ("-P1DT", "not a duration"),
        ("-P1D2H", "not a duration"),
        ("-p1d", "not a duration"),
        ("-P1W2D", "not a duration"),
        ("-PT1.5H", "not a duration"),
        ("1 day", "not a duration"),
        ("-P١D", "not a duration"),  # Arabic-Indic digit
        ("-P31D", "at most 30 days"),
        ("-P5W", "at most 30 days"),
        ("-PT721H", "at most 30 days"),
        ("-P99999D", "at most 30 days"),
        ("P1D", "must not be after the start"),
        ("+PT1H", "must not be after the start"),
    ],
)
def test_alarm_durations_that_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_alarm(text)


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        FeedOptions(lang="tr")
    with pytest.raises(ValueError, match="negative"):
        FeedOptions(lang="az", years_back=-1)
    with pytest.raises(ValueError, match="30 days"):
        FeedOptions(lang="az", alarm=dt.timedelta(days=-31))
    with pytest.raises(ValueError, match="no memorial day"):
        render(slug="april-1")


def test_dtstamp_comes_from_the_data_and_aware_times_are_accepted() -> None:
    aware = render_calendar(
        DAYS,
        FeedOptions(lang="en"),
        year=YEAR,
        base_url=BASE_URL,
        data_changed=dt.datetime(2026, 3, 1, 13, 30, tzinfo=dt.timezone(dt.timedelta(hours=4))),
    )
    assert aware == render()  # 13:30 in Baku is 09:30 UTC, the naive DATA_CHANGED
    assert render(year=YEAR) == render(year=YEAR)
