"""Configuration: precedence, secrets, and every kind of error as one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from calendar_app.config import ConfigError, Settings, load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def settings(tmp_path: Path, env: dict[str, str] | None = None, **kw: Any) -> Settings:
    return load_settings(tmp_path / "instance", environ=env or {}, **kw)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert s.server.port == 8000 and s.server.base_url == "http://127.0.0.1:8000"
    assert s.database.url == f"sqlite:///{tmp_path / 'instance' / 'calendar.db'}"
    assert s.mail.backend == "file" and s.mail.outbox_dir == tmp_path / "instance" / "outbox"
    assert s.reminders.lead_days == (1, 0) and s.reminders.send_hour == 9
    assert (s.feed.years_back, s.feed.years_ahead) == (2, 10)
    assert s.source == "built-in defaults"


def test_precedence_defaults_file_environment_overrides(tmp_path: Path) -> None:
    write(
        tmp_path / "config.toml",
        '[server]\nport = 8100\nhost = "0.0.0.0"\n[feed]\nyears_back = 5\n',
    )
    env = {"CALENDAR_APP_SERVER_PORT": "8200", "CALENDAR_APP_REMINDERS_LEAD_DAYS": "7,1,0"}
    s = settings(tmp_path, env, overrides={"server": {"host": "10.0.0.1"}})
    assert s.server.port == 8200  # environment beats the file
    assert s.server.host == "10.0.0.1"  # overrides beat everything
    assert s.feed.years_back == 5  # the file beats the defaults
    assert s.feed.years_ahead == 10  # the default stands where nobody spoke
    assert s.reminders.lead_days == (7, 1, 0)


def test_file_named_by_environment_and_relative_paths(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = write(folder / "prod.toml", '[database]\nurl = "sqlite:///data/c.db"\n'
                                        '[mail]\noutbox_dir = "mail"\n')  # fmt: skip
    s = settings(tmp_path, {"CALENDAR_APP_CONFIG": str(path)})
    assert s.database.url == f"sqlite:///{folder / 'data' / 'c.db'}"
    assert s.mail.outbox_dir == folder / "mail"
    assert s.source == str(path)


def test_secret_key_from_environment_or_generated_once(tmp_path: Path) -> None:
    assert settings(tmp_path, {"CALENDAR_APP_SECRET_KEY": "s3cret"}).secret_key == "s3cret"
    first = settings(tmp_path).secret_key
    assert len(first) == 64 and settings(tmp_path).secret_key == first
    secret_file = tmp_path / "instance" / "secret_key"
    assert secret_file.stat().st_mode & 0o077 == 0
    assert settings(tmp_path, {"CALENDAR_APP_MAIL_PASSWORD": "pw"}).mail.password == "pw"


def test_unknown_key_warns_and_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", "[server]\nprot = 1\n")
    warnings: list[str] = []
    settings(tmp_path, warn=warnings.append)
    assert warnings == [f"{tmp_path / 'config.toml'}: [server] prot: unknown key; ignored"]


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ('[server]\nport = "80"\n', {}, "[server] port: expected an integer, got '80'"),
        ("[server]\nport = 70000\n", {}, "[server] port: must be 1-65535"),
        ("[reminders]\nenabled = 1\n", {}, "[reminders] enabled: expected true or false"),
        (
            '[reminders]\nlead_days = [1, "x"]\n',
            {},
            "[reminders] lead_days: item 2: expected an integer, got 'x'",
        ),
        ("[reminders]\nsend_hour = 24\n", {}, "[reminders] send_hour: must be 0-23"),
        (
            "[reminders]\nlead_days = [3]\n",
            {},
            "[reminders] lead_days: must be a non-empty list of 7, 1, 0",
        ),
        ("[reminders]\nretry_seconds = 0\n", {}, "[reminders] retry_seconds: must be 1-3600"),
        (
            "[reminders]\nretry_seconds = 600\nretry_max_seconds = 60\n",
            {},
            "[reminders] retry_max_seconds: must be from retry_seconds to 86400",
        ),
        ('[mail]\nbackend = "pigeon"\n', {}, "[mail] backend: must be one of file, smtp, console"),
        ("[mail]\nstarttls = true\nssl = true\n", {}, "starttls and ssl cannot both be true"),
        (
            '[mail]\nbounce_domain = "bounces@example.org"\n',
            {},
            "[mail] bounce_domain: must be a domain name",
        ),
        ("[mail]\nsoft_bounce_limit = 0\n", {}, "[mail] soft_bounce_limit: must be 1-100"),
        ("[mail]\nsoft_bounce_days = 400\n", {}, "[mail] soft_bounce_days: must be 1-365"),
        ('[mail]\ndkim_selector = "cal 1"\n', {}, "[mail] dkim_selector: not a DNS label"),
        ("[metrics]\nenabled = 1\n", {}, "[metrics] enabled: expected true or false"),
        ('[site]\ndefault_language = "de"\n', {}, "[site] default_language: must be one of"),
        ('[server]\nbase_url = "example.org"\n', {}, "[server] base_url: must start with http"),
        ("[feed]\nyears_ahead = 1000\n", {}, "[feed] years_ahead: must be 0-100"),
        ("[serverz]\nport = 1\n", {}, "unknown section [serverz]"),
        ("port = 1\n", {}, "'port' must be a [section]"),
        ("[server\n", {}, "not valid TOML"),
        ('[app]\nsecret_key = "x"\n', {}, "secrets are read only from the environment"),
        ('[mail]\npassword = "x"\n', {}, "secrets are read only from the environment"),
        (
            "",
            {"CALENDAR_APP_SERVER_PORT": "eighty"},
            "CALENDAR_APP_SERVER_PORT: expected an integer",
        ),
        ("", {"CALENDAR_APP_REMINDERS_ENABLED": "maybe"}, "expected true or false"),
        (  # a value from the environment is blamed on its variable, not on the file
            '[server]\nhost = "0.0.0.0"\n',
            {"CALENDAR_APP_SERVER_PORT": "70000"},
            "environment: CALENDAR_APP_SERVER_PORT: must be 1-65535, got 70000",
        ),
        (
            "",
            {"CALENDAR_APP_REMINDERS_LEAD_DAYS": "7,x"},
            "CALENDAR_APP_REMINDERS_LEAD_DAYS: item 2: expected an integer, got 'x'",
        ),
        ("[inbound]\nmax_mime_parts = 0\n", {}, "[inbound] max_mime_parts: must be 1-104857600"),
    ],
)
def test_every_error_names_the_place_and_the_key(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    if text:
        write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as caught:
        settings(tmp_path, env)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    where = "environment" if env else str(tmp_path / "config.toml")
    assert str(caught.value).startswith(where)


def test_unknown_environment_names_warn_and_are_ignored(tmp_path: Path) -> None:
    warnings: list[str] = []
    env = {"CALENDAR_APP_SERVER_PROT": "1", "CALENDAR_APP_SERVERZ_PORT": "1", "OTHER": "x"}
    s = settings(tmp_path, env, warn=warnings.append)
    assert s.server.port == 8000
    assert sorted(warnings) == [
        "CALENDAR_APP_SERVERZ_PORT: no such configuration section; ignored",
        "CALENDAR_APP_SERVER_PROT: no key 'prot' in [server]; ignored",
    ]


def test_computed_values_cannot_be_set_from_outside(tmp_path: Path) -> None:
    warnings: list[str] = []
    write(tmp_path / "config.toml", '[mail]\ntoken_key = "x"\ndkim = "x"\n')
    s = settings(tmp_path, {"CALENDAR_APP_MAIL_TOKEN_KEY": "x"}, warn=warnings.append)
    assert len(s.mail.token_key) == 32 and s.mail.dkim is None
    assert len(warnings) == 3 and all("token_key" in w or "dkim" in w for w in warnings)


def test_a_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        settings(tmp_path, {"CALENDAR_APP_CONFIG": str(tmp_path / "nope.toml")})


def test_the_cli_reports_a_config_error_in_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[server]\nport = "eighty"\n')
    result = subprocess.run(
        [sys.executable, "-c", "from calendar_app.cli import main; main()", "upcoming"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'config.toml'}: [server] port: expected an integer, got 'eighty'"
    ]


def test_the_shipped_config_toml_is_valid_and_matches_the_defaults(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "config.toml"
    s = load_settings(tmp_path, environ={"CALENDAR_APP_CONFIG": str(shipped)}, warn=pytest.fail)
    defaults = settings(tmp_path)
    assert s.server == defaults.server and s.feed == defaults.feed
    assert s.reminders == defaults.reminders
    assert s.database.url == f"sqlite:///{shipped.parent / 'instance' / 'calendar.db'}"
