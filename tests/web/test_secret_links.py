"""The secrets in links stay out of logs and Referer headers: the app's log lines,
Flask's exception lines, gunicorn's access log and nginx's log format write
``[token]`` instead; every page a secret link opens is private (no referrer, no
store, no index)."""

from __future__ import annotations

import logging
import re
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from calendar_app.core.secret_paths import redact_secrets
from tests.conftest import build_app
from tests.support.hostile import csrf_of
from tests.support.processes import free_port, serve_env, start_serve, wait_until_healthy
from tests.support.smtp_sink import SmtpSink, link_in

REPO = Path(__file__).resolve().parents[2]
SECRET = "Sx3cr3tT0k3n_-9aZ"
SECRET_PATHS = [
    f"/confirm/{SECRET}",
    f"/manage/{SECRET}",
    f"/unsubscribe/{SECRET}",
    f"/remember/confirm/{SECRET}",
    f"/remember/manage/{SECRET}",
    f"/remember/manage/{SECRET}/export.json",
    f"/remember/feed/{SECRET}.ics",
    f"/remember/feed/{SECRET}.ics?lang=az",
    f"/remember/family/{SECRET}.ics",
    f"/remember/family/{SECRET}.ics?lang=ru",
    f"/remember/invitation/{SECRET}",
]
PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def test_the_redaction_keeps_the_route_and_drops_the_secret() -> None:
    assert (
        redact_secrets(f"GET /manage/{SECRET}?x=1 HTTP/1.1") == "GET /manage/[token]?x=1 HTTP/1.1"
    )
    assert redact_secrets(f"/remember/feed/{SECRET}.ics") == "/remember/feed/[token].ics"
    assert redact_secrets(f"/remember/family/{SECRET}.ics") == "/remember/family/[token].ics"
    assert redact_secrets(f"https://h/remember/manage/{SECRET}/export.json") == (
        "https://h/remember/manage/[token]/export.json"
    )
    for public in ("/", "/subscribe", "/remember", "/days/january-20.ics", "/calendar.ics"):
        assert redact_secrets(public) == public


def test_every_page_a_secret_link_opens_is_private(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    client = smtp_app.test_client()
    page = client.get("/subscribe").get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "email": "owner@example.org", "lang": "en",
            "timezone": "Asia/Baku", "days": ["january-20"], "leads": ["1"],
            "send_hour": "9"}  # fmt: skip
    assert client.post("/subscribe", data=form).status_code == 200
    confirm = link_in(smtp_sink.messages[-1], "confirm")
    response = client.get(confirm)
    assert response.status_code == 200
    opened = [response]
    button = {"csrf_token": csrf_of(response.get_data(as_text=True))}
    assert client.post(confirm, data=button).status_code == 200
    manage = link_in(smtp_sink.messages[-1], "manage")
    token = manage.rsplit("/", 1)[1]
    opened += [client.get(manage), client.get(f"/unsubscribe/{token}")]
    opened += [client.get(path) for path in SECRET_PATHS]  # invalid links: 404 and 410 pages
    for response in opened:
        for name, value in PRIVATE.items():
            assert response.headers.get(name) == value, (response.request.path, name)
    public = client.get("/subscribe")
    assert public.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_flask_exception_lines_do_not_hold_the_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")

    @app.before_request
    def fail_on_a_secret_link() -> None:  # an unexpected bug on exactly such a page
        raise RuntimeError("boom while serving the page")

    with caplog.at_level(logging.ERROR):
        for path in SECRET_PATHS:
            assert app.test_client().get(path).status_code == 500
    logged = caplog.text
    assert logged.count("Exception on /") == len(SECRET_PATHS)
    assert "Traceback" in logged and "[token]" in logged
    assert SECRET not in logged


def test_gunicorn_access_log_has_no_secret(tmp_path: Path) -> None:
    port = free_port()
    env = serve_env(f"sqlite:///{tmp_path / 'fresh.db'}")
    process = start_serve(port, env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        for path in SECRET_PATHS:
            referer = base + SECRET_PATHS[1]  # as if a link on a private page were followed
            request = urllib.request.Request(base + path, headers={"Referer": referer})
            try:
                urllib.request.urlopen(request, timeout=10).close()
            except urllib.error.HTTPError as error:
                assert error.code in (404, 410)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    access = [line for line in output.splitlines() if "[token]" in line]
    assert len(access) >= len(SECRET_PATHS), output
    assert SECRET not in output


def _nginx_maps() -> list[tuple[re.Pattern[str], str]]:
    conf = (REPO / "deploy/nginx/calendar-app.conf").read_text()
    found = []
    for pattern, value in re.findall(r'^\s*"~(\^[^"]+)"\s+"([^"]+)";', conf, re.MULTILINE):
        python = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", value)
        found.append((re.compile(pattern.replace("\\\\", "\\")), python))
    return found


def test_nginx_log_format_redacts_the_request_and_the_referer() -> None:
    conf = (REPO / "deploy/nginx/calendar-app.conf").read_text()
    assert conf.count("calendar_redacted;") == 2  # both servers log with it
    log_format = conf.split("log_format calendar_redacted", 1)[1].split(";", 1)[0]
    assert "$request " not in log_format and "$request_uri" not in log_format
    assert "$http_referer" not in log_format
    uri_map, referer_map = _nginx_maps()
    for path in SECRET_PATHS:
        assert uri_map[0].sub(uri_map[1], path) == redact_secrets(path)
        referer = f"https://calendar.example.org{path}"
        assert referer_map[0].sub(referer_map[1], referer) == redact_secrets(referer)
    for public in ("/", "/remember", "/days/january-20.ics?lang=az", "/calendar.ics"):
        assert not uri_map[0].match(public)
