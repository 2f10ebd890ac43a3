"""Golden files: the exact bytes of the feeds for a fixed data version and year.

A change to the renderer, the data file or a translation shows up here as a diff to
review. After checking the diff, regenerate with:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_ics_golden.py
"""

from __future__ import annotations

import os

import pytest

from calendar_app.core.ics import render_calendar
from tests.support.feed import (
    BASE_URL,
    CASES,
    DATA_CHANGED,
    GOLDEN,
    YEAR,
    byte_problems,
    plain_days,
    structure_problems,
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_feed_matches_its_golden_file(name: str) -> None:
    body = render_calendar(
        plain_days(), CASES[name], year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED
    )
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(body)
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review it"
    golden = path.read_bytes()
    # the golden file itself is a valid feed (so a regenerated one cannot hide a defect)
    assert byte_problems(golden) == [] and structure_problems(golden) == []
    assert body == golden, f"{name} differs from its golden file; review, then UPDATE_GOLDEN=1"
