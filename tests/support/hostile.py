"""Hostile input for the abuse tests: Hypothesis strategies, a form's CSRF token, and
snapshots of the tables a request must not change.

The strategies are shared by tests/web/test_fuzz_routes.py and tests/mail/test_mail_injection.py,
and docs/RELIABILITY.md counts what they draw.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask
from hypothesis import strategies as st

from calendar_app.data.models import AccessToken, RememberedPerson, Reminder, Subscriber
from calendar_app.extensions import db

# Classic tricks: traversal, NUL and CR/LF (raw and percent-encoded), overlong UTF-8,
# malformed escapes, bidi and zero-width characters, markup, templates, SQL, numbers
# that are not quite numbers.
TRICKS = (
    "../",
    "..%2f",
    "%2e%2e%2f",
    "....//",
    "..\\",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "\x00",
    "%00",
    "\r\n",
    "%0d%0a",
    "\r\nSet-Cookie: x=1",
    "%c0%ae%c0%ae/",
    "%e0%80%ae",
    "%ff%fe",
    "%",
    "%zz",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\u2028",
    "\x85",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "%s%s%n",
    "NaN",
    "-1",
    "1e309",
    "0x10",
    "９",
    "٣",
    "²",
    "99999999999999999999999",
)
HUGE_UNITS = ("9", "a", "é", "%00", "../", "\u202e")

control_text = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Cs"]), max_size=20)
HUGE_LENGTHS = (255, 4301, 12_000)  # past an e-mail address, past int()'s digit limit, far past
huge_text = st.builds(
    lambda unit, n: unit * n, st.sampled_from(HUGE_UNITS), st.sampled_from(HUGE_LENGTHS)
)
nasty_text = st.one_of(
    st.text(max_size=40),  # any Unicode
    control_text,
    st.sampled_from(TRICKS),
    st.lists(st.one_of(st.sampled_from(TRICKS), st.text(max_size=4)), max_size=6).map("".join),
    huge_text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)

# "strict" escapes everything; "loose" lets %, / and ; through, so malformed escapes,
# encoded traversal and raw separators reach the server as written.
ENCODINGS = {"strict": "", "loose": "%/;=&+.:"}


def encode(text: str, style: str) -> str:
    return quote(text, safe=ENCODINGS[style], errors="surrogatepass")


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the form has no CSRF token"
    return match.group(1)


SNAPSHOT_TABLES = (Subscriber, AccessToken, Reminder, RememberedPerson)


def row_values(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, column.key) for column in sa.inspect(row).mapper.column_attrs)


def table_snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the subscription tables, in id order, to compare before and after."""
    with app.app_context():
        snapshot = {}
        for model in SNAPSHOT_TABLES:
            rows = db.session.execute(sa.select(model).order_by(model.id)).scalars()
            snapshot[model.__tablename__] = [row_values(row) for row in rows]
        db.session.remove()
    return snapshot
