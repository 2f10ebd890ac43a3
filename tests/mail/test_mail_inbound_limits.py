"""The bounce receiver cannot be knocked over by one message.

A hostile message is refused with a 5xx reply before the email package parses
it, quickly and in little memory, and the receiver goes on to process the next
report. Delivered over real SMTP and LMTP (smtplib) to `calendar-app inbound`'s
aiosmtpd receiver on a free port.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from calendar_app.config import load_settings
from calendar_app.core.mail_limits import MessageLimits, screen
from calendar_app.mail import inbound
from tests.conftest import build_smtp_app
from tests.support.outbox import tick
from tests.support.processes import free_port
from tests.support.reports import deliver, dsn
from tests.support.smtp_sink import SmtpSink
from tests.support.subscribers import status, subscribe

DOMAIN = "bounces.calendar.example.az"
DAY_BEFORE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 in Baku, the day before 20 January
LIMITS = MessageLimits()
HOSTILE_WORDS = 20_000  # a folded Subject of 20,000 encoded words: over 3 GB to parse


def hostile_subject(words: int = HOSTILE_WORDS) -> bytes:
    """The message of issue 22: one Subject folded over ``words`` RFC 2047 encoded words."""
    folded = "".join(f" =?UTF-8?B?0JfQsNCy0YLRgNCw?= {i}\r\n" for i in range(words))
    head = f"From: MAILER-DAEMON@mx.example.org\r\nTo: bounces@{DOMAIN}\r\nSubject:{folded}"
    return (head + "MIME-Version: 1.0\r\n\r\nReturned.\r\n").encode("ascii")


@pytest.fixture
def app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port, "bounce_domain": DOMAIN}
    return build_smtp_app(tmp_path, smtp_sink, mail=mail)


@pytest.fixture(params=[False, True], ids=["smtp", "lmtp"])
def receiver(app: Flask, request: pytest.FixtureRequest) -> Iterator[tuple[int, bool]]:
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=request.param)
    yield port, request.param
    controller.stop()


def refused_code(port: int, data: bytes, lmtp: bool, recipient: str = f"bounces@{DOMAIN}") -> int:
    """The reply code of a delivery that must be refused."""
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
        deliver(port, recipient, data, lmtp=lmtp)
    return refused.value.smtp_code


def test_a_subject_of_20000_encoded_words_is_refused_fast_and_the_next_bounce_counts(
    app: Flask, smtp_sink: SmtpSink, receiver: tuple[int, bool]
) -> None:
    port, lmtp = receiver
    who = subscribe(app)
    assert "1 sent" in tick(app, DAY_BEFORE)
    return_path = smtp_sink.handler.envelopes[-1][0]
    hostile = hostile_subject()
    assert 600_000 < len(hostile) < LIMITS.max_message_bytes  # under the size limit

    tracemalloc.start()
    started = time.perf_counter()
    try:
        code = refused_code(port, hostile, lmtp)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 500 <= code < 600  # refused for good: the MTA returns it instead of retrying
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert peak < 50 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"  # parsed: gigabytes
    print(f"hostile Subject ({len(hostile):,} bytes): {code} in {elapsed:.2f} s, "
          f"peak {peak / 2**20:.1f} MiB traced in the test process")  # fmt: skip

    # The receiver lives on: the next report, a real hard bounce, is processed.
    deliver(port, return_path, dsn(to=return_path, recipient="leyla@example.org"), lmtp=lmtp)
    assert status(app, who) == "suppressed"


def test_a_message_over_the_size_limit_is_refused_while_it_arrives(
    app: Flask, smtp_sink: SmtpSink, receiver: tuple[int, bool]
) -> None:
    port, lmtp = receiver
    who = subscribe(app)
    assert "1 sent" in tick(app, DAY_BEFORE)
    return_path = smtp_sink.handler.envelopes[-1][0]
    report = dsn(to=return_path, recipient="leyla@example.org")
    padding = b"x" * 76 + b"\r\n"
    huge = report + padding * (LIMITS.max_message_bytes // len(padding) + 1)
    assert refused_code(port, huge, lmtp, return_path) == 552
    assert status(app, who) == "active"  # not read at all
    deliver(port, return_path, report, lmtp=lmtp)
    assert status(app, who) == "suppressed"


def test_the_receiver_takes_its_limits_from_settings(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port, "bounce_domain": DOMAIN}
    app = build_smtp_app(tmp_path, smtp_sink, mail=mail, inbound={"max_message_bytes": 2000})
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=False)
    try:
        line = b"y" * 98 + b"\r\n"
        assert refused_code(port, b"Subject: x\r\n\r\n" + line * 21, lmtp=False) == 552
        deliver(port, f"bounces@{DOMAIN}", b"Subject: x\r\n\r\n" + line * 19)
    finally:
        controller.stop()


def _parts(count: int) -> bytes:
    head = b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    return head + b"--b\r\n\r\npart\r\n" * count + b"--b--\r\n"


def _dsn_with_original(headers: str) -> bytes:
    return dsn(to=f"bounces@{DOMAIN}", recipient="leyla@example.org", original_headers=headers)


OVER_THE_LIMITS = [
    ("header section", b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 70) for i in range(900))),
    ("one folded field", b"References:" + b" <a@b.c>\r\n" * 1000 + b"\r\n"),
    ("encoded words", b"Subject:" + b" =?utf-8?q?w?=\r\n" * (LIMITS.max_encoded_words + 1)),
    ("MIME parts", _parts(LIMITS.max_mime_parts)),
    ("a field inside a quoted original", _dsn_with_original("X-Long:" + " a\r\n" * 3000)),
    (
        "MIME parameters of a part",
        _dsn_with_original("Content-Type: text/plain;" + " p=v;\r\n" * 300),
    ),
]


@pytest.mark.parametrize(("what", "data"), OVER_THE_LIMITS, ids=[w for w, _ in OVER_THE_LIMITS])
def test_each_limit_refuses_with_a_5xx_reply(
    what: str, data: bytes, receiver: tuple[int, bool]
) -> None:
    port, lmtp = receiver
    refusal = screen(data, LIMITS)
    assert refusal is not None, what
    assert refused_code(port, data, lmtp) == refusal.code
    deliver(port, f"bounces@{DOMAIN}", b"Subject: hello\r\n\r\nhi\r\n", lmtp=lmtp)  # still there


WITHIN_THE_LIMITS = [
    ("a DSN", dsn(to=f"bounces@{DOMAIN}", recipient="leyla@example.org")),
    (
        "a DSN quoting encoded headers",
        _dsn_with_original(
            "From: =?utf-8?b?VGFxdmltIMO8w6fDvG4=?= <calendar@example.az>\r\n"
            "Subject: =?utf-8?b?0JfQsNCy0YLRgNCwOiDQlNC10L3RjCDQvdCw0YbQuNC+0L3QsNC70YzQvdC+?=\r\n"
            " =?utf-8?b?0LPQviDRgtGA0LDRg9GA0LA=?=\r\n"
        ),
    ),
    ("parts at the limit", _parts(LIMITS.max_mime_parts - 1)),
    ("a long plain body", b"Subject: x\r\n\r\n" + b"line: of text\r\n" * 50_000),
]


@pytest.mark.parametrize(("what", "data"), WITHIN_THE_LIMITS, ids=[w for w, _ in WITHIN_THE_LIMITS])
def test_ordinary_reports_pass_the_screen(what: str, data: bytes) -> None:
    assert screen(data, LIMITS) is None, what


def test_limits_are_settings_with_their_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={"CALENDAR_APP_INBOUND_MAX_MIME_PARTS": "20"})
    assert settings.inbound == MessageLimits(max_mime_parts=20)
    assert settings.inbound.max_message_bytes == 1024 * 1024


def test_a_report_to_many_recipients_is_read_once(app: Flask) -> None:
    """A 1 MiB message to 50 recipients costs one parse, not 50 (SMTP: one reply)."""
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=False)
    recipients = [f"bounces+{chr(97 + i % 26) * 23}{'234567'[i % 6]}@{DOMAIN}" for i in range(50)]
    body = b"x\r\n" * ((LIMITS.max_message_bytes - 2000) // 3)  # many lines: a slow parse
    data = b"Subject: report\r\nContent-Type: text/plain\r\n\r\n" + body
    try:
        one = _timed(port, recipients[:1], data)
        many = _timed(port, recipients, data)
    finally:
        controller.stop()
    print(f"1 recipient {one:.2f} s, 50 recipients {many:.2f} s")
    assert many < one * 5 + 2, f"one {one:.2f} s, fifty {many:.2f} s"


def _timed(port: int, recipients: list[str], data: bytes) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail("", recipients, data)
    return time.perf_counter() - started


def test_lmtp_refuses_a_hostile_message_once_per_recipient(app: Flask) -> None:
    """LMTP (RFC 2033): one reply per accepted recipient, each a 5xx, and the session goes on."""
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=True)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            stream = raw.makefile("rwb")

            def say(line: bytes) -> bytes:
                stream.write(line + b"\r\n")
                stream.flush()
                lines = [stream.readline()]
                while lines[-1][3:4] == b"-":
                    lines.append(stream.readline())
                return lines[-1]

            assert stream.readline().startswith(b"220")
            assert say(b"LHLO mx.example.org").startswith(b"250")
            assert say(b"MAIL FROM:<>").startswith(b"250")
            for recipient in (f"bounces@{DOMAIN}", f"unsubscribe@{DOMAIN}"):
                assert say(f"RCPT TO:<{recipient}>".encode()).startswith(b"250")
            assert say(b"DATA").startswith(b"354")
            first = say(hostile_subject(3_000) + b".")
            second = stream.readline()
            assert first.startswith(b"552 5.3.4") and second.startswith(b"552 5.3.4")
            assert say(b"RSET").startswith(b"250")
            assert say(b"QUIT").startswith(b"221")
    finally:
        controller.stop()
