"""The site skeleton: the coming year's observances (issue 4 builds the full site)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request

from calendar_app.current import current_settings
from calendar_app.extensions import db
from calendar_app.ordinals import LANGUAGES
from calendar_app.service import observances_between

pages = Blueprint("pages", __name__)


@pages.get("/")
def home() -> str:
    lang = request.args.get("lang", current_settings().site.default_language)
    if lang not in LANGUAGES:
        abort(400, description=f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    today = dt.date.today()
    observances = observances_between(db.session, today, today + dt.timedelta(days=365), lang)
    return render_template(
        "pages/home.html", lang=lang, languages=LANGUAGES, today=today, observances=observances
    )


@pages.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
