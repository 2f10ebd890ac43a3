"""ical.js (under node) reads private remembrance feeds as a JavaScript client would:
all-day events on the right dates, one per observance, none recurring, in each language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import vobject

from calendar_app.core.remembrance import remembrance_dates
from calendar_app.core.remembrance_ics import LinkedDay, render_remembrance
from tests.support.icaljs import node, read_with_icaljs
from tests.support.people import Person

__all__ = ["node"]  # the fixture, from tests/support/icaljs.py

HOST = "calendar.example.az"


PEOPLE = [
    Person(1, "Anar", dt.date(2026, 11, 25), None, "death-day", True, dt.datetime(2026, 12, 1)),
    Person(2, "Günay", dt.date(2024, 2, 29), dt.date(1950, 3, 1), "day-after", False,
           dt.datetime(2026, 12, 1)),
    Person(3, "Тофик", dt.date(1990, 1, 20), None, "death-day", False, dt.datetime(2026, 12, 1)),
]  # fmt: skip


def test_icaljs_reads_private_feeds(node: str, tmp_path: Path) -> None:
    paths, expected = [], {}
    for person in PEOPLE:
        for lang in ("az", "en", "ru"):
            path = tmp_path / f"{person.id}-{lang}.ics"
            linked = LinkedDay("20 Yanvar", f"https://{HOST}/days/january-20?lang={lang}")
            path.write_bytes(render_remembrance(person, lang, year=2026, host=HOST, linked=linked))
            paths.append(path)
            first = max(person.died_on, dt.date(2025, 1, 1))
            dates = remembrance_dates(
                person.died_on, person.counting, first, dt.date(2036, 12, 31), person.thursdays
            )
            expected[str(path)] = {f"remembrance-{person.id}-{r.occasion}@{HOST}": r.date
                                   for r in dates}  # fmt: skip
    feeds = read_with_icaljs(node, paths)
    assert len(feeds) == len(paths)
    for feed in feeds:
        found = {}
        for event in feed["events"]:
            assert not event["isRecurring"]
            assert event["start"]["isDate"] and event["durationSeconds"] == 86400
            assert event["summary"] and "https://" in event["description"]
            found[event["uid"]] = dt.date.fromisoformat(event["start"]["local"])
        assert found == expected[feed["path"]]
        assert feed["name"].endswith(("xatirə günləri", "days of remembrance", "дни памяти"))
    by_path = {f["path"]: f for f in feeds}
    gunay = {e["uid"]: e["summary"] for e in by_path[str(tmp_path / "2-az.ics")]["events"]}
    assert gunay[f"remembrance-2-year-3@{HOST}"] == "Şəhid Günayın şəhadətinin 3-cü ildönümü"
    tofik = {e["uid"]: e["summary"] for e in by_path[str(tmp_path / "3-ru.ics")]["events"]}
    assert (
        tofik[f"remembrance-3-year-37@{HOST}"] == "Шехид Тофик\u00a0— 37-я годовщина со дня гибели"
    )


def test_the_calendar_name_is_escaped_as_rfc_5545_text() -> None:
    """NAME and X-WR-CALNAME carry the family's own text: a comma, a semicolon or a
    backslash in it must reach the calendar app as typed (vobject reads it back)."""
    name = r"Əli, Vəli; C:\new"
    person = Person(4, name, dt.date(2026, 11, 25), None, "death-day", False,
                    dt.datetime(2026, 12, 1))  # fmt: skip
    body = render_remembrance(person, "en", year=2026, host=HOST).decode()
    calendar = vobject.readOne(body)
    for key in ("name", "x-wr-calname"):
        assert calendar.contents[key][0].value == f"{name}: days of remembrance"
