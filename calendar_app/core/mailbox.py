"""Pure: what the sign-up budgets count by: a mailbox, its domain, a client's network.

One mailbox has many spellings: ``Victim+1@Example.org`` and ``victim+2@example.org``
reach the same inbox, so the budget of confirmation e-mails counts
``victim@example.org`` (lower case, the ``+tag`` dropped). A client on IPv6 usually
holds a whole /64, so its budget counts the /64, not the address.
"""

from __future__ import annotations

import ipaddress


def mailbox_key(email: str) -> str:
    """The address as its inbox is counted: lower case, without a ``+tag``."""
    local, _, domain = email.strip().lower().rpartition("@")
    base = local.split("+", 1)[0]
    return f"{base or local}@{domain}"


def mail_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def client_network(address: str) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 (``2001:db8:1:2::/64``)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address  # not an address (a test client, a unix socket): counted as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
