"""/api/openapi.json describes what the API really answers: schemathesis generates
requests from it (valid and invalid) and checks every response against it."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from calendar_app.web.openapi import openapi_document

BASE_URL = "http://127.0.0.1:8000"  # the configured default, as the tests' apps use
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded so the whole suite stays fast; derandomized so a run is repeatable.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# The document the app serves (test_the_served_document_is_this_one checks it is the same);
# loaded from the function because pytest needs the operations before any app exists.
schema = schemathesis.openapi.from_dict(openapi_document(BASE_URL))
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@schema.parametrize()
@EXAMPLES
def test_api_answers_as_documented(case: Any, app: Flask) -> None:
    # Schemathesis reads WSGI bodies as they come; an HTTP client would un-gzip them.
    case.call_and_validate(app=app, checks=CHECKS, headers={"Accept-Encoding": "identity"})


def test_the_served_document_is_this_one(app: Flask) -> None:
    served = app.test_client().get("/api/openapi.json").get_json()
    assert served == openapi_document(BASE_URL)


def test_the_document_is_openapi_3_1_and_lists_every_route(app: Flask) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://127.0.0.1:8000"}]
    documented = set(document["paths"])
    served = {
        rule.rule.replace("<slug>", "{slug}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert documented == served
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert "200" in operation["responses"], path
    observances = document["components"]["schemas"]["Observance"]
    for field in (
        "date",
        "slug",
        "name",
        "title",
        "anniversary",
        "anniversary_label",
        "is_jubilee",
        "url",
        "ics_url",
    ):
        assert field in observances["required"], field


def test_the_schemas_reject_what_the_api_must_not_answer(app: Flask) -> None:
    """The closed schemas catch a missing or extra field (the check above relies on it)."""
    import jsonschema_rs

    document = app.test_client().get("/api/openapi.json").get_json()
    body = app.test_client().get("/api/v1/observances?lang=en").get_json()
    schemas = document["components"]["schemas"]
    wrapper = {"$defs": schemas, **schemas["Observance"]}
    wrapper = _rebase(wrapper)
    validator = jsonschema_rs.validator_for(wrapper)
    good = body["observances"][0]
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "extra": 1})
    assert not validator.is_valid({k: v for k, v in good.items() if k != "ics_url"})
    assert not validator.is_valid({**good, "anniversary": "37"})


def _rebase(schema: Any) -> Any:
    """Point #/components/schemas/X references at #/$defs/X for a standalone validator."""
    if isinstance(schema, dict):
        return {
            k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema
