"""/remember's preview table: each name's days in both countings, past ones marked.

Expected dates are written out by hand from a calendar (28 November 2026 is a Saturday),
not computed by the code under test; docs/REMEMBRANCE.md explains the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calendar_app.core.remembrance_preview import PreviewRow, preview_rows
from calendar_app.core.words import words_for

D = dt.date
EN = words_for("en")


@dataclass(frozen=True)
class Entered:
    name: str
    died_on: dt.date
    counting: str = "death-day"
    thursdays: bool = False
    day_slug: str | None = None


def table(rows: list[PreviewRow]) -> list[tuple[str, tuple[tuple[dt.date, str] | None, ...]]]:
    """(occasion, ((date, when) per counting: the day of death, the day after))."""
    return [
        (
            f"{r.kind}-{r.number}",
            tuple((c.date, c.when) if c else None for c in r.cells),
        )
        for r in rows
    ]


def test_the_first_year_shows_the_forty_days_past_ones_marked_and_three_anniversaries() -> None:
    rows = preview_rows(Entered("Anar", D(2026, 11, 28), thursdays=True), D(2026, 12, 1), EN)
    assert table(rows) == [
        ("day-3", ((D(2026, 11, 30), "past"), (D(2026, 12, 1), "today"))),
        ("thursday-1", ((D(2026, 12, 3), "coming"),) * 2),
        ("day-7", ((D(2026, 12, 4), "coming"), (D(2026, 12, 5), "coming"))),
        ("thursday-2", ((D(2026, 12, 10), "coming"),) * 2),
        ("thursday-3", ((D(2026, 12, 17), "coming"),) * 2),
        ("thursday-4", ((D(2026, 12, 24), "coming"),) * 2),
        ("thursday-5", ((D(2026, 12, 31), "coming"),) * 2),
        ("day-40", ((D(2027, 1, 6), "coming"), (D(2027, 1, 7), "coming"))),
        # a death on a Saturday: counting from the day after, the 40th day is a Thursday
        # that the other counting leaves after its 40th day
        ("thursday-6", (None, (D(2027, 1, 7), "coming"))),
        ("anniversary-1", ((D(2027, 11, 28), "coming"),) * 2),
        ("anniversary-2", ((D(2028, 11, 28), "coming"),) * 2),
        ("anniversary-3", ((D(2029, 11, 28), "coming"),) * 2),
    ]
    assert [r.same for r in rows] == [False, True, False, True, True, True, True, False,
                                      False, True, True, True]  # fmt: skip
    assert rows[0].title == "3rd day after the death of Anar"
    assert rows[0].cells[0] and rows[0].cells[0].text == "Monday, 30 November 2026"


def test_after_the_first_year_only_the_coming_anniversaries() -> None:
    # 29 February: the 28th in common years; today's anniversary is still coming
    rows = preview_rows(Entered("Tofiq", D(2000, 2, 29), "day-after"), D(2027, 2, 28), EN)
    assert table(rows) == [
        ("anniversary-27", ((D(2027, 2, 28), "today"),) * 2),
        ("anniversary-28", ((D(2028, 2, 29), "coming"),) * 2),
        ("anniversary-29", ((D(2029, 2, 28), "coming"),) * 2),
    ]
    assert all(r.same for r in rows)


def test_without_thursdays_a_death_today_and_a_martyr() -> None:
    rows = preview_rows(
        Entered("Rəşid", D(2026, 12, 1), "day-after", day_slug="september-27"),
        D(2026, 12, 1),
        words_for("az"),
    )
    assert [(o, cells[1]) for o, cells in table(rows)] == [
        ("day-3", (D(2026, 12, 4), "coming")),
        ("day-7", (D(2026, 12, 8), "coming")),
        ("day-40", (D(2027, 1, 10), "coming")),
        ("anniversary-1", (D(2027, 12, 1), "coming")),
        ("anniversary-2", (D(2028, 12, 1), "coming")),
        ("anniversary-3", (D(2029, 12, 1), "coming")),
    ]
    assert rows[0].cells[0] and rows[0].cells[0].date == D(2026, 12, 3)
    assert rows[-1].title == "Şəhid Rəşidin şəhadətinin 3-cü ildönümü"
    assert rows[2].cells[1] and rows[2].cells[1].text == "10 yanvar 2027, bazar"


def test_the_day_before_the_first_anniversary_still_shows_the_forty_days() -> None:
    rows = preview_rows(Entered("Aygün", D(2025, 12, 2)), D(2026, 12, 1), EN)
    assert [o for o, _ in table(rows)][:4] == ["day-3", "day-7", "day-40", "anniversary-1"]
    assert all(c and c.when == "past" for r in rows[:3] for c in r.cells)
