"""Pure: a sourced figure written the way each language writes it.

A fact's qualifier says how exact its value is: exact, more-than, about or
at-least. "more than 600" takes the ablative in Azerbaijani ("600-dən çox",
"30-dan çox"), whose vowel follows the same harmony as the ordinal suffix, so it
is read off ``anniversary_ordinal`` instead of being worked out a second time.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from calendar_app.core.dates import BABEL_LOCALES
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.ordinals import anniversary_ordinal

QUALIFIERS = ("exact", "more-than", "about", "at-least")

_PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "exact": "{n}",
        "more-than": "more than {n}",
        "about": "about {n}",
        "at-least": "at least {n}",
    },
    "az": {
        "exact": "{n}",
        "more-than": "{n}-{abl} çox",
        "about": "təxminən {n}",
        "at-least": "ən azı {n}",
    },
    "ru": {
        "exact": "{n}",
        "more-than": "более {n}",
        "about": "около {n}",
        "at-least": "не менее {n}",
    },
}
_BACK_VOWELS = frozenset("aıou")


def figure_text(value: int, qualifier: str, lang: str) -> str:
    """'more than 600', '600-dən çox', 'более 600'; numbers grouped as each language does."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if qualifier not in QUALIFIERS:
        raise ValueError(
            f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}"
        )
    number = str(format_decimal(value, locale=BABEL_LOCALES[lang]))
    return _PATTERNS[lang][qualifier].format(n=number, abl=_az_ablative(value))


def _az_ablative(value: int) -> str:
    """-dan after a back vowel, -dən after a front one (the ordinal's -cı/-cu vs -ci/-cü)."""
    if value == 0:
        return "dan"  # sıfır
    suffix_vowel = anniversary_ordinal(abs(value), "az")[-1]
    return "dan" if suffix_vowel in _BACK_VOWELS else "dən"
