"""The JSON API: the same data as the pages and the CLI, clear 400/404 errors, CORS."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from calendar_app.cli import cli
from tests.support.site import LANGS, client_on, parse, squash

JAN_20 = dt.date(2027, 1, 20)


def test_days_in_calendar_order_with_names_in_three_languages(app: Flask) -> None:
    response = app.test_client().get("/api/v1/days")
    assert response.status_code == 200 and response.mimetype == "application/json"
    days = response.get_json()["days"]
    assert [d["slug"] for d in days] == ["january-20", "february-26", "march-31", "september-27"]
    first = days[0]
    assert first["name"] == {
        "az": "Ümumxalq Hüzn Günü",
        "en": "National Mourning Day",
        "ru": "День всенародной скорби",
    }
    assert (first["month"], first["day"], first["events_year"]) == (1, 20, 1990)
    assert first["is_non_working"] is True and days[1]["is_non_working"] is False
    assert first["url"] == "http://127.0.0.1:8000/days/january-20"
    assert first["ics_urls"]["ru"] == "http://127.0.0.1:8000/days/january-20.ics?lang=ru"
    assert first["page_urls"]["ru"] == "http://127.0.0.1:8000/ru/days/january-20"
    assert "Ümumxalq" in response.get_data(as_text=True), "letters, not \\u escapes"


def test_day_details_carry_every_figure_with_its_sources(app: Flask) -> None:
    day = app.test_client().get("/api/v1/days/january-20").get_json()
    killed = [f for f in day["facts"] if f["kind"] == "killed"]
    assert sorted(f["value"] for f in killed) == [131, 134, 137, 147, 150]
    source_ids = {s["id"] for s in day["sources"]}
    for fact in day["facts"]:
        assert fact["sources"] and set(fact["sources"]) <= source_ids, fact["id"]
    wounded = {f["value"]: f["qualifier"] for f in day["facts"] if f["kind"] == "wounded"}
    assert wounded == {600: "more-than", 700: "more-than", 744: "exact"}
    assert day["moments"] == [
        {
            "id": "january-20-minute-of-silence",
            "kind": "minute-of-silence",
            "local_time": "12:00",
            "timezone": "Asia/Baku",
            "duration_minutes": 1,
            "description": day["moments"][0]["description"],
            "is_verified": True,
            "sources": ["seed-003-bloody-memory", "press-newsaz-2025-01-20"],
        }
    ]
    assert [a["adopted_on"] for a in day["legal_acts"]] == ["1994-03-29", "2000-01-17"]
    assert day["timeline"][0]["precision"] == "year"
    trend = next(s for s in day["sources"] if s["id"] == "seed-000-trend-2023")
    assert trend["published_on"] == "2023-01-20" and trend["published_year"] is None


def test_unverified_records_say_so(app: Flask) -> None:
    day = app.test_client().get("/api/v1/days/february-26").get_json()
    act = next(a for a in day["legal_acts"] if a["id"] == "february-26-reaffirmation-2017")
    assert act["is_verified"] is False


def test_an_unknown_day_is_a_json_404(app: Flask) -> None:
    response = app.test_client().get("/api/v1/days/february-30")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "not_found",
        "detail": "no memorial day 'february-30'; see /api/v1/days",
    }


@pytest.mark.parametrize("lang", LANGS)
def test_observances_default_to_the_coming_year(app: Flask, lang: str) -> None:
    body = client_on(app, JAN_20).get(f"/api/v1/observances?lang={lang}").get_json()
    assert (body["from"], body["to"], body["lang"], body["day"]) == (
        "2027-01-20",
        "2028-01-19",
        lang,
        None,
    )
    found = body["observances"]
    assert [o["date"] for o in found] == ["2027-01-20", "2027-02-26", "2027-03-31", "2027-09-27"]
    first = found[0]
    assert first["anniversary"] == 37
    assert (
        first["anniversary_label"]
        == {"az": "37-ci ildönümü", "en": "37th anniversary", "ru": "37-я годовщина"}[lang]
    )
    assert first["url"] == f"http://127.0.0.1:8000/{lang}/days/january-20"
    assert first["ics_url"] == f"http://127.0.0.1:8000/days/january-20.ics?lang={lang}"
    assert [o["is_jubilee"] for o in found] == [False, True, False, False]
    for key in ("slug", "name", "title", "date_label", "summary", "jubilee", "is_observed"):
        assert key in first


def test_observances_filtered_by_day_and_range(app: Flask) -> None:
    body = (
        app.test_client()
        .get("/api/v1/observances?from=2016-01-01&to=2025-12-31&lang=en&day=january-20")
        .get_json()
    )
    assert [(o["date"], o["anniversary"]) for o in body["observances"]] == [
        (f"{year}-01-20", year - 1990) for year in range(2016, 2026)
    ]
    assert body["observances"][-1]["title"] == (
        "35th anniversary of the 20 January tragedy — National Mourning Day"
    )


def test_observances_before_first_observed_year_say_so(app: Flask) -> None:
    body = (
        app.test_client()
        .get("/api/v1/observances?from=2019-01-01&to=2022-12-31&day=september-27")
        .get_json()
    )
    assert [(o["date"], o["is_observed"]) for o in body["observances"]] == [
        ("2021-09-27", True),
        ("2022-09-27", True),
    ]


def test_the_api_agrees_with_the_cli_and_the_home_page(app: Flask, runner: FlaskCliRunner) -> None:
    api = (
        client_on(app, JAN_20)
        .get("/api/v1/observances?from=2027-01-20&to=2028-01-19&lang=az")
        .get_json()["observances"]
    )
    result = runner.invoke(
        cli, ["occurrences", "--from", "2027-01-20", "--to", "2028-01-19", "--lang", "az", "--json"]
    )
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    assert len(api) == len(from_cli) == 4
    for in_api, in_cli in zip(api, from_cli, strict=True):
        assert {k: in_api[k] for k in in_cli} == in_cli
    page = parse(client_on(app, JAN_20).get("/az/").data)
    cards = [squash(li.text) for li in page.find_all("li", class_="observance")]
    for observance, card in zip(api, cards, strict=True):
        assert card.startswith(observance["date_label"])
        assert observance["name"] in card
        assert observance["title"].startswith(observance["anniversary_phrase"])
        assert observance["anniversary_phrase"] in card


BAD_OBSERVANCE_QUERIES = [
    ("from=tomorrow", "from: 'tomorrow' is not a date like 2027-01-20"),
    ("from=2027-13-01", "from: '2027-13-01' is not a date like 2027-01-20"),
    ("to=2027-02-30", "to: '2027-02-30' is not a date like 2027-01-20"),
    ("from=2027-1-1", "from: '2027-1-1' is not a date like 2027-01-20"),
    ("from=20270101", "from: '20270101' is not a date like 2027-01-20"),
    ("from=2027-W03-3", "from: '2027-W03-3' is not a date like 2027-01-20"),
    ("from=%D9%A2%D9%A0%D9%A2%D9%A7-01-01", "is not a date like 2027-01-20"),
    ("from=0000-01-01", "from: '0000-01-01' is not a date like 2027-01-20"),
    ("from=", "from: '' is not a date like 2027-01-20"),
    ("from=2027-02-01&to=2027-01-31", "to (2027-01-31) is before from (2027-02-01)"),
    ("from=1900-01-01&to=2100-01-01", "from 1900-01-01 to 2100-01-01 is longer than 200 years"),
    ("from=2000-01-01&to=2200-01-01", "is longer than 200 years"),
    ("lang=fr", "lang: 'fr' is not one of az, en, ru"),
    ("lang=", "lang: '' is not one of az, en, ru"),
    ("day=february-30", "day: no memorial day 'february-30'; see /api/v1/days"),
    ("day=", "day: no memorial day ''; see /api/v1/days"),
]


def test_bad_observance_queries_get_a_json_400_that_says_what_is_wrong(app: Flask) -> None:
    client = app.test_client()
    for query, detail in BAD_OBSERVANCE_QUERIES:
        response = client.get(f"/api/v1/observances?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/json", query
        body = response.get_json()
        assert body["error"] == "bad_request", query
        assert detail in body["detail"], (query, body)
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_ends_of_the_calendar_are_not_errors(app: Flask) -> None:
    client = app.test_client()
    for query in (
        "from=9999-01-01&to=9999-12-31",
        "from=9999-12-31",
        "from=0001-01-01&to=0200-12-31",
        "from=1990-01-20&to=1990-01-20",
        "from=1827-01-01&to=2026-12-31",  # just under 200 years
    ):
        response = client.get(f"/api/v1/observances?{query}")
        assert response.status_code == 200, query
    last = client.get("/api/v1/observances?from=9999-01-01").get_json()
    assert last["to"] == "9999-12-31" and last["observances"][-1]["anniversary"] == 7979
    assert (
        client.get("/api/v1/observances?from=1990-01-20&to=1990-01-20").get_json()["observances"]
        == []
    ), "no anniversary in the year of the events"


def test_unknown_api_paths_and_methods_answer_in_json(app: Flask) -> None:
    client = app.test_client()
    missing = client.get("/api/v2/days")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    wrong = client.post("/api/v1/days")
    assert wrong.status_code == 405 and wrong.get_json()["error"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_any_site_may_read_the_api(app: Flask) -> None:
    client = app.test_client()
    for path in ("/api/v1/days", "/api/v1/days/nope", "/api/openapi.json", "/api/nothing"):
        response = client.get(path, headers={"Origin": "https://school.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
    preflight = client.options("/api/v1/observances")
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/").headers
