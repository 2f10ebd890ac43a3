"""Pure: a sourced figure written the way each language writes it.

A fact's qualifier says how exact its value is: exact, more-than, about, nearly
or at-least. Azerbaijani puts the case suffix on the number: "more than 600" is
"600-dən çox" (ablative), "nearly 100" is "100-ə yaxın" (dative). The suffix
follows the last vowel of the number as it is spoken ("altı yüz" → -dən,
"otuz" → -dan), read from num2words' Azerbaijani words. Whole millions are
written as words ("2 milyona yaxın", "почти 2 млн", "nearly 2 million"), as a
reader would write them.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from num2words import num2words

from calendar_app.core.dates import BABEL_LOCALES
from calendar_app.core.ordinals import LANGUAGES

QUALIFIERS = ("exact", "more-than", "about", "nearly", "at-least")

_PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "exact": "{n}",
        "more-than": "more than {n}",
        "about": "about {n}",
        "nearly": "nearly {n}",
        "at-least": "at least {n}",
    },
    "az": {
        "exact": "{n}",
        "more-than": "{n}{abl} çox",
        "about": "təxminən {n}",
        "nearly": "{n}{dat} yaxın",
        "at-least": "ən azı {n}",
    },
    "ru": {
        "exact": "{n}",
        "more-than": "более {n}",
        "about": "около {n}",
        "nearly": "почти {n}",
        "at-least": "не менее {n}",
    },
}
_MILLION_WORD = {"az": "milyon", "en": "million", "ru": "млн"}
_BACK_VOWELS = frozenset("aıou")
_VOWELS = frozenset("aıoueəiöü")


def figure_text(value: int, qualifier: str, lang: str) -> str:
    """'more than 600', '600-dən çox', 'более 600'; numbers grouped as each language does."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if qualifier not in QUALIFIERS:
        raise ValueError(
            f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}"
        )
    millions = value >= 1_000_000 and value % 1_000_000 == 0
    if millions:
        count = format_decimal(value // 1_000_000, locale=BABEL_LOCALES[lang])
        number = f"{count}\u00a0{_MILLION_WORD[lang]}"  # never broken across lines
    else:
        number = str(format_decimal(value, locale=BABEL_LOCALES[lang]))
    joiner = "" if millions else "-"  # "2 milyona", but "600-dən"
    return _PATTERNS[lang][qualifier].format(
        n=number,
        abl=joiner + _az_suffix(value, "dan", "dən", "dan", "dən"),
        dat=joiner + _az_suffix(value, "a", "ə", "ya", "yə"),
    )


def _az_suffix(value: int, back: str, front: str, back_v: str, front_v: str) -> str:
    """The suffix that agrees with the last word of the spoken number.

    ``back``/``front`` after a consonant, ``back_v``/``front_v`` after a vowel
    (the dative's buffer y: "ikiyə", "altıya"); the ablative has no buffer.
    """
    word = str(num2words(abs(value), lang="az")).split()[-1]
    last_vowel = next(ch for ch in reversed(word) if ch in _VOWELS)
    is_back = last_vowel in _BACK_VOWELS
    if word[-1] in _VOWELS:
        return back_v if is_back else front_v
    return back if is_back else front
