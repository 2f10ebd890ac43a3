"""Load and validate configuration.

Precedence, lowest first: built-in defaults < ``config.toml`` (or the file named
by ``CALENDAR_APP_CONFIG``) < environment variables ``CALENDAR_APP_<SECTION>_<KEY>``
< overrides passed by code (tests). Secrets come only from the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from calendar_app.core.languages import LANGUAGES
from calendar_app.core.mail_limits import MessageLimits
from calendar_app.core.reminder_plan import LEAD_CHOICES

ENV_PREFIX = "CALENDAR_APP_"
ENV_CONFIG_FILE = ENV_PREFIX + "CONFIG"
ENV_SECRET_KEY = ENV_PREFIX + "SECRET_KEY"
ENV_MAIL_PASSWORD = ENV_PREFIX + "MAIL_PASSWORD"
SECRET_NAMES = {"secret_key", "password", "mail_password"}
MAIL_BACKENDS = ("file", "smtp", "console")
ENVIRONMENTS = ("development", "production")
WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "default", "test"}
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10  # token_hex(32) has 16 possible; a repeated pattern has few
# Words of a key copied from documentation rather than generated (never in a random key).
PLACEHOLDER_WORDS = ("change", "secret", "example", "placeholder", "replace", "default", "insecure")

# The schema: section -> key -> default. The default's type is the key's type;
# a default of None means "computed from the instance folder".
DEFAULTS: dict[str, dict[str, Any]] = {
    "server": {
        "host": "127.0.0.1",
        "port": 8000,
        "base_url": "http://127.0.0.1:8000",
        "workers": 2,
        "environment": "development",
        "trusted_proxies": 0,
        "compress": True,
    },
    "site": {
        "default_language": "az",
    },
    "database": {
        "url": None,
    },
    "mail": {
        "backend": "file",
        "sender": "Commemoration Calendar <calendar@localhost>",
        "outbox_dir": None,
        "host": "localhost",
        "port": 25,
        "starttls": False,
        "ssl": False,
        "username": "",
        "max_per_second": 0,
        "dkim_selector": "",
        "dkim_domain": "",
        "dkim_key_file": None,
        "bounce_domain": "",
        "soft_bounce_limit": 3,
        "soft_bounce_days": 14,
    },
    "inbound": {  # what `calendar-app inbound` accepts before parsing (core/mail_limits.py)
        "max_message_bytes": MessageLimits.max_message_bytes,
        "max_header_bytes": MessageLimits.max_header_bytes,
        "max_field_bytes": MessageLimits.max_field_bytes,
        "max_mime_field_bytes": MessageLimits.max_mime_field_bytes,
        "max_encoded_words": MessageLimits.max_encoded_words,
        "max_mime_parts": MessageLimits.max_mime_parts,
    },
    "reminders": {
        "enabled": True,
        "send_hour": 9,
        "lead_days": [1, 0],
        "tick_seconds": 60,
        "lease_seconds": 300,
        "retry_seconds": 60,
        "retry_max_seconds": 3600,
    },
    "feed": {
        "years_back": 2,
        "years_ahead": 10,
    },
    "limits": {
        "enabled": True,
        "storage_uri": "memory://",
    },
    "metrics": {
        "enabled": False,
    },
}
KEY_TYPES: dict[str, dict[str, type]] = {
    "database": {"url": str},
    "mail": {"outbox_dir": str, "dkim_key_file": str},
}


class ConfigError(Exception):
    """A configuration problem, worded as one line for the operator."""


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    base_url: str
    workers: int
    environment: str  # development | production
    trusted_proxies: int  # reverse proxies in front whose X-Forwarded-* headers count
    compress: bool = True  # gzip text responses here (off when a proxy compresses)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


@dataclass(frozen=True)
class SiteSettings:
    default_language: str


@dataclass(frozen=True)
class DatabaseSettings:
    url: str


@dataclass(frozen=True)
class MailSettings:
    backend: str
    sender: str
    outbox_dir: Path
    host: str
    port: int
    starttls: bool
    ssl: bool
    username: str
    password: str = field(repr=False)
    dkim: DkimSettings | None = None  # None: the relay signs, or nobody
    bounce_domain: str = ""  # VERP Return-Path and the mailto: unsubscribe address; "": off
    soft_bounce_limit: int = 3  # soft bounces within soft_bounce_days that suppress
    soft_bounce_days: int = 14
    token_key: bytes = field(default=b"", repr=False)  # keys the VERP tokens (from secret_key)
    max_per_second: int = 0  # per sending process; 0: no limit (a relay's rate limit)


@dataclass(frozen=True)
class DkimSettings:
    selector: str
    domain: str
    key_file: Path
    private_key: bytes = field(repr=False)  # PEM, PKCS#1 or PKCS#8 RSA


@dataclass(frozen=True)
class ReminderSettings:
    enabled: bool
    send_hour: int
    lead_days: tuple[int, ...]
    tick_seconds: int
    lease_seconds: int  # a claimed row returns to others if not finished by then
    retry_seconds: int  # the first wait after a transient failure; it doubles per failure
    retry_max_seconds: int  # ... up to this


@dataclass(frozen=True)
class FeedSettings:
    years_back: int
    years_ahead: int


@dataclass(frozen=True)
class LimitSettings:
    enabled: bool
    storage_uri: str


@dataclass(frozen=True)
class MetricsSettings:
    enabled: bool  # serve /metrics (Prometheus); keep it off the public listener


@dataclass(frozen=True)
class Settings:
    server: ServerSettings
    site: SiteSettings
    database: DatabaseSettings
    mail: MailSettings
    reminders: ReminderSettings
    feed: FeedSettings
    limits: LimitSettings
    secret_key: str
    source: str  # where the file layer came from, for messages
    metrics: MetricsSettings = MetricsSettings(enabled=False)
    inbound: MessageLimits = field(default_factory=MessageLimits)


def load_settings(
    instance_dir: Path,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    warn: Any = None,
) -> Settings:
    """Build validated settings; raise ConfigError with one clear line on any problem."""
    env = dict(os.environ if environ is None else environ)
    say = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
    values: dict[str, dict[str, Any]] = {s: dict(keys) for s, keys in DEFAULTS.items()}

    path, required = _config_path(env)
    label = str(path)
    if path.exists():
        _merge(values, _read_file(path), label, say)
    elif required:
        raise ConfigError(f"{label}: configuration file not found (named by {ENV_CONFIG_FILE})")
    else:
        label = "built-in defaults"
    base_dir = path.parent if path.exists() else Path.cwd()

    _merge(values, _read_environment(env, say), "environment", say)
    if overrides:
        _merge(values, {s: dict(v) for s, v in overrides.items()}, "overrides", say)

    return _build(values, env, instance_dir, base_dir, label)


def _config_path(env: Mapping[str, str]) -> tuple[Path, bool]:
    named = env.get(ENV_CONFIG_FILE)
    if named:
        return Path(named).expanduser().resolve(), True
    return Path.cwd() / "config.toml", False


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    for section, keys in data.items():
        if not isinstance(keys, dict):
            raise ConfigError(f"{path}: '{section}' must be a [section], not a bare key")
        for key in keys:
            if key in SECRET_NAMES:
                raise ConfigError(
                    f"{path}: [{section}] {key}: secrets are read only from the environment "
                    f"({ENV_SECRET_KEY}, {ENV_MAIL_PASSWORD})"
                )
    return data


def _read_environment(env: Mapping[str, str], say: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    special = {ENV_CONFIG_FILE, ENV_SECRET_KEY, ENV_MAIL_PASSWORD}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name in special:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in DEFAULTS if rest.startswith(s + "_")), None)
        if section is None:
            say(f"{name}: no such configuration section; ignored")
            continue
        key = rest[len(section) + 1 :]
        if key not in DEFAULTS[section]:
            say(f"{name}: no key '{key}' in [{section}]; ignored")
            continue
        found.setdefault(section, {})[key] = _parse_env_value(name, raw, _key_type(section, key))
    return found


def _key_type(section: str, key: str) -> type:
    default = DEFAULTS[section][key]
    return KEY_TYPES.get(section, {}).get(key) or type(default)


def _parse_env_value(name: str, raw: str, kind: type) -> Any:
    text = raw.strip()
    if kind is bool:
        lowered = text.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"environment: {name}: expected true or false, got {raw!r}")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"environment: {name}: expected an integer, got {raw!r}") from None
    if kind is list:
        try:
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise ConfigError(
                f"environment: {name}: expected comma-separated integers, got {raw!r}"
            ) from None
    return raw


def _merge(
    values: dict[str, dict[str, Any]], layer: Mapping[str, Any], label: str, say: Any
) -> None:
    for section, keys in layer.items():
        if section not in DEFAULTS:
            known = ", ".join(DEFAULTS)
            raise ConfigError(f"{label}: unknown section [{section}] (known: {known})")
        for key, value in keys.items():
            if key not in DEFAULTS[section]:
                say(f"{label}: [{section}] {key}: unknown key; ignored")
                continue
            values[section][key] = _check_type(label, section, key, value)


def _check_type(label: str, section: str, key: str, value: Any) -> Any:
    kind = _key_type(section, key)
    where = f"{label}: [{section}] {key}"
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{where}: expected an integer, got {value!r}")
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if kind is str and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    if kind is list and not (
        isinstance(value, list)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ConfigError(f"{where}: expected a list of integers, got {value!r}")
    return value


def _build(
    values: dict[str, dict[str, Any]],
    env: Mapping[str, str],
    instance_dir: Path,
    base_dir: Path,
    label: str,
) -> Settings:
    def fail(section: str, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{label}: [{section}] {key}: {reason}")

    server = values["server"]
    if not 1 <= server["port"] <= 65535:
        raise fail("server", "port", f"must be 1-65535, got {server['port']}")
    if server["workers"] < 1:
        raise fail("server", "workers", f"must be at least 1, got {server['workers']}")
    base_url = str(server["base_url"]).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise fail("server", "base_url", f"must start with http:// or https://, got {base_url!r}")

    if server["environment"] not in ENVIRONMENTS:
        raise fail("server", "environment", f"must be one of {', '.join(ENVIRONMENTS)}")
    if not 0 <= server["trusted_proxies"] <= 5:
        raise fail("server", "trusted_proxies", "must be 0-5")
    secret = env.get(ENV_SECRET_KEY, "")
    if server["environment"] == "production":
        _check_production_secret(secret)

    language = values["site"]["default_language"]
    if language not in LANGUAGES:
        raise fail("site", "default_language", f"must be one of {', '.join(LANGUAGES)}")

    url = values["database"]["url"] or f"sqlite:///{instance_dir / 'calendar.db'}"
    url = _absolute_sqlite_url(url, base_dir)

    mail = values["mail"]
    if mail["backend"] not in MAIL_BACKENDS:
        raise fail("mail", "backend", f"must be one of {', '.join(MAIL_BACKENDS)}")
    if mail["starttls"] and mail["ssl"]:
        raise fail("mail", "ssl", "starttls and ssl cannot both be true")
    if not 1 <= mail["port"] <= 65535:
        raise fail("mail", "port", f"must be 1-65535, got {mail['port']}")
    if not 0 <= mail["max_per_second"] <= 100000:
        raise fail("mail", "max_per_second", f"must be 0-100000, got {mail['max_per_second']}")
    outbox = Path(mail["outbox_dir"]) if mail["outbox_dir"] else instance_dir / "outbox"
    outbox = outbox if outbox.is_absolute() else base_dir / outbox
    dkim = _dkim_settings(mail, instance_dir, base_dir, fail)
    bounce_domain = str(mail["bounce_domain"]).strip().lower()
    if bounce_domain and not HOSTNAME.fullmatch(bounce_domain):
        raise fail("mail", "bounce_domain", f"must be a domain name, got {bounce_domain!r}")
    if not 1 <= mail["soft_bounce_limit"] <= 100:
        raise fail("mail", "soft_bounce_limit", "must be 1-100")
    if not 1 <= mail["soft_bounce_days"] <= 365:
        raise fail("mail", "soft_bounce_days", "must be 1-365")

    reminders = values["reminders"]
    if not 0 <= reminders["send_hour"] <= 23:
        raise fail("reminders", "send_hour", f"must be 0-23, got {reminders['send_hour']}")
    if not reminders["lead_days"] or not set(reminders["lead_days"]) <= set(LEAD_CHOICES):
        choices = ", ".join(str(d) for d in LEAD_CHOICES)
        raise fail("reminders", "lead_days", f"must be a non-empty list of {choices}")
    if reminders["tick_seconds"] < 1:
        raise fail("reminders", "tick_seconds", "must be at least 1")
    if not 2 <= reminders["lease_seconds"] <= 3600:
        raise fail("reminders", "lease_seconds", "must be 2-3600")
    if not 1 <= reminders["retry_seconds"] <= 3600:
        raise fail("reminders", "retry_seconds", "must be 1-3600")
    if not reminders["retry_seconds"] <= reminders["retry_max_seconds"] <= 86400:
        raise fail("reminders", "retry_max_seconds", "must be from retry_seconds to 86400")

    feed = values["feed"]
    for key in ("years_back", "years_ahead"):
        if not 0 <= feed[key] <= 100:
            raise fail("feed", key, f"must be 0-100, got {feed[key]}")

    inbound = values["inbound"]
    for key in DEFAULTS["inbound"]:
        if not 1 <= inbound[key] <= INBOUND_CEILING:
            raise fail("inbound", key, f"must be 1-{INBOUND_CEILING}, got {inbound[key]}")

    secret_key = secret or _local_secret(instance_dir)
    return Settings(
        server=ServerSettings(
            host=server["host"],
            port=server["port"],
            base_url=base_url,
            workers=server["workers"],
            environment=server["environment"],
            trusted_proxies=server["trusted_proxies"],
            compress=server["compress"],
        ),
        site=SiteSettings(language),
        database=DatabaseSettings(url),
        mail=MailSettings(
            backend=mail["backend"],
            sender=mail["sender"],
            outbox_dir=outbox,
            host=mail["host"],
            port=mail["port"],
            starttls=mail["starttls"],
            ssl=mail["ssl"],
            username=mail["username"],
            password=env.get(ENV_MAIL_PASSWORD, ""),
            max_per_second=mail["max_per_second"],
            dkim=dkim,
            bounce_domain=bounce_domain,
            soft_bounce_limit=mail["soft_bounce_limit"],
            soft_bounce_days=mail["soft_bounce_days"],
            token_key=hmac.new(secret_key.encode(), b"verp-token", hashlib.sha256).digest(),
        ),
        reminders=ReminderSettings(
            enabled=reminders["enabled"],
            send_hour=reminders["send_hour"],
            lead_days=tuple(sorted(set(reminders["lead_days"]), reverse=True)),
            tick_seconds=reminders["tick_seconds"],
            lease_seconds=reminders["lease_seconds"],
            retry_seconds=reminders["retry_seconds"],
            retry_max_seconds=reminders["retry_max_seconds"],
        ),
        feed=FeedSettings(feed["years_back"], feed["years_ahead"]),
        limits=LimitSettings(values["limits"]["enabled"], values["limits"]["storage_uri"]),
        secret_key=secret_key,
        source=label,
        metrics=MetricsSettings(values["metrics"]["enabled"]),
        inbound=MessageLimits(**inbound),
    )


INBOUND_CEILING = 100 * 1024 * 1024
HOSTNAME = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
SELECTOR = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")


def _dkim_settings(mail: dict[str, Any], instance_dir: Path, base_dir: Path, fail: Any) -> Any:
    """[mail] dkim_*: None when no selector is set; else a readable RSA key, or an error."""
    selector = str(mail["dkim_selector"]).strip()
    if not selector:
        return None
    if not SELECTOR.fullmatch(selector):
        raise fail("mail", "dkim_selector", f"not a DNS label, got {selector!r}")
    domain = (
        str(mail["dkim_domain"]).strip().lower()
        or parseaddr(mail["sender"])[1].rpartition("@")[2].lower()
    )
    if not HOSTNAME.fullmatch(domain):
        raise fail("mail", "dkim_domain", f"must be a domain name, got {domain!r}")
    named = mail["dkim_key_file"]
    key_file = Path(named).expanduser() if named else instance_dir / "dkim.key"
    key_file = key_file if key_file.is_absolute() else base_dir / key_file
    try:
        private_key = key_file.read_bytes()
    except OSError as error:
        raise fail("mail", "dkim_key_file", f"cannot read {key_file}: {error.strerror}") from None
    from dkim.crypto import UnparsableKeyError, parse_pem_private_key

    try:
        parse_pem_private_key(private_key.replace(b"\r\n", b"\n"))
    except (UnparsableKeyError, ValueError, IndexError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        message = f"{key_file} is not a PEM RSA private key: {reason}"
        raise fail("mail", "dkim_key_file", message) from None
    return DkimSettings(selector, domain, key_file, private_key)


def _check_production_secret(secret: str) -> None:
    """Outside development the key must be set, and not a placeholder."""
    if not secret.strip():
        raise ConfigError(
            f"environment: {ENV_SECRET_KEY}: required when [server] environment is production"
        )
    lowered = secret.strip().lower()
    placeholder = any(word in lowered for word in PLACEHOLDER_WORDS)
    repetitive = len(set(secret)) < MIN_DISTINCT_CHARACTERS  # "xxxx…", "abababab…"
    if lowered in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH or placeholder or repetitive:
        raise ConfigError(
            f"environment: {ENV_SECRET_KEY}: too weak for production; use at least "
            f"{MIN_SECRET_LENGTH} random characters (python -c 'import secrets; "
            "print(secrets.token_hex(32))')"
        )


def _absolute_sqlite_url(url: str, base_dir: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix and not url.startswith(prefix + "/"):
        target = url[len(prefix) :]
        if target != ":memory:":
            return prefix + str(base_dir / target)
    return url


def _local_secret(instance_dir: Path) -> str:
    """For local runs: a random key generated once and kept in the instance folder."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
