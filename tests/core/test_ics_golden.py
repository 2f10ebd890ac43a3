"""Golden files: the exact bytes of the feeds for a fixed data version and year.

A change to the renderer, the tests' data file or a translation shows up here as a
diff to review. After checking the diff, rewrite the snapshots with:

    .venv/bin/pytest -n 0 tests/core/test_ics_golden.py --snapshot-update
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from calendar_app.core.ics import render_calendar
from tests.support.feed import (
    BASE_URL,
    CASES,
    DATA_CHANGED,
    YEAR,
    byte_problems,
    plain_days,
    structure_problems,
)
from tests.support.snapshots import IcsSnapshot


@pytest.mark.parametrize("name", sorted(CASES), ids=lambda name: name.removesuffix(".ics"))
def test_feed_matches_its_golden_file(name: str, snapshot: SnapshotAssertion) -> None:
    body = render_calendar(
        plain_days(), CASES[name], year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED
    )
    # the feed itself is valid (so a rewritten snapshot cannot hide a defect)
    assert byte_problems(body) == [] and structure_problems(body) == []
    assert body == snapshot(extension_class=IcsSnapshot)
