"""Which language a request is answered in: the address's language prefix
(``/en/…``, the public pages), then ?lang, then the cookie, then Accept-Language,
then ``[site] default_language``.

An unknown ``?lang`` is the reader's mistake and gets a 400 (blueprints register
``reject_unknown_language``); the page that says so is still written in the
best language the other signals give.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, Response, abort, has_request_context, request
from flask_babel import get_locale, gettext
from werkzeug.routing import BaseConverter

from calendar_app.app_settings import current_settings
from calendar_app.config import Settings
from calendar_app.core.languages import LANGUAGES
from calendar_app.extensions import babel
from calendar_app.web.links import absolute_url

LANG_PARAM = "lang"
LANG_COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LANGUAGE_NAMES = {"az": "Azərbaycanca", "en": "English", "ru": "Русский"}  # each in itself


class LanguageConverter(BaseConverter):
    """``<lang:lang>`` in a rule: one of the site's languages, nothing else."""

    regex = "|".join(LANGUAGES)


def url_language() -> str | None:
    """The language the address names in its prefix (``/en/days/…``), if it names one."""
    value = (request.view_args or {}).get("lang")
    return str(value) if value in LANGUAGES else None


def unprefixed_path() -> str:
    """This page's path without its language prefix: ``/en/days/x`` -> ``/days/x``."""
    lang = url_language()
    return request.path[len(lang) + 1 :] if lang is not None else request.path


def best_accepted(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The supported language the reader ranks highest; 'az-Latn-AZ' counts as 'az'.

    Werkzeug's best_match prefers an exact 'ru' at q=0.8 over 'az-Latn-AZ' at
    q=1, so the primary subtag is compared here instead.
    """
    ranked = sorted(accepted, key=lambda item: -item[1])  # stable: header order breaks ties
    for tag, quality in ranked:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return None


def negotiate(
    param: str | None, cookie: str | None, accepted: Iterable[tuple[str, float]], default: str
) -> str:
    """Pure: the language from the four signals, skipping values the site does not have."""
    for candidate in (param, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    return best_accepted(accepted) or default


def request_language() -> str:
    """The current request's language; outside a request, the configured default."""
    default = current_settings().site.default_language
    if not has_request_context():
        return default
    prefix = url_language()
    if prefix is not None:  # the address says it: nothing else counts
        return prefix
    param = request.args.get(LANG_PARAM)
    if param in LANGUAGES:  # the first signal decides: no cookie or header to parse
        return str(param)
    return negotiate(param, request.cookies.get(LANG_COOKIE), request.accept_languages, default)


def current_language() -> str:
    """The language Flask-Babel settled on for this request (negotiated once)."""
    locale = get_locale()
    return locale.language if locale is not None else request_language()


def reject_unknown_language() -> None:
    """Abort with 400 when ?lang names a language the site is not written in."""
    value = request.args.get(LANG_PARAM)
    if value is not None and value not in LANGUAGES:
        abort(
            400,
            description=gettext(
                "There is no version of this page in “%(value)s”. Choose az, en or ru.",
                value=value[:20],
            ),
        )


def vary_on_language(response: Response) -> Response:
    response.vary.update(("Accept-Language", "Cookie"))  # once each, whatever is there
    return response


def remember_language(response: Response) -> Response:
    """Keep a language chosen with ?lang in a cookie for the next visit."""
    vary_on_language(response)
    chosen = request.args.get(LANG_PARAM)
    if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            str(chosen),
            max_age=COOKIE_MAX_AGE,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


def other_args() -> dict[str, str]:
    """The query parameters besides ?lang."""
    return {k: v for k, v in request.args.items() if k != LANG_PARAM}


def _query_in(code: str) -> dict[str, str]:
    return {**other_args(), LANG_PARAM: code}


def language_alternates() -> dict[str, str]:
    """This page's public address in each language, and without one (x-default: the
    reader's browser chooses), for hreflang links. A page with a language prefix
    has its other languages under the other prefixes; any other page, ``?lang=``."""
    rest, others = unprefixed_path(), other_args()
    if url_language() is not None:
        alternates = {code: absolute_url(f"/{code}{rest}", others) for code in LANGUAGES}
    else:
        alternates = {code: absolute_url(rest, _query_in(code)) for code in LANGUAGES}
    alternates["x-default"] = absolute_url(rest, others)
    return alternates


def switch_language_url(code: str) -> str:
    """A relative link to this page in another language (keeps the other parameters)."""
    if url_language() is not None:
        query = urlencode(other_args())
        return quote(f"/{code}{unprefixed_path()}") + ("?" + query if query else "")
    return quote(request.path) + "?" + urlencode(_query_in(code))


def _template_globals() -> dict[str, Any]:
    return {"lang": current_language()}


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter  # before any blueprint adds a rule
    settings: Settings = app.config["SETTINGS"]
    babel.init_app(
        app, default_locale=settings.site.default_language, locale_selector=request_language
    )
    app.context_processor(_template_globals)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        language_alternates=language_alternates,
        switch_language_url=switch_language_url,
    )
