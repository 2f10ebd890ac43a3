"""The interface translations: gettext catalogs compiled from the .po files in memory.

The .po files in calendar_app/translations/ are the only form kept: each process
compiles them when it first needs them (a few milliseconds), so there is no .mo
file to build at install time, to ship in a wheel or to go stale after an edit.
Flask-Babel is used as usual (``gettext``, ``_`` in templates, ``force_locale``);
only where it reads catalogs from is changed.
"""

from __future__ import annotations

from babel.support import NullTranslations
from flask_babel import Babel, Domain, get_locale

from calendar_app.core.words import CATALOG_DIR, DOMAIN, catalog_path
from calendar_app.core.words import translations_for as _core_translations

__all__ = ["CATALOG_DIR", "catalog_path", "translations_for"]


def translations_for(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang``; the source language (en) has none, and a
    language the calendar lacks gets none either (Flask-Babel asks for any locale)."""
    try:
        return _core_translations(lang)
    except (ValueError, FileNotFoundError):
        return NullTranslations()


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
