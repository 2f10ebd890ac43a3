"""Pure: a sourced figure written the way each language writes it.

A fact's qualifier says how exact its value is: exact, more-than, about, nearly
or at-least. Azerbaijani puts the case suffix on the number: "more than 600" is
"600-dən çox" (ablative), "nearly 100" is "100-ə yaxın" (dative), agreeing with
the number as it is spoken (calendar_app/core/azerbaijani.py). Whole millions are
written as words ("2 milyona yaxın", "почти 2 млн", "nearly 2 million"), as a
reader would write them. The patterns are catalog messages (core/words.py).
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal

from calendar_app.core.dates import BABEL_LOCALES
from calendar_app.core.words import Words

QUALIFIERS = ("exact", "more-than", "about", "nearly", "at-least")
# Thousands as the Baku press groups them: a no-break space in az (CLDR's az dot is
# the Turkish and German habit) and in ru (CLDR's own), a comma in en.
NO_BREAK_GROUPS = frozenset({"az", "ru"})


def figure_text(value: int, qualifier: str, words: Words) -> str:
    """'more than 600', '600-dən çox', 'более 600'; numbers grouped as each language does."""
    if qualifier not in QUALIFIERS:
        raise ValueError(
            f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)}"
        )
    locale = BABEL_LOCALES[words.lang]
    if value >= 1_000_000 and value % 1_000_000 == 0:
        count = format_decimal(value // 1_000_000, locale=locale)
        # a no-break space: never broken across lines; "2 milyona", no hyphen after a word
        text = words.pgettext("figure", "{count}\u00a0million", count=count)
        number = words.number(value, text, after_digits=False)
    else:
        number = words.number(value, _grouped(value, words.lang, locale))
    if qualifier == "exact":
        return format(number)
    if qualifier == "more-than":
        return words.pgettext("figure", "more than {number}", number=number)
    if qualifier == "about":
        return words.pgettext("figure", "about {number}", number=number)
    if qualifier == "nearly":
        return words.pgettext("figure", "nearly {number}", number=number)
    return words.pgettext("figure", "at least {number}", number=number)


def _grouped(value: int, lang: str, locale: Locale) -> str:
    """'2 783' (az, ru: a no-break space), '2,783' (en)."""
    if lang in NO_BREAK_GROUPS:
        return f"{value:,}".replace(",", "\u00a0")
    return str(format_decimal(value, locale=locale))
