"""ical.js (from npm, under node): the JavaScript client the feed tests read feeds with.

The package is pinned by tests/js/package-lock.json and installed with `npm ci`
into tests/js/node_modules (git-ignored) on first use. Locally, a missing node or
npm package skips the tests that use ``node`` with the reason; with CI=true it
fails them instead.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.support.processes import read_feeds_with

JS_DIR = Path(__file__).resolve().parent.parent / "js"
SCRIPT = JS_DIR / "read_feeds.mjs"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"ical.js check cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        _unavailable("node is not installed (apt-get install nodejs npm)")
        raise AssertionError("unreachable")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed, so ical.js cannot be installed")
            raise AssertionError("unreachable")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            _unavailable(f"npm ci failed in {JS_DIR}: {done.stderr.strip()[-500:]}")
    return found


def read_with_icaljs(node: str, paths: list[Path]) -> list[dict[str, Any]]:
    return read_feeds_with([node, str(SCRIPT)], paths, timeout=120)
