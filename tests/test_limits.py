"""Rate limits: flooding the sign-up form gets 429s; one address gets few e-mails."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from calendar_app.data.prepare import prepare_database
from tests.conftest import build_app
from tests.support.site import post_signup
from tests.support.smtp_sink import SmtpSink


@pytest.fixture
def limited_app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    app = build_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'calendar.db'}",
        mail={"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port},
        site={"default_language": "en"},
        limits={"enabled": True, "storage_uri": "memory://"},
    )
    prepare_database(app)
    return app


def test_one_address_gets_at_most_one_confirmation_per_ten_minutes(
    limited_app: Flask, smtp_sink: SmtpSink
) -> None:
    codes = [post_signup(limited_app, "target@example.org", f"10.0.0.{n}") for n in range(1, 6)]
    assert codes == [200, 429, 429, 429, 429]  # five different clients, one victim
    assert len(smtp_sink.messages) == 1


def test_flooding_from_one_client_gets_429(limited_app: Flask, smtp_sink: SmtpSink) -> None:
    codes = [post_signup(limited_app, f"p{n}@example.org", "10.9.9.9") for n in range(14)]
    assert codes[:10] == [200] * 10
    assert set(codes[10:]) == {429}
    assert len(smtp_sink.messages) == 10


def test_each_client_sees_its_own_feed_allowance(limited_app: Flask) -> None:
    """Repeated polls are not answered from another client's response: each address's
    X-RateLimit headers count its own requests (the old replay layer mixed them)."""
    client = limited_app.test_client()

    def remaining(ip: str) -> int:
        response = client.get("/calendar.ics?lang=en", environ_base={"REMOTE_ADDR": ip})
        assert response.status_code == 200
        return int(response.headers["X-RateLimit-Remaining"])

    first = [remaining("198.51.100.1") for _ in range(5)]
    assert first == sorted(first, reverse=True) and first[0] - first[-1] == 4
    assert remaining("198.51.100.2") == first[0]  # a new client starts with the full allowance
    assert remaining("198.51.100.1") == first[-1] - 1
