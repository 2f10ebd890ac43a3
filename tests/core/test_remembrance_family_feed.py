"""The family feed rendered in the core, read by ical.js (under node), icalendar and
recurring-ical-events: every person's days, each titled with its name, the same UIDs as
each person's own feed; and the coming days listed on the manage page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from calendar_app.core.remembrance import remembrance_dates
from calendar_app.core.remembrance_coming import coming_days, year_ahead
from calendar_app.core.remembrance_ics import (
    FeedEntry,
    LinkedDay,
    render_family,
    render_remembrance,
)
from calendar_app.core.words import words_for
from tests.support.icaljs import node, read_with_icaljs
from tests.support.people import Person

__all__ = ["node"]  # the fixture, from tests/support/icaljs.py

HOST = "calendar.example.az"
CHANGED = dt.datetime(2026, 12, 1)


ANAR = Person(1, "Anar", dt.date(2026, 11, 25), None, "death-day", True, CHANGED)
GUNAY = Person(2, "Günay", dt.date(2024, 2, 29), dt.date(1950, 3, 1), "day-after", False,
               dt.datetime(2026, 12, 3))  # fmt: skip
TOFIK = Person(3, "Тофик", dt.date(1990, 1, 20), None, "death-day", False, CHANGED)
LINKED = LinkedDay("20 Yanvar", f"https://{HOST}/days/january-20")
FAMILY = [FeedEntry(ANAR), FeedEntry(GUNAY), FeedEntry(TOFIK, LINKED)]


def family(lang: str) -> bytes:
    return render_family(FAMILY, lang, changed=CHANGED, year=2026, host=HOST)


def test_the_family_feed_is_every_persons_own_feed_together() -> None:
    for lang in ("az", "en", "ru"):
        calendar = icalendar.Calendar.from_ical(family(lang))
        together = []
        for entry in FAMILY:
            own = render_remembrance(entry.person, lang, year=2026, host=HOST, linked=entry.linked)
            together += [e.to_ical() for e in icalendar.Calendar.from_ical(own).walk("VEVENT")]
        assert sorted(e.to_ical() for e in calendar.walk("VEVENT")) == sorted(together)
    az = icalendar.Calendar.from_ical(family("az"))
    assert str(az["X-WR-CALNAME"]) == str(az["NAME"]) == "Ailəmizin xatirə günləri"
    assert az["LAST-MODIFIED"].dt == dt.datetime(2026, 12, 3, tzinfo=dt.UTC)  # Günay's edit
    assert "UID" not in az
    expanded = recurring_ical_events.of(az).between(dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert {(e["DTSTART"].dt, str(e["SUMMARY"])) for e in expanded} >= {
        (dt.date(2026, 12, 1), "Anarın vəfatının 7-ci günü"),
        (dt.date(2026, 12, 3), "Anarın vəfatından sonrakı 2-ci cümə axşamı"),
    }
    russian = icalendar.Calendar.from_ical(family("ru"))
    assert str(russian["X-WR-CALNAME"]) == "Дни памяти нашей семьи"


def test_an_empty_family_is_an_empty_calendar() -> None:
    body = render_family([], "az", changed=CHANGED, year=2026, host=HOST)
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.walk("VEVENT") == [] and str(calendar["X-WR-CALNAME"])


def test_icaljs_reads_the_family_feed(node: str, tmp_path: Path) -> None:
    paths, expected = [], {}
    for lang in ("az", "en", "ru"):
        path = tmp_path / f"family-{lang}.ics"
        path.write_bytes(family(lang))
        paths.append(path)
    for entry in FAMILY:
        person = entry.person
        first = max(person.died_on, dt.date(2025, 1, 1))
        for item in remembrance_dates(
            person.died_on, person.counting, first, dt.date(2036, 12, 31), person.thursdays
        ):
            expected[f"remembrance-{person.id}-{item.occasion}@{HOST}"] = item.date
    feeds = read_with_icaljs(node, paths)
    names = {"az": "Ailəmizin xatirə günləri", "en": "Our family's days of remembrance",
             "ru": "Дни памяти нашей семьи"}  # fmt: skip
    for feed, lang in zip(feeds, ("az", "en", "ru"), strict=True):
        assert feed["name"] == names[lang]
        found = {}
        for event in feed["events"]:
            assert not event["isRecurring"]
            assert event["start"]["isDate"] and event["durationSeconds"] == 86400
            found[event["uid"]] = dt.date.fromisoformat(event["start"]["local"])
        assert found == expected
    by_uid = {e["uid"]: e["summary"] for e in feeds[0]["events"]}
    assert by_uid[f"remembrance-2-year-3@{HOST}"] == "Günayın vəfatının 3-cü ildönümü"
    tofik = by_uid[f"remembrance-3-year-37@{HOST}"]
    assert tofik == "Şəhid Тофик\u00a0— şəhadətinin 37-ci ildönümü"


@pytest.mark.parametrize(
    ("today", "last"),
    [
        (dt.date(2026, 12, 1), dt.date(2027, 11, 30)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 27)),  # the day before 28 February 2029
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_the_coming_year(today: dt.date, last: dt.date) -> None:
    assert year_ahead(today) == last


def test_coming_days_of_a_recent_and_an_old_death() -> None:
    en = words_for("en")
    anar = coming_days(ANAR, en, dt.date(2026, 12, 1), martyr=False)
    assert anar.name == "Anar"
    assert [(d.date, d.title) for d in anar.days][:3] == [
        (dt.date(2026, 12, 1), "7th day after the death of Anar"),  # today is included
        (dt.date(2026, 12, 3), "2nd Thursday evening after the death of Anar"),
        (dt.date(2026, 12, 10), "3rd Thursday evening after the death of Anar"),
    ]
    assert anar.days[-1].title == "1st anniversary of the death of Anar"
    assert anar.days[-1].when == "Thursday, 25 November 2027"
    assert anar.counting == "the day of death is day 1"
    # an old death, listed on its 29 February: in a common year, 28 February; no counting
    gunay = coming_days(GUNAY, words_for("az"), dt.date(2026, 12, 1), martyr=True)
    assert [(d.when, d.title) for d in gunay.days] == [
        ("28 fevral 2027, bazar", "Şəhid Günayın şəhadətinin 3-cü ildönümü")
    ]
    assert gunay.counting is None
    tofik = coming_days(TOFIK, words_for("ru"), dt.date(2027, 1, 20), martyr=True)
    assert [d.when for d in tofik.days] == ["среда, 20 января 2027\u202fг."]  # today, not next year
