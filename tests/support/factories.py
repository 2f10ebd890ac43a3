"""Small, valid data-file documents that tests change one key at a time."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import tomli_w


def localized(text: str) -> dict[str, str]:
    return {"az": f"{text} (az)", "en": f"{text} (en)", "ru": f"{text} (ru)"}


def minimal_document() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "schema_version": 1,
            "sources": [
                {
                    "id": "doc-a",
                    "title": "Document A",
                    "publisher": {"az": "Naşir A", "en": "Publisher A", "ru": "Издатель А"},
                    "kind": "press",
                    "language": "en",
                    "published": dt.date(2023, 1, 20),
                },
                {
                    "id": "doc-b",
                    "title": "Document B",
                    "publisher": {"az": "Naşir B", "en": "Publisher B", "ru": "Издатель Б"},
                    "kind": "official",
                    "language": "az",
                    "year": 2021,
                    "verified": False,
                },
            ],
            "days": [
                {
                    "id": "january-20",
                    "month": 1,
                    "day": 20,
                    "events_year": 1990,
                    "first_observed_year": 1990,
                    "is_non_working": True,
                    "name": {
                        "az": "Ümumxalq Hüzn Günü",
                        "en": "National Mourning Day",
                        "ru": "День всенародной скорби",
                    },
                    "anniversary_of": {
                        "az": "20 Yanvar faciəsinin",
                        "en": "the 20 January tragedy",
                        "ru": "трагедии 20 января",
                    },
                    "summary": localized("Summary"),
                    "history": localized("History\n\nSecond paragraph"),
                    "facts": [
                        {
                            "id": "january-20-killed-a",
                            "kind": "killed",
                            "value": 134,
                            "label": localized("people killed"),
                            "sources": ["doc-a"],
                        },
                        {
                            "id": "january-20-killed-b",
                            "kind": "killed",
                            "value": 150,
                            "qualifier": "about",
                            "label": localized("people killed"),
                            "sources": ["doc-b", "doc-a"],
                        },
                    ],
                    "legal_acts": [
                        {
                            "id": "january-20-act",
                            "adopted": dt.date(1994, 3, 29),
                            "kind": "parliament-resolution",
                            "title": localized("Resolution"),
                            "sources": ["doc-b"],
                        }
                    ],
                    "moments": [
                        {
                            "id": "january-20-silence",
                            "kind": "minute-of-silence",
                            "local_time": dt.time(12, 0),
                            "timezone": "Asia/Baku",
                            "duration_minutes": 1,
                            "description": localized("Minute of silence"),
                            "sources": ["doc-a"],
                        }
                    ],
                    "timeline": [
                        {
                            "id": "january-20-neftchala",
                            "date": dt.date(1990, 1, 25),
                            "title": localized("Neftchala"),
                            "sources": ["doc-a"],
                        }
                    ],
                },
                {
                    "id": "september-27",
                    "month": 9,
                    "day": 27,
                    "events_year": 2020,
                    "first_observed_year": 2021,
                    "is_non_working": False,
                    "name": {"az": "Anım Günü", "en": "Remembrance Day", "ru": "День памяти"},
                    "anniversary_of": {
                        "az": "Vətən müharibəsinin başlanmasının",
                        "en": "the start of the Patriotic War",
                        "ru": "начала Отечественной войны",
                    },
                    "summary": localized("Summary 2"),
                    "history": localized("History 2"),
                },
            ],
        }
    )


def dump(document: dict[str, Any]) -> str:
    return tomli_w.dumps(document)
