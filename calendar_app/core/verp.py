"""VERP: each message's own Return-Path, and the addresses the inbound handler answers.

A message to ``reader@example.org`` leaves with the envelope sender
``bounces+<token>@<bounce domain>``: whatever comes back to that address is
about that one message. The token is an HMAC of the Message-ID and the
recipient under a key derived from the application's secret, so the same
message gets the same token on every try, and nobody can make one up; the
inbound handler still trusts only tokens it finds among the messages it sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Final

BOUNCES: Final = "bounces"
UNSUBSCRIBE: Final = "unsubscribe"
TOKEN_BYTES: Final = 15  # 120 bits: 24 base32 characters
TOKEN = re.compile(r"[a-z2-7]{24}")


def token_for(key: bytes, message_id: str, recipient: str) -> str:
    """The VERP token of one message to one recipient (lower-case base32)."""
    mac = hmac.new(key, f"{message_id}\0{recipient.lower()}".encode(), hashlib.sha256)
    return base64.b32encode(mac.digest()[:TOKEN_BYTES]).decode("ascii").lower()


def return_path(token: str, domain: str) -> str:
    return f"{BOUNCES}+{token}@{domain}"


def unsubscribe_address(domain: str) -> str:
    """Where a mail client sends the List-Unsubscribe mailto: message."""
    return f"{UNSUBSCRIBE}@{domain}"


@dataclass(frozen=True)
class Recipient:
    """What an inbound envelope recipient is for."""

    purpose: str  # "bounces" or "unsubscribe"
    token: str | None  # the VERP token of "bounces+TOKEN"; None when absent or malformed


def parse_recipient(address: str, domain: str) -> Recipient | None:
    """The purpose of an address at ``domain``; None for any other address."""
    local, at, host = address.strip().strip("<>").rpartition("@")
    if not at or host.lower() != domain.lower():
        return None
    base, _, detail = local.lower().partition("+")
    if base == UNSUBSCRIBE:
        return Recipient(UNSUBSCRIBE, None)
    if base == BOUNCES:
        return Recipient(BOUNCES, detail if TOKEN.fullmatch(detail) else None)
    return None


def list_unsubscribe(https_url: str, token: str, domain: str) -> str:
    """The List-Unsubscribe header (RFC 2369, RFC 8058): the one-click URL, and a mailto:
    to the inbound handler only when it runs (``domain``, the bounce domain, is set).
    The subject names the manage token, which is what the handler unsubscribes by."""
    entries = [f"<{https_url}>"]
    if domain:
        entries.append(f"<mailto:{unsubscribe_address(domain)}?subject=unsubscribe%20{token}>")
    return ", ".join(entries)
