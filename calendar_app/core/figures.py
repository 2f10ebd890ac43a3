"""Pure: a sourced figure written the way each language writes it.

A fact's qualifier says how exact its value is: exact, more-than, about, nearly
or at-least. Azerbaijani puts the case suffix on the number: "more than 600" is
"600-dən çox" (ablative), "nearly 100" is "100-ə yaxın" (dative), agreeing with
the number as it is spoken (calendar_app/core/azerbaijani.py). Whole millions are
written as words ("2 milyona yaxın", "почти 2 млн", "nearly 2 million"), as a
reader would write them.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from calendar_app.core.azerbaijani import ABLATIVE, DATIVE, suffix
from calendar_app.core.dates import BABEL_LOCALES
from calendar_app.core.languages import LANGUAGES

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
    pattern = _PATTERNS[lang][qualifier]
    joiner = "" if millions else "-"  # "2 milyona", but "600-dən"
    # a case suffix is worked out only where the pattern writes one (az's "more than", "nearly")
    abl = joiner + suffix(value, ABLATIVE) if "{abl}" in pattern else ""
    dat = joiner + suffix(value, DATIVE) if "{dat}" in pattern else ""
    return pattern.format(n=number, abl=abl, dat=dat)
