"""Secrets: production refuses to start on a missing, placeholder, short or repetitive key
(through create_app and through the CLI as a process: one line, non-zero exit); the
session cookie is Secure behind https, HttpOnly and SameSite=Lax; and no page tells
whether an address is subscribed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.app import create_app
from calendar_app.config import ConfigError
from calendar_app.data.models import Subscriber
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from tests.conftest import build_app
from tests.support.hostile import csrf_of
from tests.support.processes import ENTRY
from tests.support.smtp_sink import SmtpSink

WEAK_KEYS = {
    "empty": "",
    "blank": "   ",
    "placeholder": "changeme",
    "placeholder upper": "CHANGEME",
    "dev": "dev",
    "test": "test",
    "short": secrets.token_hex(15),  # 30 characters
    "31 characters": secrets.token_urlsafe(32)[:31],
    "repeated": "x" * 64,
    "pattern": "ab" * 32,
    "copied from docs": "please-change-this-secret-key-0123456789",
    "example": "my-example-key-for-production-use-1234",
}
PRODUCTION = {"server": {"environment": "production"}}


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_production_refuses_a_weak_secret_key(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALENDAR_APP_SECRET_KEY", key)
    with pytest.raises(ConfigError) as refused:
        create_app(PRODUCTION, instance_path=tmp_path / "instance")
    message = str(refused.value)
    assert "\n" not in message and "CALENDAR_APP_SECRET_KEY" in message
    if key.strip():
        assert key not in message  # the key itself is never echoed


def test_production_without_any_key_refuses_and_development_makes_one(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match="required when"):
        create_app(PRODUCTION, instance_path=tmp_path / "instance")
    assert not (tmp_path / "instance" / "secret_key").exists()  # no silent fallback
    app = create_app(None, instance_path=tmp_path / "instance")
    assert len(app.config["SECRET_KEY"]) == 64


@pytest.mark.parametrize(
    "key", [secrets.token_hex(32), secrets.token_urlsafe(32)], ids=["hex", "urlsafe"]
)
def test_production_starts_with_a_generated_key(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALENDAR_APP_SECRET_KEY", key)
    app = create_app(PRODUCTION, instance_path=tmp_path / "instance")
    assert app.config["SECRET_KEY"] == key


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_APP_")}
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        env={**clean, "CALENDAR_APP_SERVER_ENVIRONMENT": "production", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("command", "key"),
    [
        (["upcoming"], None),
        (["serve"], "changeme"),
        (["worker", "--once"], "x" * 40),
        (["scheduler"], secrets.token_hex(10)),
        (["db", "upgrade"], ""),
    ],
    ids=["no-key", "changeme", "repeated", "short", "empty"],
)
def test_the_cli_refuses_to_start_in_one_line(
    tmp_path: Path, command: list[str], key: str | None
) -> None:
    env = {} if key is None else {"CALENDAR_APP_SECRET_KEY": key}
    result = cli(tmp_path, *command, **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: environment: CALENDAR_APP_SECRET_KEY: "), lines
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "instance").exists()  # refused before anything was written


def set_cookies(app: Flask) -> dict[str, str]:
    """The Set-Cookie headers of a form page (the session holds its CSRF token), by name."""
    response = app.test_client().get("/subscribe?lang=en")
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_cookies_are_secure_behind_https_httponly_and_samesite_lax(tmp_path: Path) -> None:
    app = build_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'c.db'}",
        server={"base_url": "https://calendar.example.az"},
    )
    prepare_database(app)
    session = set_cookies(app)["session"]
    assert "; Secure" in session and "; HttpOnly" in session and "; SameSite=Lax" in session
    # The language cookie is HttpOnly and Lax too; Secure when the request came over TLS.
    over_tls = app.test_client().get("/?lang=ru", base_url="https://calendar.example.az")
    (lang,) = over_tls.headers.getlist("Set-Cookie")
    assert "; Secure" in lang and "; HttpOnly" in lang and "; SameSite=Lax" in lang


def test_a_local_http_site_does_not_mark_cookies_secure(app: Flask) -> None:
    session = set_cookies(app)["session"]
    assert "; Secure" not in session and "; HttpOnly" in session and "; SameSite=Lax" in session


SIGNUP = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def sign_up_page(app: Flask, email: str) -> tuple[int, str, dict[str, str]]:
    client = app.test_client()
    page = client.get("/subscribe?lang=en").get_data(as_text=True)
    response = client.post("/subscribe", data={
        "csrf_token": csrf_of(page), "email": email, "lang": "en", "timezone": "Asia/Baku",
        "days": ["january-20"], "leads": ["1"], "send_hour": "9",
    })  # fmt: skip
    skip = {"Set-Cookie", "Date", "Content-Length"}  # the length follows the address
    headers = {k: v for k, v in response.headers.items() if k not in skip}
    body = response.get_data(as_text=True).replace(email, "ADDRESS")
    return response.status_code, re.sub(r'value="[^"]+"', 'value=""', body), headers


def test_no_page_tells_whether_an_address_is_subscribed(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    """Unknown, pending, active, unsubscribed and suppressed addresses get the same answer."""
    smtp_app.config["CLOCK"] = lambda: SIGNUP
    now = SIGNUP.replace(tzinfo=None)
    states = {"pending": "p@example.org", "active": "a@example.org",
              "unsubscribed": "u@example.org", "suppressed": "s@example.org"}  # fmt: skip
    with smtp_app.app_context():
        for status, email in states.items():
            db.session.add(Subscriber(
                email=email, lang="en", timezone="Asia/Baku", send_hour=9,
                day_slugs=["january-20"], lead_days=[1], status=status, created_dt=now,
                confirmed_dt=None if status == "pending" else now,
            ))  # fmt: skip
        db.session.commit()
    answers = {name: sign_up_page(smtp_app, email) for name, email in states.items()}
    answers["unknown"] = sign_up_page(smtp_app, "nobody@example.org")
    first = answers["unknown"]
    assert first[0] == 200
    for name, answer in answers.items():
        assert answer == first, name
    # Each address was mailed once, and only at that address (what it says is for its owner).
    assert sorted(r[0] for _, r in smtp_sink.handler.envelopes) == sorted(
        [*states.values(), "nobody@example.org"]
    )
    with smtp_app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(Subscriber.id)))
    assert count == len(states) + 1
