"""Figures with their qualifiers, as each language writes them."""

from __future__ import annotations

import pytest

from calendar_app.core.figures import figure_text
from calendar_app.core.words import words_for


@pytest.mark.parametrize(
    ("value", "qualifier", "lang", "text"),
    [
        (131, "exact", "en", "131"),
        (600, "more-than", "en", "more than 600"),
        (800, "about", "en", "about 800"),
        (50, "at-least", "en", "at least 50"),
        (2_000_000, "about", "en", "about 2\u00a0million"),
        (2_000_000, "nearly", "en", "nearly 2\u00a0million"),
        (1_500_000, "exact", "en", "1,500,000"),
        (600, "more-than", "az", "600-dən çox"),  # altı yüz: front vowel
        (30, "more-than", "az", "30-dan çox"),  # otuz: back vowel
        (40, "more-than", "az", "40-dan çox"),  # qırx
        (6, "more-than", "az", "6-dan çox"),  # altı
        (20, "more-than", "az", "20-dən çox"),  # iyirmi
        (0, "more-than", "az", "0-dan çox"),  # sıfır
        (800, "about", "az", "təxminən 800"),
        (50, "at-least", "az", "ən azı 50"),
        (2_000_000, "about", "az", "təxminən 2\u00a0milyon"),
        (2_000_000, "nearly", "az", "2\u00a0milyona yaxın"),  # milyon: dative -a
        (100, "nearly", "az", "100-ə yaxın"),  # yüz
        (6, "nearly", "az", "6-ya yaxın"),  # altı: buffer y
        (20, "nearly", "az", "20-yə yaxın"),  # iyirmi
        (600, "more-than", "ru", "более 600"),
        (800, "about", "ru", "около 800"),
        (50, "at-least", "ru", "не менее 50"),
        (2_000_000, "exact", "ru", "2\u00a0млн"),
        (2_000_000, "nearly", "ru", "почти 2\u00a0млн"),
        (1_500_000, "exact", "ru", "1\u00a0500\u00a0000"),
    ],
)
def test_figure_text(value: int, qualifier: str, lang: str, text: str) -> None:
    assert figure_text(value, qualifier, words_for(lang)) == text


def test_unknown_language_or_qualifier() -> None:
    with pytest.raises(ValueError, match="language"):
        figure_text(1, "exact", words_for("tr"))
    with pytest.raises(ValueError, match="qualifier"):
        figure_text(1, "roughly", words_for("en"))
