"""Pure: Azerbaijani case suffixes after numbers written in digits.

A suffix after digits agrees with the number as it is spoken: its last word's
last vowel picks the back (a, ı, o, u) or front (e, ə, i, ö, ü) form, and a
vowel at its end takes the buffer "y" where the case has one. So "600-dən çox"
(altı yüz), "30-dan çox" (otuz), "100-ə yaxın" (yüz), "6-ya yaxın" (altı), and
for a clock time the minutes are spoken last: "saat 12:00-da" (sıfır),
"saat 13:45-də" (qırx beş), "saat 12:30-da" (otuz).
"""

from __future__ import annotations

from num2words import num2words

BACK_VOWELS = frozenset("aıou")
VOWELS = frozenset("aıoueəiöü")
# (after a back vowel, after a front vowel, after a final back vowel, after a final front vowel)
LOCATIVE = ("da", "də", "da", "də")
ABLATIVE = ("dan", "dən", "dan", "dən")
DATIVE = ("a", "ə", "ya", "yə")


def spoken_last_word(value: int) -> str:
    return str(num2words(abs(value), lang="az")).split()[-1]


def suffix(value: int, forms: tuple[str, str, str, str]) -> str:
    """The form of a case suffix that agrees with ``value`` as it is spoken."""
    word = spoken_last_word(value)
    last_vowel = next(ch for ch in reversed(word) if ch in VOWELS)
    is_back = last_vowel in BACK_VOWELS
    if word[-1] in VOWELS:
        return forms[2] if is_back else forms[3]
    return forms[0] if is_back else forms[1]


def at_clock_time(hh_mm: str) -> str:
    """'12:00' → '12:00-da', '13:45' → '13:45-də': the locative, read off the minutes."""
    hours, _, minutes = hh_mm.partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"expected a time like 12:00, got {hh_mm!r}")
    return f"{hh_mm}-{suffix(int(minutes), LOCATIVE)}"


_GENITIVE_BACK = {"a": "ı", "ı": "ı", "o": "u", "u": "u"}
_GENITIVE_FRONT = {"e": "i", "ə": "i", "i": "i", "ö": "ü", "ü": "ü"}
_GENITIVE_VOWEL = {**_GENITIVE_BACK, **_GENITIVE_FRONT}
_AZ_LETTERS = set("abcçdeəfgğhxıijkqlmnoöprsştuüvyz")


def az_genitive(name: str) -> str | None:
    """'Anarın', 'Əlinin', 'Aygünün', 'Anar Məmmədovun'; None when no suffix can be chosen.

    The last vowel of the name decides the suffix (four-way vowel harmony); a
    final vowel takes the buffer n. A name that does not end in a letter of the
    Azerbaijani alphabet, or has no Azerbaijani vowel, gets no guessed suffix.
    """
    text = name.strip()
    lowered = text.replace("I", "ı").replace("İ", "i").lower()
    if not lowered or lowered[-1] not in _AZ_LETTERS:
        return None
    last_vowel = next((c for c in reversed(lowered) if c in _GENITIVE_VOWEL), None)
    if last_vowel is None:
        return None
    vowel = _GENITIVE_VOWEL[last_vowel]
    suffix = f"n{vowel}n" if lowered[-1] in _GENITIVE_VOWEL else f"{vowel}n"
    return text + suffix
