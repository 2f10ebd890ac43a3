"""Pure: the order of words in a reader's alphabet, for lists a reader scans.

Code-point order puts az "Çikaqo" after "Zaqreb" and ru "Ёлка" after "Якутск".
The Azerbaijani alphabet is A B C Ç D E Ə F G Ğ H X I İ J K Q L M N O Ö P R S Ş T
U Ü V Y Z (the Latin alphabet of 1992): each of Ç, Ə, Ğ, I (dotless), Ö, Ş, Ü is a
letter of its own, X comes after H and Q after K. Russian dictionaries file Ё
with Е. A space comes before every letter (Dar es Salam, Darvin); other characters
keep their code-point order after the alphabet's letters.
"""

from __future__ import annotations

AZ_ALPHABET = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
_AZ_RANK = {letter: rank for rank, letter in enumerate(AZ_ALPHABET)}
_AZ_AFTER = len(AZ_ALPHABET)


def sort_key(text: str, lang: str) -> tuple[int, ...]:
    """A key that sorts ``text`` in the alphabet of ``lang`` (az, ru; others by code point),
    ignoring case."""
    if lang == "az":
        lowered = text.replace("I", "ı").replace("İ", "i").lower()
        return tuple(_az_rank(ch) for ch in lowered)
    lowered = text.casefold()
    if lang == "ru":
        lowered = lowered.replace("ё", "е")
    return tuple(ord(ch) for ch in lowered)


def _az_rank(ch: str) -> int:
    if ch in _AZ_RANK:
        return _AZ_RANK[ch]
    return -1 if ch.isspace() else _AZ_AFTER + ord(ch)
