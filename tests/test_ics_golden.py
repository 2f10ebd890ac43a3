"""Golden files: the exact bytes of the feeds for a fixed data version and year.

A change to the renderer, the data file or a translation shows up here as a diff to
review. After checking the diff, regenerate with:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_ics_golden.py
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from calendar_app.core.ics import FeedOptions, render_calendar
from tests.support.feed import (
    BASE_URL,
    DATA_CHANGED,
    YEAR,
    byte_problems,
    plain_days,
    structure_problems,
)

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "calendar-az.ics": FeedOptions(lang="az", years_back=1, years_ahead=1),
    "calendar-en.ics": FeedOptions(lang="en", years_back=1, years_ahead=1),
    "calendar-ru.ics": FeedOptions(lang="ru", years_back=1, years_ahead=1),
    "february-26-en-alarm.ics": FeedOptions(
        lang="en", years_back=0, years_ahead=0, slug="february-26", alarm=dt.timedelta(hours=-2)
    ),
    "march-31-ru-no-silence.ics": FeedOptions(
        lang="ru", years_back=0, years_ahead=0, slug="march-31", include_silence=False
    ),
}


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
