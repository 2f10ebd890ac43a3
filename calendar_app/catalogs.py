"""The interface translations: gettext catalogs compiled from the .po files in memory.

The .po files in calendar_app/translations/ are the only form kept: each process
compiles them when it first needs them (a few milliseconds), so there is no .mo
file to build at install time, to ship in a wheel or to go stale after an edit.
Flask-Babel is used as usual (``gettext``, ``_`` in templates, ``force_locale``);
only where it reads catalogs from is changed.
"""

from __future__ import annotations

import functools
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask_babel import Babel, Domain, get_locale

CATALOG_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def catalog_path(lang: str) -> Path:
    return CATALOG_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations_for(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang``; the source language (en) has none."""
    path = catalog_path(lang)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return NullTranslations()
    return _compile(path, stamp)


@functools.lru_cache(maxsize=16)
def _compile(path: Path, _stamp: int) -> Translations:
    """Compile once per file version (the modification time is part of the cache key)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as pybabel compile does
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


class CatalogDomain(Domain):  # type: ignore[misc]
    """A Flask-Babel domain that reads the in-memory catalogs."""

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        return translations_for(locale.language)


class CatalogBabel(Babel):  # type: ignore[misc]
    """Flask-Babel with the catalogs of this package as its default domain."""

    @property
    def domain_instance(self) -> Domain:
        return _DEFAULT_DOMAIN


_DEFAULT_DOMAIN = CatalogDomain(domain=DOMAIN)
