"""/remember's "Show the dates" and "Download these dates (.ics)": the days of the names
entered, before any e-mail. Nothing is stored and nothing is sent; the names never
reach a URL or a log. Saving stays the sign-up's double opt-in (web/remember.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, make_response, request

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today, utc_now
from calendar_app.core.ics import feed_host
from calendar_app.core.remembrance import COUNTINGS
from calendar_app.core.remembrance_download import FILENAME, render_download
from calendar_app.core.remembrance_preview import PreviewRow, preview_rows
from calendar_app.core.words import words_for
from calendar_app.extensions import db
from calendar_app.reminders.remembrance_mail import linked_day
from calendar_app.web.i18n import current_language
from calendar_app.web.link_pages import day_slugs, form_page
from calendar_app.web.remember_form import RememberState, read_preview

ACTIONS = ("preview", "download")
NOT_CARRIED = ("csrf_token", "action")
MAX_CARRIED = 100  # fields carried from the preview to its download form


@dataclass(frozen=True)
class Preview:
    """One name's table: its rows and the counting the family chose."""

    name: str
    counting: str
    rows: list[PreviewRow]
    martyr: bool  # linked to a memorial day: the countings name the day of martyrdom


def preview_or_download(action: str) -> Response:
    """The answer to the form's "preview" or "download" button."""
    today = baku_today()
    state = read_preview(request.form, day_slugs(), today)
    if state.errors:
        return form_page("remember/form.html", status=400, state=state)
    if action == "download":
        return _download(state)
    words = words_for(current_language())
    previews = [
        Preview(
            " ".join(e.name.split()),
            e.counting,
            preview_rows(e, today, words),
            e.day_slug is not None,
        )
        for e in state.entries
    ]
    carried = [
        (key, value) for key, value in request.form.items(multi=True) if key not in NOT_CARRIED
    ][:MAX_CARRIED]
    return form_page(
        "remember/form.html", state=state, previews=previews, carried=carried, countings=COUNTINGS
    )


def _download(state: RememberState) -> Response:
    settings, lang = current_settings(), current_language()
    base_url = settings.server.base_url
    people = [(e, linked_day(db.session, e.day_slug, lang, base_url)) for e in state.entries]
    body = render_download(
        people,
        lang,
        today=baku_today(),
        stamp=utc_now(),
        host=feed_host(base_url),
        secret_key=settings.secret_key,
    )
    response = make_response(body)
    response.content_type = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    return response
