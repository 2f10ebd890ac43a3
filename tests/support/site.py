"""Helpers for the site and API tests: a fixed "today" and a small HTML reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient

from calendar_app.core.languages import BAKU, LANGUAGES
from tests.support.hostile import csrf_of

LANGS = LANGUAGES


def set_today(app: Flask, day: dt.date, hour: int = 9) -> None:
    """Make the site believe it is ``hour`` o'clock in Baku on ``day``."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=BAKU)
    app.config["CLOCK"] = lambda: moment


def client_on(app: Flask, day: dt.date) -> FlaskClient:
    set_today(app, day)
    return app.test_client()


def post_signup(app: Flask, email: str, client_ip: str) -> int:
    client = app.test_client()
    page = client.get("/subscribe", environ_base={"REMOTE_ADDR": client_ip}).get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "email": email, "lang": "en", "timezone": "Asia/Baku",
            "days": ["january-20"], "leads": ["1"], "send_hour": "9"}  # fmt: skip
    response = client.post("/subscribe", data=form, environ_base={"REMOTE_ADDR": client_ip})
    if response.status_code == 429:
        assert int(response.headers["Retry-After"]) > 0
        assert "try again in" in response.get_data(as_text=True)
    return response.status_code


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


class Page(HTMLParser):
    """Every element with its attributes and all the text inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in {"meta", "link", "input", "br", "img", "hr", "source"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == element_id]
        assert len(found) == 1, f"expected one element with id {element_id!r}, found {len(found)}"
        return found[0]

    def ids(self) -> set[str]:
        return {str(e.attrs["id"]) for e in self.elements if e.attrs.get("id")}


def parse(html: str | bytes) -> Page:
    page = Page()
    page.feed(html.decode() if isinstance(html, bytes) else html)
    page.close()
    return page


def squash(text: str) -> str:
    """Whitespace (including no-break spaces) collapsed, for comparing visible text."""
    return " ".join(text.replace("\xa0", " ").split())
