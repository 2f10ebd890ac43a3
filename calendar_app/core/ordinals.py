"""Pure: anniversary ordinals, labels and titles in the reader's language.

The patterns are catalog messages (``calendar_app/core/words.py``); the ordinal
endings that are grammar stay code:

- az: digits, a hyphen and -cı/-ci/-cu/-cü by vowel harmony with the last word of
  the spoken number (37-ci, 40-cı, 100-cü, 1000-ci); num2words implements it.
- en: 1st, 2nd, 3rd, 11th-13th, 21st, 111th; num2words implements it.
- ru: the ordinal agrees with "годовщина" (feminine, nominative): the catalog
  writes "{number}-я" (1-я, 3-я, 35-я).
"""

from __future__ import annotations

from calendar_app.core.words import Words


def _check(number: int) -> None:
    if number < 1:
        raise ValueError(f"an anniversary is a positive number, got {number}")


def anniversary_ordinal(number: int, words: Words) -> str:
    """The ordinal written with digits, agreeing with the word for 'anniversary'."""
    _check(number)
    return words.pgettext("anniversary", "{number:ordinal}", number=words.number(number))


def anniversary_label(number: int, words: Words) -> str:
    """'37th anniversary', '37-ci ildönümü', '37-я годовщина'."""
    _check(number)
    return words.pgettext(
        "anniversary", "{number:ordinal} anniversary", number=words.number(number)
    )


def anniversary_phrase(number: int, words: Words, anniversary_of: str) -> str:
    """'37th anniversary of the 20 January tragedy', '20 Yanvar faciəsinin 37-ci ildönümü'.

    ``anniversary_of`` is already in the case the language needs: en plain
    ("the 20 January tragedy"), az and ru genitive ("20 Yanvar faciəsinin",
    "трагедии 20 января").
    """
    _check(number)
    return words.pgettext(
        "anniversary",
        "{number:ordinal} anniversary of {event}",
        number=words.number(number),
        event=anniversary_of,
    )


def dashed(words: Words, first: str, second: str) -> str:
    """Two parts of a title joined by a dash: in az and ru the catalog puts a no-break
    space before it, so that a line never starts with the dash (docs/STYLE.md)."""
    return words.pgettext("title", "{first} — {second}", first=first, second=second)


def anniversary_title(number: int, words: Words, anniversary_of: str, name: str) -> str:
    """The title of one year's observance: the phrase, a dash, the day's name."""
    return dashed(words, anniversary_phrase(number, words, anniversary_of), name)
