"""Pure: localized ordinals, anniversary labels and titles in az, en and ru.

- az: digits, a hyphen and -cı/-ci/-cu/-cü by vowel harmony with the last word of
  the spoken number (37-ci, 40-cı, 100-cü, 1000-ci); num2words implements it.
- en: 1st, 2nd, 3rd, 11th-13th, 21st, 111th; num2words implements it.
- ru: the ordinal agrees with "годовщина" (feminine, nominative): always "-я"
  after the digits (1-я, 3-я, 35-я), as in "35-я годовщина".
"""

from __future__ import annotations

from num2words import num2words

from calendar_app.core.languages import LANGUAGES


def _check(number: int, lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if number < 1:
        raise ValueError(f"an anniversary is a positive number, got {number}")


def anniversary_ordinal(number: int, lang: str) -> str:
    """The ordinal written with digits, agreeing with the word for 'anniversary'."""
    _check(number, lang)
    if lang == "ru":
        return f"{number}-я"
    return str(num2words(number, lang=lang, to="ordinal_num"))


def anniversary_label(number: int, lang: str) -> str:
    """'37th anniversary', '37-ci ildönümü', '37-я годовщина'."""
    ordinal = anniversary_ordinal(number, lang)
    if lang == "az":
        return f"{ordinal} ildönümü"
    if lang == "ru":
        return f"{ordinal} годовщина"
    return f"{ordinal} anniversary"


def anniversary_phrase(number: int, lang: str, anniversary_of: str) -> str:
    """'37th anniversary of the 20 January tragedy', '20 Yanvar faciəsinin 37-ci ildönümü'.

    ``anniversary_of`` is already in the case the language needs: en plain
    ("the 20 January tragedy"), az and ru genitive ("20 Yanvar faciəsinin",
    "трагедии 20 января").
    """
    label = anniversary_label(number, lang)
    if lang == "az":
        return f"{anniversary_of} {label}"
    if lang == "en":
        return f"{label} of {anniversary_of}"
    return f"{label} {anniversary_of}"


def title_dash(lang: str) -> str:
    """The dash between two parts of a title: in az and ru a no-break space before it,
    so that a line never starts with the dash (docs/STYLE.md)."""
    return " — " if lang == "en" else "\u00a0— "


def anniversary_title(number: int, lang: str, anniversary_of: str, name: str) -> str:
    """The title of one year's observance: the phrase, a dash, the day's name."""
    return f"{anniversary_phrase(number, lang, anniversary_of)}{title_dash(lang)}{name}"
