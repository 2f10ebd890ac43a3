"""Rate limits: flooding the sign-up form gets 429s; one address gets few e-mails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse as Response

from calendar_app.data.prepare import prepare_database
from calendar_app.web.limits import PER_CLIENT, PER_DOMAIN, spend_mail_budget
from tests.conftest import build_app
from tests.support.hostile import csrf_of
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


def signup_page(app: Flask, email: str, client_ip: str, path: str = "/subscribe") -> Response:
    client = app.test_client()
    environ = {"REMOTE_ADDR": client_ip}
    page = client.get(path, environ_base=environ).get_data(as_text=True)
    form: dict[str, object] = {
        "csrf_token": csrf_of(page),
        "email": email,
        "lang": "en",
        "timezone": "Asia/Baku",
        "send_hour": "9",
        "leads": ["1"],
    }
    if path == "/subscribe":
        form["days"] = ["january-20"]
    else:
        form.update({"name-0": "Anar", "died_on-0": "2020-01-01", "counting-0": "death-day"})
    return client.post(path, data=form, environ_base=environ)


def test_one_mailbox_gets_one_confirmation_per_ten_minutes_and_strangers_learn_nothing(
    limited_app: Flask, smtp_sink: SmtpSink
) -> None:
    """Five clients sign one victim up (as typed, in capitals, with +tags, on both forms):
    one e-mail; every answer is the same ordinary page, no 429 that would tell a stranger
    the address was just signed up."""
    spellings = ["target@example.org", "Target@Example.ORG", "target+1@example.org",
                 "TARGET+news@example.org", "target+x@example.org"]  # fmt: skip
    pages = []
    for n, email in enumerate(spellings, start=1):
        path = "/remember" if n % 2 == 0 else "/subscribe"
        response = signup_page(limited_app, email, f"10.0.0.{n}", path)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "Retry-After" not in response.headers
        text = response.get_data(as_text=True)
        pages.append(re.sub(re.escape(email), "ADDRESS", text, flags=re.IGNORECASE))
    assert "Check your inbox" in pages[0]
    assert pages[2] == pages[0] and pages[4] == pages[0]  # the same page on the same form
    assert pages[3] == pages[1]
    assert len(smtp_sink.messages) == 1


def test_plus_tags_from_one_client_put_one_email_in_the_mailbox(
    limited_app: Flask, smtp_sink: SmtpSink
) -> None:
    codes = [post_signup(limited_app, f"victim+{n}@example.org", "10.9.9.8") for n in range(12)]
    assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}  # the per-client form limit
    assert len(smtp_sink.messages) == 1
    assert post_signup(limited_app, "someone@example.org", "10.9.9.7") == 200
    assert len(smtp_sink.messages) == 2  # another mailbox is not held up


def test_one_domain_gets_a_budget_of_e_mails_across_clients(
    limited_app: Flask, smtp_sink: SmtpSink
) -> None:
    per_hour = PER_DOMAIN[0].amount
    codes = [post_signup(limited_app, f"p{n}@flood.example", f"10.2.{n // 200}.{n % 200}")
             for n in range(per_hour + 1)]  # fmt: skip
    assert codes[:per_hour] == [200] * per_hour and codes[per_hour] == 429
    assert len(smtp_sink.messages) == per_hour
    assert post_signup(limited_app, "p0@other.example", "10.3.0.1") == 200


def test_an_ipv6_client_is_counted_by_its_64(limited_app: Flask, smtp_sink: SmtpSink) -> None:
    """Ten addresses of one /64 are one client: the eleventh sign-up gets 429; a client in
    the neighbouring /64 is still served."""
    codes = [post_signup(limited_app, f"v6-{n}@example.org", f"2001:db8:1:2::{n:x}")
             for n in range(1, 12)]  # fmt: skip
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert post_signup(limited_app, "v6-x@example.org", "2001:db8:1:3::1") == 200


def test_one_client_gets_a_budget_of_sign_up_e_mails(limited_app: Flask) -> None:
    """Across both forms and every minute: at most PER_CLIENT e-mails an hour."""
    per_hour = PER_CLIENT[0].amount
    with limited_app.test_request_context():
        spent = [spend_mail_budget(f"c{n}@example.org", "2001:db8:5:5::/64") for n in range(25)]
    assert all(b.allowed for b in spent[:per_hour])
    refused = spent[per_hour]
    assert not refused.quiet and 0 < refused.retry_after <= 3600


def test_retry_after_only_on_429(limited_app: Flask) -> None:
    client = limited_app.test_client()
    counted = 0
    for path in ("/en/", "/subscribe", "/calendar.ics", "/api/v1/days", "/en/days/nope"):
        response = client.get(path)
        assert response.status_code in (200, 404)
        counted += "X-RateLimit-Remaining" in response.headers
        assert "Retry-After" not in response.headers, path
    assert counted >= 3  # the limiter counted them, and would have added Retry-After


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
