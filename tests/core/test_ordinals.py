"""Ordinals and anniversary labels, checked against independent sources of truth."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from calendar_app.core.ordinals import anniversary_label, anniversary_ordinal, anniversary_title
from calendar_app.core.words import words_for

# REFERENCE.md: the suffix follows the last vowel of the spoken number's last word.
AZ_SUFFIX_BY_VOWEL = {"a": "cı", "ı": "cı", "e": "ci", "ə": "ci", "i": "ci", "o": "cu", "u": "cu",
                      "ö": "cü", "ü": "cü"}  # fmt: skip
AZ_VOWELS = set(AZ_SUFFIX_BY_VOWEL)
AZ, EN, RU = (words_for(lang) for lang in ("az", "en", "ru"))


def az_suffix_from_words(number: int) -> str:
    """Derive the suffix from num2words' Azerbaijani words, not from its ordinal_num."""
    last_word = num2words(number, lang="az").split()[-1]
    last_vowel = [c for c in last_word if c in AZ_VOWELS][-1]
    return AZ_SUFFIX_BY_VOWEL[last_vowel]


def en_suffix_from_words(number: int) -> str:
    return str(num2words(number, lang="en", to="ordinal"))[-2:]


@pytest.mark.parametrize("number", range(1, 301))
def test_azerbaijani_ordinal_follows_vowel_harmony_of_the_spoken_number(number: int) -> None:
    assert anniversary_ordinal(number, AZ) == f"{number}-{az_suffix_from_words(number)}"
    assert anniversary_label(number, AZ) == f"{number}-{az_suffix_from_words(number)} ildönümü"


@pytest.mark.parametrize("number", range(1, 301))
def test_english_ordinal_matches_the_spelled_out_ordinal(number: int) -> None:
    assert anniversary_ordinal(number, EN) == f"{number}{en_suffix_from_words(number)}"
    assert anniversary_label(number, EN) == f"{number}{en_suffix_from_words(number)} anniversary"


@pytest.mark.parametrize("number", range(1, 301))
def test_russian_ordinal_agrees_with_feminine_godovshchina(number: int) -> None:
    spelled = str(num2words(number, lang="ru", to="ordinal", gender="f"))
    assert spelled.endswith("я"), spelled  # e.g. "тридцать седьмая", "третья"
    assert anniversary_ordinal(number, RU) == f"{number}-я"
    assert anniversary_label(number, RU) == f"{number}-я годовщина"


@pytest.mark.parametrize(
    ("number", "az", "en"),
    [
        (1, "1-ci", "1st"), (2, "2-ci", "2nd"), (3, "3-cü", "3rd"), (4, "4-cü", "4th"),
        (6, "6-cı", "6th"), (9, "9-cu", "9th"), (10, "10-cu", "10th"), (11, "11-ci", "11th"),
        (12, "12-ci", "12th"), (13, "13-cü", "13th"), (21, "21-ci", "21st"), (30, "30-cu", "30th"),
        (34, "34-cü", "34th"), (35, "35-ci", "35th"), (37, "37-ci", "37th"), (40, "40-cı", "40th"),
        (50, "50-ci", "50th"), (60, "60-cı", "60th"), (70, "70-ci", "70th"), (80, "80-ci", "80th"),
        (90, "90-cı", "90th"), (100, "100-cü", "100th"), (101, "101-ci", "101st"),
        (111, "111-ci", "111th"), (112, "112-ci", "112th"), (1000, "1000-ci", "1000th"),
        (2000, "2000-ci", "2000th"),
    ],
)  # fmt: skip
def test_reference_examples(number: int, az: str, en: str) -> None:
    """REFERENCE.md's examples, and the multiples of 1000 that CLDR gets wrong."""
    assert anniversary_ordinal(number, AZ) == az
    assert anniversary_ordinal(number, EN) == en


def az_suffix_by_rule(number: int) -> str:
    """The rule restated: the last non-zero group decides which word is spoken last."""
    units = {1: "ci", 2: "ci", 3: "cü", 4: "cü", 5: "ci", 6: "cı", 7: "ci", 8: "ci", 9: "cu"}
    tens = {10: "cu", 20: "ci", 30: "cu", 40: "cı", 50: "ci", 60: "cı", 70: "ci", 80: "ci",
            90: "cı"}  # fmt: skip
    if number % 10:
        return units[number % 10]
    if number % 100:
        return tens[number % 100]
    if number % 1000:
        return "cü"  # yüz
    return "ci"  # min


@given(st.integers(min_value=1, max_value=999_999))
def test_azerbaijani_suffix_property(number: int) -> None:
    assert anniversary_ordinal(number, AZ) == f"{number}-{az_suffix_by_rule(number)}"


@given(st.integers(min_value=1, max_value=10**9))
def test_english_suffix_property(number: int) -> None:
    expected = (
        "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    assert anniversary_ordinal(number, EN) == f"{number}{expected}"


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["az", "en", "ru"]))
def test_label_starts_with_the_digits(number: int, lang: str) -> None:
    assert re.match(rf"^{number}\D", anniversary_label(number, words_for(lang)))


def test_titles_in_three_languages() -> None:
    assert (
        anniversary_title(37, EN, "the 20 January tragedy", "National Mourning Day")
        == "37th anniversary of the 20 January tragedy — National Mourning Day"
    )
    assert (
        anniversary_title(37, AZ, "20 Yanvar faciəsinin", "Ümumxalq Hüzn Günü")
        == "20 Yanvar faciəsinin 37-ci ildönümü\u00a0— Ümumxalq Hüzn Günü"
    )
    assert (
        anniversary_title(37, RU, "трагедии 20 января", "День всенародной скорби")
        == "37-я годовщина трагедии 20 января\u00a0— День всенародной скорби"
    )


@pytest.mark.parametrize(("number", "lang"), [(0, "en"), (-3, "az"), (5, "de"), (5, "")])
def test_bad_input_is_refused(number: int, lang: str) -> None:
    with pytest.raises(ValueError):
        anniversary_label(number, words_for(lang))
