"""Pure: the OpenAPI 3.1 description of the JSON API (served at /api/openapi.json).

Schemas are closed (no undocumented fields) so a test that validates real
responses against them notices when the two drift apart.
"""

from __future__ import annotations

from typing import Any

from calendar_app.core.figures import QUALIFIERS
from calendar_app.core.languages import LANGUAGES

SLUG_PATTERN = "^[a-z0-9-]+$"


def _object(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
URL = {"type": "string", "format": "uri"}
SOURCE_KEYS = {**_array(STRING), "description": "Ids of the sources (see `sources`)."}

SCHEMAS: dict[str, Any] = {
    "Localized": _object(
        {"az": STRING, "en": STRING, "ru": STRING},
        description="The same text in Azerbaijani, English and Russian.",
    ),
    "Error": _object(
        {
            "error": {**STRING, "examples": ["bad_request", "not_found"]},
            "detail": {**STRING, "description": "What was wrong, in English."},
        }
    ),
    "DaySummary": _object(
        {
            "slug": {**STRING, "pattern": SLUG_PATTERN, "examples": ["january-20"]},
            "month": {**INTEGER, "minimum": 1, "maximum": 12},
            "day": {**INTEGER, "minimum": 1, "maximum": 31},
            "events_year": {**INTEGER, "description": "Anniversaries count from this year."},
            "first_observed_year": INTEGER,
            "first_observed_verified": {
                **BOOLEAN,
                "description": "False when no source states the first year observed.",
            },
            "first_observed_note": {
                "anyOf": [_ref("Localized"), {"type": "null"}],
                "description": "What the year alone would not say (an earlier observance).",
            },
            "is_non_working": {**BOOLEAN, "description": "A public non-working day."},
            "name": _ref("Localized"),
            "summary": _ref("Localized"),
            "url": {
                **URL,
                "description": "The day's page on the site; it redirects to the reader's language.",
            },
            "page_urls": {
                **_object({lang: URL for lang in LANGUAGES}),
                "description": "The day's page in each language.",
            },
            "ics_urls": {
                **_object({lang: URL for lang in LANGUAGES}),
                "description": "The day's iCalendar feed in each language.",
            },
        }
    ),
    "Fact": _object(
        {
            "id": STRING,
            "kind": {
                **STRING,
                "description": "Facts of the same kind on a day count the same thing; "
                "when their values differ, the sources disagree.",
            },
            "value": {"type": ["integer", "null"], "description": "Null for a statement."},
            "qualifier": {"enum": list(QUALIFIERS)},
            "label": _ref("Localized"),
            "is_verified": BOOLEAN,
            "sources": SOURCE_KEYS,
        }
    ),
    "LegalAct": _object(
        {
            "id": STRING,
            "adopted_on": DATE,
            "kind": STRING,
            "title": _ref("Localized"),
            "is_verified": BOOLEAN,
            "sources": SOURCE_KEYS,
        }
    ),
    "Moment": _object(
        {
            "id": STRING,
            "kind": {**STRING, "examples": ["minute-of-silence"]},
            "local_time": {**STRING, "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "timezone": {**STRING, "examples": ["Asia/Baku"]},
            "duration_minutes": INTEGER,
            "description": _ref("Localized"),
            "is_verified": BOOLEAN,
            "sources": SOURCE_KEYS,
        }
    ),
    "TimelineEntry": _object(
        {
            "id": STRING,
            "date": DATE,
            "precision": {"enum": ["day", "month", "year"]},
            "title": _ref("Localized"),
            "is_verified": BOOLEAN,
            "sources": SOURCE_KEYS,
        }
    ),
    "Source": _object(
        {
            "id": STRING,
            "title": {**STRING, "description": "As the document is titled, in its language."},
            "display_title": {
                "anyOf": [_ref("Localized"), {"type": "null"}],
                "description": "The title in each language readers use.",
            },
            "publisher": {
                "anyOf": [_ref("Localized"), {"type": "null"}],
                "description": "Null when the document names no publisher.",
            },
            "kind": STRING,
            "language": STRING,
            "published_on": {"type": ["string", "null"], "format": "date"},
            "published_year": {"type": ["integer", "null"]},
            "url": {"type": ["string", "null"]},
            "locator": {"type": ["string", "null"]},
            "is_verified": BOOLEAN,
        }
    ),
    "Observance": _object(
        {
            "date": DATE,
            "date_label": {**STRING, "examples": ["20 yanvar 2027, çərşənbə"]},
            "slug": {**STRING, "pattern": SLUG_PATTERN},
            "name": STRING,
            "summary": STRING,
            "anniversary": {**INTEGER, "minimum": 1},
            "anniversary_label": {**STRING, "examples": ["37-ci ildönümü"]},
            "anniversary_phrase": {
                **STRING,
                "examples": ["37th anniversary of the 20 January tragedy"],
            },
            "title": {**STRING, "description": "The anniversary phrase, a dash, the name."},
            "is_jubilee": BOOLEAN,
            "jubilee": {"enum": ["round", "major", None]},
            "is_observed": {
                **BOOLEAN,
                "description": "False before the year the day was first officially observed.",
            },
            "is_moved": BOOLEAN,
            "lang": {"enum": list(LANGUAGES)},
            "url": URL,
            "ics_url": URL,
        }
    ),
}
SCHEMAS["DayDetails"] = _object(
    {
        **SCHEMAS["DaySummary"]["properties"],
        "anniversary_of": _ref("Localized"),
        "history": _ref("Localized"),
        "facts": _array(_ref("Fact")),
        "legal_acts": _array(_ref("LegalAct")),
        "moments": _array(_ref("Moment")),
        "timeline": _array(_ref("TimelineEntry")),
        "sources": _array(_ref("Source")),
    }
)


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_400 = _json(_ref("Error"), "A parameter is missing its form or out of range.")
ERROR_404 = _json(_ref("Error"), "No such memorial day.")


def openapi_document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Memorial days of Azerbaijan",
            "version": "1.0.0",
            "description": "Azerbaijan's memorial days, their sourced records and their "
            "observances with anniversaries, in Azerbaijani, English and Russian. "
            "Read-only; any origin may call it (CORS).",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/v1/days": {
                "get": {
                    "operationId": "listDays",
                    "summary": "The memorial days, in calendar order",
                    "responses": {
                        "200": _json(_object({"days": _array(_ref("DaySummary"))}), "The days.")
                    },
                }
            },
            "/api/v1/days/{slug}": {
                "get": {
                    "operationId": "getDay",
                    "summary": "One day with its facts, legal acts, moments, timeline, sources",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {**STRING, "examples": ["january-20"]},
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("DayDetails"), "The day."),
                        "404": ERROR_404,
                    },
                }
            },
            "/api/v1/observances": {
                "get": {
                    "operationId": "listObservances",
                    "summary": "Observances between two dates, described in one language",
                    "parameters": [
                        {
                            "name": "from",
                            "in": "query",
                            "description": "First date (default: today in Baku).",
                            "schema": DATE,
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "description": "Last date, inclusive (default: a year after "
                            "`from`, less a day). At most 200 years after `from`.",
                            "schema": DATE,
                        },
                        {
                            "name": "lang",
                            "in": "query",
                            "description": "Language of names and labels "
                            "(default: the site's default language).",
                            "schema": {"enum": list(LANGUAGES)},
                        },
                        {
                            "name": "day",
                            "in": "query",
                            "description": "Only this day (a slug from /api/v1/days).",
                            "schema": {**STRING, "examples": ["january-20"]},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            _object(
                                {
                                    "from": DATE,
                                    "to": DATE,
                                    "lang": {"enum": list(LANGUAGES)},
                                    "day": {"type": ["string", "null"]},
                                    "observances": _array(_ref("Observance")),
                                }
                            ),
                            "The observances, by date.",
                        ),
                        "400": ERROR_400,
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
