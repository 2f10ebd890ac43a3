"""HTTP edges: one blueprint per concern."""

from __future__ import annotations

from flask import Flask

from calendar_app.web.pages import pages


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(pages)
