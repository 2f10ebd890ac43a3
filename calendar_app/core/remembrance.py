"""Pure: a family's customary days of remembrance, dated and titled in az, en and ru.

``remembrance_dates(death_date, counting, start, end)`` lists the 3rd, 7th and
40th days, optionally the Thursday evenings of the forty days, and every
anniversary that fall from ``start`` to ``end`` (both included). The custom,
the two countings and the title rules, with their sources: docs/REMEMBRANCE.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calendar_app.core.languages import LANGUAGES
from calendar_app.core.occurrences import date_in_year
from calendar_app.core.ordinals import anniversary_ordinal

COUNTINGS = ("death-day", "day-after")  # day 1 is the day of death / the day after it
DEFAULT_COUNTING = "death-day"
CUSTOMARY_DAYS = (3, 7, 40)
THURSDAY = 3  # date.weekday()
KINDS = ("day", "thursday", "anniversary")
MAX_NAME_LENGTH = 120

_BACK = {"a": "ı", "ı": "ı", "o": "u", "u": "u"}
_FRONT = {"e": "i", "ə": "i", "i": "i", "ö": "ü", "ü": "ü"}
_VOWELS = {**_BACK, **_FRONT}
_AZ_LETTERS = set("abcçdeəfgğhxıijkqlmnoöprsştuüvyz")


@dataclass(frozen=True, slots=True)
class Remembrance:
    """One observance: the 40th day, the 2nd Thursday, the 5th anniversary…"""

    date: dt.date
    kind: str  # "day", "thursday" or "anniversary"
    number: int

    @property
    def occasion(self) -> str:
        """A stable key for the outbox and the feed's UIDs: day-40, thursday-2, year-5."""
        prefix = "year" if self.kind == "anniversary" else self.kind
        return f"{prefix}-{self.number}"


LATEST_DEATH = dt.date(9998, 11, 1)  # its 40th day and 1st anniversary still fit in a date
EARLIEST_DEATH = dt.date(1900, 1, 1)  # the form's and the CLI's earliest date of death


def death_problem(death_date: dt.date, today: dt.date) -> str | None:
    """Why a family cannot keep this date of death: "early", "future", or None if it can."""
    if death_date < EARLIEST_DEATH:
        return "early"
    if death_date > today:
        return "future"
    return None


def name_problem(name: str) -> str | None:
    """Why a name cannot be kept: "empty", "control" (characters that print as nothing),
    "long", or None. ``name`` is as entered; runs of white space count as one space."""
    joined = " ".join(name.split())
    if not joined:
        return "empty"
    if not joined.isprintable():
        return "control"
    if len(joined) > MAX_NAME_LENGTH:
        return "long"
    return None


def check_counting(counting: str) -> None:
    if counting not in COUNTINGS:
        raise ValueError(f"unknown counting {counting!r}; expected one of {', '.join(COUNTINGS)}")


def check_death(death_date: dt.date) -> None:
    if death_date > LATEST_DEATH:
        raise ValueError(f"a date of death after {LATEST_DEATH} is out of range")


def nth_day(death_date: dt.date, number: int, counting: str) -> dt.date:
    """The date of day ``number`` of the mourning under ``counting``."""
    check_counting(counting)
    offset = number - 1 if counting == "death-day" else number
    return death_date + dt.timedelta(days=offset)


def anniversary(death_date: dt.date, number: int) -> dt.date:
    """The ``number``-th anniversary; a 29 February death falls on 28 February in common years."""
    return date_in_year(death_date.month, death_date.day, death_date.year + number)[0]


def remembrance_dates(
    death_date: dt.date,
    counting: str,
    start: dt.date,
    end: dt.date,
    thursdays: bool = False,
) -> list[Remembrance]:
    """The observances from ``start`` to ``end`` (both included), in date order."""
    check_counting(counting)
    check_death(death_date)
    found: list[Remembrance] = []
    fortieth = nth_day(death_date, 40, counting)
    for number in CUSTOMARY_DAYS:
        found.append(Remembrance(nth_day(death_date, number, counting), "day", number))
    if thursdays:
        first = death_date + dt.timedelta(days=(THURSDAY - death_date.weekday() - 1) % 7 + 1)
        day, number = first, 1
        while day <= fortieth:
            found.append(Remembrance(day, "thursday", number))
            day, number = day + dt.timedelta(days=7), number + 1
    first_year = max(1, start.year - death_date.year - 1)
    last_year = min(end.year, dt.date.max.year - 1) - death_date.year
    for number in range(first_year, max(last_year, 0) + 1):
        found.append(Remembrance(anniversary(death_date, number), "anniversary", number))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(
        (r for r in found if start <= r.date <= end),
        key=lambda r: (r.date, order[r.kind], r.number),
    )


def az_genitive(name: str) -> str | None:
    """'Anarın', 'Əlinin', 'Aygünün', 'Anar Məmmədovun'; None when no suffix can be chosen.

    The last vowel of the name decides the suffix (four-way vowel harmony); a
    final vowel takes the buffer n. A name that does not end in a letter of the
    Azerbaijani alphabet, or has no Azerbaijani vowel, gets no guessed suffix.
    """
    text = name.strip()
    lowered = text.replace("I", "ı").replace("İ", "i").lower()
    if not lowered or lowered[-1] not in _AZ_LETTERS:
        return None
    last_vowel = next((c for c in reversed(lowered) if c in _VOWELS), None)
    if last_vowel is None:
        return None
    vowel = _VOWELS[last_vowel]
    suffix = f"n{vowel}n" if lowered[-1] in _VOWELS else f"{vowel}n"
    return text + suffix


def ordinal(number: int, lang: str, gender: str = "f") -> str:
    """Digits and the ordinal ending: az 40-cı, en 40th, ru 40-я (f) or 40-й (m)."""
    if lang == "ru" and gender == "m":
        if number < 1:
            raise ValueError(f"an ordinal is a positive number, got {number}")
        return f"{number}-й"
    return anniversary_ordinal(number, lang)


def remembrance_title(item: Remembrance, name: str, lang: str) -> str:
    """The observance's title for the person ``name`` (see docs/REMEMBRANCE.md)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    name = " ".join(name.split())
    if lang == "en":
        return f"{_english_phrase(item)} {name}"
    if lang == "ru":
        return f"{name} — {_russian_phrase(item)}"
    number = ordinal(item.number, "az")
    after = item.kind == "thursday"
    phrase = f"{number} cümə axşamı" if after else f"{number} {_AZ_NOUN[item.kind]}"
    genitive = az_genitive(name)
    if genitive is None:
        return f"{name} — {'vəfatından sonra' if after else 'vəfatının'} {phrase}"
    return f"{genitive} {'vəfatından sonra' if after else 'vəfatının'} {phrase}"


def remembrance_phrase(item: Remembrance, lang: str) -> str:
    """The title without a name (for the CLI without --name): 'vəfatının 40-cı günü'."""
    if lang == "en":
        return _english_phrase(item).removesuffix(" of")
    if lang == "ru":
        return _russian_phrase(item)
    number = ordinal(item.number, "az")
    if item.kind == "thursday":
        return f"vəfatından sonra {number} cümə axşamı"
    return f"vəfatının {number} {_AZ_NOUN[item.kind]}"


_AZ_NOUN = {"day": "günü", "anniversary": "ildönümü"}


def _english_phrase(item: Remembrance) -> str:
    number = ordinal(item.number, "en")
    if item.kind == "day":
        return f"{number} day after the death of"
    if item.kind == "thursday":
        return f"{number} Thursday evening after the death of"
    return f"{number} anniversary of the death of"


def _russian_phrase(item: Remembrance) -> str:
    if item.kind == "day":
        return f"{ordinal(item.number, 'ru', 'm')} день со дня смерти"
    if item.kind == "thursday":
        return f"{ordinal(item.number, 'ru', 'm')} четверг после смерти"
    return f"{ordinal(item.number, 'ru')} годовщина со дня смерти"


COUNTING_LABELS = {
    "death-day": {
        "az": "vəfat günü birinci gün sayılır",
        "en": "the day of death is day 1",
        "ru": "день смерти считается первым днём",
    },
    "day-after": {
        "az": "vəfatdan sonrakı gün birinci gün sayılır",
        "en": "the day after the death is day 1",
        "ru": "первым днём считается день после смерти",
    },
}
