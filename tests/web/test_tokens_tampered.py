"""Tampered, truncated, misused, expired, revoked and reused secret links: a 4xx page and
not one row changed (every subscription table compared before and after).

tests/web/test_subscribe_flow.py covers unknown, expired (GET) and reused confirmation
links and a rotated manage link (GET); this file covers the rest, GET and POST.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from calendar_app.data.models import Subscriber
from calendar_app.extensions import db
from tests.support.hostile import csrf_of, table_snapshot
from tests.support.smtp_sink import SmtpSink

SIGNUP = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
FORM = {"email": "leyla@example.org", "lang": "en", "timezone": "Asia/Baku",
        "days": ["january-20"], "leads": ["1"], "send_hour": "9"}  # fmt: skip
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


Attempt = tuple[str, str, dict[str, object]]  # method, path, form fields


@dataclass
class Links:
    confirm: str  # the raw tokens, as the e-mails carry them
    manage: str | None = None


def token_in(message: object, path: str) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    match = re.search(rf"https://calendar\.example\.az/{path}/([A-Za-z0-9_-]+)", text)
    assert match, f"no /{path}/ link in:\n{text}"
    return match.group(1)


def sign_up(app: Flask, sink: SmtpSink) -> Links:
    client = app.test_client()
    page = client.get("/subscribe").get_data(as_text=True)
    assert client.post("/subscribe", data={"csrf_token": csrf_of(page), **FORM}).status_code == 200
    return Links(confirm=token_in(sink.messages[-1], "confirm"))


def confirm(app: Flask, sink: SmtpSink, links: Links) -> Links:
    assert post(app.test_client(), f"/confirm/{links.confirm}").status_code == 200
    links.manage = token_in(sink.messages[-1], "manage")
    return links


def post(client: FlaskClient, path: str, **fields: object) -> TestResponse:
    """A form post as a person sends it: the page first, for its CSRF token."""
    landing = client.get(path)
    token = csrf_of(landing.get_data(as_text=True)) if landing.status_code == 200 else None
    if token is None:  # the page refused the link; post with a token from another form
        token = csrf_of(client.get("/subscribe").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def tampered(token: str) -> dict[str, str]:
    """One character changed (first, middle, last), truncated, extended, case-flipped."""

    def changed(i: int) -> str:
        swap = ALPHABET[(ALPHABET.index(token[i]) + 1) % len(ALPHABET)]
        return token[:i] + swap + token[i + 1 :]

    return {
        "first changed": changed(0),
        "middle changed": changed(len(token) // 2),
        "last changed": changed(len(token) - 1),
        "last dropped": token[:-1],
        "halved": token[: len(token) // 2],
        "extended": token + "A",
        "case flipped": token.swapcase(),
        "padded": token + "=",
        "with NUL": token + "%00",
    }


def assert_refused_and_unchanged(app: Flask, attempts: list[Attempt]) -> int:
    """Every (method, path, form) gets a 4xx page and the tables stay exactly as they were."""
    before = table_snapshot(app)
    client = app.test_client()
    for method, path, fields in attempts:
        response = client.get(path) if method == "GET" else post(client, path, **fields)
        status = response.status_code
        assert 400 <= status < 500, (method, path, status)
        if status == 404:
            assert "This link is not valid" in response.get_data(as_text=True)
    assert table_snapshot(app) == before
    return len(attempts)


def every_use(token: str) -> list[Attempt]:
    """Each page a token could open, with GET and with each kind of POST."""
    return [
        ("GET", f"/confirm/{token}", {}),
        ("POST", f"/confirm/{token}", {}),
        ("GET", f"/manage/{token}", {}),
        ("POST", f"/manage/{token}", {**FORM, "action": "save", "leads": ["7"]}),
        ("POST", f"/manage/{token}", {"action": "unsubscribe"}),
        ("POST", f"/manage/{token}", {"action": "rotate"}),
        ("GET", f"/unsubscribe/{token}", {}),
        ("POST", f"/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"}),
    ]


@pytest.fixture
def site(smtp_app: Flask) -> Flask:
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    return smtp_app


def test_tampered_confirmation_links_change_nothing(site: Flask, smtp_sink: SmtpSink) -> None:
    links = sign_up(site, smtp_sink)
    attempts = [a for bad in tampered(links.confirm).values() for a in every_use(bad)]
    assert assert_refused_and_unchanged(site, attempts) == 72
    confirm(site, smtp_sink, links)  # the real link still works afterwards


def test_tampered_manage_links_change_nothing(site: Flask, smtp_sink: SmtpSink) -> None:
    links = confirm(site, smtp_sink, sign_up(site, smtp_sink))
    assert links.manage is not None
    attempts = [a for bad in tampered(links.manage).values() for a in every_use(bad)]
    assert assert_refused_and_unchanged(site, attempts) == 72
    assert site.test_client().get(f"/manage/{links.manage}").status_code == 200


def test_a_confirmation_link_opens_no_manage_or_unsubscribe_page(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    links = sign_up(site, smtp_sink)
    misuse = [a for a in every_use(links.confirm) if "/confirm/" not in a[1]]
    assert assert_refused_and_unchanged(site, misuse) == 6


def test_a_manage_link_confirms_nothing(site: Flask, smtp_sink: SmtpSink) -> None:
    links = confirm(site, smtp_sink, sign_up(site, smtp_sink))
    with site.app_context():  # pending again, so that only the token's purpose stops it
        db.session.execute(sa.update(Subscriber).values(status="pending", confirmed_dt=None))
        db.session.commit()
    misuse = [a for a in every_use(str(links.manage)) if "/confirm/" in a[1]]
    assert assert_refused_and_unchanged(site, misuse) == 2


def test_an_expired_confirmation_link_posted_changes_nothing(
    site: Flask, smtp_sink: SmtpSink
) -> None:
    links = sign_up(site, smtp_sink)
    site.config["CLOCK"] = lambda: SIGNUP + dt.timedelta(days=7)  # expiry is exclusive
    attempts: list[Attempt] = [("GET", f"/confirm/{links.confirm}", {}),
                               ("POST", f"/confirm/{links.confirm}", {})]  # fmt: skip
    assert assert_refused_and_unchanged(site, attempts) == 2


def test_a_used_confirmation_link_changes_nothing(site: Flask, smtp_sink: SmtpSink) -> None:
    links = confirm(site, smtp_sink, sign_up(site, smtp_sink))
    assert assert_refused_and_unchanged(site, every_use(links.confirm)) == 8


def test_manage_links_revoked_by_rotation_change_nothing(site: Flask, smtp_sink: SmtpSink) -> None:
    links = confirm(site, smtp_sink, sign_up(site, smtp_sink))
    old = str(links.manage)
    assert post(site.test_client(), f"/manage/{old}", action="rotate").status_code == 200
    new = token_in(smtp_sink.messages[-1], "manage")
    assert assert_refused_and_unchanged(site, every_use(old)) == 8
    assert site.test_client().get(f"/manage/{new}").status_code == 200


def test_one_click_twice_is_idempotent(site: Flask, smtp_sink: SmtpSink) -> None:
    """RFC 8058 providers may repeat the POST: the second one answers the same page and
    changes nothing (not even the time of leaving); no e-mail is sent either time."""
    links = confirm(site, smtp_sink, sign_up(site, smtp_sink))
    provider = site.test_client()
    path = f"/unsubscribe/{links.manage}"
    sent = len(smtp_sink.messages)
    first = provider.post(path, data={"List-Unsubscribe": "One-Click"})
    assert first.status_code == 200
    after_first = table_snapshot(site)
    site.config["CLOCK"] = lambda: SIGNUP + dt.timedelta(hours=1)
    second = provider.post(path, data={"List-Unsubscribe": "One-Click"})
    assert second.status_code == 200 and second.data == first.data
    assert table_snapshot(site) == after_first
    assert len(smtp_sink.messages) == sent
    bad = tampered(str(links.manage))
    one_click = {"List-Unsubscribe": "One-Click"}
    one_clicks: list[Attempt] = [("POST", f"/unsubscribe/{t}", one_click) for t in bad.values()]
    assert assert_refused_and_unchanged(site, one_clicks) == len(bad)
