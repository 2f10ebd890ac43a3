"""Reading DSNs and ARF reports (pure): classification, both report layouts, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_app.core.mail_reports import HARD, SOFT, bounce_kind, read_report
from tests.support.reports import arf, dsn


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [
        ("failed", "5.1.1", HARD),  # no such mailbox
        ("failed", "5.1.10", HARD),  # null MX
        ("failed", "5.2.1", HARD),  # mailbox disabled
        ("failed", "5.2.2", SOFT),  # mailbox full
        ("failed", "5.7.1", SOFT),  # refused by policy: not the mailbox's fault
        ("failed", "5.1.7", SOFT),  # our sender address, not theirs
        ("failed", "4.4.7", SOFT),  # gave up after retrying
        ("failed", "", SOFT),
        ("Failed", "5.1.1 (bad destination mailbox)", HARD),
        ("delayed", "4.4.1", None),
        ("delivered", "2.0.0", None),
        ("relayed", "2.0.0", None),
    ],
)
def test_bounce_classification(action: str, status: str, kind: str | None) -> None:
    assert bounce_kind(action, status) == kind


def test_a_dsn_names_recipient_status_and_the_quoted_message() -> None:
    report = read_report(
        dsn(
            to="bounces+x@b.example",
            recipient="Leyla@Example.org",
            original_headers="Message-ID: <reminder.5.ab@calendar.example.az>\r\n",
        )
    )
    assert report.kind == "dsn"
    (recipient,) = report.recipients
    assert (recipient.recipient, recipient.action, recipient.status, recipient.bounce) == (
        "leyla@example.org", "failed", "5.1.1", HARD,
    )  # fmt: skip
    assert "User unknown" in recipient.diagnostic
    assert report.original_message_id == "<reminder.5.ab@calendar.example.az>"


def test_a_global_dsn_is_read_as_well() -> None:
    """RFC 6533: message/global-delivery-status, which the email package keeps as text."""
    data = dsn(to="x@b.example", recipient="leyla@baki.az", status="5.1.1")
    for old, new in (
        (b"report-type=delivery-status", b"report-type=global-delivery-status"),
        (b"message/delivery-status", b"message/global-delivery-status"),
        (b"leyla@baki.az", "leyla@bakı.az".encode()),
    ):
        data = data.replace(old, new)
    report = read_report(data)
    assert report.kind == "dsn"
    assert (report.recipients[0].recipient, report.recipients[0].bounce) == ("leyla@bakı.az", HARD)


def test_an_arf_report_names_its_kind_and_the_token_of_the_original() -> None:
    token = "abcdefghijklmnopqrstuvwx"
    original = (f"Return-Path: <bounces+{token}@b.example>\r\nMessage-ID: <m1@c.example>\r\n"
                "Subject: x\r\n\r\nbody\r\n").encode()  # fmt: skip
    report = read_report(arf(to="fbl@b.example", original_mail_from=f"bounces+{token}@b.example",
                             recipient="leyla@example.org", original=original))  # fmt: skip
    assert (report.kind, report.feedback_type, report.is_complaint) == ("arf", "abuse", True)
    assert report.original_tokens == (token,)
    assert report.original_message_id == "<m1@c.example>"


def test_an_autoreply_is_no_report() -> None:
    report = read_report(b"From: leyla@example.org\r\nSubject: Out of office\r\n\r\nAway.\r\n")
    assert (report.kind, report.recipients, report.unsubscribe_token) == ("other", (), None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_without_raising(data: bytes) -> None:
    assert read_report(data).kind in ("dsn", "arf", "other")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=1500), st.binary(max_size=40))
def test_a_cut_or_corrupted_report_is_read_without_raising(cut: int, junk: bytes) -> None:
    data = dsn(to="x@b.example", recipient="leyla@example.org", original_headers="A: b\r\n")
    assert read_report(data[:cut] + junk + data[cut + len(junk) :]).kind in ("dsn", "other")
