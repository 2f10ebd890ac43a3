"""The texts of records in one language, for the checks of what readers of az and ru see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any


def localized_texts(value: Any, lang: str) -> Iterator[str]:
    """Every text in ``lang`` inside a record (nested records and tables included)."""
    if isinstance(value, dict):
        if set(value) == {"az", "en", "ru"}:
            yield value[lang]
        else:
            for item in value.values():
                yield from localized_texts(item, lang)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from localized_texts(item, lang)
    elif hasattr(value, "__dataclass_fields__"):
        for item in fields(value):
            yield from localized_texts(getattr(value, item.name), lang)
