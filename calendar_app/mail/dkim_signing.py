"""DKIM (RFC 6376) signing of a message's final bytes, and the DNS record to publish.

The signature covers the headers a reader and a mail provider rely on, the
List-Unsubscribe pair that one-click unsubscribing needs signed, and the whole
body, in relaxed/relaxed canonicalization so that a relay re-folding a header
does not break it. The headers a reader or a provider acts on are over-signed:
named in h= once more than the message has them (once when it has none), so
that a copy added on the way, or one added where the message has none (a
List-Unsubscribe on a confirmation), breaks the signature (RFC 6376 8.15).
"""

from __future__ import annotations

import base64
import re

import dkim
from dkim.crypto import parse_pem_private_key

from calendar_app.config import DkimSettings

SIGNED_HEADERS = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "auto-submitted",
    "reply-to",
    "feedback-id",
)
OVERSIGNED = (
    "from",
    "to",
    "cc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "feedback-id",
)
RSA_ENCRYPTION_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
TXT_CHUNK = 255  # one DNS character-string


class SigningError(Exception):
    """The message could not be signed (a broken key or a malformed message)."""


def sign(data: bytes, settings: DkimSettings) -> bytes:
    """``data`` (CRLF line ends) with a DKIM-Signature header in front."""
    present = _present_headers(data)
    if "from" not in present:
        raise SigningError("a message without From cannot be signed")
    include = [
        name.encode()
        for name in dict.fromkeys((*SIGNED_HEADERS, *OVERSIGNED))
        for _ in range(present.count(name) + (name in OVERSIGNED))
    ]
    try:
        header = dkim.sign(
            data,
            settings.selector.encode("ascii"),
            settings.domain.encode("ascii"),
            settings.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=include,
            linesep=b"\r\n",
        )
    except dkim.DKIMException as error:
        raise SigningError(str(error)) from error
    return bytes(header) + data


def _present_headers(data: bytes) -> list[str]:
    """The header field names of ``data``, lower case, once per occurrence."""
    head = data.split(b"\r\n\r\n", 1)[0]
    return [
        m.group(1).decode("ascii").lower()
        for m in re.finditer(rb"^([!-9;-~]+):", head, re.MULTILINE)
    ]


def public_key_der(private_key_pem: bytes) -> bytes:
    """The SubjectPublicKeyInfo (DER) of an RSA private key, as DKIM publishes it."""
    key = parse_pem_private_key(private_key_pem.replace(b"\r\n", b"\n"))
    rsa_public_key = _sequence(_integer(key["modulus"]) + _integer(key["publicExponent"]))
    algorithm = _sequence(_tlv(0x06, RSA_ENCRYPTION_OID) + _tlv(0x05, b""))
    return _sequence(algorithm + _tlv(0x03, b"\x00" + rsa_public_key))


def txt_value(settings: DkimSettings) -> str:
    """The TXT record's value: ``v=DKIM1; k=rsa; p=<base64>``."""
    encoded = base64.b64encode(public_key_der(settings.private_key)).decode("ascii")
    return f"v=DKIM1; k=rsa; p={encoded}"


def zone_line(settings: DkimSettings) -> str:
    """The record as a zone-file line, split into 255-character strings."""
    value = txt_value(settings)
    chunks = " ".join(f'"{value[i : i + TXT_CHUNK]}"' for i in range(0, len(value), TXT_CHUNK))
    return f"{record_name(settings)}. IN TXT ( {chunks} )"


def record_name(settings: DkimSettings) -> str:
    return f"{settings.selector}._domainkey.{settings.domain}"


def _tlv(tag: int, value: bytes) -> bytes:
    size = len(value)
    if size < 0x80:
        return bytes([tag, size]) + value
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + value


def _integer(value: int) -> bytes:
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")  # leading 0 if high bit
    return _tlv(0x02, raw)


def _sequence(content: bytes) -> bytes:
    return _tlv(0x30, content)
