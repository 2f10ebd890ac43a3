"""Our folding of content lines gives icalendar's bytes, and lines every client can read."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from calendar_app.core.ics_folding import fold

# Latin, Azerbaijani, Cyrillic, a dash, a four-octet character, escapes and their neighbours
ALPHABET = 'aZ09 ,;:\\^"\tƏəŞşĞğÖöÜüÇçIıİЙйЖжЩщЁё—€𝄞'


def icalendar_fold(line: str) -> bytes:
    folded: bytes = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
    return folded


@settings(max_examples=3000)
@given(st.text(alphabet=ALPHABET, max_size=600))
def test_fold_is_icalendars_fold(line: str) -> None:
    assert fold(line) == icalendar_fold(line)


def test_fold_at_each_length_around_the_limit() -> None:
    """Every length from 60 to 240 octets, ending in each kind of character at the cut."""
    rng = random.Random(13)
    for size in range(60, 241):
        for tail in ("a", "\\", "^", "ə", "Ж", "𝄞", "\\n"):
            for _ in range(5):
                line = "".join(rng.choice(ALPHABET) for _ in range(size)) + tail
                assert fold(line) == icalendar_fold(line), line


def test_folded_lines_stay_within_75_octets_and_unfold_to_the_line() -> None:
    line = "DESCRIPTION:" + "Xocalı soyqırımı\\, 613 nəfər\\n Ходжалинский геноцид 𝄞 ^n" * 9
    folded = fold(line)
    physical = folded.split(b"\r\n")
    assert len(physical) > 5
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode() == line
    # an escape is never split across two lines
    assert not any(p.endswith((b"\\", b"^")) for p in physical[:-1])


def test_short_lines_are_not_folded() -> None:
    assert fold("SUMMARY:Xocalı") == "SUMMARY:Xocalı".encode()
    assert fold("X" * 74) == b"X" * 74
    assert fold("X" * 75) == b"X" * 74 + b"\r\n X"
