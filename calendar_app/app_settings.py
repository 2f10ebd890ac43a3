"""The settings of the application handling the current request or command."""

from __future__ import annotations

from flask import current_app

from calendar_app.config import Settings


def current_settings() -> Settings:
    settings: Settings = current_app.config["SETTINGS"]
    return settings
