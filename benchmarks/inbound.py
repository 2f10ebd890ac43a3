"""Benchmark of the bounce receiver's memory (not a test): `python -m benchmarks.inbound`.

Runs `calendar-app inbound` as its own process (SMTP, a throw-away SQLite
database) and reads its peak resident memory (VmHWM in /proc) after it starts and
after each message:

- **hostile**: issue 22's message, one Subject folded over 20,000 RFC 2047
  encoded words (refused unparsed);
- **worst accepted**: a message just inside every ``[inbound]`` limit: near the
  size limit, 49 MIME parts each with a Content-Type field of MIME parameters at
  its limit, 200 encoded words (parsed and processed);
- then a DSN, to show the receiver still answers.

Then, for scale, what the email package alone costs on the hostile Subject with
2,000, 4,000 and 8,000 encoded words (``read_report`` in a fresh process, no
screen): the growth the limits keep out.
"""

from __future__ import annotations

import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.support import machine_line
from calendar_app.core.mail_limits import MessageLimits, screen
from tests.support.processes import app_env, free_port, start, wait_until
from tests.support.reports import dsn

DOMAIN = "bounces.calendar.example.az"
LIMITS = MessageLimits()


def hostile(words: int) -> bytes:
    folded = "".join(f" =?UTF-8?B?0JfQsNCy0YLRgNCw?= {i}\r\n" for i in range(words))
    return f"To: bounces@{DOMAIN}\r\nSubject:{folded}\r\nReturned.\r\n".encode("ascii")


def worst_accepted() -> bytes:
    """Every limit reached but none passed."""
    words = "".join(" =?UTF-8?B?0JfQsNCy0YLRgNCw?=\r\n" for _ in range(LIMITS.max_encoded_words))
    params = " p=v;\r\n" * ((LIMITS.max_mime_field_bytes - 40) // 7)
    part = f"--b\r\nContent-Type: text/plain;{params} charset=us-ascii\r\n\r\n".encode()
    head = f'Subject:{words}Content-Type: multipart/mixed; boundary="b"\r\n\r\n'.encode()
    parts = LIMITS.max_mime_parts - 1
    room = LIMITS.max_message_bytes - len(head) - parts * len(part) - 4096
    filler = b"a line of text in a part\r\n" * (room // parts // 26)
    data = head + (part + filler) * parts + b"--b--\r\n"
    assert screen(data, LIMITS) is None, screen(data, LIMITS)
    return data


def peak_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1])


def send(port: int, data: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
            client.sendmail("", [f"bounces@{DOMAIN}"], data)
        code = 250
    except smtplib.SMTPDataError as error:
        code = error.smtp_code
    return code, time.perf_counter() - started


def listening(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2):
            return True
    except OSError:
        return False


def receiver_figures() -> None:
    from calendar_app.app import create_app
    from calendar_app.data.prepare import prepare_database

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'calendar.db'}"
        app = create_app({"database": {"url": url}, "mail": {"bounce_domain": DOMAIN}})
        prepare_database(app)
        port = free_port()
        env = app_env(url, free_port(), mail_bounce_domain=DOMAIN)
        process = start(["inbound", "--port", str(port)], env, Path(folder), Path(folder) / "log")
        try:
            assert wait_until(lambda: listening(port), 60), "the receiver did not start"
            print(f"started: peak {peak_kib(process.pid) / 1024:.0f} MiB resident")
            cases = [
                ("hostile (20,000 encoded words)", hostile(20_000)),
                ("worst accepted", worst_accepted()),
                ("a DSN", dsn(to=f"bounces@{DOMAIN}", recipient="leyla@example.org")),
            ]
            for name, data in cases:
                code, seconds = send(port, data)
                peak = peak_kib(process.pid) / 1024
                size = f"{len(data):,} bytes"
                print(f"{name}, {size}: {code} in {seconds:.2f} s; peak {peak:.0f} MiB")
        finally:
            process.terminate()
            process.wait(timeout=30)


UNSCREENED = """
import resource, sys, time
from benchmarks.inbound import hostile
from calendar_app.core.mail_reports import read_report
data = hostile(int(sys.argv[1]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
read_report(data)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
seconds = time.perf_counter() - started
print(f"{len(data):,} bytes: {seconds:.2f} s, +{(after - before) / 1024:.0f} MiB")
"""


def unscreened_figures() -> None:
    for words in (2_000, 4_000, 8_000):
        result = subprocess.run(
            [sys.executable, "-c", UNSCREENED, str(words)],
            capture_output=True, text=True, timeout=110, check=True,
        )  # fmt: skip
        print(f"email package alone, {words:,} encoded words: {result.stdout.strip()}")


def main() -> None:
    print(machine_line())
    receiver_figures()
    unscreened_figures()


if __name__ == "__main__":
    main()
