"""Pure: dates written the way each language writes them (Babel, CLDR data).

English uses the British order ("Wednesday, 20 January 2027"), matching how the
days themselves are named ("20 January").
"""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date

# parsed once: Babel parses a locale given by name again on every call
BABEL_LOCALES = {
    lang: Locale.parse(code) for lang, code in (("az", "az"), ("en", "en_GB"), ("ru", "ru"))
}


def long_date(day: dt.date, lang: str) -> str:
    """'20 yanvar 2027, çərşənbə', 'Wednesday 20 January 2027', 'среда, 20 января 2027 г.'."""
    return str(format_date(day, format="full", locale=BABEL_LOCALES[lang]))


def short_date(day: dt.date, lang: str) -> str:
    """'20 yanvar 2027', '20 January 2027', '20 января 2027 г.'."""
    return str(format_date(day, format="long", locale=BABEL_LOCALES[lang]))
