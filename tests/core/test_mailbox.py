"""What the sign-up budgets count by: one inbox however it is spelled, a client's /64."""

from __future__ import annotations

import pytest

from calendar_app.core.mailbox import client_network, mail_domain, mailbox_key


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("victim@example.org", "victim@example.org"),
        ("Victim@Example.ORG", "victim@example.org"),
        ("victim+1@example.org", "victim@example.org"),
        ("VICTIM+news+more@example.org", "victim@example.org"),
        ("+only@example.org", "+only@example.org"),  # no mailbox before the tag: kept whole
        ("a.b-c@sub.example.az", "a.b-c@sub.example.az"),
    ],
)
def test_one_inbox_however_it_is_spelled(typed: str, counted: str) -> None:
    assert mailbox_key(typed) == counted
    assert mail_domain(typed) == counted.rpartition("@")[2]


@pytest.mark.parametrize(
    ("address", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("not an address", "not an address"),
    ],
)
def test_an_ipv6_client_is_its_64(address: str, counted: str) -> None:
    assert client_network(address) == counted
