"""Load and validate configuration with pydantic-settings.

Precedence, lowest first: the defaults declared on the models below < ``config.toml``
(or the file named by ``CALENDAR_APP_CONFIG``) < environment variables
``CALENDAR_APP_<SECTION>_<KEY>`` < overrides passed by code (tests). Secrets come only
from the environment. Each layer is read on its own (``TomlConfigSettingsSource``,
``EnvSettingsSource``) and every key remembers where it came from, so an error names
the file or the environment variable and the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal, cast, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict
from pydantic_settings import TomlConfigSettingsSource as TomlSource

from calendar_app.core.languages import LANGUAGES
from calendar_app.core.mail_limits import MessageLimits
from calendar_app.core.reminder_plan import LEAD_CHOICES

ENV_PREFIX = "CALENDAR_APP_"
ENV_CONFIG_FILE = ENV_PREFIX + "CONFIG"
ENV_SECRET_KEY = ENV_PREFIX + "SECRET_KEY"
ENV_MAIL_PASSWORD = ENV_PREFIX + "MAIL_PASSWORD"
SECRET_NAMES = {"secret_key", "password", "mail_password"}
SPECIAL_NAMES = {ENV_CONFIG_FILE, ENV_SECRET_KEY, ENV_MAIL_PASSWORD}
WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "default", "test"}
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10  # token_hex(32) has 16 possible; a repeated pattern has few
# Words of a key copied from documentation rather than generated (never in a random key).
PLACEHOLDER_WORDS = ("change", "secret", "example", "placeholder", "replace", "default", "insecure")
INBOUND_CEILING = 100 * 1024 * 1024
HOSTNAME = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
SELECTOR = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")


class ConfigError(Exception):
    """A configuration problem, worded as one line for the operator."""


@dataclass(frozen=True)
class Places:
    """What relative paths and computed defaults are resolved against (validation context)."""

    instance_dir: Path
    base_dir: Path  # the config file's folder, else the working directory


def _places(info: ValidationInfo) -> Places:
    return cast(Places, info.context)


class Section(BaseModel):
    """One [section]: strict types (a TOML "80" is not a port), frozen, defaults checked too."""

    model_config = ConfigDict(strict=True, frozen=True, validate_default=True)


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8000"
    workers: int = Field(2, ge=1)
    environment: Literal["development", "production"] = "development"
    trusted_proxies: int = Field(0, ge=0, le=5)  # reverse proxies whose X-Forwarded-* count
    compress: bool = True  # gzip text responses here (off when a proxy compresses)

    @field_validator("base_url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {url!r}")
        return url.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


class SiteSettings(Section):
    default_language: str = "az"

    @field_validator("default_language")
    @classmethod
    def _known(cls, language: str) -> str:
        if language not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return language


class DatabaseSettings(Section):
    url: str = ""  # "": calendar.db in the instance folder

    @field_validator("url")
    @classmethod
    def _absolute(cls, url: str, info: ValidationInfo) -> str:
        places = _places(info)
        url = url or f"sqlite:///{places.instance_dir / 'calendar.db'}"
        prefix = "sqlite:///"
        target = url[len(prefix) :]
        if url.startswith(prefix) and target and target[0] != "/" and target != ":memory:":
            return prefix + str(places.base_dir / target)
        return url


@dataclass(frozen=True)
class DkimSettings:
    selector: str
    domain: str
    key_file: Path
    private_key: bytes = field(repr=False)  # PEM, PKCS#1 or PKCS#8 RSA


class MailSettings(Section):
    backend: Literal["file", "smtp", "console"] = "file"
    sender: str = "Commemoration Calendar <calendar@localhost>"
    outbox_dir: Path = cast(Path, None)  # None: outbox in the instance folder
    host: str = "localhost"
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    username: str = ""
    max_per_second: int = Field(0, ge=0, le=100000)  # per process; 0: no limit
    dkim_selector: str = ""  # "": the relay signs, or nobody
    dkim_domain: str = ""  # "": the sender's domain
    dkim_key_file: str = ""  # "": dkim.key in the instance folder
    bounce_domain: str = ""  # VERP Return-Path and the mailto: unsubscribe address; "": off
    soft_bounce_limit: int = Field(3, ge=1, le=100)  # soft bounces within ... that suppress
    soft_bounce_days: int = Field(14, ge=1, le=365)
    # Not keys of the file: from the environment, or computed from the keys above.
    password: str = Field("", repr=False, exclude=True)
    token_key: bytes = Field(b"", repr=False, exclude=True)  # keys the VERP tokens
    dkim: DkimSettings | None = Field(None, exclude=True)  # None: the relay signs, or nobody

    @field_validator("outbox_dir", mode="before")
    @classmethod
    def _outbox(cls, value: Any, info: ValidationInfo) -> Path:
        if value is None or value == "":
            return _places(info).instance_dir / "outbox"
        if not isinstance(value, str | Path):
            raise ValueError(f"expected a string, got {value!r}")
        return _places(info).base_dir / value

    @field_validator("ssl")
    @classmethod
    def _one_tls(cls, ssl: bool, info: ValidationInfo) -> bool:
        if ssl and info.data.get("starttls"):
            raise ValueError("starttls and ssl cannot both be true")
        return ssl

    @field_validator("dkim_selector")
    @classmethod
    def _selector(cls, selector: str) -> str:
        if selector.strip() and not SELECTOR.fullmatch(selector.strip()):
            raise ValueError(f"not a DNS label, got {selector.strip()!r}")
        return selector.strip()

    @field_validator("dkim_domain")
    @classmethod
    def _dkim_domain(cls, domain: str, info: ValidationInfo) -> str:
        if not info.data.get("dkim_selector"):
            return domain
        sender_domain = parseaddr(info.data.get("sender", ""))[1].rpartition("@")[2]
        domain = (domain.strip() or sender_domain).lower()
        if not HOSTNAME.fullmatch(domain):
            raise ValueError(f"must be a domain name, got {domain!r}")
        return domain

    @field_validator("dkim_key_file")
    @classmethod
    def _key_file(cls, named: str, info: ValidationInfo) -> str:
        """With a selector: the key file's absolute path, once it reads as an RSA key."""
        if not info.data.get("dkim_selector"):
            return named
        places = _places(info)
        key_file = places.base_dir / (
            Path(named).expanduser() if named else places.instance_dir / "dkim.key"
        )
        try:
            private_key = key_file.read_bytes()
        except OSError as error:
            raise ValueError(f"cannot read {key_file}: {error.strerror}") from None
        from dkim.crypto import UnparsableKeyError, parse_pem_private_key

        try:
            parse_pem_private_key(private_key.replace(b"\r\n", b"\n"))
        except (UnparsableKeyError, ValueError, IndexError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ValueError(f"{key_file} is not a PEM RSA private key: {reason}") from None
        return str(key_file)

    @field_validator("bounce_domain")
    @classmethod
    def _bounce_domain(cls, domain: str) -> str:
        domain = domain.strip().lower()
        if domain and not HOSTNAME.fullmatch(domain):
            raise ValueError(f"must be a domain name, got {domain!r}")
        return domain

    @field_validator("dkim")
    @classmethod
    def _dkim(cls, _: Any, info: ValidationInfo) -> DkimSettings | None:
        keys = [info.data.get(k) for k in ("dkim_selector", "dkim_domain", "dkim_key_file")]
        if not all(keys):
            return None  # no selector, or one of the keys above has failed
        selector, domain, key_file = cast(list[str], keys)
        return DkimSettings(selector, domain, Path(key_file), Path(key_file).read_bytes())


class ReminderSettings(Section):
    enabled: bool = True
    send_hour: int = Field(9, ge=0, le=23)
    lead_days: Annotated[tuple[int, ...], NoDecode] = (1, 0)  # env: comma-separated
    tick_seconds: int = Field(60, ge=1)
    lease_seconds: int = Field(300, ge=2, le=3600)  # a claimed row returns to others then
    retry_seconds: int = Field(60, ge=1, le=3600)  # the first wait after a transient failure
    retry_max_seconds: int = Field(3600, le=86400)  # ... doubling up to this

    @field_validator("lead_days", mode="before")
    @classmethod
    def _list(cls, days: Any) -> Any:
        return tuple(days) if isinstance(days, list) else days

    @field_validator("lead_days")
    @classmethod
    def _choices(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if not days or not set(days) <= set(LEAD_CHOICES):
            choices = ", ".join(str(d) for d in LEAD_CHOICES)
            raise ValueError(f"must be a non-empty list of {choices}")
        return tuple(sorted(set(days), reverse=True))

    @field_validator("retry_max_seconds")
    @classmethod
    def _after_first(cls, seconds: int, info: ValidationInfo) -> int:
        if seconds < info.data.get("retry_seconds", 1):
            raise ValueError("must be from retry_seconds to 86400")
        return seconds


class FeedSettings(Section):
    years_back: int = Field(2, ge=0, le=100)
    years_ahead: int = Field(10, ge=0, le=100)


class LimitSettings(Section):
    enabled: bool = True
    storage_uri: str = "memory://"


class MetricsSettings(Section):
    enabled: bool = False  # serve /metrics (Prometheus); keep it off the public listener


def _limit(default: int) -> Any:
    return Field(default, ge=1, le=INBOUND_CEILING)


class InboundSettings(Section):
    """What `calendar-app inbound` accepts before parsing; read as core's MessageLimits."""

    max_message_bytes: int = _limit(MessageLimits.max_message_bytes)
    max_header_bytes: int = _limit(MessageLimits.max_header_bytes)
    max_field_bytes: int = _limit(MessageLimits.max_field_bytes)
    max_mime_field_bytes: int = _limit(MessageLimits.max_mime_field_bytes)
    max_encoded_words: int = _limit(MessageLimits.max_encoded_words)
    max_mime_parts: int = _limit(MessageLimits.max_mime_parts)


def _message_limits(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MessageLimits(**InboundSettings.model_validate(value).model_dump())
    return value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    server: ServerSettings
    site: SiteSettings
    database: DatabaseSettings
    mail: MailSettings
    reminders: ReminderSettings
    feed: FeedSettings
    limits: LimitSettings
    metrics: MetricsSettings
    inbound: Annotated[MessageLimits, BeforeValidator(_message_limits)]
    secret_key: str = Field("", repr=False)
    source: str = "built-in defaults"  # where the file layer came from, for messages


class _Layers(Settings, BaseSettings):
    """How pydantic-settings' sources read the layers: validation is Settings' own."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="_",
        env_nested_max_split=1,  # CALENDAR_APP_MAIL_DKIM_KEY_FILE: [mail] dkim_key_file
    )


SECTIONS: dict[str, type[Section]] = {
    "server": ServerSettings,
    "site": SiteSettings,
    "database": DatabaseSettings,
    "mail": MailSettings,
    "reminders": ReminderSettings,
    "feed": FeedSettings,
    "limits": LimitSettings,
    "metrics": MetricsSettings,
    "inbound": InboundSettings,
}
Say = Callable[[str], Any]


def _keys(section: str) -> dict[str, FieldInfo]:
    """The keys a file, the environment or overrides may set in a section."""
    return {k: f for k, f in SECTIONS[section].model_fields.items() if not f.exclude}


def load_settings(
    instance_dir: Path,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    warn: Say | None = None,
) -> Settings:
    """Build validated settings; raise ConfigError with one clear line on any problem."""
    env = dict(os.environ if environ is None else environ)
    say = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))

    named = env.get(ENV_CONFIG_FILE)
    path = Path(named).expanduser().resolve() if named else Path.cwd() / "config.toml"
    label = str(path) if path.exists() else "built-in defaults"
    if named and not path.exists():
        raise ConfigError(f"{path}: configuration file not found (named by {ENV_CONFIG_FILE})")
    layers = [(label, _checked(_read_file(path), label, say) if path.exists() else {})]
    layers.append(("environment", _from_environment(env, say)))
    layers.append(("overrides", _checked(overrides or {}, "overrides", say)))

    merged: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    origin: dict[tuple[str, str], str] = {}  # (section, key): where its value came from
    for source, layer in layers:
        for section, keys in layer.items():
            for key, value in keys.items():
                merged[section][key] = value
                origin[section, key] = (
                    f"environment: {ENV_PREFIX}{section.upper()}_{key.upper()}"
                    if source == "environment"
                    else f"{source}: [{section}] {key}"
                )

    secret = env.get(ENV_SECRET_KEY, "")
    if merged["server"].get("environment") == "production":
        _check_production_secret(secret)
    merged["mail"]["password"] = env.get(ENV_MAIL_PASSWORD, "")
    places = Places(instance_dir, path.parent if path.exists() else Path.cwd())
    try:
        settings = Settings.model_validate(merged, context=places)
    except ValidationError as error:
        raise ConfigError(_message(error.errors(include_url=False)[0], origin, label)) from None

    secret_key = secret or _local_secret(instance_dir)
    token_key = hmac.new(secret_key.encode(), b"verp-token", hashlib.sha256).digest()
    mail = settings.mail.model_copy(update={"token_key": token_key})
    return settings.model_copy(update={"mail": mail, "secret_key": secret_key, "source": label})


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = TomlSource(_Layers, toml_file=path)()
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    for section, keys in data.items():
        for key in keys if isinstance(keys, dict) else ():
            if key in SECRET_NAMES:
                raise ConfigError(
                    f"{path}: [{section}] {key}: secrets are read only from the environment "
                    f"({ENV_SECRET_KEY}, {ENV_MAIL_PASSWORD})"
                )
    return data


def _checked(layer: Mapping[str, Any], label: str, say: Say) -> dict[str, dict[str, Any]]:
    """A file's or the overrides' known keys; an unknown key warns and is ignored."""
    found: dict[str, dict[str, Any]] = {}
    for section, keys in layer.items():
        if not isinstance(keys, Mapping):
            raise ConfigError(f"{label}: '{section}' must be a [section], not a bare key")
        if section not in SECTIONS:
            known = ", ".join(SECTIONS)
            raise ConfigError(f"{label}: unknown section [{section}] (known: {known})")
        for key, value in keys.items():
            if key in _keys(section):
                found.setdefault(section, {})[key] = value
            else:
                say(f"{label}: [{section}] {key}: unknown key; ignored")
    return found


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of os.environ."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        super().__init__(_Layers)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self.environ.items()}


def _from_environment(env: Mapping[str, str], say: Say) -> dict[str, dict[str, Any]]:
    """CALENDAR_APP_<SECTION>_<KEY> as typed values; unknown names warn and are ignored."""
    ours = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in SPECIAL_NAMES:
            continue
        if any(name[len(ENV_PREFIX) :].lower().startswith(s + "_") for s in SECTIONS):
            ours[name] = value
        else:
            say(f"{name}: no such configuration section; ignored")
    found: dict[str, dict[str, Any]] = {}
    for section, keys in _Environment(ours)().items():
        for key, raw in keys.items():
            name = f"{ENV_PREFIX}{section}_{key}".upper()
            known = _keys(section).get(key)
            if known is None:
                say(f"{name}: no key '{key}' in [{section}]; ignored")
                continue
            listed = get_origin(known.annotation) is tuple
            text = [part for part in raw.split(",") if part.strip()] if listed else raw
            try:  # lax: "8000" is a port here, "yes" is true
                value = TypeAdapter(known.annotation).validate_python(text)
            except ValidationError as error:
                detail = error.errors(include_url=False)[0]
                raise ConfigError(f"environment: {name}: {_reason(detail, known)}") from None
            found.setdefault(section, {})[key] = value
    return found


EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "tuple_type": "a list of integers",
}


def _message(error: ErrorDetails, origin: Mapping[tuple[str, str], str], label: str) -> str:
    """One line: the file (or environment variable), the [section] key, and what is wrong."""
    loc = [str(part) for part in error["loc"]]
    section, key = [*loc, "", ""][:2]
    where = origin.get((section, key), f"{label}: [{section}] {key}")
    known = _keys(section).get(key) if section in SECTIONS else None
    return f"{where}: {_reason(error, known)}"


def _reason(error: ErrorDetails, known: FieldInfo | None) -> str:
    loc = error["loc"]
    item = f"item {loc[-1] + 1}: " if loc and isinstance(loc[-1], int) else ""
    return item + _what(error, known)


def _what(error: ErrorDetails, known: FieldInfo | None) -> str:
    kind, got, context = error["type"], error["input"], error.get("ctx", {})
    if kind in ("greater_than_equal", "less_than_equal") and known is not None:
        low, high = (
            next((getattr(m, bound) for m in known.metadata if hasattr(m, bound)), None)
            for bound in ("ge", "le")
        )
        span = f"{low}-{high}" if low is not None and high is not None else None
        span = span or (f"at least {low}" if high is None else f"at most {high}")
        return f"must be {span}, got {got!r}"
    if kind == "value_error":
        return str(context["error"])
    if kind == "literal_error" and known is not None:
        return f"must be one of {', '.join(get_args(known.annotation))}, got {got!r}"
    if kind in EXPECTED:
        return f"expected {EXPECTED[kind]}, got {got!r}"
    return error["msg"]


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
