"""The data files the tests read: their own, and the bundled one."""

from __future__ import annotations

from pathlib import Path

from calendar_app.resources import DATA_FILE

# What every app in a test loads (tests/conftest.py): it changes only with the tests.
TEST_DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "memorial_days.toml"
# What a server loads: read only by tests/data/test_bundled_data.py and the content
# tests, which check its texts whatever days it holds.
BUNDLED_DATA_FILE = DATA_FILE
