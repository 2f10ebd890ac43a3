"""Pure: folding one iCalendar content line (RFC 5545, 3.1), byte for byte as icalendar does.

icalendar folds a line character by character in Python (``parser.string._foldline``),
which is most of what a feed built from pre-rendered blocks still costs. This
does the same cut on the UTF-8 bytes, a slice per folded line:

- every folded line holds at most 74 octets after its leading space (the first
  line 74 octets too), so each line on the wire is at most 75 octets;
- a cut never splits a character's UTF-8 sequence;
- a cut that would leave a backslash or a caret last on a line moves it to the
  next one, so an escape (``\\,``, ``\\n``, RFC 6868's ``^n``) is never split
  (icalendar's issue 1501).

``tests/test_ics_folding.py`` compares the two over random lines of Latin,
Azerbaijani, Cyrillic, four-octet characters, backslashes and carets, and the
feed's golden files and reference-renderer comparisons check the whole feed.
"""

from __future__ import annotations

from icalendar import Component

_MOST = 74  # octets on one line, after the leading space of a continuation
_SEPARATOR = b"\r\n "
_ESCAPES = frozenset(b"\\^")


def fold(line: str) -> bytes:
    """``line`` as UTF-8, folded; the same bytes as ``Contentline(line).to_ical()``."""
    return fold_utf8(line.encode("utf-8"))


def fold_utf8(data: bytes) -> bytes:
    """A content line already encoded as UTF-8, folded as ``fold`` folds it."""
    size = len(data)
    if size <= _MOST:
        return data
    parts = []
    start = 0
    while size - start > _MOST:
        end = start + _MOST
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if data[end - 1] in _ESCAPES and end - start > 1:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return _SEPARATOR.join(parts)


def component_bytes(component: Component) -> bytes:
    """The component as ``component.to_ical()`` writes it, folded by ``fold``."""
    return b"".join(fold(line) + b"\r\n" for line in component.content_lines() if line)
