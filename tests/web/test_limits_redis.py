"""Two app instances with `[limits] storage_uri` on Redis share their counts.

Each instance runs in its own process (the limiter is one object per process),
on the same SQLite database, and posts sign-ups through the real form. With
Redis, the per-client limit (10 posts a minute) and the per-address limit (one
confirmation per 10 minutes) count across both; with ``memory://`` they do not,
which shows the test can tell the difference.

Redis is the local server, database 15; the keys carry a token and a client
address unique to the run, and only those keys are deleted afterwards. Without
Redis the test skips locally and fails in CI (``CI=true``), as the PostgreSQL
tests do.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from calendar_app.data.prepare import prepare_database
from tests.conftest import IN_CI, build_app

REDIS_URL = os.environ.get("CALENDAR_APP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} is not reachable: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@dataclass(frozen=True)
class RunKeys:
    """What makes this run's Redis keys its own: a token in addresses, a host in client IPs."""

    token: str
    host: str

    def cleanup_patterns(self) -> list[str]:
        return [f"*{self.token}*", f"*.{self.host}/*"]


@pytest.fixture
def run_keys(redis_url: str) -> Iterator[RunKeys]:
    """Unique to this run, so concurrent runs do not count each other; its keys go after."""
    keys = RunKeys(uuid.uuid4().hex[:12], f"{random.randrange(256)}.{random.randrange(256)}")
    yield keys
    client = redis.Redis.from_url(redis_url)
    for pattern in keys.cleanup_patterns():
        found = list(client.scan_iter(match=pattern, count=1000))
        if found:
            client.delete(*found)
    client.close()


def run_instance(
    database_url: str, instance: Path, storage_uri: str, posts: list[str]
) -> list[int]:
    """Start one app instance in a new process; the status code of each (ip:email) post."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDAR_APP_")}
    env["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-m", "tests.support.limits_instance", database_url, str(instance)]
    done = subprocess.run(
        [*command, storage_uri, *posts],
        env=env,
        cwd=instance.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    codes: list[int] = json.loads(done.stdout.strip().splitlines()[-1])
    return codes


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_two_instances_share_rate_limit_counts(
    shared: bool, redis_url: str, run_keys: RunKeys, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'calendar.db'}"
    prepare_database(build_app(tmp_path, database_url))
    storage = redis_url if shared else "memory://"
    token, host = run_keys.token, run_keys.host
    client, first, second = f"10.0.{host}", f"10.1.{host}", f"10.2.{host}"
    same_address = f"same@{token}.example.org"

    def posts(ip: str, prefix: str, count: int) -> list[str]:
        # the domain holds the token too: its budget's keys are this run's, and deleted after
        return [f"{ip}:{prefix}{n}@{token}.example.org" for n in range(count)]

    def mailed(instance: str) -> int:
        outbox = tmp_path / instance / "outbox"
        return sum(same_address in p.read_text() for p in outbox.glob("*.eml"))

    one = [*posts(client, "a", 5), f"{first}:{same_address}"]
    other = [*posts(client, "b", 5), f"{second}:{same_address}"]
    assert run_instance(database_url, tmp_path / "one", storage, one) == [200] * 6
    codes = run_instance(database_url, tmp_path / "other", storage, other)
    assert codes[:5] == [200] * 5  # ten posts from one client in a minute: still allowed
    again = run_instance(database_url, tmp_path / "one", storage, posts(client, "c", 1))
    assert codes[5] == 200  # a spent mailbox budget shows the ordinary page
    assert mailed("one") == 1
    if shared:
        assert mailed("other") == 0  # the address had its confirmation from the other instance
        assert again == [429]  # the eleventh post from that client, counted across both
        stored = redis.Redis.from_url(redis_url)
        assert list(stored.scan_iter(match=f"*{token}*"))  # the address count lives there
        stored.close()
    else:
        assert mailed("other") == 1 and again == [200]  # each process counts only its own
