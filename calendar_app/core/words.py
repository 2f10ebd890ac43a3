"""Pure: the words of one language, read from its gettext catalog.

Every sentence pattern and label the core writes (feed texts, titles, figures,
remembrance titles) is a message in the Babel catalogs
(``calendar_app/translations/<lang>/LC_MESSAGES/messages.po``), English being the
msgid, so an editor reviews one language in one file. The core never picks a
language's words itself: a function that writes text takes a ``Words``, which
holds a gettext-like catalog (``babel.support.Translations``) and the language.

Patterns use named fields in braces: ``{number:ordinal} anniversary``. A format
spec after the colon asks for grammar that is code, not text:

- ``{number:ordinal}``: digits and the ordinal ending by num2words (az 37-ci by
  vowel harmony, en 37th). Russian writes its endings in the pattern ("{number}-я").
- ``{number:ablative}``, ``{number:dative}``: az digits with the case suffix that
  agrees with the spoken number ("600-dən", "100-ə", "2 milyona").
- ``{name:genitive}``: the az genitive of a name (Anarın, Elmiranın, Aygünün);
  ``NoCaseForm`` when none can be chosen, and the caller uses a pattern that needs none.

``words_for(lang)`` loads the catalog of a supported language; any other raises
``UnknownLanguage``: nothing falls back to another language's grammar.
"""

from __future__ import annotations

import functools
import os
import string
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from num2words import num2words

from calendar_app.core.azerbaijani import ABLATIVE, DATIVE, az_genitive, suffix
from calendar_app.core.languages import LANGUAGES

CATALOG_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the msgids: English needs no catalog


class UnknownLanguage(ValueError):
    """A language the calendar has no words for."""


class NoCaseForm(ValueError):
    """A grammatical form that cannot be built reliably for this value."""


class Catalog(Protocol):
    """What the core needs of a catalog: babel.support.Translations has it."""

    def gettext(self, message: str) -> str: ...
    def pgettext(self, context: str, message: str) -> str | object: ...


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise UnknownLanguage(
            f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}"
        )


@dataclass(frozen=True, slots=True)
class Number:
    """A number as it stands in a pattern; the format spec asks for its grammar."""

    value: int
    text: str  # as the language groups it: "1 500 000", "2 milyon"
    lang: str
    after_digits: bool = True  # the suffix is hyphenated after digits, not after a word

    def __format__(self, spec: str) -> str:
        if not spec:
            return self.text
        joiner = "-" if self.after_digits else ""
        if spec == "ordinal" and self.lang in ("az", "en"):
            return str(num2words(self.value, lang=self.lang, to="ordinal_num"))
        if spec in ("ablative", "dative") and self.lang == "az":
            return (
                self.text + joiner + suffix(self.value, ABLATIVE if spec == "ablative" else DATIVE)
            )
        raise ValueError(f"no {spec!r} form of a number in {self.lang!r}")


@dataclass(frozen=True, slots=True)
class Name:
    """A person's name as typed; ``{name:genitive}`` asks for the az genitive."""

    text: str
    lang: str

    def __format__(self, spec: str) -> str:
        if not spec:
            return self.text
        if spec == "genitive" and self.lang == "az":
            genitive = az_genitive(self.text)
            if genitive is None:
                raise NoCaseForm(f"no genitive for {self.text!r}")
            return genitive
        raise NoCaseForm(f"no {spec!r} form of a name in {self.lang!r}")


@dataclass(frozen=True)
class Words:
    """The words of one language: its catalog and its code."""

    lang: str
    catalog: Catalog

    def __post_init__(self) -> None:
        check_language(self.lang)

    def gettext(self, message: str, **values: Any) -> str:
        return self._fill(self.catalog.gettext(message), values)

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        return self._fill(str(self.catalog.pgettext(context, message)), values)

    def number(self, value: int, text: str | None = None, after_digits: bool = True) -> Number:
        return Number(value, str(value) if text is None else text, self.lang, after_digits)

    def name(self, text: str) -> Name:
        return Name(text, self.lang)

    @staticmethod
    def _fill(pattern: str, values: dict[str, Any]) -> str:
        return pattern.format(**values) if values else pattern


def N_(message: str) -> str:
    """Marks a message for extraction where it is looked up later by value."""
    return message


def placeholders(pattern: str) -> set[str]:
    """The field names of a brace pattern: {'number', 'name'} (format specs left out)."""
    return {field for _, field, _, _ in string.Formatter().parse(pattern) if field}


def catalog_path(lang: str) -> Path:
    return CATALOG_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


_SOURCE = NullTranslations()  # English is the msgid: nothing to translate
_PATHS = {lang: str(catalog_path(lang)) for lang in LANGUAGES}


def translations_for(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang``; the source language (en) has none."""
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return _SOURCE
    path = _PATHS[lang]
    return _compile(path, os.stat(path).st_mtime_ns)


def words_for(lang: str) -> Words:
    """The words of ``lang``; ``UnknownLanguage`` for a language the calendar lacks."""
    return _words(lang, translations_for(lang))


@functools.lru_cache(maxsize=16)
def _words(lang: str, catalog: NullTranslations) -> Words:
    """One Words per compiled catalog (a new one when the .po file changes)."""
    return Words(lang, catalog)


@functools.lru_cache(maxsize=16)
def _compile(path: str, _stamp: int) -> Translations:
    """Compile once per file version (the modification time is part of the cache key)."""
    with open(path, "rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as pybabel compile does
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)
