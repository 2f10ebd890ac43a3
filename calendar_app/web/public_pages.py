"""Public pages: the address names the language, so a shared cache may keep them by URL.

Every public page lives under a language prefix (``/az/…``, ``/en/…``,
``/ru/…``, as Django's ``i18n_patterns`` does). Its bytes depend on the
address, the day in Baku and the data, never on a cookie or a request header,
so it goes out with ``Cache-Control: public, max-age=…`` (at most
``PAGE_MAX_AGE``, and never past midnight in Baku, when "today" moves), a
``Content-Language``, a strong ETag over its body and a 304 for a matching
If-None-Match; no ``Vary: Cookie``, no Set-Cookie.

The same address without a prefix (``/``, ``/days/<slug>``, ``/sources``,
``/embed``; also as old links have it, with ``?lang=``) answers a 302 to the
prefixed one in the language ?lang, the cookie or Accept-Language chooses. That
redirect varies on all three and no shared cache keeps it; a ``?lang=`` on a
prefixed address moves to that language's prefix the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeAlias
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from calendar_app.clock import utc_now
from calendar_app.core.languages import BAKU
from calendar_app.web.i18n import (
    LANG_PARAM,
    current_language,
    other_args,
    reject_unknown_language,
    remember_language,
    request_language,
    unprefixed_path,
    url_language,
    vary_on_language,
)

Redirect: TypeAlias = WerkzeugResponse  # what flask.redirect returns

PAGE_MAX_AGE = 600  # seconds a cache may answer a page before it asks again (with its ETag)
REDIRECT_CACHE_CONTROL = "private, no-cache"  # it depends on the cookie and Accept-Language


def page_max_age(now: dt.datetime) -> int:
    """PAGE_MAX_AGE, or less when Baku's midnight (a new "today") comes sooner."""
    baku_now = now.astimezone(BAKU)
    midnight = dt.datetime.combine(baku_now.date() + dt.timedelta(days=1), dt.time(), BAKU)
    return max(0, min(PAGE_MAX_AGE, int((midnight - baku_now).total_seconds())))


def _with_query(path: str, query: dict[str, str]) -> str:
    return path + ("?" + urlencode(query) if query else "")


def redirect_to_language(endpoint: str, **values: Any) -> Redirect:
    """A 302 from an address without a language to the same page under one."""
    location = url_for(endpoint, lang=request_language(), **values)
    return redirect(_with_query(location, other_args()), 302)


def _lang_param_to_prefix() -> Redirect | None:
    """``/en/days/x?lang=ru`` -> ``/ru/days/x`` (an unknown ?lang was refused before)."""
    chosen, prefix = request.args.get(LANG_PARAM), url_language()
    if prefix is None or chosen is None:
        return None
    path = quote(f"/{chosen}{unprefixed_path()}")
    return redirect(_with_query(path, other_args()), 302)


def _public(response: Response) -> Response:
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        response.cache_control.public = True
        response.cache_control.max_age = page_max_age(utc_now())
        response.headers["Content-Language"] = current_language()
        response.add_etag()
        response.make_conditional(request)
    return response


def _fill_language(endpoint: str, values: dict[str, Any]) -> None:
    """url_for('pages.day', slug=...) links to the day in the current language."""
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = current_language()


def serve_public_pages(blueprint: Blueprint, *, keep_choice: bool = True) -> None:
    """Give ``blueprint``'s ``<lang:lang>`` pages their caching headers and redirects.

    With ``keep_choice``, a redirect for a ``?lang=`` keeps it in the cookie for the
    next visit (the widget, inside other sites' iframes, sets no cookie).
    """
    chosen_by_reader = remember_language if keep_choice else vary_on_language

    def finish(response: Response) -> Response:
        if response.status_code == 302:  # to a page under a language, by the reader's signals
            response.headers["Cache-Control"] = REDIRECT_CACHE_CONTROL
            return chosen_by_reader(response)
        if url_language() is None:  # a response that is no page, such as /healthz
            return chosen_by_reader(response)
        return _public(response)

    blueprint.before_request(reject_unknown_language)
    blueprint.before_request(_lang_param_to_prefix)
    blueprint.after_request(finish)
    blueprint.url_defaults(_fill_language)
