"""Bad input on the pages gives a clear 400 or 404 page in the reader's language, never a
500; every response carries the security headers; only the widget may be framed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from calendar_app.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import build_app
from tests.support.site import client_on, parse, squash

BAD_REQUESTS = [
    # (path, status, text the reader sees, in English)
    ("/?lang=fr", 400, "There is no version of this page in “fr”. Choose az, en or ru."),
    ("/?lang=", 400, "There is no version of this page in “”."),
    ("/?lang=EN", 400, "“EN”"),
    ("/?lang=%00", 400, "Choose az, en or ru."),
    ("/?lang=" + "x" * 5000, 400, "“" + "x" * 20 + "”"),
    ("/sources?lang=de", 400, "Choose az, en or ru."),
    ("/days/january-20?lang=tr", 400, "Choose az, en or ru."),
    ("/embed?lang=de", 400, "Choose az, en or ru."),
    ("/feed.atom?lang=de", 400, "Choose az, en or ru."),
    ("/en/embed?limit=0", 400, "“limit” must be a whole number from 1 to 12."),
    ("/en/embed?limit=13", 400, "from 1 to 12"),
    ("/en/embed?limit=-1", 400, "from 1 to 12"),
    ("/en/embed?limit=abc", 400, "from 1 to 12"),
    ("/en/embed?limit=1e3", 400, "from 1 to 12"),
    ("/en/embed?limit=%D9%A3", 400, "from 1 to 12"),  # Arabic-Indic three
    ("/en/embed?limit=99999999999999999999999", 400, "from 1 to 12"),
    ("/en/embed?limit=", 400, "from 1 to 12"),
    ("/en/?lang=fr", 400, "There is no version of this page in “fr”."),
    ("/en/days/january-20?lang=EN", 400, "“EN”"),
    ("/en/days/nope", 404, "There is no memorial day “nope”."),
    ("/en/days/January-20", 404, "There is no memorial day “January-20”."),
    ("/en/days/%E2%80%AE%3Cb%3E", 404, "There is no memorial day"),
    ("/en/days/" + "a" * 3000, 404, "There is no memorial day"),
    ("/days/", 404, "There is no page at this address."),
    ("/fr/", 404, "There is no page at this address."),
    ("/EN/days/january-20", 404, "There is no page at this address."),
    ("/days/january-20/extra", 404, "There is no page at this address."),
    ("/nothing-here", 404, "There is no page at this address."),
    ("/static/nothing.css", 404, "There is no page at this address."),
    ("/static/../calendar_app/__init__.py", 404, "There is no page at this address."),
]


def test_bad_parameters_get_a_clear_page_and_never_a_server_error(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 20))
    for path, status, text in BAD_REQUESTS:
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == status, path
        assert response.mimetype == "text/html", path
        body = squash(response.get_data(as_text=True))
        assert text in body, (path, body[:500])
        assert '<html lang="en">' in response.get_data(as_text=True)


def test_error_pages_are_in_the_readers_language(client: FlaskClient) -> None:
    ru = client.get("/days/nope", headers={"Accept-Language": "ru"}, follow_redirects=True)
    assert ru.status_code == 404
    text = squash(ru.get_data(as_text=True))
    assert "Страница не найдена" in text and "Памятной даты «nope» на сайте нет." in text
    az = client.get("/?lang=fr", headers={"Accept-Language": "az-Latn-AZ"})
    assert az.status_code == 400
    assert (
        "Bu səhifənin «fr» dilində versiyası yoxdur. Azərbaycan, ingilis və ya rus dilini seçin."
        in squash(az.get_data(as_text=True))
    )
    ru_lang = client.get("/?lang=fr", headers={"Accept-Language": "ru"})
    assert (
        "Версии этой страницы на языке «fr» нет. "
        "Выберите азербайджанский, английский или русский язык."
    ) in squash(ru_lang.get_data(as_text=True))
    assert '<html lang="az">' in az.get_data(as_text=True)
    client.set_cookie("lang", "ru")
    assert "Страница не найдена" in client.get("/missing").get_data(as_text=True)


def test_a_wrong_method_gets_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/en/", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "This page cannot be used that way" in response.get_data(as_text=True)


def test_an_unexpected_failure_gets_a_localized_500_page(tmp_path: Path) -> None:
    application = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")

    def broken() -> str:
        raise RuntimeError("boom")

    application.add_url_rule("/broken", view_func=broken)
    application.logger.disabled = True  # the traceback is expected
    response = application.test_client().get("/broken?lang=ru")
    assert response.status_code == 500
    text = squash(response.get_data(as_text=True))
    assert "На сайте произошла ошибка" in text
    assert "boom" not in text and "Traceback" not in text
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_pages_work_on_an_empty_database(tmp_path: Path) -> None:
    from calendar_app.data.prepare import prepare_database
    from calendar_app.extensions import db

    application = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")
    prepare_database(application)
    with application.app_context():
        db.session.execute(db.text("DELETE FROM data_state"))  # nothing else references it
        db.session.commit()
    client = application.test_client()
    assert client.get("/feed.atom").status_code == 200


def test_every_response_has_the_security_headers(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 20))
    for path in (
        "/",
        "/days/january-20",
        "/sources",
        "/en/",
        "/en/days/january-20",
        "/en/sources",
        "/feed.atom",
        "/api/v1/days",
        "/api/nope",
        "/nope",
        "/?lang=xx",
        "/healthz",
    ):
        response = client.get(path)
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, path
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert headers["X-Frame-Options"] == "DENY", path
    with client.get("/static/site.css") as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_widget_may_be_framed(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 20))
    for path in ("/embed", "/embed?lang=ru&limit=2", "/ru/embed?limit=2", "/en/embed?limit=0"):
        response = client.get(path)
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"], path
        assert "X-Frame-Options" not in response.headers, path
        assert "Set-Cookie" not in response.headers, "a widget in an iframe sets no cookie"


@pytest.mark.parametrize("path", ["/", "/days/january-20", "/sources"])
def test_language_switcher_and_hreflang_alternates(app: Flask, path: str) -> None:
    page = parse(client_on(app, dt.date(2027, 1, 20)).get(f"/ru{path}").data)
    alternates = {
        link.attrs["hreflang"]: link.attrs["href"]
        for link in page.find_all("link", rel="alternate")
        if link.attrs.get("hreflang")
    }
    assert alternates == {
        **{lang: f"http://127.0.0.1:8000/{lang}{path}" for lang in ("az", "en", "ru")},
        "x-default": f"http://127.0.0.1:8000{path}",
    }
    switcher = page.find_all("nav", class_="languages")[0]
    assert squash(switcher.text) == "Azərbaycanca English Русский"
    links = {
        a.attrs["hreflang"]: a.attrs["href"] for a in page.find_all("a") if a.attrs.get("hreflang")
    }
    assert links == {lang: f"/{lang}{path}" for lang in ("az", "en", "ru")}
    current = [a for a in page.find_all("a") if a.attrs.get("aria-current") == "true"]
    assert [a.attrs["hreflang"] for a in current] == ["ru"]


@pytest.mark.parametrize("host", ["a" * 70 + ".example.org", "a..b", "."])
@pytest.mark.parametrize("path", ["/", "/subscribe", "/calendar.ics", "/api/v1/days", "/nope"])
def test_a_host_header_that_is_no_host_name_gets_400_not_500(
    app: Flask, host: str, path: str
) -> None:
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400
    assert "Host" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "heading", "detail"),
    [
        ("az", "Formanın vaxtı bitib", "Səhifəni yeniləyib formanı yenidən göndərin."),
        ("ru", "Форма устарела", "Обновите страницу и отправьте форму ещё раз."),
        ("en", "This form has expired", "Reload the page and send the form again."),
    ],
)
def test_a_form_without_its_security_token_is_explained_in_the_readers_language(
    app: Flask, lang: str, heading: str, detail: str
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post(f"/subscribe?lang={lang}", data={"email": "a@example.org"})
    assert response.status_code == 400
    text = squash(response.get_data(as_text=True))
    assert heading in text and detail in text
    assert "CSRF" not in text and "token" not in text


@pytest.mark.parametrize(
    ("query", "headers", "reason"),
    [
        ("?lang=az", {}, "«no-such-day» adlı anım günü yoxdur.\n"),
        ("", {"Accept-Language": "ru"}, "Памятной даты «no-such-day» на сайте нет.\n"),
    ],
)
def test_a_day_feed_that_does_not_exist_says_so_in_the_readers_language(
    client: FlaskClient, query: str, headers: dict[str, str], reason: str
) -> None:
    response = client.get("/days/no-such-day.ics" + query, headers=headers)
    assert response.status_code == 404
    assert response.get_data(as_text=True) == reason
