"""HTTP edges: one blueprint per concern."""

from __future__ import annotations

from flask import Flask

from calendar_app.web.api import api
from calendar_app.web.atom import atom
from calendar_app.web.embed import embed
from calendar_app.web.feed import feed
from calendar_app.web.health import health
from calendar_app.web.limits import limit_blueprints
from calendar_app.web.pages import pages
from calendar_app.web.relatives import relatives_pages
from calendar_app.web.remember import remember
from calendar_app.web.remember_feed import remember_feed
from calendar_app.web.subscribe import subscribe


def register_blueprints(app: Flask) -> None:
    # Forms strictly per client, reads generously (declaring twice changes nothing).
    limit_blueprints(
        forms=[subscribe, remember, relatives_pages],
        reads=[pages, api, embed, atom],
        feeds=[feed, remember_feed],
    )
    app.register_blueprint(pages)
    app.register_blueprint(feed)
    app.register_blueprint(api)
    app.register_blueprint(embed)
    app.register_blueprint(atom)
    app.register_blueprint(subscribe)
    app.register_blueprint(remember)
    app.register_blueprint(relatives_pages)
    app.register_blueprint(remember_feed)
    app.register_blueprint(health)
